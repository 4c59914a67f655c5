"""Treffen planen (#25): compute, move, remove and restore, publish; the personal schedule
with its ICS; feedback and the interactions of held meetings; reminders; withdrawal.
Every route also for those who may not use it."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from crm.extensions import db
from crm.matchmaking import plan_tasks
from crm.matchmaking import planning
from crm.models import Event
from crm.models import Interaction
from crm.models import MeetingVideoMode
from crm.models import OutboxMail
from crm.models import Registration
from crm.models import interaction_persons
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from crm.network.builder import build_graph
from crm.network.builder import node_id
from tests.matchmaking.plan_helpers import SLOTS
from tests.matchmaking.plan_helpers import build_exchange

UTC = dt.UTC


@pytest.fixture
def exchange(app, make):
    return build_exchange(app, make)


def _plan_path(x, rest=""):
    return f"/events/{x.event_id}/meetings/plan{rest}"


def _meetings(app, event_id, *, cancelled=False):
    with app.app_context():
        rows = planning.event_meetings(event_id, cancelled=cancelled)
        return [(m.id, m.starts_at, m.a_registration_id, m.b_registration_id) for m in rows]


def _count(app, model, *where):
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _settings(app, event_id):
    with app.app_context():
        settings = planning.settings_of(event_id)
        db.session.expunge(settings)
        return settings


def _computed(app, client, login_as, x):
    login_as("staff")
    response = client.post(_plan_path(x, "/compute"))
    assert response.status_code == 302
    return _meetings(app, x.event_id)


def _published(app, client, login_as, x):
    meetings = _computed(app, client, login_as, x)
    assert client.post(_plan_path(x, "/publish")).status_code == 302
    return meetings


def _in_the_past(app, event_id):
    """The meetings have begun (time has passed)."""
    with app.app_context():
        for meeting in planning.event_meetings(event_id):
            meeting.starts_at = meeting.starts_at - dt.timedelta(days=3650)
        db.session.commit()


# -- who may


@pytest.mark.parametrize(
    ("method", "rest"),
    [
        ("get", ""),
        ("post", "/compute"),
        ("post", "/1/move"),
        ("get", "/1/remove"),
        ("post", "/1/remove"),
        ("post", "/1/restore"),
        ("get", "/publish"),
        ("post", "/publish"),
    ],
)
def test_staff_pages_turn_away_anonymous_and_editors(
    app, client, make, login_as, exchange, method, rest
):
    path = _plan_path(exchange, rest)
    anonymous = getattr(client, method)(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as("editor", initiative=make.initiative())
    assert getattr(client, method)(path).status_code == 403
    assert _meetings(app, exchange.event_id) == []
    assert _settings(app, exchange.event_id).published_at is None


def test_the_plan_page_before_anything_is_computed(client, login_as, exchange):
    login_as("staff")
    page = client.get(_plan_path(exchange)).get_data(as_text=True)
    assert "Noch kein Plan berechnet." in page
    assert 'data-plan-status="none"' in page


def test_unknown_event_and_meeting_are_404(client, login_as, exchange):
    login_as("staff")
    assert client.get("/events/999/meetings/plan").status_code == 404
    assert client.get(_plan_path(exchange, "/999/remove")).status_code == 404
    assert (
        client.post(
            _plan_path(exchange, "/999/move"), data={"slot": SLOTS[0].isoformat()}
        ).status_code
        == 404
    )


# -- compute


def test_compute_plans_the_wished_pairs_conflict_free(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    r = exchange.registrations
    pairs = {frozenset((a, b)) for _, _, a, b in meetings}
    assert frozenset((r[0], r[1])) in pairs and frozenset((r[2], r[3])) in pairs
    assert frozenset((r[4], r[5])) not in pairs  # "Nein" on one side
    for person in r:
        slots = [s for _, s, a, b in meetings if person in (a, b)]
        assert len(slots) == len(set(slots))
    with app.app_context():
        links = [m.video_url for m in planning.event_meetings(exchange.event_id)]
    assert all(
        link and link.startswith("https://meet.example.org/industrienetz-") for link in links
    )
    assert len(set(links)) == len(links)
    page = client.get(_plan_path(exchange)).get_data(as_text=True)
    assert f'data-figure="meetings">{len(meetings)}<' in page
    assert "Entwurf – noch nicht veröffentlicht." in page
    assert "Eva Engel" in page  # without a meeting
    # nobody sees a draft
    assert "meetings-h" not in client.get(f"/anmeldung/{exchange.tokens[0]}").get_data(as_text=True)


def test_compute_again_replaces_the_draft(app, client, login_as, exchange):
    first = _computed(app, client, login_as, exchange)
    second = _computed(app, client, login_as, exchange)
    assert len(first) == len(second) and {m[0] for m in first}.isdisjoint({m[0] for m in second})


# -- move, remove, restore


def test_move_to_a_busy_slot_is_refused_with_a_message(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    r = exchange.registrations
    a_b = next(m for m in meetings if {m[2], m[3]} == {r[0], r[1]})
    a_c = next(m for m in meetings if {m[2], m[3]} == {r[0], r[2]})
    response = client.post(
        _plan_path(exchange, f"/{a_b[0]}/move"),
        data={"slot": a_c[1].isoformat()},
        follow_redirects=True,
    )
    assert "hat in diesem Zeitfenster schon ein Treffen" in response.get_data(as_text=True)
    assert _meetings(app, exchange.event_id) == meetings


@pytest.mark.parametrize(
    "slot", ["", "gestern", "2027-03-16T13:00:00", "2027-03-16T05:00:00+00:00"]
)
def test_move_with_bad_input_changes_nothing(app, client, login_as, exchange, slot):
    meetings = _computed(app, client, login_as, exchange)
    response = client.post(_plan_path(exchange, f"/{meetings[0][0]}/move"), data={"slot": slot})
    assert response.status_code == 302
    assert _meetings(app, exchange.event_id) == meetings


def test_move_to_a_free_slot_and_back(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    r = exchange.registrations
    c_d = next(m for m in meetings if {m[2], m[3]} == {r[2], r[3]})
    busy_c = {s for _, s, a, b in meetings if r[2] in (a, b) or r[3] in (a, b)}
    free = next(s for s in SLOTS if s not in busy_c)
    client.post(_plan_path(exchange, f"/{c_d[0]}/move"), data={"slot": free.isoformat()})
    moved = dict((m[0], m[1]) for m in _meetings(app, exchange.event_id))
    assert moved[c_d[0]] == free
    client.post(_plan_path(exchange, f"/{c_d[0]}/move"), data={"slot": c_d[1].isoformat()})
    assert _meetings(app, exchange.event_id) == meetings
    assert _count(app, OutboxMail) == 0  # a draft: nobody is told


def test_remove_asks_first_and_can_be_undone(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    first = meetings[0][0]
    page = client.get(_plan_path(exchange, f"/{first}/remove"))
    assert page.status_code == 200 and "Treffen wirklich entfernen?" in page.get_data(as_text=True)
    assert _meetings(app, exchange.event_id) == meetings
    client.post(_plan_path(exchange, f"/{first}/remove"))
    assert first not in {m[0] for m in _meetings(app, exchange.event_id)}
    assert "Wiederherstellen" in client.get(_plan_path(exchange)).get_data(as_text=True)
    client.post(_plan_path(exchange, f"/{first}/restore"))
    assert _meetings(app, exchange.event_id) == meetings


# -- publish


def test_publish_asks_first_then_mails_each_participant_once(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    page = client.get(_plan_path(exchange, "/publish"))
    assert "Plan wirklich veröffentlichen?" in page.get_data(as_text=True)
    assert _settings(app, exchange.event_id).published_at is None
    client.post(_plan_path(exchange, "/publish"))
    people = {p for m in meetings for p in m[2:]}
    assert _count(app, OutboxMail) == len(people)
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == exchange.emails[0])
        ).one()
        assert "Bernd Berger" in mail.body and "https://meet.example.org/" in mail.body
        assert Calendar.from_ical(mail.ics).walk("VEVENT")
    published_at = _settings(app, exchange.event_id).published_at
    # twice: nothing changes
    response = client.post(_plan_path(exchange, "/publish"), follow_redirects=True)
    assert "schon veröffentlicht" in response.get_data(as_text=True)
    assert _count(app, OutboxMail) == len(people)
    assert _settings(app, exchange.event_id).published_at == published_at
    assert client.post(_plan_path(exchange, "/compute")).status_code == 302
    assert _meetings(app, exchange.event_id) == meetings  # no recomputation after publishing


def test_publish_mails_in_the_participants_language(app, client, login_as, exchange):
    with app.app_context():
        db.session.get_one(Registration, exchange.registrations[1]).language = "en"
        db.session.commit()
    _published(app, client, login_as, exchange)
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == exchange.emails[1])
        ).one()
        assert mail.body.startswith("Dear Bernd Berger,") and "Kind regards" in mail.body


def test_a_move_after_publishing_tells_both(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    r = exchange.registrations
    c_d = next(m for m in meetings if {m[2], m[3]} == {r[2], r[3]})
    busy = {s for _, s, a, b in meetings if {a, b} & {r[2], r[3]}}
    before = _count(app, OutboxMail)
    free = next(s for s in SLOTS if s not in busy)
    client.post(_plan_path(exchange, f"/{c_d[0]}/move"), data={"slot": free.isoformat()})
    assert _count(app, OutboxMail) == before + 2


# -- the personal schedule


def test_personal_page_shows_the_published_schedule_and_its_ics(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    client.get("/logout")
    page = client.get(f"/anmeldung/{exchange.tokens[0]}").get_data(as_text=True)
    assert "Ihre Treffen im Praxisaustausch" in page and "Bernd Berger" in page
    assert "https://meet.example.org/industrienetz-" in page
    response = client.get(f"/anmeldung/{exchange.tokens[0]}/meetings.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = calendar.walk("VEVENT")
    own = [m for m in meetings if exchange.registrations[0] in m[2:]]
    assert len(events) == len(own)
    assert {e.decoded("dtstart").astimezone(UTC) for e in events} == {m[1] for m in own}
    assert all(str(e["status"]) == "CONFIRMED" for e in events)
    assert calendar.walk("VTIMEZONE")
    # someone without meetings: an empty calendar, no section
    assert "meetings-h" not in client.get(f"/anmeldung/{exchange.tokens[4]}").get_data(as_text=True)


def test_an_invalid_token_opens_nothing(client, exchange):
    assert client.get("/anmeldung/falsch/meetings.ics").status_code == 404
    assert (
        client.post("/anmeldung/falsch/meetings/1/feedback", data={"held": "yes"}).status_code
        == 404
    )


# -- feedback and interactions


def test_feedback_on_another_participants_meeting_is_404(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    _in_the_past(app, exchange.event_id)
    r = exchange.registrations
    a_b = next(m for m in meetings if {m[2], m[3]} == {r[0], r[1]})
    path = f"/anmeldung/{exchange.tokens[3]}/meetings/{a_b[0]}/feedback"
    assert client.post(path, data={"held": "yes", "rating": "5"}).status_code == 404
    assert _count(app, Interaction) == 0


def test_feedback_before_the_meeting_is_refused(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    r = exchange.registrations
    a_b = next(m for m in meetings if {m[2], m[3]} == {r[0], r[1]})
    response = client.post(
        f"/anmeldung/{exchange.tokens[0]}/meetings/{a_b[0]}/feedback",
        data={"held": "yes", "rating": "4"},
        follow_redirects=True,
    )
    assert "erst ab Beginn" in response.get_data(as_text=True)
    assert _count(app, Interaction) == 0


@pytest.mark.parametrize(
    "data",
    [{}, {"held": "vielleicht"}, {"held": "yes", "rating": "9"}, {"held": "yes", "rating": "x"}],
)
def test_bad_feedback_changes_nothing(app, client, login_as, exchange, data):
    meetings = _published(app, client, login_as, exchange)
    _in_the_past(app, exchange.event_id)
    own = next(m for m in meetings if exchange.registrations[0] in m[2:])
    response = client.post(f"/anmeldung/{exchange.tokens[0]}/meetings/{own[0]}/feedback", data=data)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get_one(Meeting, own[0])
        assert meeting.held is None and meeting.rating_a is None and meeting.rating_b is None


def test_held_meeting_becomes_one_interaction_of_both(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    _in_the_past(app, exchange.event_id)
    r = exchange.registrations
    a_b = next(m for m in meetings if {m[2], m[3]} == {r[0], r[1]})
    for token, rating in (
        (exchange.tokens[0], "5"),
        (exchange.tokens[1], "4"),
        (exchange.tokens[0], "5"),
    ):
        response = client.post(
            f"/anmeldung/{token}/meetings/{a_b[0]}/feedback", data={"held": "yes", "rating": rating}
        )
        assert response.status_code == 302
    assert _count(app, Interaction) == 1
    with app.app_context():
        interaction = db.session.scalars(select(Interaction)).one()
        assert interaction.subject.startswith("Getroffen beim ")
        linked = set(db.session.scalars(select(interaction_persons.c.person_id)))
        assert linked == {exchange.persons[0], exchange.persons[1]}
        meeting = db.session.get_one(Meeting, a_b[0])
        assert meeting.held is True and {meeting.rating_a, meeting.rating_b} == {5, 4}
    # the network knows they met: no longer suggested to each other, a path for others
    with app.app_context():
        graph = build_graph(("all", None))
        u, v = (node_id("person", p) for p in exchange.persons[:2])
        assert graph.edges[u, v]["kind"] == "met"
    # the interaction is on both persons' pages
    login_as("staff")
    for person_id in exchange.persons[:2]:
        page = client.get(f"/persons/{person_id}").get_data(as_text=True)
        assert "Getroffen beim " in page
    # "not held" after all: the interaction goes
    client.post(f"/anmeldung/{exchange.tokens[1]}/meetings/{a_b[0]}/feedback", data={"held": "no"})
    assert _count(app, Interaction) == 0


#: Reasons as the plan stores them (code, data, the German text of the library).
REASONS = [
    {"code": "shared_theme", "data": {"label": "Wasserstoff"}, "text": "Beide arbeiten zu …"},
    {"code": "neighbouring_region", "data": {}, "text": "Nachbarregion"},
]


def _title(app, event_id):
    """The event's title."""
    with app.app_context():
        return db.session.get_one(Event, event_id).title


