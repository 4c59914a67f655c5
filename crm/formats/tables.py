"""Participant and directory lists as downloads: Excel-ready CSV and XLSX.

Both writers take a header and rows of plain values, in the user's language (yes/no,
enumeration values, dates). No text cell ever becomes a formula (CSV injection): in CSV a
cell starting with = + - @, a tab or a carriage return gets a leading single quote; in XLSX
such a cell (and any text starting with a digit: PLZ, AGS, phone numbers) is a typed text
cell (format `@`), so it shows as it is. The workbook has its header row frozen, an
autofilter, fitted column widths and a second sheet saying what the file is (ExportInfo).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import re
import tempfile
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from itertools import chain
from itertools import islice
from pathlib import Path
from typing import IO
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response
from flask import send_file
from flask import stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _

from crm.formats import xlsx
from crm.web.i18n import format_day
from crm.web.i18n import format_moment
from crm.web.labels import label

BERLIN = ZoneInfo("Europe/Berlin")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_DATE = "DD.MM.YYYY"
XLSX_DATETIME = "DD.MM.YYYY HH:MM"
XLSX_TEXT = "@"
# Text an XLSX cell keeps as typed text: formula starts, and digits (PLZ, AGS, phone numbers).
_TEXT_STARTS = (*FORMULA_STARTS, *"0123456789")
WIDTH_SAMPLE = 500  # rows read ahead to fit the column widths
MIN_WIDTH, MAX_WIDTH = 6, 60
# Werkzeug adds "; charset=utf-8" to every text/* type itself: naming it here sent it twice.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """Prefix `value` with a single quote when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class ExportInfo:
    """What a downloaded list is, for the workbook's second sheet: which list, which
    filter and sort, who exported it when; `left_out` counts the persons whose processing
    is restricted and who were therefore left out (None: not a list of persons)."""

    title: str
    exported_by: str
    filters: Sequence[tuple[str, str]] = ()
    sort: str = ""
    left_out: int | None = None
    exported_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "de"


