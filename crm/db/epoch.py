"""A write epoch: eight bytes, shared by the processes of one host, that change after every
transaction that wrote to the database.

What a process keeps from the database may be used without reading it again for as long as
the epoch it read before it read the database is still the epoch: no process on this host
has written anything since. The login check and the data stamp are kept that way
(`crm.db.kept`), so that a request for a page costs no statement for either.

The epochs live in one small file in the instance folder (`write-epochs`, a slot of eight
bytes per database), mapped into the memory of every process that uses it (the gunicorn
workers, the job worker, a command), so that reading an epoch costs no system call. A
connection that ran anything but a read (an INSERT, UPDATE, DELETE, DDL…) is marked; when
it goes back to the pool, after its commit or rollback, the epoch is set to eight new
random bytes. Setting it after the commit is what makes it safe: whoever reads the new
epoch and then the database sees the write, and whoever read the old epoch before the
write will find it changed on their next look.

A rollback changes it as well, and so does every write, not only the accounts': that costs
a process one statement more after a save, never a stale account.

What the epoch cannot see, and what its users must therefore bound by time: writes from
another host, and writes that bypass the app (psql by hand). Where the file cannot be
created (a read-only instance folder), there is no epoch and nothing is kept.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import re
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import event

from crm.db.engine import kept_answer

log = logging.getLogger(__name__)

SIZE = 8
SLOTS = 4096  # one file of 32 kB per instance folder, whatever the number of databases
FILE = "write-epochs"
_WROTE = "crm_wrote"
# Statements that change no data. Anything else marks its connection: WITH is read-only
# only when it holds no data-changing statement, EXPLAIN ANALYZE runs what it explains.
_NO_WRITE = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA", "SHOW", "SET ")
_CHANGING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_KNOWN_KEPT = 1024  # statement texts (see `crm.db.engine.kept_answer`)


class WriteEpoch:
    """The epoch of one database on this host: a slot of the instance folder's epoch file."""

    def __init__(self, path: Path, slot: int) -> None:
        self._map = _mapped(path)
        self._at = slot * SIZE

    def current(self) -> bytes:
        """The epoch now."""
        return self._map[self._at : self._at + SIZE]

    def bump(self) -> None:
        """A new epoch. Random bytes need no lock: two processes writing at once leave a
        value that neither of them read before, which is all a reader compares."""
        self._map[self._at : self._at + SIZE] = os.urandom(SIZE)


_maps: dict[Path, mmap.mmap] = {}


def _mapped(path: Path) -> mmap.mmap:
    """The epoch file at `path`, mapped once per process (made on first use: zeros)."""
    if path not in _maps:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < SLOTS * SIZE:
                os.ftruncate(fd, SLOTS * SIZE)  # new: zeros, an epoch like any other
            _maps[path] = mmap.mmap(fd, SLOTS * SIZE)
        finally:
            os.close(fd)  # the mapping keeps the file
    return _maps[path]


def slot_of(url: str) -> int:
    """The slot of a database's epoch in the file. Two databases may share one: a write to
    either then changes both epochs, which costs a read, never a stale value."""
    return int.from_bytes(hashlib.sha256(url.encode()).digest()[:4], "big") % SLOTS


_by_url: dict[str, WriteEpoch | None] = {}
_by_engine: weakref.WeakKeyDictionary[Engine, WriteEpoch] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_writes: dict[str, bool] = {}


def install(engine: Engine, folder: Path) -> WriteEpoch | None:
    """Give `engine` the epoch of its database, in a file in `folder`, and let its
    connections change it after they wrote. None when the file cannot be had."""
    url = engine.url.render_as_string(hide_password=True)
    with _lock:
        if url not in _by_url:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                _by_url[url] = WriteEpoch(folder / FILE, slot_of(url))
            except (OSError, ValueError) as error:
                log.warning("no write epoch in %s (%s): nothing is kept by it", folder, error)
                _by_url[url] = None
        epoch = _by_url[url]
    if epoch is None or engine in _by_engine:
        return epoch
    _by_engine[engine] = epoch

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if writes(statement):
            connection.connection.info[_WROTE] = True

    @event.listens_for(engine, "checkin")
    def _bump_after_write(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_WROTE, False):
            epoch.bump()

    return epoch


def of(engine: Engine) -> WriteEpoch | None:
    """The epoch of `engine`'s database, if it has one."""
    return _by_engine.get(engine)


def bump(engine: Engine) -> None:
    """A new epoch for `engine`'s database, for a change made around the engine (a restore)."""
    epoch = _by_engine.get(engine)
    if epoch is not None:
        epoch.bump()


def wrote(connection: Connection) -> bool:
    """Has `connection` run a statement that may change data since it left the pool?"""
    return bool(connection.connection.info.get(_WROTE))


def writes(statement: str) -> bool:
    """May `statement` change data (see `_NO_WRITE`)?"""
    return kept_answer(_writes, _KNOWN_KEPT, statement, _may_write)


def _may_write(statement: str) -> bool:
    head = statement.lstrip()[:9].upper()
    if head.startswith("WITH"):
        return bool(_CHANGING.search(statement))
    return not head.startswith(_NO_WRITE)
