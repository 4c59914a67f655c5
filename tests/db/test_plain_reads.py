"""Which statements PostgreSQL's autocommit reads may run without a transaction
(`crm.db.engine._plain_read`): the answer is kept per statement text, and it is the same
the second time, for locking reads in any spelling too."""

from __future__ import annotations

import pytest

from crm.db import engine as engine_module
from crm.db.engine import _plain_read


@pytest.mark.parametrize(
    ("statement", "plain"),
    [
        ("SELECT users.id FROM users WHERE users.id = %(id)s", True),
        ("  select 1", True),
        ("SELECT organisations.id FROM organisations FOR UPDATE", False),
        ("select * from organisations for  no key update skip locked", False),
        ("SELECT id FROM t FOR SHARE", False),
        ("SELECT id FROM t WHERE note = 'FORMAT UPDATED'", True),
        ("INSERT INTO t (id) VALUES (1)", False),
        ("UPDATE t SET x = 1", False),
        ("WITH x AS (SELECT 1) DELETE FROM t", False),
    ],
)
def test_the_answer_is_the_same_when_kept(statement, plain):
    engine_module._plain_reads.clear()
    assert _plain_read(statement) is plain
    assert statement in engine_module._plain_reads
    assert _plain_read(statement) is plain  # now from what was kept


def test_the_kept_answers_are_bounded(monkeypatch):
    engine_module._plain_reads.clear()
    monkeypatch.setattr(engine_module, "_PLAIN_READS_KEPT", 3)
    for n in range(7):
        assert _plain_read(f"SELECT {n}")
    assert len(engine_module._plain_reads) <= 3
    assert not _plain_read("SELECT 1 FOR UPDATE")
