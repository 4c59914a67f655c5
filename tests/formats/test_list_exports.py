"""The real list downloads (#17) opened as a user's tool would: openpyxl for the XLSX files
(frozen header, autofilter, widths, typed cells, the info sheet), csv with Excel's dialect
for the CSV files; restricted persons left out and counted; participants' consents."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import RegistrationStatus
from tests.helpers import csv_rows

UTC = dt.UTC


def _book(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data()))


def _info(book: Any) -> dict[str, Any]:
    return dict(book.worksheets[1].iter_rows(values_only=True))


def _assert_excel_ready(sheet: Any, rows: int) -> None:
    columns = sheet.max_column
    last = sheet.cell(row=1, column=columns).column_letter
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{last}{rows + 1}"
    for letter in (sheet.cell(row=1, column=c).column_letter for c in range(1, columns + 1)):
        assert 6 <= sheet.column_dimensions[letter].width <= 60


@pytest.fixture
def people(make):
    org = make.organisation(
        name="Müller & Söhne GmbH", plz="01067", place="Dresden", kreis_ags="14612", land_ags="14"
    )
    shown = make.person(first_name="Jörg", last_name="Adler", phone="0351 4711", email="j@ex.org")
    formula = make.person(first_name="Eva", last_name="Bach", phone="+49 30 1234", title="=SUM(1)")
    hidden = make.person(first_name="Rita", last_name="Cramer", restricted=True)
    for person in (shown, formula, hidden):
        make.affiliation(person, org)
    return org, shown, formula, hidden


def test_person_xlsx_is_excel_ready_leaves_out_restricted_and_says_so(client, login_as, people):
    user = login_as("staff")
    book = _book(client.get("/persons/export.xlsx?q=&sort=name&dir=desc"))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Bach", "Adler"]  # Cramer is restricted
    _assert_excel_ready(sheet, 2)
    bach, adler = sheet[2], sheet[3]
    # phone numbers and a formula-like title: text cells, no apostrophe, never a formula
    assert (bach[5].value, bach[5].data_type, bach[5].number_format) == ("+49 30 1234", "s", "@")
    assert (adler[5].value, adler[5].data_type, adler[5].number_format) == ("0351 4711", "s", "@")
    assert (bach[3].value, bach[3].data_type) == ("=SUM(1)", "s")
    assert bach[0].data_type == "n"  # the ID is a number
    info = _info(book)
    assert book.sheetnames[1] == "Info"
    assert info["Liste"] == "Personen"
    assert info["Sortierung"] == "Name ↓"
    assert info["Exportiert von"] == user.email
    assert isinstance(info["Exportiert am"], dt.datetime)
    assert info["Zeilen"] == 2
    assert info["Ausgelassen (Verarbeitung eingeschränkt)"] == 1


def test_organisation_xlsx_names_kreis_and_land_and_keeps_the_postcode(client, login_as, people):
    login_as("staff")
    book = _book(client.get("/organisations/export.xlsx?land=14&q=müller"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["Kreis"].value == "Dresden, Stadt" and row["Bundesland"].value == "Sachsen"
    assert (row["PLZ"].value, row["PLZ"].data_type, row["PLZ"].number_format) == ("01067", "s", "@")
    info = _info(book)
    assert info["Filter"] == "Suche: müller; Bundesland: Sachsen"
    assert info["Zeilen"] == 1
    assert "Ausgelassen (Verarbeitung eingeschränkt)" not in info  # not a list of persons


def test_person_csv_same_columns_single_charset_restricted_left_out(client, login_as, people):
    login_as("staff")
    xlsx = _book(client.get("/persons/export.xlsx")).worksheets[0]
    response = client.get("/persons/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(raw)
    assert rows[0] == [c.value for c in xlsx[1]]
    assert [r[1] for r in rows[1:]] == ["Adler", "Bach"]
    assert rows[2][3] == "'=SUM(1)"  # CSV has no cell types: the quote keeps it inert


def test_csv_and_xlsx_in_english(client, login_as, people):
    login_as("staff")
    client.post("/language", data={"language": "en"})
    response = client.get("/persons/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''persons.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel"))
    assert rows[0][:3] == ["ID", "Last name", "First name"]
    assert [r[1] for r in rows[1:]] == ["Adler", "Bach"]
    book = _book(client.get("/organisations/export.xlsx"))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["ID", "Name", "Type"]
    assert _info(book)["Filter"] == "–"  # (the info sheet's new labels await their English)


@pytest.fixture
def participants(make):
    event = make.event(title="Netzwerktreffen Ost")
    people = [
        make.person(first_name="Anna", last_name="Arnold"),
        make.person(first_name="Ben", last_name="Berg"),
        make.person(first_name="Cleo", last_name="Claus", restricted=True),
    ]
    registered = dt.datetime(2027, 2, 1, 8, 30, tzinfo=UTC)
    for person in people:
        make.registration(
            event, person, status=RegistrationStatus.REGISTERED, registered_at=registered
        )
    anna, ben, _cleo = people
    make.consent(anna, purpose=ConsentPurpose.PARTICIPANT_LIST)
    make.consent(anna, purpose=ConsentPurpose.PHOTOS)
    make.consent(ben, purpose=ConsentPurpose.PHOTOS, given_at=dt.datetime(2027, 1, 1, tzinfo=UTC))
    make.consent(
        ben,
        purpose=ConsentPurpose.PHOTOS,
        status=ConsentStatus.REVOKED,
        given_at=dt.datetime(2027, 1, 2, tzinfo=UTC),
    )
    return event


def test_participant_xlsx_carries_consents_and_counts_restricted(client, login_as, participants):
    login_as("staff")
    book = _book(client.get(f"/events/{participants.id}/registrations.xlsx?status=registered"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["Einwilligung: Teilnehmendenliste", "Einwilligung: Fotos"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-2], r[-1]) for r in rows] == [
        ("Arnold", "ja", "ja"),
        ("Berg", "nein", "nein"),  # the latest photo consent is revoked
    ]
    _assert_excel_ready(sheet, 2)
    registered = sheet.cell(row=2, column=header.index("Angemeldet am") + 1)
    assert registered.is_date and registered.number_format == "DD.MM.YYYY HH:MM"
    assert registered.value == dt.datetime(2027, 2, 1, 9, 30)
    info = _info(book)
    assert info["Liste"] == "Teilnehmende: Netzwerktreffen Ost"
    assert info["Filter"] == "Status: angemeldet"
    assert info["Zeilen"] == 2
    assert info["Ausgelassen (Verarbeitung eingeschränkt)"] == 1


def test_participant_csv_in_english(client, login_as, participants):
    login_as("staff")
    client.post("/language", data={"language": "en"})
    response = client.get(f"/events/{participants.id}/registrations.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel"))
    assert rows[0][:2] == ["Last name", "First name"]
    assert [(r[0], r[9], r[-2], r[-1]) for r in rows[1:]] == [
        ("Arnold", "registered", "yes", "yes"),
        ("Berg", "registered", "no", "no"),
    ]


def test_dashboard_xlsx_has_counts_as_numbers_and_an_info_sheet(client, login_as, make):
    user = login_as("staff")
    make.initiative(name="Bündnis Nord")
    book = _book(client.get("/dashboard/ihk.xlsx"))
    sheet = book.worksheets[0]
    _assert_excel_ready(sheet, sheet.max_row - 1)
    assert all(sheet.cell(row=r, column=2).data_type == "n" for r in range(2, sheet.max_row + 1))
    info = _info(book)
    assert info["Exportiert von"] == user.email and info["Zeilen"] == sheet.max_row - 1


def test_prepared_xlsx_has_the_same_info_sheet(app, client, login_as, people, monkeypatch):
    from crm import jobs
    from tests.directory.test_directory_export_jobs import _run_job
    from tests.directory.test_directory_export_jobs import _start

    user = login_as("staff")
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)
    jobs.init_app(app)
    token = _start(client, "/persons/export.xlsx?q=a")
    _run_job(app, token)
    book = _book(client.get(f"/exports/{token}/download"))
    assert [r[1] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        "Adler",
        "Bach",
    ]
    _assert_excel_ready(book.worksheets[0], 2)
    info = _info(book)
    assert info["Liste"] == "Personen" and info["Filter"] == "Suche: a"
    assert info["Exportiert von"] == user.email and info["Zeilen"] == 2
    assert info["Ausgelassen (Verarbeitung eingeschränkt)"] == 1


def test_mail_merge_xlsx_counts_the_restricted_persons_left_out(client, login_as, make, people):
    _org, shown, _formula, hidden = people
    for person in (shown, hidden):
        make.consent(person, purpose=ConsentPurpose.EVENT_INVITATIONS)
    login_as("staff")
    book = _book(client.get("/persons/serienbrief.xlsx?zweck=event_invitations"))
    sheet = book.worksheets[0]
    assert [r[-2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Adler"]
    _assert_excel_ready(sheet, 1)
    info = _info(book)
    assert info["Liste"] == "Serienbrief" and info["Filter"].startswith("Zweck: ")
    assert info["Zeilen"] == 1 and info["Ausgelassen (Verarbeitung eingeschränkt)"] == 1


def test_dashboard_csv_in_english_uses_commas_and_decimal_points(client, login_as, make):
    login_as("staff")
    make.initiative(name="Bündnis Nord")
    client.post("/language", data={"language": "en"})
    response = client.get("/dashboard/ihk.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel"))
    assert len(rows[0]) == 3 and rows[0][2] != "Anteil in %"
    shares = [row[2] for row in rows[1:] if row[2]]
    assert shares and all("." in share and "," not in share for share in shares)


def test_workshop_list_carries_consents_and_its_info(client, login_as, make, participants):
    login_as("staff")
    workshop = make.workshop(participants, title="Robotik")
    url = f"/events/{participants.id}/workshops/{workshop.id}/participants.xlsx"
    book = _book(client.get(url))
    assert [c.value for c in book.worksheets[0][1]][-1] == "Einwilligung: Fotos"
    assert _info(book)["Liste"] == "Netzwerktreffen Ost: Robotik"
