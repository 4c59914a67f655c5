"""crm.formats.tables: Excel-safe CSV and XLSX downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from crm.formats.tables import ExportInfo
from crm.formats.tables import csv_bytes
from crm.formats.tables import csv_response
from crm.formats.tables import neutralise
from crm.formats.tables import xlsx_bytes
from crm.formats.tables import xlsx_response
from crm.models import OrgType
from tests.helpers import csv_rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+49 30 123", "'+49 30 123"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Müller-Lüdenscheidt GmbH & Co. KG", "Müller-Lüdenscheidt GmbH & Co. KG"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


ROWS = [
    [
        "Müller-Lüdenscheidt GmbH & Co. KG",
        "=1+1",
        42,
        -3,
        2.5,
        None,
        True,
        OrgType.IHK,
        dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC),
        dt.date(2027, 3, 16),
        "Zeile;mit\nUmbruch",
    ],
]
HEADER = ["Name", "Formel", "Zahl", "Negativ", "Komma", "Leer", "Ja", "Typ", "Zeit", "Tag", "Text"]


def test_csv_bytes_are_excel_friendly():
    raw = csv_bytes(HEADER, ROWS)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = csv_rows(raw)
    assert rows[0] == HEADER
    assert rows[1] == [
        "Müller-Lüdenscheidt GmbH & Co. KG",
        "'=1+1",
        "42",
        "-3",
        "2,5",
        "",
        "ja",
        "IHK",
        "16.03.2027 10:00",
        "16.03.2027",
        "Zeile;mit\nUmbruch",
    ]


def test_xlsx_bytes_keep_types_and_text_stays_text():
    book = load_workbook(
        io.BytesIO(
            xlsx_bytes(HEADER, ROWS + [["bad\x01char"] + [None] * 10], title="Teilnehmende: März")
        )
    )
    sheet = book.active
    assert sheet.title == "Teilnehmende März"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert sheet["A1"].font.bold
    row = rows[1]
    assert row[0] == "Müller-Lüdenscheidt GmbH & Co. KG" and row[1] == "=1+1"
    assert row[2] == 42 and row[3] == -3 and row[4] == 2.5
    assert row[6] == "ja" and row[7] == "IHK" and row[8] == dt.datetime(2027, 3, 16, 10, 0)
    assert rows[2][0] == "badchar"
    # text, never a formula, and no visible apostrophe
    assert sheet["B2"].data_type == "s" and sheet["B2"].number_format == "@"


TEXTS = ["=SUM(1)", "+49 30 1234567", "-1", "@cmd", "01067", "09162000", "0351 123"]


def test_xlsx_is_excel_ready():
    header = ["PLZ", "Anzahl", "Tag", "Zeit", "Sehr lange Spaltenüberschrift"]
    rows = [
        [text, 3, dt.date(2027, 3, 16), dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC), "x"]
        for text in TEXTS
    ]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(header, rows))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(TEXTS) + 1}"
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDE"}
    assert widths["A"] >= len("+49 30 1234567") and widths["C"] >= len("16.03.2027")
    assert widths["D"] >= len("16.03.2027 10:00")
    assert widths["E"] >= len("Sehr lange Spaltenüberschrift") > widths["B"]
    for number, text in enumerate(TEXTS, start=2):
        cell = sheet[f"A{number}"]
        assert (cell.value, cell.data_type, cell.number_format) == (text, "s", "@")
        assert sheet[f"B{number}"].value == 3 and sheet[f"B{number}"].data_type == "n"
        day, moment = sheet[f"C{number}"], sheet[f"D{number}"]
        assert day.is_date and day.number_format == "DD.MM.YYYY"
        assert day.value == dt.datetime(2027, 3, 16)
        assert moment.is_date and moment.number_format == "DD.MM.YYYY HH:MM"
        assert moment.value == dt.datetime(2027, 3, 16, 10, 0)


def test_xlsx_info_sheet_says_what_the_file_is():
    info = ExportInfo(
        title="Personen",
        exported_by="anna@example.org",
        filters=[("Suche", "Müller"), ("Land", "Sachsen")],
        sort="Name ↓",
        left_out=2,
        exported_at=dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC),
    )
    book = load_workbook(io.BytesIO(xlsx_bytes(["Name"], [["A"], ["B"]], "Personen", info)))
    assert book.sheetnames == ["Personen", "Info"]
    lines = dict(book["Info"].iter_rows(values_only=True))
    assert lines["Liste"] == "Personen"
    assert lines["Filter"] == "Suche: Müller; Land: Sachsen"
    assert lines["Sortierung"] == "Name ↓"
    assert lines["Exportiert von"] == "anna@example.org"
    assert lines["Exportiert am"] == dt.datetime(2027, 3, 16, 10, 0)
    assert book["Info"]["B5"].number_format == "DD.MM.YYYY HH:MM"
    assert lines["Zeilen"] == 2
    assert lines["Ausgelassen (Verarbeitung eingeschränkt)"] == 2


def test_csv_follows_the_language(app):
    with app.test_request_context(), force_locale("en"):
        raw = csv_bytes(HEADER, ROWS)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), dialect="excel"))
    assert rows[1][1:7] == ["'=1+1", "42", "-3", "2.5", "", "yes"]
    assert rows[1][8] == "16 Mar 2027, 10:00"


def test_responses_are_downloads(app):
    with app.test_request_context():
        csv_resp = csv_response("Teilnehmende Köln.csv", HEADER, ROWS)
        xlsx_resp = xlsx_response("liste.xlsx", HEADER, ROWS)
    assert csv_resp.mimetype == "text/csv"
    assert csv_resp.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    disposition = csv_resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Teilnehmende_Kln.csv"')
    assert "filename*=UTF-8''Teilnehmende%20K%C3%B6ln.csv" in disposition
    assert xlsx_resp.mimetype.endswith("spreadsheetml.sheet")
    assert xlsx_resp.data[:2] == b"PK"
