"""Backup, restore and copy-db on both backends, against real databases."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import secrets
import tarfile
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func
from sqlalchemy import select

from crm import create_app
from crm.db import epoch as epochs
from crm.db.backup import MANIFEST
from crm.db.backup import BackupError
from crm.db.backup import backup_status
from crm.db.backup import create_backup
from crm.db.backup import restore_backup
from crm.db.backup import rotate_backups
from crm.db.common import database_revision
from crm.db.common import head_revision
from crm.db.common import row_counts
from crm.db.common import table_names
from crm.extensions import db
from crm.models import Material
from crm.models import Organisation
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.conftest import TEST_PASSWORD
from tests.conftest import base_config
from tests.conftest import postgres_unreachable_reason


def _new_postgres_database() -> str:
    name = f"crm_restore_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on new, empty databases of the backend under test (dropped afterwards)."""
    made: list[tuple[Flask, str | None]] = []

    def _make(**overrides: Any) -> Flask:
        pg_name = None
        if database_url.startswith("sqlite"):
            url = "sqlite:///" + str(tmp_path / f"fresh-{secrets.token_hex(3)}.sqlite")
        else:
            pg_name = _new_postgres_database()
            url = POSTGRES_URL.rpartition("/")[0] + "/" + pg_name
        config = base_config(url) | {
            "UPLOAD_FOLDER": str(tmp_path / f"uploads-{secrets.token_hex(3)}"),
            "BACKUP_FOLDER": str(tmp_path / "backups"),
        }
        new = create_app(config | overrides)
        # an instance folder of its own: the archive holds its materials/ (the shared
        # one is used by other tests at the same time)
        new.instance_path = str(tmp_path / f"instance-{secrets.token_hex(3)}")
        made.append((new, pg_name))
        return new

    yield _make
    for other, pg_name in made:
        with other.app_context():
            db.engine.dispose()
        if pg_name:
            _drop_postgres_database(pg_name)


