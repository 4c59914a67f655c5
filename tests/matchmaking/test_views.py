"""The exchange's pages: the office's settings and the participants' pages behind their
personal link. Every route, also for those who may not use it; bad input never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.matchmaking import services
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import Event
from crm.models import MatchmakingSettings
from crm.models import MeetingRequest
from crm.models import MeetingRequestStatus
from crm.models import MeetingVideoMode
from crm.models import MeetingWish
from crm.models import MeetingWishLevel
from crm.models import Registration
from tests.app.test_unchanged_saves import snapshot
from tests.matchmaking.mm_helpers import build_people

UTC = dt.UTC


@pytest.fixture
def people(app, make):
    return build_people(app, make, count=4, opted_in=3)


def _page(token):
    return f"/anmeldung/{token}/meetings"


def _count(app, model, *where):
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _settings(app, event_id):
    with app.app_context():
        settings = services.settings_of(event_id)
        db.session.expunge(settings)
        return settings


# -- the office's settings


SETTINGS_FORM = {
    "enabled": "y",
    "meeting_minutes": "30",
    "window_starts_at": "2027-03-16T14:00",
    "window_ends_at": "2027-03-16T16:00",
    "max_meetings_per_person": "4",
    "max_open_sent": "3",
    "max_open_received": "6",
    "request_expiry_hours": "24",
    "fixed_at": "2027-03-15T12:00",
    "video_mode": "pattern",
    "video_pattern": "https://meet.jit.si/industrienetz-{token}",
    "video_tables": "",
}


def test_staff_saves_settings_and_saving_unchanged_writes_nothing(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    path = f"/events/{event.id}/meetings/settings"
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="video_pattern"' in page.get_data(as_text=True)
    before = snapshot(app)
    response = client.post(path, data={**SETTINGS_FORM, "enabled": ""} | {
        "meeting_minutes": "20", "window_starts_at": "", "window_ends_at": "",
        "max_meetings_per_person": "4", "max_open_sent": "5", "max_open_received": "8",
        "request_expiry_hours": "72", "fixed_at": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert snapshot(app) == before  # the defaults, unchanged: no row written
    response = client.post(path, data=SETTINGS_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    settings = _settings(app, event.id)
    assert settings.enabled and settings.meeting_minutes == 30
    assert settings.window_starts_at == dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC)  # Berlin
    assert settings.video_mode is MeetingVideoMode.PATTERN
    with app.app_context():
        assert services.slots_of(db.session.merge(settings)) == [
            dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC) + dt.timedelta(minutes=30 * i)
            for i in range(4)
        ]
    before = snapshot(app)
    page = client.get(path).get_data(as_text=True)
    assert "4 Termine" in page
    from tests.app.test_unchanged_saves import edit_form_of
    from tests.app.test_unchanged_saves import submitted

    response = client.post(path, data=submitted(edit_form_of(page, path))["data"])
    assert response.status_code == 302
    assert snapshot(app) == before
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/meetings/settings" in detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"meeting_minutes": "25"}, "15, 20 oder 30"),
        ({"window_ends_at": "2027-03-16T13:00"}, "Das Ende muss nach dem Beginn liegen"),
        ({"window_starts_at": ""}, "Zeitfenster mit Beginn und Ende"),
        ({"window_ends_at": "2027-03-16T14:10"}, "kürzer als ein Treffen"),
        ({"window_ends_at": "2027-03-20T14:00"}, "zu lang"),
        ({"max_meetings_per_person": "0"}, "von 1 bis 20"),
        ({"max_open_sent": "viele"}, "von 0 bis 50"),
        ({"request_expiry_hours": "99999999999999999999"}, "zu groß"),
        ({"fixed_at": "2027-03-16T15:00"}, "spätestens zu Beginn"),
        ({"video_pattern": "https://meet.jit.si/raum"}, "{token}"),
        ({"video_pattern": "javascript:alert(1)//{token}"}, "https://"),
        ({"video_pattern": ""}, "Muster für die Raumlinks"),
        ({"video_mode": "telefon"}, "angebotenen Arten"),
        ({"video_mode": "tables", "video_tables": ""}, "mindestens einen Link"),
        ({"video_mode": "tables", "video_tables": "https://a.example.org\nkein link"}, "Zeile 2"),
        ({"window_starts_at": "morgen"}, "gültiges Datum"),
    ],
)
def test_settings_bad_input_is_refused_with_a_message(app, client, make, login_as, change, message):
    event = make.event()
    login_as("staff")
    path = f"/events/{event.id}/meetings/settings"
    before = snapshot(app)
    response = client.post(path, data={**SETTINGS_FORM, **change})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_settings_messages_in_english(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    client.post("/language", data={"language": "en"})
    response = client.post(
        f"/events/{event.id}/meetings/settings", data={**SETTINGS_FORM, "meeting_minutes": "7"}
    )
    assert response.status_code == 200
    assert '<html lang="en"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [None, "editor"])
def test_settings_refused_to_anonymous_and_editors(app, client, make, login_as, role):
    event = make.event()
    if role:
        login_as(role, initiative=make.initiative())
    path = f"/events/{event.id}/meetings/settings"
    for method in ("GET", "POST"):
        response = client.open(path, method=method, data=SETTINGS_FORM)
        assert response.status_code in (302, 403)
        if role is None:
            assert response.headers["Location"].startswith("/login")
    assert _count(app, MatchmakingSettings) == 0


def test_settings_of_an_unknown_event_is_404(client, login_as):
    login_as("staff")
    assert client.get("/events/999999/meetings/settings").status_code == 404


# -- participants


def test_opt_in_on_the_personal_page_with_its_consent(app, client, people):
    token = people.tokens[3]  # not opted in
    personal = client.get(f"/anmeldung/{token}").get_data(as_text=True)
    assert 'id="matchmaking-opt-in"' in personal
    assert "matchmaking-consent-text" in personal
    # without ticking the consent nothing happens
    client.post(f"/anmeldung/{token}/meetings/opt-in", data={})
    assert _count(app, Consent, Consent.purpose == ConsentPurpose.MATCHMAKING) == 0
    response = client.post(f"/anmeldung/{token}/meetings/opt-in", data={"consent": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get_one(Registration, people.registrations[3]).matchmaking_opt_in
    assert _count(app, Consent, Consent.purpose == ConsentPurpose.MATCHMAKING) == 1
    # twice is harmless
    client.post(f"/anmeldung/{token}/meetings/opt-in", data={"consent": "yes"})
    assert _count(app, Consent, Consent.purpose == ConsentPurpose.MATCHMAKING) == 1
    page = client.get(_page(token)).get_data(as_text=True)
    assert 'id="proposals"' in page


def test_the_page_shows_proposals_with_reasons_and_only_the_card(app, client, people):
    page = client.get(_page(people.tokens[0]))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'id="partner-{people.registrations[1]}"' in text
    assert f'id="partner-{people.registrations[2]}"' in text
    assert f'id="partner-{people.registrations[3]}"' not in text  # did not opt in
    assert "Nachname3" not in text
    assert "Beide arbeiten zu Wasserstoff" in text
    assert "Ergänzende Perspektive: Gewerkschaft" in text
    assert "Geheimfunktion" not in text and "@example.org" not in text
    # English: the same reasons in the participant's language
    client.post("/language", data={"language": "en"})
    english = client.get(_page(people.tokens[0])).get_data(as_text=True)
    assert '<html lang="en"' in english
    assert ": Trade union" in english  # the kind of organisation worded in English


def test_not_opted_in_sees_nobody(app, client, people):
    text = client.get(_page(people.tokens[3])).get_data(as_text=True)
    assert 'id="proposals"' not in text
    assert "Nachname0" not in text and "Nachname1" not in text


def test_wish_buttons(app, client, people):
    token, target = people.tokens[0], people.registrations[1]
    path = f"/anmeldung/{token}/meetings/wish/{target}"
    assert client.post(path, data={"level": "must"}).status_code == 302
    with app.app_context():
        wish = db.session.scalar(select(MeetingWish))
        assert wish.level is MeetingWishLevel.MUST
    page = client.get(_page(token)).get_data(as_text=True)
    assert 'data-wish="must"' in page
    client.post(path, data={"level": "no"})
    client.post(path, data={"level": "none"})
    assert _count(app, MeetingWish) == 0
    before = snapshot(app)
    for bad in ({"level": "sehr"}, {}, {"level": "x" * 5000}):
        assert client.post(path, data=bad).status_code == 302
    assert snapshot(app) == before


def test_wish_for_someone_invisible_or_oneself_changes_nothing(app, client, people):
    token = people.tokens[0]
    before = snapshot(app)
    for target in (people.registrations[3], people.registrations[0], 999999):
        response = client.post(f"/anmeldung/{token}/meetings/wish/{target}", data={"level": "must"})
        assert response.status_code == 302
    # someone who did not opt in cannot wish
    response = client.post(
        f"/anmeldung/{people.tokens[3]}/meetings/wish/{people.registrations[0]}",
        data={"level": "must"},
    )
    assert response.status_code == 302
    assert snapshot(app) == before


def test_request_send_accept_decline_withdraw(app, client, people):
    a, b, c = people.tokens[:3]
    rb, rc = people.registrations[1], people.registrations[2]
    form = client.get(f"/anmeldung/{a}/meetings/request/{rb}")
    assert form.status_code == 200
    assert "Nachname1" in form.get_data(as_text=True)
    response = client.post(
        f"/anmeldung/{a}/meetings/request/{rb}", data={"message": "Wasserstoff im Hafen?"}
    )
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(select(MeetingRequest))
        request_id = request.id
        assert request.message == "Wasserstoff im Hafen?"
    # the recipient sees it, with the message, and accepts
    text = client.get(_page(b)).get_data(as_text=True)
    assert "Wasserstoff im Hafen?" in text
    # not the sender's to accept, nor a third person's
    assert client.post(f"/anmeldung/{a}/meetings/requests/{request_id}/accept").status_code == 404
    assert client.post(f"/anmeldung/{c}/meetings/requests/{request_id}/accept").status_code == 404
    assert client.post(f"/anmeldung/{b}/meetings/requests/{request_id}/accept").status_code == 302
    with app.app_context():
        assert db.session.get_one(MeetingRequest, request_id).status is (
            MeetingRequestStatus.ACCEPTED
        )
    # a second answer changes nothing
    client.post(f"/anmeldung/{b}/meetings/requests/{request_id}/decline")
    with app.app_context():
        assert db.session.get_one(MeetingRequest, request_id).status is (
            MeetingRequestStatus.ACCEPTED
        )
    # c asks b, b declines
    client.post(f"/anmeldung/{c}/meetings/request/{rb}", data={"message": ""})
    with app.app_context():
        second = db.session.scalar(
            select(MeetingRequest.id).where(MeetingRequest.sender_registration_id == rc)
        )
    client.post(f"/anmeldung/{b}/meetings/requests/{second}/decline")
    with app.app_context():
        assert db.session.get_one(MeetingRequest, second).status is MeetingRequestStatus.DECLINED
    # a asks c and withdraws it; only the sender may
    client.post(f"/anmeldung/{a}/meetings/request/{rc}", data={})
    with app.app_context():
        third = db.session.scalar(
            select(MeetingRequest.id).where(MeetingRequest.recipient_registration_id == rc)
        )
    assert client.post(f"/anmeldung/{c}/meetings/requests/{third}/withdraw").status_code == 404
    assert client.post(f"/anmeldung/{a}/meetings/requests/{third}/withdraw").status_code == 302
    with app.app_context():
        assert db.session.get_one(MeetingRequest, third).status is MeetingRequestStatus.WITHDRAWN


def test_request_refusals_never_500_and_change_nothing(app, client, people):
    a = people.tokens[0]
    before = snapshot(app)
    # someone invisible, oneself, unknown, a message too long
    for target in (people.registrations[3], people.registrations[0], 999999):
        assert client.get(f"/anmeldung/{a}/meetings/request/{target}").status_code == 302
        assert client.post(f"/anmeldung/{a}/meetings/request/{target}").status_code == 302
    long = client.post(
        f"/anmeldung/{a}/meetings/request/{people.registrations[1]}", data={"message": "x" * 301}
    )
    assert long.status_code == 200
    assert "Höchstens 300 Zeichen" in long.get_data(as_text=True)
    assert client.post(f"/anmeldung/{a}/meetings/requests/999999/accept").status_code == 404
    assert snapshot(app) == before


def test_requests_closed_after_the_fixed_date(app, client, make):
    p = build_people(app, make, count=2, fixed_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
    before = snapshot(app)
    path = f"/anmeldung/{p.tokens[0]}/meetings/request/{p.registrations[1]}"
    assert client.post(path, data={"message": "Hallo"}).status_code == 302
    assert (
        client.post(
            f"/anmeldung/{p.tokens[0]}/meetings/wish/{p.registrations[1]}", data={"level": "must"}
        ).status_code
        == 302
    )
    assert snapshot(app) == before
    text = client.get(_page(p.tokens[0])).get_data(as_text=True)
    assert "Treffen anfragen" not in text


def test_withdraw_asks_first(app, client, people):
    token = people.tokens[0]
    before = snapshot(app)
    page = client.get(f"/anmeldung/{token}/meetings/withdraw")
    assert page.status_code == 200
    assert "Wirklich vom Austausch abmelden?" in page.get_data(as_text=True)
    assert snapshot(app) == before
    assert client.post(f"/anmeldung/{token}/meetings/withdraw").status_code == 302
    with app.app_context():
        assert not db.session.get_one(Registration, people.registrations[0]).matchmaking_opt_in
    # now invisible to the others
    text = client.get(_page(people.tokens[1])).get_data(as_text=True)
    assert f'id="partner-{people.registrations[0]}"' not in text
    # and can come back
    client.post(f"/anmeldung/{token}/meetings/opt-in", data={"consent": "yes"})
    with app.app_context():
        assert db.session.get_one(Registration, people.registrations[0]).matchmaking_opt_in


PARTICIPANT_ROUTES = [
    ("GET", "/anmeldung/{t}/meetings"),
    ("POST", "/anmeldung/{t}/meetings/opt-in"),
    ("GET", "/anmeldung/{t}/meetings/withdraw"),
    ("POST", "/anmeldung/{t}/meetings/withdraw"),
    ("POST", "/anmeldung/{t}/meetings/wish/{r}"),
    ("GET", "/anmeldung/{t}/meetings/request/{r}"),
    ("POST", "/anmeldung/{t}/meetings/request/{r}"),
    ("POST", "/anmeldung/{t}/meetings/requests/{q}/accept"),
    ("POST", "/anmeldung/{t}/meetings/requests/{q}/decline"),
    ("POST", "/anmeldung/{t}/meetings/requests/{q}/withdraw"),
]


# A valid link of another event opens its own pages; it must not reach this event's people.
REFUSED = [
    (who, method, route)
    for who in ("no token", "garbage token", "editor", "other event")
    for method, route in PARTICIPANT_ROUTES
    if who != "other event" or "{r}" in route or "{q}" in route
]


@pytest.mark.parametrize(("who", "method", "route"), REFUSED)
def test_participant_routes_refuse_without_a_valid_link(
    app, client, make, login_as, people, method, route, who
):
    with app.app_context():
        a = db.session.get_one(Registration, people.registrations[0])
        b = db.session.get_one(Registration, people.registrations[1])
        request_id = services.send_request(b, a, None).id
        db.session.commit()
    token = {"no token": "", "garbage token": "x" * 500, "editor": "nichtgueltig"}.get(who)
    if who == "editor":
        login_as("editor", initiative=make.initiative())
    if who == "other event":
        token = build_people(app, make, count=1).tokens[0]
    path = route.format(t=token, r=people.registrations[1], q=request_id)
    before = snapshot(app)
    response = client.open(path, method=method, data={"consent": "yes", "level": "must"})
    assert response.status_code in (302, 308, 404)  # 308: "//" in a path without a token
    assert snapshot(app) == before


def test_pages_404_when_the_event_has_no_exchange(app, client, make):
    event = make.event()
    registration = make.registration(event, make.person(), token="ohne-austausch")
    assert registration.id
    assert client.get(_page("ohne-austausch")).status_code == 404
    assert client.post("/anmeldung/ohne-austausch/meetings/opt-in").status_code == 404
    personal = client.get("/anmeldung/ohne-austausch").get_data(as_text=True)
    assert "matchmaking-opt-in" not in personal


def test_unanswered_requests_expire_when_read(app, client, make):
    p = build_people(app, make, count=2, request_expiry_hours=1)
    with app.app_context():
        a = db.session.get_one(Registration, p.registrations[0])
        b = db.session.get_one(Registration, p.registrations[1])
        past = dt.datetime.now(UTC) - dt.timedelta(hours=3)
        request_id = services.send_request(a, b, None, now=past).id
        db.session.commit()
    text = client.get(_page(p.tokens[1])).get_data(as_text=True)
    assert 'data-status="expired"' in text
    with app.app_context():
        assert db.session.get_one(MeetingRequest, request_id).status is (
            MeetingRequestStatus.EXPIRED
        )
    assert client.post(f"/anmeldung/{p.tokens[1]}/meetings/requests/{request_id}/accept")
    with app.app_context():
        assert db.session.get_one(MeetingRequest, request_id).status is (
            MeetingRequestStatus.EXPIRED
        )


def test_event_object_untouched(app, people):
    with app.app_context():
        assert db.session.get_one(Event, people.event_id)


# -- opting in on the registration form


def test_opt_in_on_the_registration_form(app, client, make):
    from tests.events.helpers import form_data

    p = build_people(app, make, count=1)
    page = client.get(f"/events/{p.event_id}/register").get_data(as_text=True)
    assert 'id="matchmaking-register"' in page and "matchmaking-consent-text" in page
    from crm.models import Workshop

    with app.app_context():
        workshops = list(
            db.session.scalars(select(Workshop).where(Workshop.event_id == p.event_id))
        )
    data = form_data(workshops, email="austausch@example.org", consent_matchmaking="y")
    assert client.post(f"/events/{p.event_id}/register", data=data).status_code == 302
    data = form_data(workshops, email="ohne@example.org")
    assert client.post(f"/events/{p.event_id}/register", data=data).status_code == 302
    with app.app_context():
        rows = db.session.execute(
            select(Registration.matchmaking_opt_in, Consent.purpose)
            .join(Consent, Consent.registration_id == Registration.id, isouter=True)
            .where(Registration.event_id == p.event_id, Registration.id != p.registrations[0])
        ).all()
    opted = {purpose for opt_in, purpose in rows if opt_in}
    assert ConsentPurpose.MATCHMAKING in opted
    assert sum(1 for _o, purpose in rows if purpose is ConsentPurpose.MATCHMAKING) == 1


def test_no_opt_in_on_the_registration_form_without_an_open_exchange(app, client, make):
    from tests.events.helpers import form_data

    event = make.event()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert 'id="matchmaking-register"' not in page
    data = form_data([], email="austausch@example.org", consent_matchmaking="y")
    assert client.post(f"/events/{event.id}/register", data=data).status_code == 302
    with app.app_context():
        assert not db.session.scalar(
            select(Registration.matchmaking_opt_in).where(Registration.event_id == event.id)
        )
