"""The `send-mail` command: deliver the outbox over SMTP now (the worker does it every
minute; both go through `send_pending` under the same lock)."""

from __future__ import annotations

import smtplib

import click
from flask import current_app
from flask.cli import with_appcontext

from crm.db.engine import writing
from crm.jobs import exclusive
from crm.mail.services import send_pending
from crm.mail.services import smtp_configured


@click.command("send-mail")
@with_appcontext
@click.option("--limit", type=int, default=500, show_default=True, help="most mails per run")
def send_mail_command(limit: int) -> None:
    """Send unsent outbox mails via SMTP (MAIL_SERVER, MAIL_PORT, MAIL_FROM, ...)."""
    config = current_app.config
    if not smtp_configured(config):
        click.echo(
            "Kein SMTP-Server konfiguriert (MAIL_SERVER, MAIL_PORT, MAIL_FROM). "
            "Die Mails bleiben im Postausgang; die Geschäftsstelle sieht sie unter /outbox."
        )
        return
    rate = float(config.get("MAIL_RATE_PER_MINUTE") or 0) or None
    with exclusive("outbox") as held:
        if not held:
            raise click.ClickException("Der Hintergrunddienst versendet gerade; bitte später.")
        try:
            with writing():
                report = send_pending(config, limit=limit, rate_per_minute=rate)
        except (OSError, smtplib.SMTPException) as exc:
            raise click.ClickException(f"SMTP-Server nicht erreichbar: {exc}") from exc
    click.echo(f"{report.sent} Mails gesendet, {report.failed} fehlgeschlagen.")
    if report.retrying or report.uncertain:
        click.echo(
            f"{report.retrying} später erneut, {report.uncertain} unklar "
            "(siehe Postausgang, werden nicht von selbst erneut gesendet)."
        )
