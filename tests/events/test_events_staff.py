"""Staff pages of events: permissions, event/agenda/workshop forms, registrations, check-in,
exports, workshop lists and badges."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import AgendaBlock
from crm.models import Event
from crm.models import EventStatus
from crm.models import OrgType
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from tests.events.helpers import open_event
from tests.helpers import assert_turned_away
from tests.helpers import count_rows
from tests.helpers import csv_rows
from tests.helpers import with_overrides

STAFF_PAGES = [
    ("GET", "/events/"),
    ("GET", "/events/new"),
    ("POST", "/events/new"),
    ("GET", "/events/{e}"),
    ("GET", "/events/{e}/edit"),
    ("POST", "/events/{e}/edit"),
    ("GET", "/events/{e}/agenda/new"),
    ("GET", "/events/{e}/workshops/new"),
    ("GET", "/events/{e}/workshops/{w}/edit"),
    ("GET", "/events/{e}/workshops/{w}/delete"),
    ("POST", "/events/{e}/workshops/{w}/delete"),
    ("GET", "/events/{e}/registrations"),
    ("GET", "/events/{e}/registrations.csv"),
    ("GET", "/events/{e}/registrations.xlsx"),
    ("GET", "/events/{e}/workshop-lists"),
    ("GET", "/events/{e}/workshops/{w}/participants.csv"),
    ("GET", "/events/{e}/checkin"),
    ("POST", "/events/{e}/registrations/{r}/checkin"),
    ("GET", "/events/{e}/badges"),
    ("GET", "/outbox"),
]


@pytest.fixture
def setup(make):
    event, workshops = open_event(make)
    person = make.person(first_name="Jörg", last_name="Müller-Lüdenscheidt")
    reg = make.registration(event, person)
    return event, workshops, reg


def _paths(setup):
    event, workshops, reg = setup
    return [(m, p.format(e=event.id, w=workshops[0].id, r=reg.id)) for m, p in STAFF_PAGES]


@pytest.mark.parametrize("index", range(len(STAFF_PAGES)))
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_staff_pages_refuse_anonymous_and_editors(client, make, login_as, setup, who, index):
    method, path = _paths(setup)[index]
    if who == "editor":
        login_as("editor", initiative=make.initiative())
    response = client.open(path, method=method)
    assert_turned_away(response, who)
    with client.application.app_context():
        assert db.session.scalar(select(func.count(Workshop.id))) == 3  # nothing deleted


@pytest.mark.parametrize("index", [i for i, (m, _) in enumerate(STAFF_PAGES) if m == "GET"])
def test_staff_pages_open_for_staff(client, login_as, setup, index):
    login_as("staff")
    method, path = _paths(setup)[index]
    response = client.get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/events/987654",
        "/events/987654/registrations",
        "/events/{e}/workshops/987654/edit",
        "/events/{e}/agenda/987654/edit",
        "/events/{e}/registrations.pdf",
        "/events/{e}/workshops/{w}/participants.exe",
    ],
)
def test_unknown_ids_and_formats_are_404(client, login_as, setup, path):
    login_as("staff")
    event, workshops, _reg = setup
    assert client.get(path.format(e=event.id, w=workshops[0].id)).status_code == 404


def test_unknown_mark_action_and_foreign_registration_are_404(client, make, login_as, setup):
    login_as("staff")
    event, _ws, reg = setup
    other, _ = open_event(make)
    assert client.post(f"/events/{event.id}/registrations/{reg.id}/delete-all").status_code == 404
    assert client.post(f"/events/{other.id}/registrations/{reg.id}/checkin").status_code == 404


EVENT_FORM = {
    "title": "Netzwerktreffen der Industrieinitiativen 2027",
    "type": "netzwerktreffen",
    "mode": "hybrid",
    "venue": "Kongresszentrum Frankfurt am Main",
    "online_url": "https://konferenz.example.org/2027",
    "starts_at": "2027-03-09T10:00",
    "ends_at": "2027-03-09T15:00",
    "description": "Impulse am Vormittag, Workshops am Nachmittag.",
    "capacity": "150",
    "registration_opens_at": "2026-10-01T09:00",
    "registration_closes_at": "2027-02-26T23:59",
    "is_free": "y",
    "fee_note": "",
    "status": "veroeffentlicht",
}


def test_staff_creates_and_edits_an_event(app, client, login_as):
    login_as("staff")
    response = client.post("/events/new", data=EVENT_FORM)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        assert event.slug == "netzwerktreffen-der-industrieinitiativen-2027"
        assert event.starts_at == dt.datetime(2027, 3, 9, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin
        assert event.status is EventStatus.VEROEFFENTLICHT
        event_id, version = event.id, event.version
    edit = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    assert 'value="2027-03-09T10:00"' in edit
    changed = EVENT_FORM | {"title": "Geändert", "capacity": "", "version": str(version)}
    assert client.post(f"/events/{event_id}/edit", data=changed).status_code == 302
    with app.app_context():
        event = db.session.get_one(Event, event_id)
        assert event.title == "Geändert" and event.capacity is None
    stale = client.post(f"/events/{event_id}/edit", data=changed | {"title": "Alt"})
    assert stale.status_code == 409
    assert "inzwischen geändert" in stale.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": " "}, "Bitte einen Titel angeben."),
        ({"ends_at": "2027-03-09T09:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"starts_at": "gestern"}, "Bitte ein gültiges Datum mit Uhrzeit angeben."),
        ({"online_url": "javascript:alert(1)"}, "https://"),
        ({"online_url": "ftp://example.org"}, "https://"),
        ({"capacity": "-1"}, "0 bis 100.000"),
        ({"capacity": "viele"}, "ganze Zahl"),
        ({"type": "party"}, "angebotenen Arten"),
        ({"mode": "praesenz", "venue": ""}, "Veranstaltungsort"),
        ({"registration_closes_at": "2026-09-01T09:00"}, "Ende der Anmeldung"),
        ({"is_free": None, "fee_note": ""}, "was die Teilnahme kostet"),
        ({"status": "geheim"}, "angebotenen Status"),
    ],
)
def test_bad_event_input_changes_nothing(app, client, login_as, overrides, message):
    login_as("staff")
    response = client.post("/events/new", data=with_overrides(EVENT_FORM, overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_rows(app, Event) == 0


def test_agenda_blocks_and_workshops(app, client, login_as, make, setup):
    login_as("staff")
    event, workshops, _reg = setup
    moderator = make.person(email="moderation@example.org")
    block = {
        "starts_at": "2027-03-16T13:00",
        "ends_at": "2027-03-16T15:00",
        "title": "Austausch in Workshops",
        "kind": "workshops",
    }
    assert client.post(f"/events/{event.id}/agenda/new", data=block).status_code == 302
    bad = client.post(
        f"/events/{event.id}/agenda/new", data=block | {"ends_at": "2027-03-16T12:00"}
    )
    assert "Das Ende muss nach dem Beginn liegen." in bad.get_data(as_text=True)
    ws = {
        "title": "Fachkräfte gewinnen",
        "capacity": "25",
        "position": "9",
        "moderator_email": "Moderation@example.org",
        "themes": ["1", "2"],
    }
    assert client.post(f"/events/{event.id}/workshops/new", data=ws).status_code == 302
    unknown = client.post(
        f"/events/{event.id}/workshops/new", data=ws | {"moderator_email": "niemand@example.org"}
    )
    assert "Keine Person mit dieser E-Mail" in unknown.get_data(as_text=True)
    bad_theme = client.post(f"/events/{event.id}/workshops/new", data=ws | {"themes": ["99999"]})
    assert "angebotene Themen" in bad_theme.get_data(as_text=True)
    with app.app_context():
        created = db.session.scalar(
            select(Workshop)
            .where(Workshop.title == "Fachkräfte gewinnen")
            .options(selectinload(Workshop.themes))
        )
        assert created.moderator_id == moderator.id and created.capacity == 25
        assert sorted(t.id for t in created.themes) == [1, 2]
        block_id = db.session.scalars(select(AgendaBlock.id)).one()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Austausch in Workshops" in page and "Fachkräfte gewinnen" in page
    asked = client.get(f"/events/{event.id}/agenda/{block_id}/delete").get_data(as_text=True)
    assert "wirklich löschen?" in asked and "Endgültig löschen" in asked
    assert client.post(f"/events/{event.id}/agenda/{block_id}/delete").status_code == 302
    assert client.post(f"/events/{event.id}/workshops/{workshops[0].id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(AgendaBlock.id))) == 0
        assert db.session.get(Workshop, workshops[0].id) is None


def test_capacity_increase_moves_waitlisted_up(app, client, login_as, make):
    login_as("staff")
    event, _ws = open_event(make, capacity=1)
    make.registration(event, make.person(), status=RegistrationStatus.REGISTERED)
    waiting = make.registration(
        event, make.person(email="warte@example.org"), status=RegistrationStatus.WAITLISTED
    )
    with app.app_context():
        version = db.session.get_one(Event, event.id).version
    start = (event.starts_at + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    end = (event.starts_at + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    data = EVENT_FORM | {
        "capacity": "2",
        "version": str(version),
        "starts_at": start,
        "ends_at": end,
        "registration_opens_at": "",
        "registration_closes_at": "",
    }
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get_one(Registration, waiting.id).status is RegistrationStatus.REGISTERED


@pytest.fixture
def crowd(make):
    """An event with three registrations of different initiatives, Länder and types."""
    event, workshops = open_event(make)
    nrw = make.organisation(
        name='=HYPERLINK("http://evil.example.org") GmbH', type=OrgType.UNTERNEHMEN, land_ags="05"
    )
    by = make.organisation(name="IHK Beispielstadt", type=OrgType.IHK, land_ags="09")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    a = make.registration(
        event,
        make.person(first_name="Anna", last_name="Ärger"),
        organisation_id=nrw.id,
        organisation_text="+49 Firma",
        initiative_id=ini.id,
    )
    b = make.registration(
        event, make.person(first_name="Bernd", last_name="Bauer"), organisation_id=by.id
    )
    c = make.registration(
        event,
        make.person(first_name="Clara", last_name="Cramer"),
        status=RegistrationStatus.WAITLISTED,
    )
    with make.app.app_context():
        from crm.db.engine import writing
        from crm.models import WorkshopPreference

        with writing():
            db.session.add_all(
                [
                    WorkshopPreference(registration_id=a.id, workshop_id=workshops[0].id, rank=1),
                    WorkshopPreference(registration_id=a.id, workshop_id=workshops[1].id, rank=2),
                    WorkshopPreference(registration_id=b.id, workshop_id=workshops[1].id, rank=1),
                ]
            )
            db.session.commit()
    return event, workshops, ini, (a, b, c)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Ärger", "Bauer", "Cramer"}),
        ("status=waitlisted", {"Cramer"}),
        ("status=bogus", {"Ärger", "Bauer", "Cramer"}),
        ("initiative={ini}", {"Ärger"}),
        ("orgtype=ihk", {"Bauer"}),
        ("land=05", {"Ärger"}),
        ("land=99", {"Ärger", "Bauer", "Cramer"}),
        ("workshop={w0}", {"Ärger"}),
        ("workshop={w1}", {"Ärger", "Bauer"}),
        ("q=arger", {"Ärger"}),
    ],
)
def test_registration_filters(client, login_as, crowd, query, expected):
    login_as("staff")
    event, workshops, ini, _regs = crowd
    qs = query.format(ini=ini.id, w0=workshops[0].id, w1=workshops[1].id)
    html = client.get(f"/events/{event.id}/registrations?{qs}").get_data(as_text=True)
    found = {name for name in ("Ärger", "Bauer", "Cramer") if f"{name}, " in html}
    assert found == expected


def test_counts_by_initiative_land_and_type(client, login_as, crowd):
    login_as("staff")
    event, *_ = crowd
    html = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    for text in (
        "Zukunft durch Industrie e.V.",
        "Nordrhein-Westfalen",
        "Bayern",
        "IHK",
        "Unternehmen",
    ):
        assert text in html


def test_confirm_organisation_match(app, client, login_as, crowd):
    login_as("staff")
    event, _ws, _ini, (a, _b, _c) = crowd
    assert "Zuordnung bestätigen" in client.get(f"/events/{event.id}/registrations").get_data(
        as_text=True
    )
    response = client.post(
        f"/events/{event.id}/registrations/{a.id}/confirm-organisation",
        data={"next": "//evil.example.org"},
    )
    assert response.headers["Location"] == f"/events/{event.id}/registrations"
    with app.app_context():
        assert db.session.get_one(Registration, a.id).organisation_confirmed is True


def test_checkin_search_check_in_no_show_and_reset(app, client, login_as, crowd):
    login_as("staff")
    event, _ws, _ini, (a, b, _c) = crowd
    html = client.get(f"/events/{event.id}/checkin?q=bauer").get_data(as_text=True)
    assert "Bauer, Bernd" in html and "Ärger" not in html
    assert "Eingecheckt: 0 von 2" in html
    back = f"/events/{event.id}/checkin?q=bauer"
    response = client.post(f"/events/{event.id}/registrations/{b.id}/checkin", data={"next": back})
    assert response.headers["Location"] == back
    assert "Eingecheckt: 1 von 2" in client.get(back).get_data(as_text=True)
    client.post(f"/events/{event.id}/registrations/{a.id}/no-show")
    with app.app_context():
        assert db.session.get_one(Registration, b.id).status is RegistrationStatus.ATTENDED
        assert db.session.get_one(Registration, b.id).checked_in_at is not None
        assert db.session.get_one(Registration, a.id).status is RegistrationStatus.NO_SHOW
    client.post(f"/events/{event.id}/registrations/{b.id}/reset")
    with app.app_context():
        reg = db.session.get_one(Registration, b.id)
        assert reg.status is RegistrationStatus.REGISTERED and reg.checked_in_at is None


def test_csv_export_is_excel_safe(client, login_as, crowd):
    login_as("staff")
    event, *_ = crowd
    response = client.get(f"/events/{event.id}/registrations.csv?status=registered")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(raw)
    assert rows[0][:3] == ["Nachname", "Vorname", "E-Mail"]
    assert [r[0] for r in rows[1:]] == ["Ärger", "Bauer"]
    anna = rows[1]
    assert anna[3] == "'+49 Firma"
    assert anna[4].startswith("'=HYPERLINK")
    assert anna[6] == "Nordrhein-Westfalen"
    assert anna[10] == "Workshop A" and anna[11] == "Workshop B"


def test_xlsx_export(client, login_as, crowd):
    login_as("staff")
    event, *_ = crowd
    response = client.get(f"/events/{event.id}/registrations.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nachname" and len(rows) == 4
    assert rows[1][4].startswith("=HYPERLINK") and sheet["E2"].data_type == "s"  # no formula
    assert {r[9] for r in rows[1:]} == {"angemeldet", "Warteliste"}


def _participant_lines(client, event, workshop) -> list[str]:
    """The lines of a workshop's participants.csv."""
    url = f"/events/{event.id}/workshops/{workshop.id}/participants.csv"
    return client.get(url).data.decode("utf-8-sig").splitlines()


