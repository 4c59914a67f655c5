"""crm.formats.tables: Excel-safe CSV and XLSX downloads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from crm.formats.tables import csv_bytes, csv_response, neutralise, xlsx_bytes, xlsx_response
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


def test_xlsx_bytes_keep_types_and_neutralise_text():
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
    assert row[0] == "Müller-Lüdenscheidt GmbH & Co. KG" and row[1] == "'=1+1"
    assert row[2] == 42 and row[3] == -3 and row[4] == 2.5
    assert row[7] == "IHK" and row[8] == dt.datetime(2027, 3, 16, 10, 0)
    assert rows[2][0] == "badchar"
    assert sheet["B2"].data_type == "s"  # text, never a formula


def test_responses_are_downloads(app):
    with app.test_request_context():
        csv_resp = csv_response("Teilnehmende Köln.csv", HEADER, ROWS)
        xlsx_resp = xlsx_response("liste.xlsx", HEADER, ROWS)
    assert csv_resp.mimetype == "text/csv"
    disposition = csv_resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Teilnehmende_Kln.csv"')
    assert "filename*=UTF-8''Teilnehmende%20K%C3%B6ln.csv" in disposition
    assert xlsx_resp.mimetype.endswith("spreadsheetml.sheet")
    assert xlsx_resp.data[:2] == b"PK"
