"""The erasure ledger: an erasure after a backup is applied again when that backup is
restored (`flask --app crm restore`), and the ledger survives the restore."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from crm.db.backup import create_backup
from crm.extensions import db
from crm.models import Person
from crm.models.audit import ErasureLog
from crm.privacy.ledger import LEDGER_NAME
from tests import factories
from tests.db.test_backup import fresh_app  # noqa: F401 - the fixture


def _names(app) -> set[str]:
    with app.app_context():
        return {p.last_name for p in db.session.scalars(select(Person))}


def _log(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.scalars(select(ErasureLog).order_by(ErasureLog.id))
        return [(row.record_id, row.reason) for row in rows]


def test_a_restore_erases_again_what_was_erased_after_the_backup(
    make_app,
    fresh_app,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
):
    backups = tmp_path / "backups"
    source = make_app(BACKUP_FOLDER=str(backups), UPLOAD_FOLDER=str(tmp_path / "uploads"))
    make = factories.Factories(source)
    kept = make.person(first_name="Erika", last_name="Bleibtreu", email="erika@example.org")
    early = make.person(first_name="Frida", last_name="Frueher", email="frida@example.org")
    late = make.person(first_name="Bruno", last_name="Spaeter", email="bruno@example.org")
    cli = source.test_cli_runner()
    erase = ["person-erase", str(early.id), "--reason", "Antrag vor der Sicherung", "--yes"]
    assert cli.invoke(args=erase).exit_code == 0
    with source.app_context():
        archive = create_backup(db.engine, backups / "sicherung.tar.gz").path
    erase = ["person-erase", str(late.id), "--reason", "Antrag nach der Sicherung", "--yes"]
    result = cli.invoke(args=erase)
    assert result.exit_code == 0, result.output
    ledger = backups / LEDGER_NAME
    lines = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    assert [(e["record_id"], e["reason"]) for e in lines] == [
        (early.id, "Antrag vor der Sicherung"),
        (late.id, "Antrag nach der Sicherung"),
    ]
    assert "Bruno" not in ledger.read_text(encoding="utf-8")  # no personal value
    original = _log(source)

    target = fresh_app(BACKUP_FOLDER=str(tmp_path / "elsewhere"))
    result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"#{late.id}" in result.output and f"#{early.id}" not in result.output
    assert "Bleibtreu" in _names(target)
    assert not {"Spaeter", "Frueher"} & _names(target)
    assert _log(target) == original  # the log as it was, the later erasure included
    with target.app_context():
        assert db.session.get(Person, late.id) is None
        assert db.session.get(Person, kept.id) is not None
    assert len(ledger.read_text(encoding="utf-8").splitlines()) == 2  # unchanged

    # restoring again into another empty database: the same, nothing twice
    again = fresh_app(BACKUP_FOLDER=str(backups))
    result = again.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert _log(again) == original
    assert len(ledger.read_text(encoding="utf-8").splitlines()) == 2


def test_a_restore_without_a_ledger_changes_nothing(
    make_app,
    fresh_app,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
):
    source = make_app(BACKUP_FOLDER=str(tmp_path / "b"), UPLOAD_FOLDER=str(tmp_path / "u"))
    factories.Factories(source).person(last_name="Bleibtreu")
    with source.app_context():
        archive = create_backup(db.engine, tmp_path / "alone" / "sicherung.tar.gz").path
    target = fresh_app()
    result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "erneut gelöscht" not in result.output
    assert "Bleibtreu" in _names(target)
