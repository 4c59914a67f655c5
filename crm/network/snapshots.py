"""Snapshots of the network graph in the instance folder, shared by every process and host.

A snapshot is the graph of one scope at one data version and the whole-network results
computed from it (analytics, ranked pairs, the graph page's context). The job worker
computes it once per data version (`crm.network.tasks`), or the first request that had to
build the graph writes it; every other process loads it instead of building again.

Two files per snapshot, both named by a hash of (database, scope) and of (data version,
its time, day, code): `<stem>.results`, small and read first (all that the network page
needs), and `<stem>.graph`, the graph itself, read only when a page needs it (suggestions,
the drawn graph). Each is written to a temporary file and renamed, so that a reader sees a
whole file or none. The code's hash is part of the name: a deployment that changes the
pickled classes never reads the files of the one before.

Pickle is safe here because only this app writes these files, into its own instance
folder; nothing a user uploads is ever unpickled. A file that does not load counts as
missing (the caller builds the graph again). Loads run with the garbage collector paused:
unpickling a graph creates about a million objects, and collections triggered by them
would take four times as long as the load itself.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle  # noqa: S403 - only files this app wrote into its instance folder, see above
import secrets
import time
from collections.abc import Hashable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)

FOLDER = "network-snapshots"
#: Snapshots kept per database and scope (the newest by time of writing).
KEEP = 2
#: Snapshots of any database or scope unchanged for this long are removed.
MAX_AGE_SECONDS = 24 * 3600
RESULTS, GRAPH = ".results", ".graph"


def _hash(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


@functools.cache
def code_version() -> str:
    """A hash of the network code whose classes the snapshots pickle (read once)."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent.parent
    for package in ("graph", "network"):
        for path in sorted((base / package).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def scope_prefix(database: str, scope: Hashable) -> str:
    """The common start of the names of every snapshot of `scope` in `database`."""
    return _hash(database, scope)


def stem(key: tuple[Any, ...]) -> str:
    """The file name (without suffix) of the snapshot of a cache key
    (database, version, version time, day, scope)."""
    database, version, at, day, scope = key
    return f"{scope_prefix(database, scope)}-{_hash(version, at, day, code_version())}"


def folder() -> Path:
    """The folder of every snapshot (created by the first write: a reader never fails on
    a folder it may not create)."""
    return Path(current_app.instance_path) / FOLDER


def _write(target: Path, value: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> Any | None:
    try:
        with path.open("rb") as source, _gc_paused():
            return pickle.load(source)  # noqa: S301 - our own file, see the module docstring
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file is a missing one: the caller builds anew
        log.warning("network snapshot %s does not load; ignored", path.name, exc_info=True)
        return None


def pack(value: Any) -> bytes:
    """One derived result as bytes, for `write_results`."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> Any | None:
    """A derived result from `pack` (None: it does not load)."""
    try:
        with _gc_paused():
            return pickle.loads(packed)  # noqa: S301 - from our own file, see above
    except Exception:
        log.warning("network snapshot result does not load; ignored", exc_info=True)
        return None


def write_graph(key: tuple[Any, ...], graph: Any) -> None:
    """Store the graph of `key` (before its results: a results file means both exist)."""
    _write(folder() / (stem(key) + GRAPH), graph)


def read_graph(key: tuple[Any, ...]) -> Any | None:
    """The stored graph of `key` (None: none, or it does not load)."""
    return _read(folder() / (stem(key) + GRAPH))


def write_results(key: tuple[Any, ...], built_at: Any, packed: dict[str, bytes]) -> None:
    """Store the results of `key`: when it was computed and its derived results, each
    packed on its own (a reader unpacks only those it uses); then remove the older
    snapshots of its scope."""
    _write(folder() / (stem(key) + RESULTS), {"key": key, "built_at": built_at, "packed": packed})
    prune(key)


def read_results(path: Path) -> dict[str, Any] | None:
    """{"key", "built_at", "packed"} of a results file (None: none, or unreadable)."""
    found = _read(path)
    if not isinstance(found, dict) or not isinstance(found.get("packed"), dict):
        return None
    if not isinstance(found.get("key"), tuple) or len(found["key"]) != 5:
        return None
    return found


def results_path(key: tuple[Any, ...]) -> Path:
    """Where the results of `key` are (they may not exist)."""
    return folder() / (stem(key) + RESULTS)


def newest_results(database: str, scope: Hashable) -> Path | None:
    """The results file of the newest snapshot of `scope` in `database`, of any version."""
    newest: tuple[float, Path] | None = None
    for path in folder().glob(scope_prefix(database, scope) + "-*" + RESULTS):
        with contextlib.suppress(OSError):
            written = path.stat().st_mtime
            if newest is None or written > newest[0]:
                newest = (written, path)
    return newest[1] if newest else None


def prune(key: tuple[Any, ...]) -> None:
    """Keep the newest KEEP snapshots of the scope of `key`; remove any snapshot unchanged
    for a day, and temporary files a killed writer left."""
    database, _version, _at, _day, scope = key
    now = time.time()
    mine: list[tuple[float, str]] = []
    paths: list[Path] = []
    prefix = scope_prefix(database, scope)
    with contextlib.suppress(OSError):
        paths = list(folder().iterdir())
    for path in paths:
        with contextlib.suppress(OSError):
            age = now - path.stat().st_mtime
            if age > MAX_AGE_SECONDS or (path.suffix == ".tmp" and age > 3600):
                path.unlink()
            elif path.name.startswith(prefix) and path.suffix == RESULTS:
                mine.append((path.stat().st_mtime, path.name.removesuffix(RESULTS)))
    mine.sort(reverse=True)
    for _written, old in mine[KEEP:]:
        for suffix in (RESULTS, GRAPH):
            (folder() / (old + suffix)).unlink(missing_ok=True)