def _local(value: dt.datetime) -> dt.datetime:
    """Aware datetimes as naive Berlin wall-clock time (what the office reads)."""
    return value.astimezone(BERLIN).replace(tzinfo=None) if value.tzinfo else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, enum.Enum):
        return label(value)
    if isinstance(value, dt.datetime):
        return format_moment(value, _language())
    if isinstance(value, dt.date):
        return format_day(value, _language())
    return str(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: numbers as they are (a decimal comma in German), everything else as
    neutralised text in the user's language."""
    return _csv_cells(_language())(value)


def _csv_cells(language: str) -> Callable[[Any], str]:
    """`csv_cell` for one language, decided once per file instead of once per cell."""
    decimal_comma = language == "de"

    def cell(value: Any) -> str:
        if type(value) is str:  # not a str enumeration, which shows its label
            return neutralise(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value).replace(".", ",") if decimal_comma else str(value)
        return neutralise(_text(value))

    return cell


def xlsx_value(value: Any) -> Any:
    """One XLSX cell value: numbers and dates typed, text cleaned of control characters
    (`_xlsx_cell` keeps it from becoming a formula)."""
    if isinstance(value, bool) or value is None or isinstance(value, enum.Enum):
        return _text(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    return _ILLEGAL_XLSX.sub("", str(value))


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_delimiter() -> str:
    """`;` for German Excel (the comma is its decimal mark), `,` for English."""
    return ";" if _language() == "de" else ","


CSV_CHUNK_ROWS = 1000  # rows per piece of a streamed CSV download


def _csv_pieces(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text of the table in pieces of CSV_CHUNK_ROWS rows (never whole in memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter(), lineterminator="\r\n")
    cell = _csv_cells(_language())
    writer.writerow([neutralise(str(h)) for h in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(v) for v in row])
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _write_csv(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    for piece in _csv_pieces(header, rows):
        handle.write(piece)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, `;`-separated (`,` in English), CRLF line ends: what Excel opens
    directly."""
    return ("\ufeff" + "".join(_csv_pieces(header, rows))).encode("utf-8")


def _csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """`csv_bytes` piece by piece, for a streamed response."""
    yield "\ufeff".encode()
    for piece in _csv_pieces(header, rows):
        yield piece.encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    """A date cell shows as `16.03.2027` (`16.03.2027 10:00`), never in ISO form; text
    that a spreadsheet would read as a formula or a number stays typed text."""
    typed = xlsx_value(value)
    if isinstance(typed, dt.datetime):
        return xlsx.Cell(typed, xlsx.DATETIME)
    if isinstance(typed, dt.date):
        return xlsx.Cell(typed, xlsx.DATE)
    if isinstance(typed, str) and typed.startswith(_TEXT_STARTS):
        return xlsx.Cell(typed, xlsx.TEXT)
    return typed


def _shown_width(value: Any) -> int:
    """About how many characters the cell of `value` shows."""
    if isinstance(value, dt.datetime):
        return len("16.03.2027 10:00")
    if isinstance(value, dt.date):
        return len("16.03.2027")
    text = _text(value) if not isinstance(value, int | float) else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(header: Sequence[str], sample: list[Sequence[Any]]) -> list[float]:
    """Column widths fitted to the header and the first rows (with a little room for the
    autofilter button), within MIN_WIDTH and MAX_WIDTH."""
    widths = [_shown_width(name) + 3 for name in header]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _shown_width(value) + 1)
    return [float(min(max(width, MIN_WIDTH), MAX_WIDTH)) for width in widths]


def _bold_row(values: Sequence[Any]) -> list[Any]:
    cells = []
    for value in values:
        cell = _xlsx_cell(value)
        if isinstance(cell, xlsx.Cell):
            cells.append(xlsx.Cell(cell.value, xlsx.bold(cell.style)))
        else:
            cells.append(xlsx.Cell(cell, xlsx.BOLD))
    return cells


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "Liste"


def _info_sheet(info: ExportInfo, rows: int) -> xlsx.Sheet:
    """The second sheet: what the file is."""
    lines: list[tuple[str, Any]] = [
        (_("Liste"), info.title),
        (_("Filter"), "; ".join(f"{name}: {value}" for name, value in info.filters) or "–"),
        (_("Sortierung"), info.sort or "–"),
        (_("Exportiert von"), info.exported_by),
        (_("Exportiert am"), info.exported_at),
        (_("Zeilen"), rows),
    ]
    if info.left_out is not None:
        lines.append((_("Ausgelassen (Verarbeitung eingeschränkt)"), info.left_out))
    width = float(max(len(str(name)) for name, _value in lines) + 2)
    return xlsx.Sheet(
        _sheet_title(_("Info")),
        [width, float(MAX_WIDTH)],
        [[*_bold_row([name]), _xlsx_cell(value)] for name, value in lines],
        header=False,
    )


def _sheets(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str,
    info: ExportInfo | None = None,
) -> Iterator[xlsx.Sheet]:
    """The list's sheet (header row frozen, autofilter, widths fitted to the first rows),
    then, once it is written, the info sheet with its number of rows."""
    rest = iter(rows)
    sample = list(islice(rest, WIDTH_SAMPLE))  # widths come before the rows in the file
    table = xlsx.Sheet(
        _sheet_title(title),
        _widths(header, sample),
        chain(
            [_bold_row([str(name) for name in header])],
            ([_xlsx_cell(v) for v in row] for row in chain(sample, rest)),
        ),
    )
    yield table
    if info is not None:
        yield _info_sheet(info, max(table.written - 1, 0))


def _write_xlsx(
    handle: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str,
    info: ExportInfo | None = None,
) -> None:
    xlsx.write(handle, _sheets(header, rows, title, info))


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "Liste",
    info: ExportInfo | None = None,
) -> bytes:
    """A workbook of the list (and, with `info`, a second sheet saying what it is)."""
    buffer = io.BytesIO()
    _write_xlsx(buffer, header, rows, title, info)
    return buffer.getvalue()


def write_file(
    path: Path,
    fmt: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    info: ExportInfo | None = None,
) -> None:
    """Write the table to `path` as "csv" or "xlsx", the same as the downloads, row by
    row (a big list is never whole in memory as text)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            _write_csv(handle, header, rows)
    else:
        with path.open("wb") as handle:
            _write_xlsx(handle, header, rows, info.title if info else "Liste", info)


MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}


def attachment(response: Response, filename: str) -> Response:
    """`response` as an attachment named `filename`."""
    response.headers["Content-Disposition"] = _disposition(filename)
    return response


def download(path: Path, filename: str) -> Response:
    """A prepared file (of `write_file`) as the download `filename` (.csv or .xlsx)."""
    fmt = filename.rpartition(".")[2]
    return attachment(send_file(path, mimetype=MIMETYPES[fmt], max_age=0), filename)


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    info: ExportInfo | None = None,  # noqa: ARG001 (a CSV file has no second sheet)
) -> Response:
    """A CSV download named `filename`: the same columns as the XLSX one. Streamed while
    `rows` are read (a big list is never whole in memory); the request's context, and so
    its database session and language, lasts until the last row is sent."""
    stream = stream_with_context(_csv_stream(header, rows))
    return attachment(Response(stream, mimetype=CSV_MIMETYPE), filename)


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    info: ExportInfo | None = None,
) -> Response:
    """An XLSX download named `filename` (with `info`: its second sheet). The workbook is
    written row by row into a temporary file (gone once it is sent or closed), which is
    then sent in pieces: memory stays the same whatever the length of the list."""
    title = info.title if info else "Liste"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _file_pieces
    try:
        _write_xlsx(handle, header, rows, title, info)
        size = handle.tell()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = Response(_file_pieces(handle), mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return attachment(response, filename)


def _file_pieces(handle: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """The content of `handle` in pieces of `size` bytes; closes it at the end."""
    try:
        while piece := handle.read(size):
            yield piece
    finally:
        handle.close()


#: The direct download of a list, by the format in its URL (`….csv`, `….xlsx`).
RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}
