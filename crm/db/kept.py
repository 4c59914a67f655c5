"""Reads kept per process while nothing is written: what every request would otherwise read
again (who is logged in, the data stamp) costs a request no statement (issue #23, target 4).

A kept value is used only while both hold:

- the database's write epoch (`crm.db.epoch`) is the one read before the value was: nothing
  has been written on this host since. A logout, a locked account, a new password, any
  saved record is a write, so it counts at once in every process on the host, as a read
  by statement would;
- it is younger than `READS_KEPT_S`, which bounds what the epoch cannot see: a write on
  another host that shares the database, or one made around the app (psql by hand). 0
  turns keeping off: every request reads.

Only reads outside a write transaction use kept values: a request that writes reads inside
its transaction, as before.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Generic
from typing import NamedTuple
from typing import TypeVar

from flask import current_app
from sqlalchemy import Engine

from crm.db import epoch as epochs
from crm.db.epoch import WriteEpoch

T = TypeVar("T")
MAX_ENTRIES = 1024


class _Kept(NamedTuple, Generic[T]):
    epoch: bytes
    until: float
    value: T


class KeptReads(Generic[T]):
    """Values of one kind kept by this process, by database and key."""

    def __init__(self) -> None:
        self._kept: dict[tuple[WriteEpoch, Hashable], _Kept[T]] = {}

    def get(self, engine: Engine, key: Hashable) -> T | None:
        """The value kept for `key` while still valid (see the module), or None."""
        epoch = epochs.of(engine)
        if epoch is None:
            return None
        kept = self._kept.get((epoch, key))
        if kept is None:
            return None
        if kept.epoch == epoch.current() and time.monotonic() < kept.until:
            return kept.value
        self._kept.pop((epoch, key), None)
        return None

    @staticmethod
    def epoch(engine: Engine) -> bytes | None:
        """The epoch to read before reading a value that is to be kept."""
        epoch = epochs.of(engine)
        return None if epoch is None else epoch.current()

    def keep(self, engine: Engine, key: Hashable, seen: bytes | None, value: T) -> None:
        """Keep `value`, read after the epoch `seen` was read."""
        epoch = epochs.of(engine)
        kept_s = float(current_app.config["READS_KEPT_S"])
        if epoch is None or seen is None or kept_s <= 0:
            return
        if len(self._kept) >= MAX_ENTRIES:
            self._kept.clear()  # what is in use is read again by the next request
        self._kept[(epoch, key)] = _Kept(seen, time.monotonic() + kept_s, value)

    def clear(self) -> None:
        """Forget every kept value."""
        self._kept.clear()
