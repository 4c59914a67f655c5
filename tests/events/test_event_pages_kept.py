"""The staff pages of an event at scale (#23): the event, its registrations, the workshop
lists and the assignment cost the same statements however many people registered, and
what they keep between requests (the event per data version, the assignment page and the
workshop lists per data version and version of the registrations and draft, the
registrations' composition per data version) shows a save on the next request, also a
save of what is no audited record (a draft, wishes alone). Counts, never timings."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db import datastamp
from crm.db.engine import writing
from crm.events import services
from crm.extensions import db
from crm.models import Initiative
from crm.models import Person
from crm.models import Registration
from crm.models import Workshop
from crm.web import fragments
from tests.events.test_events_assignment import Meeting
from tests.events.test_events_assignment import build_meeting
from tests.helpers import recorded

PAGES = ("", "/registrations", "/workshop-lists", "/assignment")
LIMIT = 8  # statements per page, authentication included


def statements(app: Flask, client: FlaskClient, path: str) -> int:
    with recorded(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(seen)


def page_counts(app: Flask, client: FlaskClient, meeting: Meeting) -> dict[str, list[int]]:
    """Statements of each page on its first request in a data version (what is kept is
    computed) and on the next (what is kept is used)."""
    base = f"/events/{meeting.event_id}"
    return {
        page: [statements(app, client, base + page), statements(app, client, base + page)]
        for page in PAGES
    }


@pytest.mark.parametrize("drafted", [False, True], ids=["no-draft", "draft"])
def test_statements_do_not_grow_with_registrations(app, client, login_as, drafted, monkeypatch):
    monkeypatch.setitem(app.config, "READS_KEPT_S", 0)  # the most: every request checks
    warm = build_meeting(app, participants=3, capacities=(2, 2, 2, 2, 2), seed=3, title="Warm")
    small = build_meeting(app, participants=5, capacities=(2, 2, 2, 2, 2), seed=1, title="Klein")
    large = build_meeting(app, participants=50, seed=2, title="Groß")
    login_as("staff")
    if drafted:
        for meeting in (warm, small, large):
            client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector"]})
    page_counts(app, client, warm)  # what a process keeps for any event (e.g. the Länder)
    few, many = page_counts(app, client, small), page_counts(app, client, large)
    assert few == many
    for page, (first, kept) in many.items():
        assert kept <= min(first, LIMIT), (page, first, kept)
    # the event and the assignment page are kept: authentication (and the version of the
    # registrations) only
    assert many[""][1] == 1 and many["/assignment"][1] == 2


def _html(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _list_of(html: str, workshop_id: int) -> str:
    """The section of one workshop on the workshop lists page."""
    match = re.search(rf'aria-labelledby="ws-{workshop_id}">(.*?)</section>', html, re.S)
    assert match, workshop_id
    return match.group(1)


@pytest.fixture
def meeting(app: Flask) -> Meeting:
    return build_meeting(app, participants=20, capacities=(6, 6, 6, 6, 6))


def _first_wisher(app: Flask, meeting: Meeting) -> tuple[int, str, int]:
    """A registration with wishes: its id, its person's last name, its first wish."""
    with app.app_context():
        for registration_id in meeting.registration_ids:
            registration = db.session.scalars(
                select(Registration)
                .where(Registration.id == registration_id)
                .options(selectinload(Registration.preferences))
            ).one()
            if registration.preferences:
                person = db.session.get_one(Person, registration.person_id)
                return registration_id, person.last_name, registration.preferences[0].workshop_id
    raise AssertionError("nobody wished anything")


def test_workshop_lists_show_changed_wishes_on_the_next_request(app, client, login_as, meeting):
    """Before the assignment the lists go by first wishes, which change without an audited
    record: the kept lists are rendered again."""
    registration_id, name, first = _first_wisher(app, meeting)
    other = next(w for w in meeting.workshop_ids if w != first)
    login_as("staff")
    path = f"/events/{meeting.event_id}/workshop-lists"
    html = _html(client, path)
    assert name in _list_of(html, first) and name not in _list_of(html, other)
    with app.app_context(), writing():
        registration = db.session.get_one(Registration, registration_id)
        services.change_preferences(registration, [other, first])
        db.session.commit()
    html = _html(client, path)
    assert name in _list_of(html, other) and name not in _list_of(html, first)


