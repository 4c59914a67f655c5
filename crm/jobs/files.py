"""Files that a job prepares for one account to download (a large export): each under
`<instance>/job-files/<token>/` with its state (owner, status, progress) as JSON beside
it, never under static/. Removed a day after their last change (nightly, and whenever a
new one starts). The instance folder is what the hosts share, like the uploads."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from flask import current_app

from crm.models.base import utcnow

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE_SECONDS = 24 * 3600
#: A running job that reported no progress for this long was interrupted (worker killed).
STALE_AFTER = dt.timedelta(minutes=10)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def instance_folder(name: str) -> Path:
    """The folder `name` in the instance folder (created on demand)."""
    path = Path(current_app.instance_path) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def token_dir(base: Path, token: str) -> Path | None:
    """The existing folder of `token` in `base` (None for anything else)."""
    if not TOKEN.match(token or ""):
        return None
    path = base / token
    return path if path.is_dir() else None


def write_json(target: Path, state: dict[str, Any]) -> None:
    """Write `state` to `target` so that a reader never sees half of it."""
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, target)


def read_state(base: Path, token: str) -> dict[str, Any] | None:
    """The JSON state kept in the folder of `token` in `base` (None: none, or unreadable)."""
    path = token_dir(base, token)
    if path is None:
        return None
    try:
        state = json.loads((path / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def prune_folder(base: Path, max_age: float) -> int:
    """Remove the token folders in `base` unchanged for `max_age` seconds; how many."""
    removed = 0
    now = time.time()
    for path in base.iterdir():
        if path.is_dir() and TOKEN.match(path.name) and now - path.stat().st_mtime > max_age:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def folder() -> Path:
    """The folder of all prepared files."""
    return instance_folder("job-files")


def create(owner_id: int, filename: str, **values: Any) -> str:
    """Record a file about to be prepared for `owner_id`; returns its token."""
    prune()
    token = secrets.token_hex(16)
    (folder() / token).mkdir()
    _write(
        token,
        {
            **values,
            "owner_id": owner_id,
            "filename": filename,
            "status": QUEUED,
            "rows_done": 0,
            "started_at": utcnow().isoformat(),
            "updated_at": utcnow().isoformat(),
        },
    )
    return token


def _write(token: str, state: dict[str, Any]) -> None:
    write_json(folder() / token / "state.json", state)


def load(token: str) -> dict[str, Any] | None:
    """The state of a prepared file (None: no such token, or it was removed). A running
    one without progress for STALE_AFTER reads as failed."""
    state = read_state(folder(), token)
    if state is not None and state.get("status") == RUNNING:
        updated = dt.datetime.fromisoformat(str(state.get("updated_at")))
        if utcnow() - updated > STALE_AFTER:
            state["status"] = FAILED
            state.setdefault("message", "")
    return state


def update(token: str, **values: Any) -> None:
    """Change the state of a prepared file (status, progress, message)."""
    state = load(token)
    if state is None:
        return
    _write(token, {**state, **values, "updated_at": utcnow().isoformat()})


def data_path(token: str) -> Path:
    """Where the prepared file is (once its status is done)."""
    return folder() / token / "data"


def prune(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove prepared files a day after their last change; returns how many."""
    return prune_folder(folder(), max_age)