def test_workshop_lists_and_export_by_first_wish_then_by_assignment(app, client, login_as, crowd):
    login_as("staff")
    event, workshops, _ini, (a, b, _c) = crowd
    html = client.get(f"/events/{event.id}/workshop-lists").get_data(as_text=True)
    assert "Liste nach Erstwunsch" in html
    rows = _participant_lines(client, event, workshops[1])
    assert len(rows) == 2 and rows[1].startswith("Bauer;")
    with app.app_context():
        from crm.db.engine import writing

        with writing():
            db.session.get_one(Registration, a.id).assigned_workshop_id = workshops[2].id
            db.session.commit()
    html = client.get(f"/events/{event.id}/workshop-lists").get_data(as_text=True)
    assert "Zugeteilte Teilnehmende" in html
    rows = _participant_lines(client, event, workshops[2])
    assert len(rows) == 2 and rows[1].startswith("Ärger;")


def test_badges_show_seated_people_only(client, login_as, crowd):
    login_as("staff")
    event, *_ = crowd
    html = client.get(f"/events/{event.id}/badges").get_data(as_text=True)
    assert "Anna Ärger" in html and "Bernd Bauer" in html and "Clara Cramer" not in html
    assert "data-print" in html and "onclick" not in html


def test_event_list_and_nav_link(client, login_as, crowd):
    login_as("staff")
    event, *_ = crowd
    html = client.get("/events/").get_data(as_text=True)
    assert event.title in html and "Veranstaltungen" in html


def test_editor_has_no_events_nav_link(client, login_as, make):
    ini = make.initiative()
    login_as("editor", initiative=ini)
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "/events/" not in html
