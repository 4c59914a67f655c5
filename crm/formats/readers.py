"""Reading spreadsheet files as offices write them, row by row (streamed, never whole).

CSV: UTF-8 with or without BOM, else Windows-1252; `;`, `,` or tab sniffed from the
first lines; quoted cells with line breaks; stray blanks stripped; empty trailing
columns ignored. XLSX through openpyxl's read-only mode; ODS through python-calamine.
Rows are numbered as a spreadsheet shows them (the first row is 1; a CSV record with
line breaks inside a quoted cell is one row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from itertools import islice
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

DELIMITERS = {";": "Semikolon (;)", ",": "Komma (,)", "\t": "Tabulator"}
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
SAMPLE_BYTES = 256 * 1024
HEADER_SEARCH_ROWS = 10

Cell = str | int | float | dt.datetime | dt.date | None


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read (message for people, in German)."""


@dataclass
class FileSettings:
    """How to read a file: detected, and correctable by the person importing it."""

    fmt: str  # csv | xlsx | ods
    encoding: str = "utf-8"
    delimiter: str = ";"
    header_row: int = 1  # 1-based row number of the header

    def as_dict(self) -> dict[str, Any]:
        """JSON form (kept with the upload between the steps of the wizard)."""
        return {
            "fmt": self.fmt,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
        }


@dataclass
class Sheet:
    """A file's header and the first rows after it (what the wizard shows)."""

    settings: FileSettings
    headers: list[str]
    sample: list[tuple[int, list[str]]] = field(default_factory=list)


def file_format(filename: str, head: bytes) -> str:
    """csv, xlsx or ods, from the content (a zip) and the name."""
    name = filename.lower()
    if head.startswith(b"PK"):
        if name.endswith(".ods"):
            return "ods"
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm", ".ods", ".xls")):
        raise UnreadableFile(_("Die Datei ist keine gültige Tabelle (Excel/ODS)."))
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else Windows-1252 (what Excel writes on German Windows)."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start < len(sample) - 4:
            return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most equal, widest rows."""
    best, best_score = ";", (-1, -1)
    for delimiter in DELIMITERS:
        rows = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), 20))
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text(cell: Any) -> str:
    """A cell as the text a person sees (numbers without a needless ".0")."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time(0):
            return cell.date().isoformat()
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def _trim(row: list[Cell]) -> list[Cell]:
    """Stray blanks stripped, empty trailing cells dropped."""
    cells: list[Cell] = [c.strip() if isinstance(c, str) else c for c in row]
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells


def _csv_rows(path: Path, settings: FileSettings) -> Iterator[list[Cell]]:
    try:
        with path.open(encoding=settings.encoding, newline="", errors="strict") as handle:
            for row in csv.reader(handle, delimiter=settings.delimiter):
                yield _trim(list(row))
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _(
                "Die Datei ist nicht in der Kodierung %(encoding)s geschrieben.",
                encoding=settings.encoding,
            )
        ) from exc
    except csv.Error as exc:
        raise UnreadableFile(_("Die CSV-Datei ist fehlerhaft: %(error)s", error=exc)) from exc


def _xlsx_rows(path: Path) -> Iterator[list[Cell]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(_("Die Excel-Datei lässt sich nicht lesen.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield _trim(list(row))
    finally:
        workbook.close()


def _ods_rows(path: Path) -> Iterator[list[Cell]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise UnreadableFile(_("ODS-Dateien werden hier nicht unterstützt.")) from exc
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise UnreadableFile(_("Die ODS-Datei lässt sich nicht lesen.")) from exc
    for row in rows:
        cells: list[Cell] = [
            c if isinstance(c, str | int | float | dt.date) else str(c) for c in row
        ]
        yield _trim(cells)


def raw_rows(path: Path, settings: FileSettings) -> Iterator[tuple[int, list[Cell]]]:
    """Every row with its spreadsheet row number (1-based), header included."""
    reader: Callable[[], Iterator[list[Cell]]]
    if settings.fmt == "xlsx":
        reader = lambda: _xlsx_rows(path)  # noqa: E731
    elif settings.fmt == "ods":
        reader = lambda: _ods_rows(path)  # noqa: E731
    else:
        reader = lambda: _csv_rows(path, settings)  # noqa: E731
    yield from enumerate(reader(), start=1)


def data_rows(path: Path, settings: FileSettings) -> Iterator[tuple[int, list[Cell]]]:
    """The rows after the header (blank rows left out), numbered as a spreadsheet shows."""
    for number, row in raw_rows(path, settings):
        if number <= settings.header_row:
            continue
        if any(_text(c) for c in row):
            yield number, row


def header(path: Path, settings: FileSettings) -> list[str]:
    """The header row's cells as text."""
    for number, row in raw_rows(path, settings):
        if number == settings.header_row:
            return [_text(c) for c in row]
    return []


def detect(
    path: Path, filename: str, score_header: Callable[[list[str]], int] | None = None
) -> FileSettings:
    """Format, encoding, delimiter and header row of a file.

    The header is the row among the first ten that `score_header` likes best (how many of
    its cells name a known field); without a score, the first row with two filled cells."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise UnreadableFile(_("Die Datei ist leer."))
    fmt = file_format(filename, head)
    settings = FileSettings(fmt=fmt)
    if fmt == "csv":
        if b"\x00" in head:
            raise UnreadableFile(_("Die Datei ist keine Textdatei (CSV) und keine Tabelle."))
        settings.encoding = detect_encoding(head)
        settings.delimiter = detect_delimiter(head.decode(settings.encoding, errors="replace"))
    settings.header_row = detect_header_row(path, settings, score_header)
    return settings


def detect_header_row(
    path: Path, settings: FileSettings, score_header: Callable[[list[str]], int] | None
) -> int:
    """The row number of the header (see `detect`)."""
    candidates: list[tuple[int, list[str]]] = []
    for number, row in raw_rows(path, settings):
        if number > HEADER_SEARCH_ROWS:
            break
        cells = [_text(c) for c in row]
        if sum(1 for c in cells if c) >= 1:
            candidates.append((number, cells))
    if not candidates:
        raise UnreadableFile(_("Die Datei enthält keine Zeilen."))
    if score_header is not None:
        number, cells = max(candidates, key=lambda nc: (score_header(nc[1]), -nc[0]))
        if score_header(cells) > 0:
            return number
    for number, cells in candidates:
        if sum(1 for c in cells if c) >= 2:
            return number
    return candidates[0][0]


def read_sheet(path: Path, settings: FileSettings, sample_rows: int = 5) -> Sheet:
    """The header and the first rows as text (for the wizard's pages)."""
    headers = header(path, settings)
    sample: list[tuple[int, list[str]]] = []
    for number, row in data_rows(path, settings):
        if len(sample) >= sample_rows:
            break
        sample.append((number, [_text(c) for c in row]))
    return Sheet(settings=settings, headers=headers, sample=sample)


cell_text = _text
