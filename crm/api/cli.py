"""Command line: `flask --app crm create-token EMAIL --name NAME [--scope read|write]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from crm.db.engine import writing
from crm.extensions import db
from crm.models import ApiScope


def register(app: Flask) -> None:
    """Attach the API's commands to `app`."""
    app.cli.add_command(create_token_command)


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="what the token is for, e.g. 'Website'")
@click.option(
    "--scope",
    type=click.Choice([s.value for s in ApiScope]),
    default=ApiScope.READ.value,
    show_default=True,
    help="read: only GET; write: also create and change (within the account's rights)",
)
def create_token_command(email: str, name: str, scope: str) -> None:
    """Create an API token for the account EMAIL and print it (it is shown only once)."""
    from crm.api import tokens

    if not name.strip() or len(name.strip()) > 100:
        raise click.ClickException("Der Name muss 1 bis 100 Zeichen lang sein.")
    with writing():
        user = tokens.user_by_email(email)
        if user is None or not user.active:
            raise click.ClickException(f"Kein aktives Konto mit der E-Mail {email}.")
        _record, token = tokens.issue(user, name, scope)
        db.session.commit()
    click.echo(token)
