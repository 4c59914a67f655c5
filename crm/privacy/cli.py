"""Command line: `person-export`, `person-erase`, `retention` (flask --app crm ...)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from crm.db.backup import add_restore_hook
from crm.db.engine import writing
from crm.extensions import db
from crm.privacy.reapply import restore_hook


def register(app: Flask) -> None:
    """Attach the data-protection commands to `app`; a restore erases again what was
    erased after its backup was taken (`crm.privacy.reapply`)."""
    app.cli.add_command(person_export_command)
    app.cli.add_command(person_erase_command)
    app.cli.add_command(retention_command)
    add_restore_hook(app, restore_hook)


@click.command("person-export")
@with_appcontext
@click.argument("person_id", type=int)
def person_export_command(person_id: int) -> None:
    """Write everything stored about a person as JSON to standard output (Art. 15/20)."""
    from crm.privacy import services

    data = services.person_export(person_id)
    if data is None:
        raise click.ClickException(f"Person {person_id} gibt es nicht.")
    click.echo(services.export_json(data))


@click.command("person-erase")
@with_appcontext
@click.argument("person_id", type=int)
@click.option("--reason", required=True, help="why (no personal values; it is logged)")
@click.option("--yes", is_flag=True, help="really erase (without it nothing happens)")
def person_erase_command(person_id: int, reason: str, yes: bool) -> None:
    """Erase a person's data without residue (Art. 17); logged with the reason."""
    from crm.privacy import services

    if not yes:
        raise click.ClickException(
            "Nichts gelöscht: Löschen ist endgültig, bitte mit --yes bestätigen."
        )
    try:
        with writing():
            result = services.erase_person(person_id, reason)
            db.session.commit()
    except services.PrivacyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    services.after_erasure()
    summary = ", ".join(f"{k}={v}" for k, v in result.summary().items())
    click.echo(f"Person {person_id} gelöscht ({summary}); Protokoll #{result.log_ids[0]}.")


@click.command("retention")
@with_appcontext
@click.option("--apply", "apply_", is_flag=True, help="do it (default: dry run, show only)")
def retention_command(apply_: bool) -> None:
    """Apply the retention rules: dry run by default, --apply to change (for cron)."""
    from crm.privacy import services

    with writing():
        report = services.apply_retention(apply=apply_)
        if apply_:
            db.session.commit()
        else:
            db.session.rollback()
    if apply_ and report.persons:
        services.after_erasure()
    for line in report.lines:
        click.echo(("" if apply_ else "[Probelauf] ") + line)
    verb = "erledigt" if apply_ else "fällig (Probelauf, nichts geändert)"
    click.echo(
        f"Aufbewahrung {verb}: {report.registrations} Anmeldungen anonymisieren, "
        f"{report.persons} Personen löschen, {report.consents} widerrufene Einwilligungen "
        "löschen."
    )
