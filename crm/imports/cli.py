"""`flask --app crm import KIND FILE …` and `flask --app crm import-undo BATCH`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.imports import mapping as m
from crm.imports.services import ImportRefused
from crm.imports.services import prepare
from crm.imports.services import run_import
from crm.imports.undo import UndoRefused
from crm.imports.undo import undo


@click.command("import")
@with_appcontext
@click.argument("kind", type=click.Choice(m.KINDS))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSON file {"Spaltenkopf": "feld"}',
)
@click.option("--mode", type=click.Choice(m.MODES), default="both", show_default=True)
@click.option("--dry-run", is_flag=True, help="only report what would happen")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def import_command(
    kind: str, file: Path, mapping_file: Path | None, mode: str, dry_run: bool, as_json: bool
) -> None:
    """Import a CSV, XLSX or ODS file (exit 2 when it cannot be read or nothing maps)."""
    saved = None
    try:
        if mapping_file is not None:
            loaded = json.loads(mapping_file.read_text(encoding="utf-8"))
            saved = loaded.get("columns", loaded) if isinstance(loaded, dict) else None
            if not isinstance(saved, dict):
                raise ImportRefused("Die Zuordnungsdatei ist kein JSON-Objekt.")
        if not file.is_file():
            raise ImportRefused(f"Die Datei {file} gibt es nicht.")
        spec = prepare(kind, file, file.name, mode=mode, saved=saved)
        outcome = run_import(spec, dry_run=dry_run)
    except (ImportRefused, ValueError, OSError) as exc:
        message = str(exc)
        if as_json:
            click.echo(json.dumps({"error": message}, ensure_ascii=False))
        else:
            click.echo(f"Fehler: {message}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
        return
    click.echo(
        ("Probelauf: " if dry_run else "")
        + f"{outcome.created} neu, {outcome.updated} aktualisiert, "
        f"{outcome.unchanged + outcome.skipped} unverändert, {outcome.review} zu entscheiden, "
        f"{outcome.error_count} Fehler."
    )
    for error in outcome.errors:
        click.echo(f"Zeile {error['row']}, Spalte „{error['column']}“: {error['message']}")
    if outcome.batch_id is not None:
        click.echo(
            f"Import {outcome.batch_id}; rückgängig: flask --app crm import-undo {outcome.batch_id}"
        )


@click.command("import-undo")
@with_appcontext
@click.argument("batch", type=int)
def import_undo_command(batch: int) -> None:
    """Undo an import: remove what it created, restore what it changed."""
    try:
        report = undo(batch)
    except UndoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Import {batch} rückgängig gemacht: {report.removed} entfernt, "
        f"{report.restored} wiederhergestellt."
    )
    for item in report.left_alone:
        click.echo(f"Nicht angetastet: {item['label']} ({item['reason']})")
