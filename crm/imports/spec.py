"""What to import and how: the file's settings and its column mapping (`ImportSpec`),
from the command line (`prepare`) or from the wizard's state (`spec_from_state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from crm.formats import readers
from crm.imports import mapping as m


class ImportRefused(Exception):
    """The file cannot be read or no column maps (message for people, in German)."""


@dataclass
class ImportSpec:
    """What to import and how (the wizard keeps it with the upload between steps)."""

    kind: str
    path: Path
    filename: str
    settings: readers.FileSettings
    columns: dict[int, str]  # column index → field
    headers: list[str]
    mode: str = "both"
    decisions: dict[int, str] = field(default_factory=dict)  # row → new|match|skip


# -- reading a file --------------------------------------------------------------------


def inspect_file(path: Path, filename: str, kind: str) -> readers.FileSettings:
    """Detected format, encoding, delimiter and header row (ImportRefused if unreadable)."""
    try:
        return readers.detect(path, filename, m.header_score(kind))
    except readers.UnreadableFile as exc:
        raise ImportRefused(str(exc)) from exc
    except OSError as exc:
        raise ImportRefused(_("Die Datei lässt sich nicht öffnen.")) from exc


def read_headers(path: Path, settings: readers.FileSettings) -> readers.Sheet:
    """The header and the first rows with these settings (ImportRefused if unreadable)."""
    try:
        return readers.read_sheet(path, settings)
    except readers.UnreadableFile as exc:
        raise ImportRefused(str(exc)) from exc


def prepare(
    kind: str,
    path: Path,
    filename: str,
    *,
    mode: str = "both",
    saved: dict[str, str] | None = None,
) -> ImportSpec:
    """Detect how to read a file and map its columns (the command line's way)."""
    if kind not in m.KINDS:
        raise ImportRefused(_("Unbekannte Art des Imports: %(kind)s", kind=kind))
    settings = inspect_file(path, filename, kind)
    sheet = read_headers(path, settings)
    columns = (
        m.apply_saved(kind, sheet.headers, saved) if saved else m.auto_mapping(kind, sheet.headers)
    )
    spec = ImportSpec(kind, path, filename, settings, columns, sheet.headers, mode)
    check_spec(spec)
    return spec


def check_spec(spec: ImportSpec) -> None:
    """ImportRefused when no column maps or a required field has no column."""
    if not spec.columns:
        raise ImportRefused(_("Keine Spalte der Datei passt zu einem Feld."))
    missing = m.missing_required(spec.kind, spec.columns)
    if missing:
        raise ImportRefused(
            _(
                "Diese Pflichtfelder fehlen in der Zuordnung: %(fields)s",
                fields=", ".join(missing),
            )
        )
    if spec.mode not in m.MODES:
        raise ImportRefused(_("Unbekannter Modus: %(mode)s", mode=spec.mode))


def spec_from_state(state: dict[str, Any], path: Path) -> ImportSpec:
    """The import as the wizard keeps it between its steps (JSON)."""
    settings = readers.FileSettings(**state["settings"])
    return ImportSpec(
        kind=state["kind"],
        path=path,
        filename=state.get("filename", path.name),
        settings=settings,
        columns={int(k): v for k, v in (state.get("columns") or {}).items()},
        headers=list(state.get("headers") or []),
        mode=state.get("mode", "both"),
        decisions={int(k): v for k, v in (state.get("decisions") or {}).items()},
    )


def count_rows(spec: ImportSpec) -> int:
    """How many data rows a file has (read once more, streamed)."""
    return sum(1 for _ in readers.data_rows(spec.path, spec.settings))
