"""The network graphs: computed once per data version, shared by every process and host.

The key is (database, data version, its time, day, scope): any audited write bumps the
data version (`crm.db.datastamp`; its time tells a restored or emptied database's version
apart from the one cached before), the day makes memberships that end at midnight drop
out, and the scope keeps an editor's graph apart from the staff graph.

Where a graph comes from, cheapest first (`get`):

1. this process has it: the entry of the last few keys;
2. its snapshot exists (`crm.network.snapshots`): the results are loaded at once, the
   graph itself when a page first asks for it;
3. the job worker runs and an older snapshot of the scope exists: the job
   `network_snapshot` is queued (once per scope while it waits) and the older entry is
   served, marked stale, so that the network page says when it was computed;
4. else the graph is built in the request, as the only way left, and written as a
   snapshot so that the other processes load it instead of building it too.

Derived results (communities, brokers, ...) are memoised on the entry, so they live
exactly as long as the graph they were computed from; those registered with `share` are
part of the snapshot: the job computes them, and a request that computes one writes the
snapshot's results again.

The positions of a drawn view (`crm.graph.layout`) are kept apart from the graphs, per
(database, scope, view) and across data versions: a view asked for again at the same data
version gets the same positions back, and after a change the nodes of the last picture keep
their places (only new nodes are placed), which is fast and keeps the drawing stable.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Hashable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

import networkx as nx
from flask import current_app

from crm import jobs
from crm.db.datastamp import data_stamp
from crm.extensions import db
from crm.models.base import today
from crm.models.base import utcnow
from crm.network import snapshots
from crm.network.builder import Scope
from crm.network.builder import build_graph

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ENTRIES = 4
#: How many drawn views (scope × filters) keep their last positions.
MAX_PICTURES = 64
#: A queued snapshot job not finished after this long is queued again (worker killed).
QUEUED_EXPIRY = dt.timedelta(minutes=10)

Key = tuple[str, int, str, str, Scope]
Positions = dict[Hashable, tuple[float, float]]

#: name → compute(graph): the derived results that are part of a snapshot.
SHARED: dict[str, Callable[[nx.Graph], Any]] = {}


def share(name: str, compute: Callable[[nx.Graph], Any]) -> None:
    """Make the derived result `name` part of every snapshot (plain data, no ORM objects,
    nothing that depends on the language: it is pickled and read by every process)."""
    SHARED[name] = compute


@dataclass
class CachedGraph:
    """A graph of one key and the results derived from it. Loaded from a snapshot, the
    graph stays in its file until `graph` is first read, and each shared result stays
    packed until it is first asked for."""

    key: Key
    _graph: nx.Graph | None = None
    #: When the graph was computed (UTC).
    built_at: dt.datetime = field(default_factory=utcnow)
    _derived: dict[str, Any] = field(default_factory=dict)
    #: name → the packed result, as read from the snapshot.
    _packed: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def graph(self) -> nx.Graph:
        """The graph: from the snapshot when first asked for; built anew when that file is
        gone or damaged (from the current data: never older than the key says)."""
        with self._lock:
            if self._graph is None:
                graph = snapshots.read_graph(self.key)
                if graph is None:
                    graph = build_graph(self.key[4])
                    if not is_stale(self):
                        _write_snapshot(self, graph)
                self._graph = graph
            return self._graph

    def derived(self, name: str, compute: Callable[[nx.Graph], T]) -> T:
        """The result of `compute(graph)`, computed once per graph under `name` (or
        unpacked from the snapshot)."""
        with self._lock:
            if name not in self._derived and name in self._packed:
                value = snapshots.unpack(self._packed[name])
                if value is not None:
                    self._derived[name] = value
                else:
                    del self._packed[name]  # damaged: computed and written again below
            if name not in self._derived:
                self._derived[name] = compute(self.graph)
                if name in SHARED and not is_stale(self):
                    _write_snapshot(self)  # the other processes load it, not compute it
            result: T = self._derived[name]
            return result

    def has(self, name: str) -> bool:
        """Is the result `name` computed or in the snapshot?"""
        with self._lock:
            return name in self._derived or name in self._packed

    def packed_results(self) -> dict[str, bytes]:
        """The shared results, packed for the snapshot."""
        with self._lock:
            packed = {name: value for name, value in self._packed.items() if name in SHARED}
            for name, value in self._derived.items():
                if name in SHARED and name not in packed:
                    packed[name] = snapshots.pack(value)
            return packed


def _write_snapshot(entry: CachedGraph, graph: nx.Graph | None = None) -> None:
    """Write `entry`'s results (and `graph`, when given) as its snapshot; a full disk or a
    read-only folder costs the sharing, never the request."""
    try:
        if graph is not None:
            snapshots.write_graph(entry.key, graph)
        snapshots.write_results(entry.key, entry.built_at, entry.packed_results())
    except OSError:
        log.warning("network snapshot not written", exc_info=True)


def _from_results(found: dict[str, Any]) -> CachedGraph:
    return CachedGraph(key=found["key"], built_at=found["built_at"], _packed=found["packed"])


_entries: OrderedDict[Key, CachedGraph] = OrderedDict()
_lock = threading.Lock()


def current_key(scope: Scope) -> Key:
    """The cache key of the graph `scope` would see now."""
    version, at, _seen = data_stamp()
    return (_database(), version, at, today().isoformat(), scope)


def _keep(entry: CachedGraph) -> None:
    _entries[entry.key] = entry
    _entries.move_to_end(entry.key)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def _load(key: Key) -> CachedGraph | None:
    """The snapshot of exactly `key`, if there is one that loads."""
    found = snapshots.read_results(snapshots.results_path(key))
    if found is None or found["key"] != key:
        return None
    return _from_results(found)


def _older(key: Key) -> CachedGraph | None:
    """The newest entry of the same database and scope at another version: in this
    process, else from the newest snapshot file."""
    database, _version, _at, _day, scope = key
    for other in reversed(_entries.values()):
        if other.key[0] == database and other.key[4] == scope:
            return other
    path = snapshots.newest_results(database, scope)
    found = snapshots.read_results(path) if path is not None else None
    if found is None or found["key"][0] != database or found["key"][4] != scope:
        return None
    entry = _from_results(found)
    _keep(entry)
    return entry


def _database() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _queued_key(database: str, scope: Scope) -> str:
    return "network-snapshot-queued:" + snapshots.scope_prefix(database, scope)


def _worker_will_compute(key: Key) -> bool:
    """Is the job worker alive? If so, make sure a snapshot job for the scope of `key` is
    queued (one per scope while it waits; it computes whatever version is current when it
    runs). False: nobody would compute it (no worker, or its queue does not answer)."""
    enabled = current_app.config.get("NETWORK_SNAPSHOT_JOB")
    if not ((not current_app.testing) if enabled is None else enabled):
        return False
    try:
        if jobs.worker_stale():
            return False
        marker = _queued_key(key[0], key[4])
        now = utcnow()
        queued = jobs.huey.get(marker, peek=True)  # a read: every request while it waits
        if queued is None:
            if not jobs.huey.put_if_empty(marker, now.isoformat()):
                return True  # another process queued it just now
        elif now - dt.datetime.fromisoformat(str(queued)) < QUEUED_EXPIRY:
            return True
        else:
            jobs.huey.put(marker, now.isoformat())  # its job was lost: queue another
        from crm.network.tasks import network_snapshot

        network_snapshot(key[4][0], key[4][1])
        return True
    except Exception:  # the queue's storage is down: build in the request as without worker
        log.warning("network snapshot job not queued", exc_info=True)
        return False


def job_finished(scope: Scope) -> None:
    """The snapshot job of `scope` has ended: the next change queues a new one (no
    statement: also after a failed one)."""
    jobs.huey.delete(_queued_key(_database(), scope))


def get(scope: Scope) -> CachedGraph:
    """The graph for `scope` at the current data version, or an older one while the job
    worker computes it (then `is_stale(entry)`); see the module docstring."""
    key = current_key(scope)
    with _lock:  # one at a time: concurrent requests wait instead of all building
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
        entry = _load(key)
        if entry is None:
            older = _older(key)
            if older is not None and _worker_will_compute(key):
                return older
            entry = build(key)
        _keep(entry)
        return entry


def _built(key: Key) -> CachedGraph:
    """The entry of `key` with its graph built from the database now."""
    return CachedGraph(key=key, _graph=build_graph(key[4]), built_at=utcnow())


def build(key: Key) -> CachedGraph:
    """Build the graph of `key` from the database now and write it as a snapshot."""
    entry = _built(key)
    _write_snapshot(entry, entry._graph)
    return entry


def compute_snapshot(scope: Scope) -> CachedGraph:
    """The job's part: the graph of `scope` at the current data version and every shared
    result, written as one snapshot; what exists already is used, not computed again
    (a whole snapshot: nothing to do). Not kept in this process."""
    key = current_key(scope)
    entry = _load(key)
    if entry is None:
        entry = _built(key)
        snapshots.write_graph(key, entry._graph)
    missing = [name for name in SHARED if not entry.has(name)]
    for name in missing:
        entry._derived[name] = SHARED[name](entry.graph)
    if missing:
        snapshots.write_results(key, entry.built_at, entry.packed_results())
    return entry


def is_stale(entry: CachedGraph) -> bool:
    """Is `entry` of an older data version than the current one (served while the job
    worker computes the current one)?"""
    return entry.key[1:4] != current_key(entry.key[4])[1:4]


def graph_for(scope: Scope) -> nx.Graph:
    """Shortcut: just the graph for `scope`."""
    return get(scope).graph


@dataclass(frozen=True)
class Picture:
    """The last positions of one view, and the graph version they were computed for."""

    key: Key
    positions: Positions


_pictures: OrderedDict[tuple[str, Scope, Hashable], Picture] = OrderedDict()
_pictures_lock = threading.Lock()


def positions(
    entry: CachedGraph,
    view: Hashable,
    nodes: Collection[Hashable],
    compute: Callable[[Positions | None], Positions],
) -> Positions:
    """Positions of `nodes`, the nodes of `view` (a hashable description of the filters)
    in the graph of `entry`: the stored picture if it is of this graph version and holds
    every node, else `compute(last positions of this view or None)`, stored as the new
    picture. The result may hold more nodes than asked for."""
    database, _version, _at, _day, scope = entry.key
    name = (database, scope, view)
    with _pictures_lock:
        picture = _pictures.get(name)
        if picture is not None:
            _pictures.move_to_end(name)
    if (
        picture is not None
        and picture.key == entry.key
        and all(node in picture.positions for node in nodes)
    ):
        return picture.positions
    found = compute(picture.positions if picture is not None else None)
    with _pictures_lock:
        _pictures[name] = Picture(entry.key, found)
        _pictures.move_to_end(name)
        while len(_pictures) > MAX_PICTURES:
            _pictures.popitem(last=False)
    return found


def clear() -> None:
    """Forget every graph and picture of this process (tests, and after restoring a backup;
    the snapshot files are named by data version and its time, and stay)."""
    with _lock:
        _entries.clear()
    with _pictures_lock:
        _pictures.clear()
