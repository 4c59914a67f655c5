"""An in-process cache of network graphs: built once, reused until the data changes.

The key is (database, data version, day, scope): any audited write bumps the data version
(`crm.db.datastamp`), the day makes memberships that end at midnight drop out, and the
scope keeps an editor's graph apart from the staff graph. Each process keeps the
last few graphs; gunicorn workers each build their own, which is cheap and needs
no coordination. Derived results (communities, brokers, ...) are memoised on the
entry, so they live exactly as long as the graph they were computed from.

The positions of a drawn view (`crm.graph.layout`) are kept apart from the graphs, per
(database, scope, view) and across data versions: a view asked for again at the same data
version gets the same positions back, and after a change the nodes of the last picture keep
their places (only new nodes are placed), which is fast and keeps the drawing stable.
"""

from __future__ import annotations

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

from crm.db.datastamp import data_version
from crm.extensions import db
from crm.models.base import today
from crm.network.builder import Scope
from crm.network.builder import build_graph

T = TypeVar("T")
MAX_ENTRIES = 4
#: How many drawn views (scope × filters) keep their last positions.
MAX_PICTURES = 64

Key = tuple[str, int, str, Scope]
Positions = dict[Hashable, tuple[float, float]]


@dataclass
class CachedGraph:
    """A built graph and the results derived from it."""

    key: Key
    graph: nx.Graph
    _derived: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def derived(self, name: str, compute: Callable[[nx.Graph], T]) -> T:
        """The result of `compute(graph)`, computed once per graph under `name`."""
        with self._lock:
            if name not in self._derived:
                self._derived[name] = compute(self.graph)
            result: T = self._derived[name]
            return result


_entries: OrderedDict[Key, CachedGraph] = OrderedDict()
_lock = threading.Lock()


def current_key(scope: Scope) -> Key:
    """The cache key of the graph `scope` would see now."""
    database = db.engine.url.render_as_string(hide_password=True)
    return (database, data_version(), today().isoformat(), scope)


def get(scope: Scope) -> CachedGraph:
    """The graph for `scope` at the current data version, building it if needed."""
    key = current_key(scope)
    with _lock:  # build under the lock: concurrent requests wait instead of all building
        entry = _entries.get(key)
        if entry is None:
            entry = CachedGraph(key=key, graph=build_graph(scope))
            _entries[key] = entry
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        else:
            _entries.move_to_end(key)
        return entry


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
    database, _version, _day, scope = entry.key
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
    """Forget every cached graph and picture (tests, and after restoring a backup)."""
    with _lock:
        _entries.clear()
    with _pictures_lock:
        _pictures.clear()
