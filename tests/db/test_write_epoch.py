"""The write epoch (`crm.db.epoch`): which statements count as writes, that the epoch is one
for every process on the host, and that it changes after a transaction that wrote has
ended, never before its commit, and not for reads."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select
from sqlalchemy import update

from crm.db import epoch as epochs
from crm.db.epoch import WriteEpoch
from crm.db.epoch import writes
from crm.extensions import db
from crm.models import Organisation
from crm.models import User


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("SELECT users.id FROM users WHERE users.session_token = ?", False),
        ("  select 1", False),
        ("SELECT id FROM organisations FOR UPDATE", False),  # locks, writes nothing
        ("BEGIN IMMEDIATE", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("RELEASE SAVEPOINT sa_savepoint_1", False),
        ("ROLLBACK TO SAVEPOINT sa_savepoint_1", False),
        ("PRAGMA foreign_keys", False),
        ("SET LOCAL statement_timeout = 1000", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x WHERE note = 'FORMAT UPDATED'", False),
        ("INSERT INTO audit_entries (at) VALUES (?)", True),
        ("update users set active = false", True),
        ("DELETE FROM users WHERE id = 1", True),
        ("WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone", True),
        ("CREATE TABLE t (id integer)", True),
        ("DROP TABLE t", True),
        ("EXPLAIN ANALYZE UPDATE t SET x = 1", True),
        ("SETVAL", True),  # not SET followed by a space: counted as a write, to be safe
    ],
)
def test_what_counts_as_a_write(statement, changes):
    assert writes(statement) is changes
    assert writes(statement) is changes  # the same when kept


def test_two_mappings_of_a_slot_are_one_epoch_and_slots_are_apart(tmp_path):
    one, other = WriteEpoch(tmp_path / "e", 7), WriteEpoch(tmp_path / "e", 7)
    neighbour = WriteEpoch(tmp_path / "e", 8)
    assert (tmp_path / "e").stat().st_size == epochs.SLOTS * epochs.SIZE
    before, beside = one.current(), neighbour.current()
    assert other.current() == before
    other.bump()
    assert one.current() != before
    assert one.current() == other.current()
    assert neighbour.current() == beside


def test_every_database_of_an_instance_folder_shares_one_file(app, tmp_path):
    from sqlalchemy import create_engine

    engines = [create_engine(f"sqlite:///{tmp_path / f'db{n}.sqlite'}") for n in range(20)]
    try:
        for engine in engines:
            assert epochs.install(engine, tmp_path / "instance") is not None
        assert [p.name for p in (tmp_path / "instance").iterdir()] == [epochs.FILE]
    finally:
        for engine in engines:
            engine.dispose()


def test_another_process_changes_it_for_this_one(tmp_path):
    epoch = WriteEpoch(tmp_path / "e", 3)
    before = epoch.current()
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from crm.db.epoch import WriteEpoch
        WriteEpoch(Path({str(tmp_path / "e")!r}), 3).bump()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert epoch.current() != before


def test_no_epoch_where_the_file_cannot_be_made(app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with app.app_context():
        engine = db.engine
    from sqlalchemy import create_engine

    other = create_engine("sqlite:///" + str(tmp_path / "other.sqlite"))
    try:
        assert epochs.install(other, blocker / "instance") is None
        assert epochs.of(other) is None
    finally:
        other.dispose()
    assert epochs.of(engine) is not None  # the app's own has one


def test_a_write_changes_it_after_the_commit_a_read_does_not(app, make):
    organisation = make.organisation(name="Walzwerk Süd GmbH")
    with app.app_context():
        epoch = epochs.of(db.engine)
        assert epoch is not None
        before = epoch.current()
        db.session.scalars(select(Organisation.name)).all()
        db.session.commit()
        assert epoch.current() == before  # read: unchanged
        db.session.get(Organisation, organisation.id).name = "Walzwerk Süd AG"
        db.session.flush()
        assert epoch.current() == before  # written, not yet committed: unchanged
        db.session.commit()
        after = epoch.current()
        assert after != before


def test_a_core_write_and_a_rolled_back_write_change_it(app, make):
    user = make.user()
    with app.app_context():
        epoch = epochs.of(db.engine)
        before = epoch.current()
        with db.engine.begin() as connection:
            connection.execute(update(User).where(User.id == user.id).values(language="en"))
        assert epoch.current() != before
        before = epoch.current()
        db.session.execute(update(User).where(User.id == user.id).values(language="de"))
        db.session.rollback()
        assert epoch.current() != before  # to be safe: a rollback counts as well


def test_a_restore_changes_it(app):
    with app.app_context():
        epoch = epochs.of(db.engine)
        before = epoch.current()
        epochs.bump(db.engine)
        assert epoch.current() != before
