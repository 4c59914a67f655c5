"""The public registration: form, waitlist, duplicate e-mails, personal link, cancel, ICS."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import select

from crm.extensions import db
from crm.extensions import limiter
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import EventStatus
from crm.models import OutboxMail
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import WorkshopPreference
from tests.events.helpers import form_data
from tests.events.helpers import mails
from tests.events.helpers import open_event
from tests.events.helpers import personal_path
from tests.helpers import count_rows


def _registrations(app) -> list[Registration]:
    with app.app_context():
        items = list(
            db.session.scalars(
                select(Registration).order_by(Registration.registered_at, Registration.id)
            )
        )
        for item in items:
            db.session.expunge(item)
        return items


def register(client, event, workshops, visitors: int) -> list[int]:
    """Visitors p0@, p1@ … (example.org) register for `event` one after another: the answers."""
    return [
        client.post(
            f"/events/{event.id}/register", data=form_data(workshops, email=f"p{i}@example.org")
        ).status_code
        for i in range(visitors)
    ]


def test_register_page_shows_programme_and_workshops(client, make):
    event, workshops = open_event(make, title="Netzwerktreffen der Industrieinitiativen")
    response = client.get(f"/events/{event.id}/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Netzwerktreffen der Industrieinitiativen" in html
    assert all(w.title in html for w in workshops)
    assert 'class="hp-field"' in html and "style=" not in html


def test_register_page_names_only_publicly_listed_initiatives(client, make):
    event, _ = open_event(make)
    make.initiative(name="Gelistete Initiative", public_listing=True)
    make.initiative(name="Vertrauliche Initiative", public_listing=False)
    html = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "Gelistete Initiative" in html and "Vertrauliche Initiative" not in html


def test_registration_stores_person_registration_preferences_consents_and_mail(app, client, make):
    event, workshops = open_event(make)
    org = make.organisation(name="Beispiel Maschinenbau GmbH")
    ini = make.initiative(name="Zukunft durch Industrie e.V.", public_listing=True)
    data = form_data(
        workshops,
        email="Erika.Mustermann@Example.org",
        organisation="beispiel maschinenbau gmbh",
        initiative=str(ini.id),
        consent_newsletter="y",
        consent_participant_list="y",
    )
    response = client.post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/register/done")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wir haben Ihnen den persönlichen Link geschickt" in done

    with app.app_context():
        person = db.session.scalars(select(Person)).one()
        assert person.email == "erika.mustermann@example.org"
        assert person.source == f"Anmeldung {event.title}"
        assert person.lawful_basis.value == "consent"
        reg = db.session.scalars(select(Registration)).one()
        assert reg.status is RegistrationStatus.REGISTERED
        assert reg.organisation_id == org.id and reg.organisation_confirmed is False
        assert reg.organisation_text == "beispiel maschinenbau gmbh"
        assert reg.initiative_id == ini.id
        prefs = db.session.scalars(
            select(WorkshopPreference).order_by(WorkshopPreference.rank)
        ).all()
        assert [(p.rank, p.workshop_id) for p in prefs] == [
            (i + 1, w.id) for i, w in enumerate(workshops)
        ]
        consents = db.session.scalars(select(Consent)).all()
        assert {c.purpose for c in consents} == {
            ConsentPurpose.EVENT_COMMUNICATION,
            ConsentPurpose.NEWSLETTER,
            ConsentPurpose.PARTICIPANT_LIST,
        }
        assert all(c.registration_id == reg.id and c.text_version == "2026-11" for c in consents)
        assert len(reg.token_hash) == 64
    [mail] = mails(app)
    assert mail.to_address == "erika.mustermann@example.org"
    assert "Anmeldebestätigung" in mail.subject
    assert "http://localhost/anmeldung/" in mail.body
    calendar = Calendar.from_ical(mail.ics)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == event.title


def test_organisation_matched_by_other_name(app, client, make):
    event, workshops = open_event(make)
    org = make.organisation(
        name="Müller-Lüdenscheidt GmbH & Co. KG", other_names="MüLü\nMueller Luedenscheidt"
    )
    client.post(f"/events/{event.id}/register", data=form_data(workshops, organisation="mülü"))
    [reg] = _registrations(app)
    assert reg.organisation_id == org.id


def test_unknown_organisation_is_kept_as_text(app, client, make):
    event, workshops = open_event(make)
    client.post(
        f"/events/{event.id}/register", data=form_data(workshops, organisation="Neue Firma AG")
    )
    [reg] = _registrations(app)
    assert reg.organisation_id is None and reg.organisation_text == "Neue Firma AG"


def test_existing_person_is_found_by_email(app, client, make):
    person = make.person(first_name="Jörg", last_name="Schmidt", email="j.schmidt@example.org")
    event, workshops = open_event(make)
    client.post(
        f"/events/{event.id}/register",
        data=form_data(
            workshops, first_name="Jörg", last_name="Schmidt", email="J.Schmidt@example.org"
        ),
    )
    assert count_rows(app, Person) == 1
    [reg] = _registrations(app)
    assert reg.person_id == person.id


def _bad_inputs(workshops, other_workshop):
    a, b = str(workshops[0].id), str(workshops[1].id)
    return [
        ("no consent", {"consent_event": None}, "Ohne diese Einwilligung"),
        ("invalid e-mail", {"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ("empty e-mail", {"email": ""}, "Bitte Ihre E-Mail-Adresse angeben."),
        ("no last name", {"last_name": "  "}, "Bitte Ihren Nachnamen angeben."),
        ("same workshop twice", {"pref1": a, "pref2": a, "pref3": b}, "nur einmal"),
        (
            "workshop of another event",
            {"pref2": str(other_workshop.id)},
            "Workshop dieser Veranstaltung",
        ),
        ("workshop id not a number", {"pref1": "x'; DROP"}, "Workshop dieser Veranstaltung"),
        ("no first choice", {"pref1": "", "pref2": "", "pref3": ""}, "Erstwunsch"),
        ("unknown initiative", {"initiative": "999999"}, "angebotenen Initiativen"),
        ("too long organisation", {"organisation": "x" * 300}, "Höchstens 200 Zeichen."),
    ]


@pytest.mark.parametrize("case", range(10))
def test_bad_input_shows_a_message_keeps_input_and_stores_nothing(app, client, make, case):
    event, workshops = open_event(make)
    other, other_workshops = open_event(make)
    name, overrides, message = _bad_inputs(workshops, other_workshops[0])[case]
    data = form_data(workshops, **overrides)
    response = client.post(f"/events/{event.id}/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, name
    assert message in html, name
    assert "Bitte prüfen Sie die markierten Angaben." in html
    if data.get("last_name", "").strip():
        assert f'value="{data["last_name"]}"' in html  # the form keeps what was typed
    assert count_rows(app, Registration) == 0
    assert count_rows(app, Person) == 0
    assert count_rows(app, Consent) == 0
    assert count_rows(app, OutboxMail) == 0


def _closed_cases():
    now = dt.datetime.now(dt.UTC)
    return [
        (
            "window not open",
            {"registration_opens_at": now + dt.timedelta(days=1)},
            "noch nicht geöffnet",
        ),
        (
            "window over",
            {"registration_closes_at": now - dt.timedelta(minutes=1)},
            "Anmeldefrist ist abgelaufen",
        ),
        ("closed", {"status": EventStatus.ANMELDUNG_GESCHLOSSEN}, "geschlossen"),
        ("finished", {"status": EventStatus.ABGESCHLOSSEN}, "geschlossen"),
    ]


@pytest.mark.parametrize("case", range(4))
def test_registration_outside_the_window_is_refused(app, client, make, case):
    name, kw, message = _closed_cases()[case]
    event, workshops = open_event(make, **kw)
    assert message in client.get(f"/events/{event.id}/register").get_data(as_text=True), name
    response = client.post(f"/events/{event.id}/register", data=form_data(workshops))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_rows(app, Registration) == 0 and count_rows(app, OutboxMail) == 0


@pytest.mark.parametrize(
    "path", ["/events/{id}/register", "/events/{id}.ics", "/events/{id}/register/done"]
)
def test_draft_and_unknown_events_are_404(client, make, path):
    draft, _ = open_event(make, status=EventStatus.ENTWURF)
    assert client.get(path.format(id=draft.id)).status_code == 404
    assert client.get(path.format(id=987654)).status_code == 404
    assert client.post(f"/events/{draft.id}/register", data={}).status_code == 404


def test_slug_url_redirects_to_the_registration(client, make):
    event, _ = open_event(make, slug="netzwerktreffen-2027")
    response = client.get("/veranstaltungen/netzwerktreffen-2027")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/register")
    assert client.get("/veranstaltungen/gibt-es-nicht").status_code == 404


def test_honeypot_pretends_success_and_stores_nothing(app, client, make):
    event, workshops = open_event(make)
    response = client.post(
        f"/events/{event.id}/register", data=form_data(workshops, website="http://spam.example.org")
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/done")
    assert (
        count_rows(app, Registration) == 0
        and count_rows(app, Person) == 0
        and count_rows(app, OutboxMail) == 0
    )


def test_rate_limit_on_the_post(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_REGISTRATION_RATE_LIMIT", "3 per minute")
    event, workshops = open_event(make)
    assert register(client, event, workshops, 5) == [302, 302, 302, 429, 429]
    assert client.get(f"/events/{event.id}/register").status_code == 200  # GET is not limited
    assert count_rows(app, Registration) == 3
    with app.app_context():
        limiter.reset()


def test_same_email_twice_gives_no_second_registration_and_the_same_answer(app, client, make):
    event, workshops = open_event(make)
    first = client.post(f"/events/{event.id}/register", data=form_data(workshops))
    old_link = personal_path(app, "erika.mustermann@example.org")
    second = client.post(
        f"/events/{event.id}/register",
        data=form_data(
            workshops,
            first_name="Jemand",
            last_name="Anderes",
            email="ERIKA.mustermann@example.org",
        ),
    )
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(app, Registration) == 1 and count_rows(app, Person) == 1
    assert count_rows(app, Consent) == 1  # no second set of consents
    sent = mails(app, "erika.mustermann@example.org")
    assert len(sent) == 2 and "persönlicher Link" in sent[1].subject
    new_link = personal_path(app, "erika.mustermann@example.org")
    assert new_link != old_link
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404  # only the newest link is valid
    with app.app_context():
        assert db.session.scalars(select(Person)).one().last_name == "Mustermann"  # not overwritten


def test_capacity_full_goes_to_waitlist_and_cancel_moves_the_first_up(app, client, make):
    event, workshops = open_event(make, capacity=2)
    register(client, event, workshops, 4)
    statuses = [r.status for r in _registrations(app)]
    assert statuses == [RegistrationStatus.REGISTERED] * 2 + [RegistrationStatus.WAITLISTED] * 2
    assert "Warteliste" in mails(app, "p2@example.org")[0].subject
    assert mails(app, "p2@example.org")[0].ics is None

    link = personal_path(app, "p0@example.org")
    page = client.get(f"{link}/cancel")
    assert "wirklich stornieren" in page.get_data(as_text=True)
    response = client.post(f"{link}/cancel")
    assert response.status_code == 302
    regs = {r.person_id: r for r in _registrations(app)}
    statuses = [r.status for r in sorted(regs.values(), key=lambda r: r.id)]
    assert statuses == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,  # the first waitlisted moved up
        RegistrationStatus.WAITLISTED,
    ]
    moved = mails(app, "p2@example.org")
    assert "Sie haben einen Platz" in moved[-1].subject and moved[-1].ics
    assert "Stornierung" in mails(app, "p0@example.org")[-1].subject
    html = client.get(link).get_data(as_text=True)
    assert 'data-status="cancelled"' in html
    assert "Anmeldung stornieren" not in html  # cannot cancel twice
    assert client.post(f"{link}/cancel").status_code == 302
    assert [r.status for r in sorted(_registrations(app), key=lambda r: r.id)] == statuses


def test_cancelling_a_waitlisted_place_moves_nobody(app, client, make):
    event, workshops = open_event(make, capacity=1)
    register(client, event, workshops, 3)
    client.post(f"{personal_path(app, 'p2@example.org')}/cancel")
    assert [r.status for r in sorted(_registrations(app), key=lambda r: r.id)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ]


def test_personal_link_shows_and_changes_preferences(app, client, make):
    event, workshops = open_event(make, workshops=4)
    client.post(f"/events/{event.id}/register", data=form_data(workshops))
    link = personal_path(app, "erika.mustermann@example.org")
    html = client.get(link).get_data(as_text=True)
    assert "Erika Mustermann" in html and 'data-status="registered"' in html
    new = {"pref1": str(workshops[3].id), "pref2": str(workshops[0].id), "pref3": ""}
    response = client.post(link, data=new)
    assert response.status_code == 302
    assert "gespeichert" in client.get(link).get_data(as_text=True)
    with app.app_context():
        prefs = db.session.scalars(
            select(WorkshopPreference).order_by(WorkshopPreference.rank)
        ).all()
        assert [(p.rank, p.workshop_id) for p in prefs] == [
            (1, workshops[3].id),
            (2, workshops[0].id),
        ]


@pytest.mark.parametrize(
    ("prefs", "message"),
    [
        ({"pref1": "A", "pref2": "A"}, "nur einmal"),
        ({"pref1": "OTHER"}, "Workshop dieser Veranstaltung"),
        ({"pref1": ""}, "Erstwunsch"),
    ],
)
def test_personal_link_bad_preferences_change_nothing(app, client, make, prefs, message):
    event, workshops = open_event(make)
    _other, other_ws = open_event(make)
    ids = {"A": str(workshops[0].id), "OTHER": str(other_ws[0].id), "": ""}
    client.post(f"/events/{event.id}/register", data=form_data(workshops))
    link = personal_path(app, "erika.mustermann@example.org")
    response = client.post(link, data={k: ids[v] for k, v in prefs.items()})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        prefs_now = db.session.scalars(
            select(WorkshopPreference).order_by(WorkshopPreference.rank)
        ).all()
        assert [p.workshop_id for p in prefs_now] == [w.id for w in workshops]


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500, "%3Cscript%3E"])
def test_tampered_link_is_a_clear_404(client, make, token):
    event, workshops = open_event(make)
    for path in (
        f"/anmeldung/{token}",
        f"/anmeldung/{token}/cancel",
        f"/anmeldung/{token}/datenschutz/loeschen",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html", path
        assert "Dieser Link ist ungültig" in response.get_data(as_text=True)
    assert client.post(f"/anmeldung/{token}/cancel").status_code == 404
    assert (
        client.post(f"/anmeldung/{token}", data={"pref1": str(workshops[0].id)}).status_code == 404
    )


def test_tampered_link_of_a_real_one_is_404(app, client, make):
    event, workshops = open_event(make)
    client.post(f"/events/{event.id}/register", data=form_data(workshops))
    link = personal_path(app, "erika.mustermann@example.org")
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    assert client.get(tampered).status_code == 404


def test_ics_download_parses_back(client, make):
    event, _ = open_event(
        make,
        title="Netzwerktreffen Süd",
        starts_at=dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC),
        venue="Messe Stuttgart",
        mode="hybrid",
        online_url="https://konferenz.example.org/sued",
    )
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Netzwerktreffen Süd"
    assert vevent.decoded("dtstart") == event.starts_at
    assert vevent.decoded("dtend") == event.ends_at
    assert "Messe Stuttgart" in str(vevent["location"])
    assert str(vevent["uid"]).startswith(f"event-{event.id}@")


def test_event_without_capacity_never_waitlists(app, client, make):
    event, workshops = open_event(make, capacity=None, workshops=0)
    assert register(client, event, workshops, 3) == [302] * 3
    assert {r.status for r in _registrations(app)} == {RegistrationStatus.REGISTERED}


def test_csrf_is_enforced_on_the_public_form(make, make_app):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    event, workshops = open_event(make)
    client = csrf_app.test_client()
    response = client.post(f"/events/{event.id}/register", data=form_data(workshops))
    assert response.status_code == 400
    assert "Formular abgelaufen" in response.get_data(as_text=True)


LONG_TITLE = (  # near the 200 characters a title may have
    "Fachkräftesicherung in der Transformation der Fahrzeugindustrie: Wie Kommunen, Kammern, "
    "Gewerkschaften und Unternehmen gemeinsam Ausbildung und Zuwanderung organisieren "
    "(Werkstattgespräch)"
)


@pytest.mark.parametrize("page", ["register", "personal"])
def test_long_workshop_titles_are_shown_whole_and_never_truncated(app, client, make, page):
    event, workshops = open_event(make, workshops=2)
    long = make.workshop(event, title=LONG_TITLE, position=5)
    if page == "register":
        html = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    else:
        client.post(f"/events/{event.id}/register", data=form_data(workshops))
        html = client.get(personal_path(app, "erika.mustermann@example.org")).get_data(as_text=True)
    # the wishes are radio buttons next to the whole title, not options of a select
    # (a closed select cuts a long option off at its width)
    assert '<select id="pref1"' not in html and 'name="pref1"' in html
    assert f'<div class="col-md-7 text-break workshop-title">{LONG_TITLE}</div>' in html
    assert f'aria-label="Erstwunsch: {LONG_TITLE}"' in html
    assert f'value="{long.id}"' in html
    for truncating in ("text-truncate", "text-overflow", "ellipsis", "text-nowrap workshop"):
        assert truncating not in html


def test_wishes_keep_the_choice_and_show_errors_after_a_refused_submission(client, make):
    event, workshops = open_event(make)
    data = form_data(workshops, pref1="", pref2=str(workshops[1].id), pref3="")
    html = client.post(f"/events/{event.id}/register", data=data).get_data(as_text=True)
    assert 'id="wishes-error"' in html and "Erstwunsch: Bitte Ihren Erstwunsch wählen." in html
    assert f'name="pref2" id="pref2-{workshops[1].id}" value="{workshops[1].id}"' in html
    checked = html.split(f'id="pref2-{workshops[1].id}"', 1)[1].split(">", 1)[0]
    assert "checked" in checked
    assert 'id="pref3-none" value=""' in html  # "no further wish" is chosen for the third
