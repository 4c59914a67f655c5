"""Participant and directory lists as downloads: Excel-safe CSV and XLSX.

Both writers take a header and rows of plain values and neutralise text cells that a
spreadsheet would run as a formula (CSV injection): a cell starting with = + - @,
a tab or a carriage return gets a leading single quote.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from crm.web.i18n import format_day, format_moment
from crm.web.labels import label

BERLIN = ZoneInfo("Europe/Berlin")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_DATE = "DD.MM.YYYY"
XLSX_DATETIME = "DD.MM.YYYY HH:MM"
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """Prefix `value` with a single quote when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _local(value: dt.datetime) -> dt.datetime:
    """Aware datetimes as naive Berlin wall-clock time (what the office reads)."""
    return value.astimezone(BERLIN).replace(tzinfo=None) if value.tzinfo else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, enum.Enum):
        return label(value)
    # CSV is written for German Excel (`;`, decimal comma), so its dates are German too.
    if isinstance(value, dt.datetime):
        return format_moment(value, "de")
    if isinstance(value, dt.date):
        return format_day(value, "de")
    return str(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: numbers as they are, everything else as neutralised text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return neutralise(_text(value))


def xlsx_value(value: Any) -> Any:
    """One XLSX cell value: numbers and dates typed, text neutralised and cleaned."""
    if isinstance(value, bool) or value is None or isinstance(value, enum.Enum):
        return _text(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    return neutralise(_ILLEGAL_XLSX.sub("", str(value)))


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _write_csv(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, `;`-separated, CRLF line ends: what German Excel opens directly."""
    buffer = io.StringIO()
    _write_csv(buffer, header, rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A date cell shows as `16.03.2027` (`16.03.2027 10:00`), never in ISO form."""
    typed = xlsx_value(value)
    if not isinstance(typed, dt.date):
        return typed
    cell = WriteOnlyCell(sheet, value=typed)
    cell.number_format = XLSX_DATETIME if isinstance(typed, dt.datetime) else XLSX_DATE
    return cell


def _workbook(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "Liste")
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=xlsx_value(str(name)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    return workbook


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Liste") -> bytes:
    """A one-sheet workbook with a bold header row."""
    buffer = io.BytesIO()
    _workbook(header, rows, title).save(buffer)
    return buffer.getvalue()


def write_file(path: Path, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the table to `path` as "csv" or "xlsx", the same as the downloads, row by
    row (a big list is never whole in memory as text)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            _write_csv(handle, header, rows)
    else:
        _workbook(header, rows, "Liste").save(path)


MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}


def download(path: Path, filename: str) -> Response:
    """A prepared file (of `write_file`) as the download `filename` (.csv or .xlsx)."""
    fmt = filename.rpartition(".")[2]
    response = send_file(path, mimetype=MIMETYPES[fmt], max_age=0)
    response.headers["Content-Disposition"] = _disposition(filename)
    return response


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download named `filename`."""
    response = Response(csv_bytes(header, rows), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """An XLSX download named `filename`."""
    response = Response(xlsx_bytes(header, rows), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = _disposition(filename)
    return response