def _held(app, client, exchange, meetings, *, language):
    """Participants 0 and 1 mark their meeting (with REASONS) held, reading their pages in
    `language`; returns the meeting's interaction (subject, notes)."""
    r = exchange.registrations
    a_b = next(m for m in meetings if {m[2], m[3]} == {r[0], r[1]})
    with app.app_context():
        db.session.get_one(Meeting, a_b[0]).reasons = REASONS
        db.session.commit()
    for token in exchange.tokens[:2]:
        response = client.post(
            f"/anmeldung/{token}/meetings/{a_b[0]}/feedback",
            data={"held": "yes", "rating": "4"},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 302
    with app.app_context():
        interaction = db.session.scalars(select(Interaction)).one()
        return interaction.subject, interaction.notes


def test_the_interaction_is_in_the_offices_language_not_the_participants(
    app, client, login_as, exchange
):
    """The office works in German (BABEL_DEFAULT_LOCALE): participants reading in English
    still leave a German record."""
    meetings = _published(app, client, login_as, exchange)
    _in_the_past(app, exchange.event_id)
    subject, notes = _held(app, app.test_client(), exchange, meetings, language="en")
    title = _title(app, exchange.event_id)
    assert subject == f"Getroffen beim {title}"
    assert notes.splitlines() == [
        "1:1-Treffen im Praxisaustausch.",
        "– Beide arbeiten zu Wasserstoff",
        "– Nachbarregion",
    ]


def test_an_english_office_gets_english_interactions(app, client, login_as, exchange, make_app):
    """An office configured with English as its language: the record is written in English,
    whatever the participants read."""
    meetings = _published(app, client, login_as, exchange)
    _in_the_past(app, exchange.event_id)
    english = make_app(BABEL_DEFAULT_LOCALE="en")
    subject, notes = _held(app, english.test_client(), exchange, meetings, language="de")
    assert subject == f"Met at {_title(app, exchange.event_id)}"
    assert notes.splitlines() == [
        "1:1 meeting in the practitioner exchange.",
        "– Both work on Wasserstoff",
        "– Neighbouring region",
    ]


# -- reminders


def test_reminders_go_out_once_shortly_before(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    before = _count(app, OutboxMail)
    with app.app_context():
        first = db.session.get_one(Meeting, meetings[0][0])
        first.starts_at = planning.utcnow() + dt.timedelta(minutes=10)
        db.session.commit()
        assert plan_tasks.send_meeting_reminders() == 2
        assert plan_tasks.send_meeting_reminders() == 0
    assert _count(app, OutboxMail) == before + 2


def test_no_reminders_before_publishing(app, client, login_as, exchange):
    meetings = _computed(app, client, login_as, exchange)
    with app.app_context():
        db.session.get_one(Meeting, meetings[0][0]).starts_at = planning.utcnow() + dt.timedelta(
            minutes=5
        )
        db.session.commit()
        assert plan_tasks.send_meeting_reminders() == 0


# -- withdrawal


def test_withdrawing_cancels_the_meetings_and_tells_the_partners(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    before = _count(app, OutboxMail)
    r = exchange.registrations
    own = [m for m in meetings if r[0] in m[2:]]
    partners = {p for m in own for p in m[2:]} - {r[0]}
    with app.app_context():
        cancelled = planning.cancel_meetings_of(db.session.get_one(Registration, r[0]))
        db.session.commit()
    assert cancelled == len(own)
    assert _count(app, OutboxMail) == before + len(partners)
    assert not any(r[0] in m[2:] for m in _meetings(app, exchange.event_id))
    page = client.get(_plan_path(exchange)).get_data(as_text=True)
    assert "abgemeldet" in page


def test_settings_without_matchmaking_show_a_note(app, client, login_as, make):
    event = make.event()
    login_as("staff")
    page = client.get(f"/events/{event.id}/meetings/plan").get_data(as_text=True)
    assert 'data-plan-status="off"' in page
    assert client.post(f"/events/{event.id}/meetings/plan/compute").status_code == 302
    assert _count(app, MatchmakingSettings) == 0


def test_withdrawing_on_the_participants_page_cancels_and_tells(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    client.get("/logout")
    r = exchange.registrations
    own = [m for m in meetings if r[2] in m[2:]]
    before = _count(app, OutboxMail)
    response = client.post(f"/anmeldung/{exchange.tokens[2]}/meetings/withdraw")
    assert response.status_code == 302
    assert not any(r[2] in m[2:] for m in _meetings(app, exchange.event_id))
    assert _count(app, OutboxMail) == before + len(own)  # one mail to each partner
    page = client.get(f"/anmeldung/{exchange.tokens[2]}").get_data(as_text=True)
    assert "meetings-h" not in page


def test_cancelling_the_registration_cancels_the_meetings(app, client, login_as, exchange):
    meetings = _published(app, client, login_as, exchange)
    client.get("/logout")
    r = exchange.registrations
    assert any(r[3] in m[2:] for m in meetings)
    response = client.post(f"/anmeldung/{exchange.tokens[3]}/cancel")
    assert response.status_code == 302
    assert not any(r[3] in m[2:] for m in _meetings(app, exchange.event_id))
    with app.app_context():
        partner = db.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == exchange.emails[2])
        ).all()
        assert len(partner) == 2  # the schedule, then the cancelled meeting


def test_the_event_page_links_to_the_plan(client, login_as, exchange):
    login_as("staff")
    page = client.get(f"/events/{exchange.event_id}").get_data(as_text=True)
    assert f'href="/events/{exchange.event_id}/meetings/plan"' in page


def test_a_large_exchange_is_planned_by_the_worker(app, client, login_as, exchange, monkeypatch):
    monkeypatch.setitem(app.config, "MATCHMAKING_JOB_THRESHOLD", 2)
    login_as("staff")
    response = client.post(_plan_path(exchange, "/compute"), follow_redirects=True)
    assert "im Hintergrund berechnet" in response.get_data(as_text=True)
    assert _meetings(app, exchange.event_id) == []
    with app.app_context():
        assert plan_tasks.PLAN.state(exchange.event_id)[0]
        assert plan_tasks.compute_plan.call_local(exchange.event_id).endswith("Treffen geplant")
        assert not plan_tasks.PLAN.state(exchange.event_id)[0]
    assert _meetings(app, exchange.event_id)
    assert 'data-plan-status="draft"' in client.get(_plan_path(exchange)).get_data(as_text=True)


def _settings_saved_while_solving(monkeypatch):
    """Another staff member saves the settings while the solver runs (on a connection of
    their own, committed at once)."""
    import crm.graph.meetings as library

    solve = library.schedule_meetings

    def solving(*args, **kwargs):
        with db.engine.begin() as other:
            table = MatchmakingSettings.__table__
            other.execute(update(table).values(max_open_sent=9, version=table.c.version + 1))
        return solve(*args, **kwargs)

    monkeypatch.setattr(library, "schedule_meetings", solving)


def test_settings_saved_during_a_computation_leave_the_plan_as_it_was(
    app, client, login_as, exchange, monkeypatch
):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite runs one write at a time: a save waits for the computation")
    login_as("staff")
    _settings_saved_while_solving(monkeypatch)
    response = client.post(_plan_path(exchange, "/compute"), follow_redirects=True)
    assert response.status_code == 200
    assert "Einstellungen des Austauschs wurden inzwischen geändert" in response.get_data(
        as_text=True
    )
    assert _meetings(app, exchange.event_id) == []
    settings = _settings(app, exchange.event_id)
    assert settings.plan_report is None and settings.max_open_sent == 9
    # the worker's computation of a large plan the same: nothing written, the reason shown
    with app.app_context():
        message = plan_tasks.compute_plan.call_local(exchange.event_id)
        assert message.startswith("Die Einstellungen des Austauschs wurden inzwischen geändert")
        assert plan_tasks.PLAN.state(exchange.event_id) == (False, message)
    assert _meetings(app, exchange.event_id) == []


def test_one_link_per_virtual_table(app, client, login_as, exchange):
    tables = ["https://tische.example.org/1", "https://tische.example.org/2"]
    with app.app_context():
        settings = planning.settings_of(exchange.event_id)
        settings.video_mode = MeetingVideoMode.TABLES
        settings.video_tables = "\n".join(tables)
        db.session.commit()
    _computed(app, client, login_as, exchange)
    with app.app_context():
        by_slot: dict[dt.datetime, list[str | None]] = {}
        for meeting in planning.event_meetings(exchange.event_id):
            by_slot.setdefault(meeting.starts_at, []).append(meeting.video_url)
    for links in by_slot.values():
        assert links == tables[: len(links)]
