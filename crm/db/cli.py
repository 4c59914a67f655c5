"""`flask --app crm backup | restore | copy-db`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext

from crm.db.common import DbOpsError
from crm.extensions import db


def register(app: Flask) -> None:
    """Attach the database commands to `app`."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(copy_db_command)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


@click.command("backup")
@with_appcontext
@click.option(
    "--to", "target", type=click.Path(dir_okay=False, path_type=Path), help="archive file"
)
@click.option("--rotate", is_flag=True, help="afterwards delete old archives in BACKUP_FOLDER")
def backup_command(target: Path | None, rotate: bool) -> None:
    """Back up the database and the uploads into one archive (while the app keeps running)."""
    from crm.db.backup import create_backup
    from crm.db.backup import rotate_configured

    try:
        result = create_backup(db.engine, target)
    except DbOpsError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(result.manifest["tables"].values())
    click.echo(
        f"Sicherung geschrieben: {result.path} ({_size(result.size)}, "
        f"{len(result.manifest['tables'])} Tabellen, {rows} Zeilen, "
        f"Migration {result.manifest['revision']}) in {result.seconds:.1f} s"
    )
    if rotate:
        removed = rotate_configured()
        click.echo(f"Rotation: {len(removed)} alte Sicherung(en) gelöscht.")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="really restore (the target must be empty)")
def restore_command(archive: Path, yes: bool) -> None:
    """Restore an archive of `backup` into an empty database and the upload folder."""
    from crm.db.backup import restore_backup
    from crm.db.backup import restore_hooks

    if not yes:
        raise click.ClickException(
            "Das Zurückholen schreibt in die Datenbank und den Upload-Ordner. "
            "Bitte mit --yes bestätigen."
        )
    afterwards = [hook(archive) for hook in restore_hooks()]  # e.g. the erasure ledger
    try:
        result = restore_backup(db.engine, archive)
    except DbOpsError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(result.counts.values())
    click.echo(
        f"Zurückgeholt: {archive} vom {result.manifest['created_at']} "
        f"({len(result.counts)} Tabellen, {rows} Zeilen wie im Manifest, "
        f"{result.uploads} Dateien) in {result.seconds:.1f} s"
    )
    if result.migrated_from:
        click.echo(f"Schema von {result.migrated_from} auf {result.revision} migriert.")
    for step in afterwards:
        line = step()
        if line:
            click.echo(line)


@click.command("copy-db")
@with_appcontext
@click.option("--to", "url", required=True, help="postgresql://user@host/database (empty)")
@click.option("--batch-size", type=int, default=2000, show_default=True)
def copy_db_command(url: str, batch_size: int) -> None:
    """Copy every table of this (SQLite) database into an empty PostgreSQL database."""
    from crm.app import create_app
    from crm.app import normalise_database_url
    from crm.db.copy import copy_database

    config = dict(current_app.config) | {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)}
    target_app = create_app(config)
    try:
        result = copy_database(
            db.engine,
            target_app,
            batch_size=batch_size,
            progress=lambda name, n: click.echo(f"  {name}: {n}"),
        )
    except DbOpsError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        with target_app.app_context():
            db.engine.dispose()
    click.echo(
        f"Kopiert: {len(result.target)} Tabellen, {sum(result.target.values())} Zeilen, "
        f"Zeilenzahlen geprüft, in {result.seconds:.1f} s. Jetzt DATABASE_URL auf die neue "
        "Datenbank setzen und die App neu starten."
    )
