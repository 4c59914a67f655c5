"""Readiness checks: a registry of small functions, each answering "ready?" with a reason.

A check returns `(ok, detail)`; `detail` is for operators and never carries personal data.
The job layer registers its own ("queue reachable") with `register_check`.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text

from crm.extensions import db

Check = Callable[[], tuple[bool, str]]

#: name → check; the built-in ones first, extended by other parts (e.g. the job queue).
CHECKS: dict[str, Check] = {}


def register_check(name: str, check: Check) -> None:
    """Add (or replace) a readiness check."""
    CHECKS[name] = check


def check_database() -> tuple[bool, str]:
    """The database answers a query."""
    started = time.perf_counter()
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    return True, f"{(time.perf_counter() - started) * 1000:.0f} ms"


def check_migrations() -> tuple[bool, str]:
    """The database is at the newest migration this code ships."""
    from crm.db.common import database_revision
    from crm.db.common import head_revision

    with db.engine.connect() as conn:
        current = database_revision(conn)
    head = head_revision()
    if current == head:
        return True, str(current)
    return False, _("%(current)s statt %(head)s", current=current, head=head)


def check_disk() -> tuple[bool, str]:
    """Free disk space for the instance folder above READY_MIN_FREE_BYTES."""
    folder = Path(current_app.instance_path)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    needed = int(current_app.config.get("READY_MIN_FREE_BYTES", 0))
    return free >= needed, _("%(mb)s MB frei", mb=free // (1024 * 1024))


register_check("database", check_database)
register_check("migrations", check_migrations)
register_check("disk", check_disk)


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    """Run every check; an exception counts as "not ready" (its type, not its text)."""
    results: dict[str, dict[str, object]] = {}
    for name, check in list(CHECKS.items()):
        try:
            ok, detail = check()
        except Exception as exc:  # a failing check must not fail the probe itself
            with contextlib.suppress(Exception):  # the database may be what is down
                db.session.rollback()
            ok, detail = False, type(exc).__name__
        results[name] = {"ok": ok, "detail": detail}
    return all(bool(r["ok"]) for r in results.values()), results
