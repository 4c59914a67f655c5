"""The CLI: init-db is idempotent, create-user validates, seed-demo fills the pages."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Bundesland
from crm.models import Initiative
from crm.models import Kreis
from crm.models import Postcode
from crm.models import Theme
from crm.models import User


def test_init_db_on_a_current_database_changes_nothing(app, runner):
    with app.app_context():
        before = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Bundesland, Kreis, Postcode, Theme)
        ]
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "nichts geändert" in result.output
    with app.app_context():
        after = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Bundesland, Kreis, Postcode, Theme)
        ]
    assert before == after
    assert after[0] == 16


def test_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["create-user", "Chefin@Example.org", "--role", "admin", "--password-stdin"],
        input="ein-langes-passwort-123\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "chefin@example.org"))
        assert user is not None and user.role == "admin"
        assert user.password_hash and user.password_hash.startswith("$argon2id$")


def test_create_editor_needs_existing_initiative(app, runner, make):
    ini = make.initiative()
    ok = runner.invoke(
        args=[
            "create-user",
            "red@example.org",
            "--role",
            "editor",
            "--initiative",
            str(ini.id),
            "--password-stdin",
        ],
        input="ein-langes-passwort-123\n",
    )
    assert ok.exit_code == 0, ok.output
    missing = runner.invoke(
        args=[
            "create-user",
            "red2@example.org",
            "--role",
            "editor",
            "--initiative",
            "999999",
            "--password-stdin",
        ],
        input="ein-langes-passwort-123\n",
    )
    assert missing.exit_code != 0
    assert "999999" in missing.output


def test_create_user_rejects_bad_input_and_changes_nothing(app, runner):
    cases = [
        (["create-user", "not-an-email", "--role", "staff", "--password-stdin"], "E-Mail"),
        (["create-user", "x@example.org", "--role", "king", "--password-stdin"], "Rolle"),
        (["create-user", "x@example.org", "--role", "editor", "--password-stdin"], "Initiative"),
        (["create-user", "x@example.org", "--role", "staff", "--password-stdin"], "12 Zeichen"),
    ]
    for args, needle in cases:
        stdin = "kurz\n" if needle == "12 Zeichen" else "ein-langes-passwort-123\n"
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0, args
        assert needle in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_rejects_duplicate_email(app, runner, make):
    make.user(email="dup@example.org")
    result = runner.invoke(
        args=["create-user", "DUP@example.org", "--role", "staff", "--password-stdin"],
        input="ein-langes-passwort-123\n",
    )
    assert result.exit_code != 0
    assert "gibt es schon" in result.output


def test_seed_demo_small_then_if_empty_skips(app, runner):
    result = runner.invoke(args=["seed-demo", "--size", "small", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        count = db.session.scalar(select(func.count(Initiative.id)))
    assert count and count > 5
    again = runner.invoke(args=["seed-demo", "--size", "small", "--if-empty"])
    assert again.exit_code == 0
    assert "keine Demodaten" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Initiative.id))) == count
