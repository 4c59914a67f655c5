"""Session checks kept per process, so that a request for a page costs no statement to know
who is logged in (issue #23, target 4).

A kept check is used only while both hold:

- the database's write epoch (`crm.db.epoch`) is the one read before the check: nothing has
  been written on this host since. A logout, a locked account, a new password or role is a
  write, so it takes effect at once in every process on the host, as a check by statement
  would;
- it is younger than `LOGIN_CHECK_KEPT_S`, which bounds what the epoch cannot see: a write
  on another host that shares the database, or one made around the app. 0 turns keeping
  off (every request checks).

Only requests without write intent use a kept check: a request that writes checks the
account inside its write transaction, as everything it reads.
"""

from __future__ import annotations

import time
from typing import Any
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Engine

from crm.db import epoch as epochs
from crm.db.epoch import WriteEpoch

MAX_ENTRIES = 1024


class _Check(NamedTuple):
    epoch: bytes
    until: float
    values: tuple[Any, ...]


class KnownLogins:
    """The kept checks of this process, by database and session token."""

    def __init__(self) -> None:
        self._checks: dict[tuple[WriteEpoch, str], _Check] = {}

    def get(self, engine: Engine, token: str) -> tuple[Any, ...] | None:
        """The account's values of a check still valid (see the module), or None."""
        epoch = epochs.of(engine)
        if epoch is None:
            return None
        check = self._checks.get((epoch, token))
        if check is None:
            return None
        if check.epoch == epoch.current() and time.monotonic() < check.until:
            return check.values
        self._checks.pop((epoch, token), None)
        return None

    @staticmethod
    def epoch(engine: Engine) -> bytes | None:
        """The epoch to read before a check that is to be kept."""
        epoch = epochs.of(engine)
        return None if epoch is None else epoch.current()

    def keep(self, engine: Engine, token: str, seen: bytes | None, values: tuple[Any, ...]) -> None:
        """Keep a check made after the epoch `seen` was read."""
        epoch = epochs.of(engine)
        kept_s = float(current_app.config["LOGIN_CHECK_KEPT_S"])
        if epoch is None or seen is None or kept_s <= 0:
            return
        if len(self._checks) >= MAX_ENTRIES:
            self._checks.clear()  # the active sessions come back with their next request
        self._checks[(epoch, token)] = _Check(seen, time.monotonic() + kept_s, values)

    def clear(self) -> None:
        """Forget every kept check."""
        self._checks.clear()
