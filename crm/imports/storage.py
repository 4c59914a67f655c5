"""Uploaded import files, kept under `<instance>/imports/<token>/` between the wizard's
steps (never under static/): the file and the wizard's state (JSON). Removed after the
import, and any left behind after a day."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import IO
from typing import Any

from crm.jobs import files

MAX_AGE_SECONDS = 24 * 3600
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".ods")


def folder() -> Path:
    """The folder of all uploads (created on demand)."""
    return files.instance_folder("imports")


def _dir(token: str) -> Path | None:
    return files.token_dir(folder(), token)


def save_upload(stream: IO[bytes], filename: str, state: dict[str, Any]) -> str:
    """Store an uploaded file with its first state; returns its token."""
    prune()
    token = secrets.token_hex(16)
    path = folder() / token
    path.mkdir()
    suffix = Path(filename).suffix.lower()
    target = path / ("data" + (suffix if suffix in SUFFIXES else ".csv"))
    with target.open("wb") as handle:
        shutil.copyfileobj(stream, handle, 1024 * 1024)
    save_state(token, {**state, "file": target.name, "filename": filename[:255]})
    return token


def data_path(token: str, state: dict[str, Any]) -> Path:
    """The stored file of an upload."""
    return folder() / token / str(state["file"])


def load_state(token: str, user_id: int | None) -> dict[str, Any] | None:
    """The wizard's state of an upload, only for the person who uploaded it."""
    state = files.read_state(folder(), token)
    if state is None or state.get("user_id") != user_id:
        return None
    return state


def save_state(token: str, state: dict[str, Any]) -> None:
    """Keep the wizard's state of an upload."""
    files.write_json(folder() / token / "state.json", state)


def delete(token: str) -> None:
    """Remove an upload (after its import)."""
    path = _dir(token)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def prune(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove uploads older than a day; returns how many."""
    return files.prune_folder(folder(), max_age)
