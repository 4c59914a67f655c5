"""Command-line interface: `flask --app crm init-db | create-user | seed-demo`."""

from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db


def register(app: Flask) -> None:
    """Attach the commands to `app`."""
    app.cli.add_command(init_db)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(ensure_admin_command)
    from crm.mail.cli import send_mail_command

    app.cli.add_command(send_mail_command)
    from crm.jobs.cli import worker_command

    app.cli.add_command(worker_command)
    from crm.duplicates.cli import find_duplicates_command
    from crm.duplicates.cli import merge_command

    app.cli.add_command(find_duplicates_command)
    app.cli.add_command(merge_command)
    from crm.privacy.cli import register as register_privacy_commands

    register_privacy_commands(app)
    from crm.db.cli import register as register_db_commands

    register_db_commands(app)
    from crm.imports.cli import import_command
    from crm.imports.cli import import_undo_command

    app.cli.add_command(import_command)
    app.cli.add_command(import_undo_command)
    from crm.api.cli import register as register_api_commands

    register_api_commands(app)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Upgrade the schema to the newest migration and load the reference data."""
    upgrade()
    from crm.reference.loader import load_reference_data
    from crm.search.index import rebuild_search_index

    with writing():
        report = load_reference_data()
        search_index = rebuild_search_index()
        db.session.commit()
    if search_index["written"] or search_index["deleted"]:
        click.echo(f"Suchindex aktualisiert: {search_index['written']} Einträge neu geschrieben.")
    if report.changed:
        click.echo(
            f"Referenzdaten geladen: {report.laender} Länder, {report.kreise} Kreise, "
            f"{report.postcodes} Postleitzahl-Orte, {report.themes} Themen, "
            f"{report.formats} Formate."
        )
    else:
        click.echo("Datenbank ist aktuell; nichts geändert.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", required=True, help="admin, staff or editor")
@click.option("--initiative", "initiative_id", type=int, help="initiative id (editors only)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def create_user_command(
    email: str, role: str, initiative_id: int | None, password_stdin: bool
) -> None:
    """Create an account without prompting (the password comes from stdin)."""
    from crm.accounts.services import AccountError
    from crm.accounts.services import create_user

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        with writing():
            user = create_user(email, role, password, initiative_id)
            db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Konto angelegt: {user.email} ({user.role.value})")


@click.command("seed-demo")
@with_appcontext
@click.option("--size", type=click.Choice(["small", "full", "scale"]), default="full")
@click.option("--seed", type=int, default=2021, help="random seed (same seed, same data)")
@click.option("--orgs", type=int, default=20_000, help="organisations (size scale)")
@click.option("--persons", type=int, default=60_000, help="persons (size scale)")
@click.option("--if-empty", is_flag=True, help="do nothing when there are initiatives already")
def seed_demo_command(size: str, seed: int, orgs: int, persons: int, if_empty: bool) -> None:
    """Fill the database with synthetic, deterministic demo data."""
    from crm.db.statistics import refresh_statistics
    from crm.demo.seed import seed_demo
    from crm.models import Initiative
    from crm.search.index import rebuild_search_index

    if if_empty and db.session.scalar(select(func.count(Initiative.id))):
        click.echo("Es gibt schon Daten; keine Demodaten angelegt.")
        return
    started = time.perf_counter()
    with writing():
        counts = seed_demo(size=size, seed=seed, orgs=orgs, persons=persons)
        rebuild_search_index()
        db.session.commit()
    refresh_statistics(vacuum=True)  # the planner learns of the new rows now (#23)
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    click.echo(f"Demodaten ({size}) angelegt in {elapsed:.1f} s: {summary}")


@click.command("ensure-admin")
@with_appcontext
@click.option("--email", default="admin@example.org", show_default=True)
def ensure_admin_command(email: str) -> None:
    """Create an admin with a one-time password when there is no admin yet."""
    import secrets

    from crm.accounts.services import create_user
    from crm.models import Role
    from crm.models import User

    if db.session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN)):
        click.echo("Es gibt schon ein Admin-Konto.")
        return
    password = secrets.token_urlsafe(12)
    with writing():
        user = create_user(email, "admin", password)
        user.must_change_password = True
        db.session.commit()
    click.echo(f"Admin-Konto: {email}  Einmalpasswort: {password}  (beim ersten Anmelden ändern)")
