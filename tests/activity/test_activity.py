"""Interactions and follow-ups: logging, editing, deleting, "Meine Wiedervorlagen", done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.activity.queries import berlin_today
from crm.extensions import db
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Interaction
from crm.models import InteractionKind
from tests.conftest import TEST_PASSWORD
from tests.helpers import csrf_client
from tests.helpers import with_overrides

UTC = dt.UTC


def _count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Interaction.id))) or 0)


def _load(app, interaction_id: int) -> Interaction | None:
    with app.app_context():
        item = db.session.scalar(
            select(Interaction)
            .where(Interaction.id == interaction_id)
            .options(selectinload(Interaction.persons))
        )
        if item is not None:
            db.session.expunge(item)
        return item


def _only(app) -> Interaction:
    with app.app_context():
        item = db.session.scalars(
            select(Interaction).options(selectinload(Interaction.persons))
        ).one()
        db.session.expunge(item)
        return item


def _form(**overrides) -> dict:
    data = {
        "kind": "call",
        "occurred_at": "2026-07-01T10:00",
        "subject": "Telefonat zur Langen Nacht der Industrie",
        "notes": "Termin im Mai abgestimmt.",
        "follow_up_due": "",
        "follow_up_owner": "",
    }
    return with_overrides(data, overrides)


# --- access -------------------------------------------------------------------------


ROUTES = [
    ("GET", "/interactions/new?initiative={ini}"),
    ("POST", "/interactions/new?initiative={ini}"),
    ("GET", "/interactions/{it}/edit"),
    ("POST", "/interactions/{it}/edit"),
    ("GET", "/interactions/{it}/delete"),
    ("POST", "/interactions/{it}/delete"),
    ("GET", "/follow-ups"),
    ("POST", "/follow-ups/{it}/done"),
]


@pytest.fixture
def records(make):
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    item = make.interaction(
        initiative_id=ini.id, follow_up_due=dt.date(2026, 1, 2), subject="Rückruf"
    )
    return ini, item


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_users_are_sent_to_login(app, client, records, method, path):
    ini, item = records
    response = client.open(path.format(ini=ini.id, it=item.id), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert _load(app, item.id).follow_up_done_at is None


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_editors_are_refused(app, client, login_as, records, method, path):
    ini, item = records
    login_as("editor", initiative=ini)  # even for their own initiative: office work only
    response = client.open(path.format(ini=ini.id, it=item.id), method=method, data=_form())
    assert response.status_code == 403
    assert _count(app) == 1
    assert _load(app, item.id).follow_up_done_at is None


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_may_log(client, login_as, records, role):
    ini, _item = records
    login_as(role)
    assert client.get(f"/interactions/new?initiative={ini.id}").status_code == 200
    assert client.get("/follow-ups").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/interactions/999999/edit"),
        ("POST", "/interactions/999999/edit"),
        ("GET", "/interactions/999999/delete"),
        ("POST", "/interactions/999999/delete"),
        ("POST", "/follow-ups/999999/done"),
        ("GET", "/interactions/new?initiative=999999"),
        ("POST", "/interactions/new?initiative=999999"),
        ("GET", "/interactions/new?organisation=999999"),
        ("GET", "/interactions/new?person=999999"),
    ],
)
def test_unknown_ids_are_404(app, client, login_as, method, path):
    login_as("staff")
    assert client.open(path, method=method, data=_form()).status_code == 404
    assert _count(app) == 0


# --- logging --------------------------------------------------------------------------


def test_new_form_offers_the_contacts_of_the_context(client, login_as, make):
    me = login_as("staff", email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    contact = make.person(first_name="Jörg", last_name="Müller")
    make.initiative_role(contact, ini)
    stranger = make.person(first_name="Anna", last_name="Fremd")
    make.user(role="editor", initiative_id=ini.id, email="redaktion@example.org")
    make.user(role="staff", email="inaktiv@example.org", active=False)
    html = client.get(f"/interactions/new?initiative={ini.id}").get_data(as_text=True)
    assert "Zukunft durch Industrie e.V." in html
    assert f'value="{contact.id}"' in html and "Müller" in html
    assert "Fremd" not in html and f'value="{stranger.id}"' not in html
    assert f'<option selected value="{me.id}">beraterin@example.org' in html  # default: me
    assert "redaktion@example.org" not in html and "inaktiv@example.org" not in html
    assert 'type="datetime-local"' in html and 'type="date"' in html


def test_log_a_call_on_an_initiative_with_a_follow_up(app, client, login_as, make):
    me = login_as("staff")
    colleague = make.user(role="staff", email="kollege@example.org")
    ini = make.initiative()
    contact = make.person()
    make.initiative_role(contact, ini)
    response = client.post(
        f"/interactions/new?initiative={ini.id}",
        data=_form(
            persons=[str(contact.id)],
            follow_up_due="2026-07-15",
            follow_up_owner=str(colleague.id),
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/initiatives/{ini.id}"
    item = _only(app)
    assert item.kind is InteractionKind.CALL
    assert item.occurred_at == dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # CEST = UTC+2
    assert item.initiative_id == ini.id and item.organisation_id is None
    assert [p.id for p in item.persons] == [contact.id]
    assert item.author_id == me.id
    assert item.follow_up_due == dt.date(2026, 7, 15)
    assert item.follow_up_owner_id == colleague.id
    assert item.follow_up_done_at is None
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.record_type == "interactions", AuditEntry.record_id == item.id
            )
        ).one()
        assert entry.action is AuditAction.CREATE and entry.user_id == me.id


def test_winter_time_is_utc_plus_one(app, client, login_as, make):
    login_as("staff")
    org = make.organisation()
    client.post(
        f"/interactions/new?organisation={org.id}", data=_form(occurred_at="2026-01-15T10:00")
    )
    assert _only(app).occurred_at == dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def test_due_date_without_owner_is_mine_and_owner_without_date_is_dropped(
    app, client, login_as, make
):
    me = login_as("staff")
    org = make.organisation()
    client.post(f"/interactions/new?organisation={org.id}", data=_form(follow_up_due="2026-08-01"))
    client.post(
        f"/interactions/new?organisation={org.id}",
        data=_form(subject="Ohne Wiedervorlage", follow_up_owner=str(me.id)),
    )
    with app.app_context():
        rows = db.session.scalars(select(Interaction).order_by(Interaction.id)).all()
        assert [(r.follow_up_due, r.follow_up_owner_id) for r in rows] == [
            (dt.date(2026, 8, 1), me.id),
            (None, None),
        ]


def test_organisation_context_redirects_to_the_organisation_page(app, client, login_as, make):
    login_as("staff")
    org = make.organisation(name="Stahlwerk Nord AG")
    person = make.person(last_name="Angestellt")
    make.affiliation(person, org)
    html = client.get(f"/interactions/new?organisation={org.id}").get_data(as_text=True)
    assert "Angestellt" in html
    response = client.post(
        f"/interactions/new?organisation={org.id}", data=_form(kind="visit", persons=[person.id])
    )
    assert response.headers["Location"] == f"/organisations/{org.id}"
    item = _only(app)
    assert item.organisation_id == org.id and [p.id for p in item.persons] == [person.id]


def test_person_context_always_involves_the_person(app, client, login_as, make):
    login_as("staff")
    person = make.person()
    html = client.get(f"/interactions/new?person={person.id}").get_data(as_text=True)
    assert f'<option selected value="{person.id}">' in html
    response = client.post(f"/interactions/new?person={person.id}", data=_form(kind="email"))
    assert response.headers["Location"] == f"/persons/{person.id}"
    item = _only(app)
    assert item.initiative_id is None and item.organisation_id is None
    assert [p.id for p in item.persons] == [person.id]


def test_initiative_page_links_to_logging(client, login_as, make):
    login_as("staff")
    ini = make.initiative()
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert f'href="/interactions/new?initiative={ini.id}"' in html
    assert "Kontakt protokollieren" in html


@pytest.mark.parametrize("query", ["", "?initiative=abc", "?organisation=-1", "?person=0", "?x=1"])
def test_missing_context_shows_a_message_and_stores_nothing(app, client, login_as, query):
    login_as("staff")
    message = "Ein Kontakt gehört zu einer Initiative, einer Organisation oder einer Person."
    assert message in client.get(f"/interactions/new{query}").get_data(as_text=True)
    response = client.post(f"/interactions/new{query}", data=_form())
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


BAD_INPUT = [
    ({"kind": "fax"}, "Bitte eine der angebotenen Arten wählen."),
    ({"kind": None}, "Bitte die Art wählen."),
    ({"occurred_at": "gestern"}, "Bitte ein gültiges Datum mit Uhrzeit angeben."),
    ({"occurred_at": "2026-02-30T10:00"}, "Bitte ein gültiges Datum mit Uhrzeit angeben."),
    ({"occurred_at": ""}, "Bitte Datum und Uhrzeit angeben."),
    ({"occurred_at": None}, "Bitte Datum und Uhrzeit angeben."),
    ({"occurred_at": "0001-01-01T00:00"}, "Bitte ein Datum zwischen 1990 und 2100 angeben."),
    ({"subject": ""}, "Bitte einen Betreff angeben."),
    ({"subject": "   "}, "Bitte einen Betreff angeben."),
    ({"subject": "x" * 201}, "Höchstens 200 Zeichen."),
    ({"follow_up_due": "31.13.2026"}, "Bitte ein gültiges Datum angeben."),
    ({"follow_up_due": "9999-01-01"}, "Bitte ein Datum zwischen 1990 und 2100 angeben."),
    ({"follow_up_due": "2026-08-01", "follow_up_owner": "EDITOR"}, "Eine Wiedervorlage kann nur"),
    ({"follow_up_due": "2026-08-01", "follow_up_owner": "INACTIVE"}, "Eine Wiedervorlage kann nur"),
    ({"follow_up_due": "2026-08-01", "follow_up_owner": "999999"}, "Eine Wiedervorlage kann nur"),
    ({"follow_up_due": "2026-08-01", "follow_up_owner": "abc"}, "Eine Wiedervorlage kann nur"),
    ({"persons": ["STRANGER"]}, "Bitte nur angebotene Personen auswählen."),
    ({"persons": ["1x"]}, "Bitte nur angebotene Personen auswählen."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_input_shows_a_message_keeps_the_input_and_stores_nothing(
    app, client, login_as, make, overrides, message
):
    login_as("staff")
    ini = make.initiative()
    editor = make.user(role="editor", initiative_id=ini.id)
    inactive = make.user(role="staff", active=False)
    stranger = make.person()
    ids = {"EDITOR": str(editor.id), "INACTIVE": str(inactive.id), "STRANGER": str(stranger.id)}
    overrides = dict(overrides)  # the parameter is shared by both backends
    for key, value in overrides.items():
        if isinstance(value, list):
            overrides[key] = [ids.get(v, v) for v in value]
        elif value in ids:
            overrides[key] = ids[value]
    data = _form(subject=overrides.pop("subject", "Mein getippter Betreff"), **overrides)
    response = client.post(f"/interactions/new?initiative={ini.id}", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "is-invalid" in html
    if data["subject"] == "Mein getippter Betreff":
        assert 'value="Mein getippter Betreff"' in html  # what was typed stays
    assert _count(app) == 0


# --- editing and deleting -----------------------------------------------------------


def test_edit_shows_berlin_time_and_saves_changes(app, client, login_as, make):
    me = login_as("staff")
    ini = make.initiative()
    person = make.person()
    make.initiative_role(person, ini)
    item = make.interaction(
        initiative_id=ini.id,
        occurred_at=dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
        subject="Alt",
        follow_up_due=dt.date(2026, 7, 2),
        follow_up_owner_id=me.id,
        follow_up_done_at=dt.datetime(2026, 7, 2, 9, 0, tzinfo=UTC),
    )
    html = client.get(f"/interactions/{item.id}/edit").get_data(as_text=True)
    assert 'value="2026-07-01T10:00"' in html and 'value="Alt"' in html
    response = client.post(
        f"/interactions/{item.id}/edit",
        data=_form(
            kind="meeting",
            subject="Neu",
            occurred_at="2026-07-01T11:30",
            persons=[str(person.id)],
            follow_up_due="2026-07-20",
            follow_up_owner=str(me.id),
        ),
    )
    assert response.headers["Location"] == f"/initiatives/{ini.id}"
    saved = _load(app, item.id)
    assert saved.kind is InteractionKind.MEETING and saved.subject == "Neu"
    assert saved.occurred_at == dt.datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert [p.id for p in saved.persons] == [person.id]
    assert saved.follow_up_due == dt.date(2026, 7, 20)
    assert saved.follow_up_done_at is None  # a moved follow-up is open again


def test_edit_with_bad_input_changes_nothing(app, client, login_as, make):
    login_as("staff")
    ini = make.initiative()
    item = make.interaction(initiative_id=ini.id, subject="Alt")
    response = client.post(f"/interactions/{item.id}/edit", data=_form(subject="", kind="fax"))
    assert response.status_code == 200
    assert "Bitte eine der angebotenen Arten wählen." in response.get_data(as_text=True)
    assert _load(app, item.id).subject == "Alt"


def test_delete_asks_first_then_deletes(app, client, login_as, make):
    login_as("staff")
    org = make.organisation()
    item = make.interaction(organisation_id=org.id, subject="Zu löschen")
    html = client.get(f"/interactions/{item.id}/delete").get_data(as_text=True)
    assert "Kontakt wirklich löschen?" in html and "Zu löschen" in html
    assert _count(app) == 1  # GET changes nothing
    response = client.post(f"/interactions/{item.id}/delete")
    assert response.headers["Location"] == f"/organisations/{org.id}"
    assert _count(app) == 0
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_type == "interactions")
        ).all()
        assert AuditAction.DELETE in actions


# --- follow-ups -----------------------------------------------------------------------


def test_follow_up_page_lists_mine_by_due_date_split_at_today(client, login_as, make):
    me = login_as("staff")
    other = make.user(role="staff", email="kollegin@example.org")
    ini = make.initiative(name="Bündnis Ost")
    org = make.organisation(name="Stahl AG")
    today = berlin_today()
    day = dt.timedelta(days=1)
    for subject, due, owner, done in [
        ("Später B", today + 9 * day, me, None),
        ("Heute A", today, me, None),
        ("Überfällig A", today - 3 * day, me, None),
        ("Später A", today + 2 * day, me, None),
        ("Überfällig B", today - day, me, None),
        ("Erledigt", today - day, me, dt.datetime(2026, 1, 1, tzinfo=UTC)),
        ("Fremd", today, other, None),
    ]:
        make.interaction(
            initiative_id=ini.id,
            organisation_id=org.id,
            subject=subject,
            follow_up_due=due,
            follow_up_owner_id=owner.id,
            follow_up_done_at=done,
        )
    make.interaction(initiative_id=ini.id, subject="Ohne Wiedervorlage")
    html = client.get("/follow-ups").get_data(as_text=True)
    order = ["Überfällig A", "Überfällig B", "Heute A", "Später A", "Später B"]
    positions = [html.index(s) for s in order]
    assert positions == sorted(positions)
    assert html.index('id="fu-overdue"') < html.index('id="fu-today"') < html.index('id="fu-later"')
    assert html.index('id="fu-today"') < html.index("Heute A") < html.index('id="fu-later"')
    assert "Erledigt<" not in html.replace(">Erledigt</button>", "")
    assert "Fremd" not in html and "Ohne Wiedervorlage" not in html
    assert html.count('class="table-danger"') == 2 and html.count('class="table-warning"') == 1
    assert f'href="/initiatives/{ini.id}"' in html and "Stahl AG" in html
    # the navigation badge counts my overdue and today's follow-ups
    assert 'data-count="due-follow-ups">3<' in html

    everyone = client.get("/follow-ups?scope=all").get_data(as_text=True)
    assert "Fremd" in everyone and "kollegin@example.org" in everyone
    assert "Erledigt<" not in everyone.replace(">Erledigt</button>", "")
    # parameters outside the allowed set are ignored
    assert "Fremd" not in client.get("/follow-ups?scope=evil'--").get_data(as_text=True)


def test_marking_done_is_one_click_and_idempotent(app, client, login_as, make):
    me = login_as("staff")
    ini = make.initiative()
    item = make.interaction(
        initiative_id=ini.id, follow_up_due=berlin_today(), follow_up_owner_id=me.id
    )
    page = client.get("/follow-ups").get_data(as_text=True)
    assert f'action="/follow-ups/{item.id}/done"' in page
    response = client.post(f"/follow-ups/{item.id}/done", data={"next": "/follow-ups?scope=all"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/follow-ups?scope=all"
    first = _load(app, item.id).follow_up_done_at
    assert first is not None
    again = client.post(f"/follow-ups/{item.id}/done", data={"next": "https://evil.example/"})
    assert again.headers["Location"] == "/follow-ups"  # no open redirect
    assert _load(app, item.id).follow_up_done_at == first  # unchanged the second time
    with app.app_context():
        updates = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.record_type == "interactions", AuditEntry.action == AuditAction.UPDATE
            )
        ).all()
        assert len(updates) == 1 and "follow_up_done_at" in updates[0].changes
        assert updates[0].user_id == me.id
    assert 'data-count="due-follow-ups"' not in client.get("/follow-ups").get_data(as_text=True)


def test_done_without_a_follow_up_changes_nothing(app, client, login_as, make):
    login_as("staff")
    item = make.interaction(initiative_id=make.initiative().id)
    assert client.post(f"/follow-ups/{item.id}/done").status_code == 302
    assert _load(app, item.id).follow_up_done_at is None


def test_done_needs_a_csrf_token(make_app, make):
    secure = make_app(WTF_CSRF_ENABLED=True)
    user = make.user(role="staff", password=TEST_PASSWORD)
    item = make.interaction(
        initiative_id=make.initiative().id, follow_up_due=berlin_today(), follow_up_owner_id=user.id
    )
    client = csrf_client(secure, user)
    assert client.post(f"/follow-ups/{item.id}/done").status_code == 400
    assert _load(secure, item.id).follow_up_done_at is None
    page = client.get("/follow-ups").text
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert form_token is not None
    response = client.post(f"/follow-ups/{item.id}/done", data={"csrf_token": form_token.group(1)})
    assert response.status_code == 302
    assert _load(secure, item.id).follow_up_done_at is not None


def test_nav_has_no_count_for_editors(client, login_as, make):
    ini = make.initiative()
    login_as("editor", initiative=ini)
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "Wiedervorlagen" not in html and "Kontakt protokollieren" not in html