@pytest.fixture
def source(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app under test with its own upload and backup folders (one logo uploaded)."""
    uploads = tmp_path / "source-uploads"
    (uploads / "logos").mkdir(parents=True)
    (uploads / "logos" / ("a" * 32 + ".png")).write_bytes(b"\x89PNG synthetic logo")
    app = make_app(UPLOAD_FOLDER=str(uploads), BACKUP_FOLDER=str(tmp_path / "backups"))
    app.instance_path = str(tmp_path / "source-instance")  # its own materials/ (see fresh_app)
    return app


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return row_counts(conn)


def _backup(app: Flask, target: Path | None = None) -> Any:
    with app.app_context():
        return create_backup(db.engine, target)


def _restore(app: Flask, archive: Path) -> Any:
    with app.app_context():
        return restore_backup(db.engine, archive)


def test_backup_while_writing_restores_exactly_the_manifest(source, fresh_app, tmp_path):
    make = factories.Factories(source)
    make.user(role="staff", email="sicherung@example.org", password=TEST_PASSWORD)
    make.organisation(name="Zurückgeholte Maschinenbau GmbH")
    written = [0]
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                make.organisation(name=f"Laufend {written[0]} GmbH")
                written[0] += 1
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while written[0] < 5:
            stop.wait(0.01)
        before = written[0]
        result = _backup(source, tmp_path / "during.tar.gz")
        during = written[0]
        while written[0] < during + 3:  # the writer kept going after the backup too
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not errors
    assert during >= before
    manifest = result.manifest
    assert manifest["revision"] == head_revision()
    assert manifest["backend"] == (
        "sqlite" if "sqlite" in source.config["SQLALCHEMY_DATABASE_URI"] else "postgresql"
    )
    assert set(manifest["members"]) >= {manifest["database"], "uploads/logos/" + "a" * 32 + ".png"}
    orgs_in_backup = manifest["tables"]["organisations"]
    with source.app_context():
        orgs_now = db.session.scalar(select(func.count(Organisation.id)))
    assert 1 + before <= orgs_in_backup < orgs_now  # a snapshot taken mid-writing

    target = fresh_app()
    with target.app_context():
        epoch = epochs.of(db.engine)
        before_restore = epoch.current()
    restored = _restore(target, result.path)
    assert epoch.current() != before_restore  # no login check kept from before counts
    assert restored.counts == manifest["tables"]
    assert _counts(target) == manifest["tables"]  # every table equals the manifest
    logo = Path(target.config["UPLOAD_FOLDER"]) / "logos" / ("a" * 32 + ".png")
    assert logo.read_bytes() == b"\x89PNG synthetic logo"

    client = target.test_client()
    response = client.post(
        "/login", data={"email": "sicherung@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/organisations/?q=Zurückgeholte").get_data(as_text=True)
    assert "Zurückgeholte Maschinenbau GmbH" in page


def _target_state(app: Flask) -> tuple[list[str], dict[str, int]]:
    with app.app_context(), db.engine.connect() as conn:
        return table_names(conn), row_counts(conn)


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "not-an-archive"])
def test_broken_archive_is_refused_and_the_target_untouched(source, fresh_app, tmp_path, damage):
    factories.Factories(source).organisation(name="Irgendwas GmbH")
    archive = _backup(source, tmp_path / "good.tar.gz").path
    data = archive.read_bytes()
    broken = tmp_path / "broken.tar.gz"
    if damage == "truncated":
        broken.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "corrupted":
        middle = len(data) // 2
        broken.write_bytes(
            data[:middle]
            + bytes(b ^ 0x5A for b in data[middle : middle + 64])
            + data[middle + 64 :]
        )
    else:
        broken.write_bytes(b"das ist keine Sicherung")
    target = fresh_app()
    with target.app_context():
        upgrade()  # a migrated, empty database: it must stay exactly so
    before = _target_state(target)
    result = target.test_cli_runner().invoke(args=["restore", str(broken), "--yes"])
    assert result.exit_code == 1
    assert "beschädigt oder unvollständig" in result.output
    assert "Traceback" not in result.output
    assert _target_state(target) == before
    assert not Path(target.config["UPLOAD_FOLDER"]).exists()


def test_member_changed_inside_a_valid_tar_is_refused(source, fresh_app, tmp_path):
    archive = _backup(source, tmp_path / "good.tar.gz").path
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive, "r:gz") as old, tarfile.open(altered, "w:gz") as new:
        for member in old.getmembers():
            content = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("uploads/"):
                content = b"ausgetauscht"
                member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    target = fresh_app()
    with pytest.raises(BackupError, match="Prüfsumme"):
        _restore(target, altered)
    assert _target_state(target) == ([], {})


def test_restore_refuses_a_database_with_records(source, tmp_path):
    make = factories.Factories(source)
    make.organisation(name="Schon da GmbH")
    archive = _backup(source, tmp_path / "a.tar.gz").path
    before = _counts(source)
    result = source.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 1
    assert "nicht leer" in result.output
    assert _counts(source) == before


def test_restore_asks_for_yes(source, fresh_app, tmp_path):
    archive = _backup(source, tmp_path / "a.tar.gz").path
    target = fresh_app()
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "--yes" in result.output
    assert _target_state(target) == ([], {})


def _rewrite_manifest(archive: Path, into: Path, **changes: Any) -> Path:
    with tarfile.open(archive, "r:gz") as old, tarfile.open(into, "w:gz") as new:
        for member in old.getmembers():
            content = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == MANIFEST:
                manifest = json.loads(content) | changes
                content = json.dumps(manifest).encode()
                member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    return into


def test_archive_from_a_newer_schema_is_refused(source, fresh_app, tmp_path):
    archive = _backup(source, tmp_path / "a.tar.gz").path
    newer = _rewrite_manifest(archive, tmp_path / "newer.tar.gz", revision="9999_future")
    target = fresh_app()
    result = target.test_cli_runner().invoke(args=["restore", str(newer), "--yes"])
    assert result.exit_code == 1
    assert "neueren Version" in result.output
    assert _target_state(target) == ([], {})


def test_archive_from_an_older_schema_is_migrated(fresh_app, tmp_path):
    old = fresh_app()
    with old.app_context():
        upgrade(revision="0005")
        with db.engine.connect() as conn:
            assert database_revision(conn) == "0005"
    archive = _backup(old, tmp_path / "old.tar.gz")
    assert archive.manifest["revision"] == "0005"
    target = fresh_app()
    result = target.test_cli_runner().invoke(args=["restore", str(archive.path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "migriert" in result.output
    with target.app_context(), db.engine.connect() as conn:
        assert database_revision(conn) == head_revision()


def test_backup_command_writes_into_the_backup_folder_and_rotates(source, tmp_path):
    folder = Path(source.config["BACKUP_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    for day in range(1, 11):  # ten old daily archives (content irrelevant to rotation)
        (folder / f"industrienetz-202601{day:02d}T020000Z.tar.gz").write_bytes(b"alt")
    result = source.test_cli_runner().invoke(args=["backup", "--rotate"])
    assert result.exit_code == 0, result.output
    assert "Sicherung geschrieben" in result.output
    names = sorted(p.name for p in folder.iterdir())
    # 7 daily (today's and the 6 newest old days) and 4 weekly; the newest always stays
    assert len(names) == len(set(names)) <= 11
    assert any(dt.datetime.now(dt.UTC).strftime("%Y%m%d") in n for n in names)
    assert "industrienetz-20260101T020000Z.tar.gz" not in names


def test_rotation_keeps_daily_and_weekly(tmp_path):
    start = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)
    for i in range(60):  # two backups a day for 60 days
        for hour in (2, 14):
            when = start + dt.timedelta(days=i, hours=hour - 2)
            (tmp_path / f"industrienetz-{when:%Y%m%dT%H%M%SZ}.tar.gz").write_bytes(b"x")
    (tmp_path / "fremd.txt").write_text("bleibt")
    removed = rotate_backups(tmp_path, keep_daily=3, keep_weekly=2)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert "fremd.txt" in kept
    archives = [n for n in kept if n.startswith("industrienetz-")]
    # newest of the last 3 days (Mar 1, Feb 28, Feb 27 at 14:00) + newest of the
    # 2 newest ISO weeks, which coincide with Mar 1 and the Sunday before
    assert archives[-3:] == [
        "industrienetz-20260227T140000Z.tar.gz",
        "industrienetz-20260228T140000Z.tar.gz",
        "industrienetz-20260301T140000Z.tar.gz",
    ]
    assert "industrienetz-20260222T140000Z.tar.gz" in archives  # Sunday: newest of its week
    assert len(archives) == 4
    assert len(removed) == 120 - 4


def test_backup_status_warns_when_stale(source, tmp_path):
    folder = tmp_path / "status"
    assert backup_status(folder).stale  # none yet
    old = folder / "industrienetz-20200101T000000Z.tar.gz"
    folder.mkdir()
    with tarfile.open(old, "w:gz") as tar:
        data = json.dumps({"created_at": "2020-01-01T00:00:00+00:00"}).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    status = backup_status(folder)
    assert status.path == old and status.stale
    fresh = _backup(source, folder / "industrienetz-20991231T000000Z.tar.gz")
    (folder / "industrienetz-21000101T000000Z.tar.gz").write_bytes(b"kaputt")
    status = backup_status(folder)
    assert status.path == fresh.path  # the unreadable newer file is skipped and reported
    assert status.errors and not status.stale
    assert status.size == fresh.size > 0


def test_copy_db_sqlite_to_postgresql(database_url, make_app, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("copy-db copies from SQLite; this run is the PostgreSQL one")
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    source = make_app()
    make = factories.Factories(source)
    parent = make.organisation(name="Mutter AG")
    child = make.organisation(name="Tochter GmbH")
    with source.app_context():
        db.session.get(Organisation, parent.id).parent_id = child.id  # type: ignore[union-attr]
        db.session.commit()
    deleted = make.organisation(name="Gelöscht GmbH")
    with source.app_context():
        db.session.delete(db.session.get(Organisation, deleted.id))
        db.session.commit()
    make.user(role="admin", email="umzug@example.org", password=TEST_PASSWORD)
    name = _new_postgres_database()
    url = POSTGRES_URL.rpartition("/")[0] + "/" + name
    try:
        runner = source.test_cli_runner()
        result = runner.invoke(args=["copy-db", "--to", url, "--batch-size", "7"])
        assert result.exit_code == 0, result.output
        assert "Zeilenzahlen geprüft" in result.output
        target = create_app(base_config(url))
        try:
            with source.app_context(), db.engine.connect() as conn:
                from crm.models import Base

                names = [t.name for t in Base.metadata.sorted_tables]
                expected = row_counts(conn, names)
            with target.app_context():
                with db.engine.connect() as conn:
                    assert row_counts(conn, names) == expected
                    assert database_revision(conn) == head_revision()
                assert db.session.get(Organisation, parent.id).parent_id == child.id  # type: ignore[union-attr]
                fresh = factories.Factories(target).organisation(name="Neu nach Umzug GmbH")
                assert fresh.id > deleted.id  # the sequence continues, no id is reused
            client = target.test_client()
            login = {"email": "umzug@example.org", "password": TEST_PASSWORD}
            assert client.post("/login", data=login).status_code == 302
            assert "Tochter GmbH" in client.get("/organisations/").get_data(as_text=True)
            with target.app_context():
                db.engine.dispose()
        finally:
            pass
        again = runner.invoke(args=["copy-db", "--to", url])
        assert again.exit_code == 1
        assert "nicht leer" in again.output
    finally:
        _drop_postgres_database(name)


def test_archive_with_a_nonsense_manifest_is_refused(source, fresh_app, tmp_path):
    archive = _backup(source, tmp_path / "a.tar.gz").path
    odd = _rewrite_manifest(archive, tmp_path / "odd.tar.gz", tables={"persons": "viele"})
    target = fresh_app()
    result = target.test_cli_runner().invoke(args=["restore", str(odd), "--yes"])
    assert result.exit_code == 1
    assert "Manifest ist unlesbar" in result.output
    assert _target_state(target) == ([], {})


def test_a_pg_dump_older_than_the_server_is_refused_with_advice(database_url, make_app, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("pg_dump is for PostgreSQL")
    folder = tmp_path / "bin"
    folder.mkdir()
    fake = folder / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    app = make_app(PG_BIN_DIR=str(folder))
    with app.app_context(), pytest.raises(BackupError, match="Version 9, der Server"):
        create_backup(db.engine, tmp_path / "x.tar.gz")
    assert not list(tmp_path.glob("x.tar.gz*"))


def test_uploaded_materials_are_backed_up_and_restored(source, fresh_app, tmp_path):
    """The files of event materials (#18) are in the archive and come back with their rows;
    the pruning job's bookkeeping file is not archived."""
    make = factories.Factories(source)
    event = make.event(title="Netzwerktreffen mit Unterlagen")
    stored = "b" * 32 + ".pdf"
    materials = Path(source.instance_path) / "materials"
    materials.mkdir(parents=True)
    (materials / stored).write_bytes(b"%PDF-1.4 Ergebnisse")
    (materials / ".orphans.json").write_text("{}")
    with source.app_context():
        db.session.add(
            Material(
                event_id=event.id,
                title="Ergebnisse",
                stored_name=stored,
                filename="Ergebnisse.pdf",
                mimetype="application/pdf",
                size=19,
            )
        )
        db.session.commit()
    result = _backup(source, tmp_path / "with-materials.tar.gz")
    assert "materials/" + stored in result.manifest["members"]
    assert "materials/.orphans.json" not in result.manifest["members"]
    target = fresh_app()
    restored = _restore(target, result.path)
    assert restored.uploads == 2  # the logo and the material
    copy = Path(target.instance_path) / "materials" / stored
    assert copy.read_bytes() == b"%PDF-1.4 Ergebnisse"
    assert not (Path(target.instance_path) / "materials" / ".orphans.json").exists()