def test_workshop_lists_show_a_renamed_person_on_the_next_request(app, client, login_as, meeting):
    registration_id, name, first = _first_wisher(app, meeting)
    login_as("staff")
    path = f"/events/{meeting.event_id}/workshop-lists"
    assert name in _list_of(_html(client, path), first)
    with app.app_context(), writing():
        registration = db.session.get_one(Registration, registration_id)
        db.session.get_one(Person, registration.person_id).last_name = "Umbenannt"
        db.session.commit()
    section = _list_of(_html(client, path), first)
    assert "Umbenannt" in section and name not in section


def _row(html: str, registration_id: int) -> str:
    match = re.search(rf'<tr data-registration="{registration_id}">(.*?)</tr>', html, re.S)
    assert match, registration_id
    return match.group(1)


def test_assignment_page_shows_a_new_draft_on_the_next_request(app, client, login_as, meeting):
    """A run changes the draft only, no audited record: the kept page is arranged again."""
    login_as("staff")
    path = f"/events/{meeting.event_id}/assignment"
    html = _html(client, path)
    assert "data-metric=" not in html  # no draft yet
    client.post(f"{path}/run", data={"mix": ["sector"]})
    html = _html(client, path)
    assert "data-metric=" in html and 'value="land" id="mix-land" checked' not in html
    client.post(f"{path}/run", data={"mix": ["land"]})
    html = _html(client, path)
    assert 'value="land" id="mix-land" checked' in html
    assert 'value="sector" id="mix-sector" checked' not in html


def test_assignment_page_shows_changed_wishes_on_the_next_request(app, client, login_as, meeting):
    registration_id, _name, first = _first_wisher(app, meeting)
    login_as("staff")
    path = f"/events/{meeting.event_id}/assignment"
    client.post(f"{path}/run", data={"mix": ["sector"]})
    before = _row(_html(client, path), registration_id)
    with app.app_context(), writing():
        registration = db.session.get_one(Registration, registration_id)
        services.change_preferences(registration, [])  # no wishes any more
        db.session.commit()
    after = _row(_html(client, path), registration_id)
    assert 'class="text-muted">keine</span>' in after and after != before


def test_assignment_page_shows_a_move_on_the_next_request(app, client, login_as, meeting):
    login_as("staff")
    path = f"/events/{meeting.event_id}/assignment"
    client.post(f"{path}/run", data={"mix": ["sector"]})
    registration_id = meeting.registration_ids[0]
    assert "data-fixed" not in _row(_html(client, path), registration_id)
    target = meeting.workshop_ids[-1]
    client.post(f"{path}/{registration_id}/move", data={"workshop_id": str(target)})
    html = _html(client, path)
    assert "data-fixed" in _row(html, registration_id)
    assert f'data-registration="{registration_id}"' in html.split(f'id="ws-{target}"')[1]


def test_registration_composition_shows_a_save_on_the_next_request(app, client, login_as, meeting):
    login_as("staff")
    path = f"/events/{meeting.event_id}/registrations"
    html = _html(client, path)
    assert "Industrieinitiative Ruhr" in html.split('id="by-initiative"')[1]
    with app.app_context(), writing():
        initiative = db.session.scalars(
            select(Initiative).where(Initiative.name == "Industrieinitiative Ruhr")
        ).one()
        initiative.name = "Industrieinitiative Rhein-Ruhr"
        db.session.commit()
    composition = _html(client, path).split('id="by-initiative"')[1]
    assert "Industrieinitiative Rhein-Ruhr" in composition


def test_event_page_shows_a_renamed_workshop_on_the_next_request(app, client, login_as, meeting):
    login_as("staff")
    path = f"/events/{meeting.event_id}"
    assert "Fachkräfte sichern" in _html(client, path)
    with app.app_context(), writing():
        db.session.get_one(Workshop, meeting.workshop_ids[0]).title = "Fachkräfte gewinnen"
        db.session.commit()
    html = _html(client, path)
    assert "Fachkräfte gewinnen" in html and "Fachkräfte sichern" not in html


CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _fresh(client: FlaskClient, path: str) -> str:
    """The page as rendered with nothing kept (CSRF tokens masked)."""
    datastamp.clear()
    fragments.clear()
    return CSRF.sub("", _html(client, path))


def test_kept_assignment_page_equals_a_fresh_one_after_saves(app, client, login_as, meeting):
    """After a run (a draft only) and after a move, the kept page and its kept figures are
    what a page rendered from scratch shows."""
    login_as("staff")
    path = f"/events/{meeting.event_id}/assignment"
    client.post(f"{path}/run", data={"mix": ["sector"]})
    _html(client, path)
    target = meeting.workshop_ids[-1]
    saves = [
        (f"{path}/run", {"mix": ["land", "initiative"]}),
        (f"{path}/{meeting.registration_ids[1]}/move", {"workshop_id": str(target)}),
    ]
    for action, data in saves:
        client.post(action, data=data)
        _html(client, path)  # shows the save's message (and keeps the page)
        kept = CSRF.sub("", _html(client, path))
        assert kept == _fresh(client, path)


def _registration_row(html: str, last_name: str) -> str:
    """The row of the registration list of the person called `last_name`."""
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    return next(row for row in table.split("<tr>") if f"{last_name}, " in row)


def test_registrations_show_changed_wishes_on_the_next_request(app, client, login_as, meeting):
    """The kept table of registrations follows a change of wishes (no audited record)."""
    registration_id, name, first = _first_wisher(app, meeting)
    other = next(w for w in meeting.workshop_ids if w != first)
    with app.app_context():
        titles = {w.id: w.title for w in db.session.scalars(select(Workshop))}
    login_as("staff")
    path = f"/events/{meeting.event_id}/registrations"
    before = _registration_row(_html(client, path), name)
    assert f"<li>{titles[first]}</li>" in before
    assert _registration_row(_html(client, path), name) == before  # kept
    with app.app_context(), writing():
        registration = db.session.get_one(Registration, registration_id)
        services.change_preferences(registration, [other])
        db.session.commit()
    after = _registration_row(_html(client, path), name)
    assert re.findall(r"<li>(.*?)</li>", after) == [titles[other]]


def test_a_kept_registration_table_reads_no_registrations(app, client, login_as, meeting):
    login_as("staff")
    path = f"/events/{meeting.event_id}/registrations?page=1"
    first = _html(client, path)
    with recorded(app) as seen:
        again = _html(client, path)
    assert CSRF.sub("", again) == CSRF.sub("", first)
    assert not [s for s in seen if "total_rows" in s], seen  # the page of rows


def test_a_kept_registration_table_carries_each_viewers_own_csrf_token(app, make, meeting):
    """The "Zuordnung bestätigen" forms of the kept rows post with the token of whoever
    looks at the page, never with the token of whoever's request rendered them."""
    registration_id, name, _first = _first_wisher(app, meeting)
    match = make.organisation(name="Treffer GmbH")
    with app.app_context(), writing():
        registration = db.session.get_one(Registration, registration_id)
        registration.organisation_id = match.id
        registration.organisation_confirmed = False
        db.session.commit()
    password = "Ein-sicheres-Passwort-2030"
    path = f"/events/{meeting.event_id}/registrations"
    tokens = []
    for _ in range(2):
        viewer = make.user(role="staff", password=password)
        client = app.test_client()
        response = client.post("/login", data={"email": viewer.email, "password": password})
        assert response.status_code == 302
        html = _html(client, path)
        row = _registration_row(html, name)
        assert "Zuordnung bestätigen" in row
        own = set(re.findall(r'name="csrf_token" value="([^"]*)"', html))
        assert len(own) == 1 and fragments.CSRF_STAND_IN not in html
        tokens.append(own.pop())
        action = re.search(r'<form method="post" action="([^"]*)"', row)
        assert action is not None
        confirmed = client.post(action.group(1), data={"csrf_token": tokens[-1], "next": path})
        assert confirmed.status_code == 302
        with app.app_context(), writing():
            db.session.get_one(Registration, registration_id).organisation_confirmed = False
            db.session.commit()
    assert tokens[0] != tokens[1]
