"""Network suggestions and the graph's memory (issue #23, target 5), for `make bench`.

    python -m benchmarks.bench_suggest URL [--requests 200]

URL: an already seeded database (`seed-demo --size scale`); `benchmarks.bench_directory`
calls `measure` for each backend it measures. In-process, the staff graph cached:

- suggestions p95 of the engine alone (`crm.network.queries._suggest`, as every caller
  runs it: graph and walk index cached, dissolved initiatives left out) for the largest
  initiative, the organisation with the most memberships and the slowest node: every
  initiative and organisation is timed once (CPU time), the three slowest again, the
  worst p95 counts (target: 3 ms for any node); wall time decides, CPU time is shown too;
- the whole panel of the largest initiative's page, as the page computes it
  (`queries.panel`, its statements included) with the panel's own per-data-version cache
  emptied before each call, i.e. the first view of a record after a save (target: 5 ms);
- the graph's memory in a worker: what `build_graph` allocates and still holds when it
  returns, and what the graph holds when loaded from its pickled snapshot, as the other
  workers get it (tracemalloc, after a garbage collection; the graph alone, not the
  interpreter, the app or the results derived from it later) (target: 60 MB).
"""

from __future__ import annotations

import argparse
import gc
import pickle
import secrets
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

TARGET_SUGGEST_NODE_MS = 3.0  # any node, the engine alone
TARGET_SUGGEST_PANEL_MS = 5.0  # the whole panel with its statements
TARGET_GRAPH_MB = 60.0  # the graph in a worker
SCOPE = ("all", None)  # the staff graph


@dataclass
class SuggestFigures:
    """p95 ms of the suggestions per measured node, of the panel, and the graph's MB."""

    #: key, label, node, (p95 wall, p95 CPU)
    nodes: list[tuple[str, str, str, tuple[float, float]]] = field(default_factory=list)
    panel: tuple[str, tuple[float, float]] | None = None  # node, (p95 wall, p95 CPU)
    graph_megabytes: tuple[float, float] = (0.0, 0.0)  # built, loaded from a snapshot
    graph_size: tuple[int, int] = (0, 0)  # nodes, edges


def p95(call: Callable[[], Any], requests: int, warmup: int = 5) -> tuple[float, float]:
    """The 95th percentiles in ms of `requests` timed calls of `call` (after `warmup`): by
    wall time, and by this thread's CPU time (steadier on a busy machine; without the
    database server's share on PostgreSQL)."""
    for _ in range(warmup):
        call()
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.thread_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    cuts = [statistics.quantiles(found, n=100, method="inclusive")[94] for found in (wall, cpu)]
    return cuts[0], cuts[1]


def held_megabytes(make: Callable[[], Any]) -> tuple[float, Any]:
    """(MB, result): the Python memory that `make()`'s result still holds (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = make()
        gc.collect()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return held / 1e6, result


def graph_memory() -> tuple[float, float, int, int]:
    """(MB built, MB loaded, nodes, edges): the Python memory the staff graph holds once
    built, and once loaded from its pickled snapshot (as the other workers get it)."""
    from crm.network.builder import build_graph

    build_graph(SCOPE)  # statements compiled and cached before, not counted
    built, graph = held_megabytes(lambda: build_graph(SCOPE))
    packed = pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)
    size = graph.number_of_nodes(), graph.number_of_edges()
    del graph
    loaded, _graph = held_megabytes(lambda: pickle.loads(packed))  # noqa: S301 - our own bytes
    return built, loaded, *size


def measure(app: Flask, requests: int) -> SuggestFigures:
    """Every figure of target 5's suggestions and graph memory on `app`'s database."""
    from benchmarks.bench_directory import BENCH_EMAIL
    from crm.extensions import db
    from crm.models import Initiative
    from crm.models import Membership
    from crm.models import User
    from crm.network import cache
    from crm.network import queries
    from crm.network.builder import node_id

    figures = SuggestFigures()
    with app.app_context():
        built, loaded, nodes, edges = graph_memory()
        figures.graph_megabytes, figures.graph_size = (built, loaded), (nodes, edges)
        graph = cache.graph_for(SCOPE)
        dissolved = queries._dissolved(graph)

        def engine(node: str) -> Callable[[], Any]:
            return lambda: queries._suggest(
                graph, node, "initiative", dissolved, queries.PANEL_SIZE
            )

        def busiest(column: Any) -> Any:
            return db.session.scalar(
                select(column).group_by(column).order_by(func.count().desc()).limit(1)
            )

        largest = busiest(Membership.initiative_id)
        organisation = busiest(Membership.organisation_id)
        engine(node_id("initiative", largest or 0))()  # the walk index's first use, untimed
        sweep = []
        for node, kind in graph.nodes(data="kind"):
            if kind in ("initiative", "organisation"):
                started = time.thread_time()  # CPU: a busy machine's waits are not the node's
                engine(node)()
                sweep.append((time.thread_time() - started, node))
        slowest = max(
            ((p95(engine(node), requests), node) for _t, node in sorted(sweep)[-3:]),
            default=None,
        )
        for key, label, node in (
            ("largest", "the largest initiative", node_id("initiative", largest or 0)),
            ("busiest", "the busiest organisation", node_id("organisation", organisation or 0)),
        ):
            if node in graph:
                figures.nodes.append((key, label, node, p95(engine(node), requests)))
        if slowest is not None:
            ms, node = slowest
            figures.nodes.append(("slowest", f"the slowest of {len(sweep):,} nodes", node, ms))

    from crm.db import datastamp

    with app.test_request_context("/"):
        user = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
        record = db.session.get(Initiative, largest) if largest is not None else None
        if user is not None and record is not None:

            def whole_panel() -> None:
                datastamp.clear()  # the panel's own cache: as after a save
                queries.panel(user, record)

            figures.panel = (node_id("initiative", record.id), p95(whole_panel, requests))
    return figures


def rows(figures: SuggestFigures) -> list[dict[str, Any]]:
    """The figures as rows of `benchmarks.bench_directory`'s table."""
    found = [
        {
            "figure": f"suggestions p95, engine alone: {label} (`{node}`)",
            "key": f"suggest:{key}",
            "value": f"{wall:.2f} ms (CPU {cpu:.2f} ms)",
            "share": None,
            "target": f"≤ {TARGET_SUGGEST_NODE_MS:.0f} ms",
            "ok": wall <= TARGET_SUGGEST_NODE_MS,
        }
        for key, label, node, (wall, cpu) in figures.nodes
    ]
    if figures.panel is not None:
        node, (wall, cpu) = figures.panel
        found.append(
            {
                "figure": f"suggestions panel p95 of `{node}`'s page, with its statements "
                "(first view after a save)",
                "key": "suggest:panel",
                "value": f"{wall:.2f} ms (CPU {cpu:.2f} ms)",
                "share": None,
                "target": f"≤ {TARGET_SUGGEST_PANEL_MS:.0f} ms",
                "ok": wall <= TARGET_SUGGEST_PANEL_MS,
            }
        )
    if any(figures.graph_megabytes):
        nodes, edges = figures.graph_size
        built, loaded = figures.graph_megabytes
        found.append(
            {
                "figure": f"the graph in a worker ({nodes:,} nodes, {edges:,} edges; "
                "tracemalloc: built / loaded from its snapshot)",
                "key": "graph:memory",
                "value": f"{built:.1f} / {loaded:.1f} MB",
                "share": None,
                "target": f"≤ {TARGET_GRAPH_MB:.0f} MB",
                "ok": max(built, loaded) <= TARGET_GRAPH_MB,
            }
        )
    return found


def main() -> None:
    """Measure an already seeded database and print the rows."""
    from benchmarks.bench_directory import bench_account
    from benchmarks.bench_directory import bench_config
    from crm import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a seeded database (seed-demo --size scale)")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    app = create_app(bench_config(args.url, secrets.token_hex(32)))
    bench_account(app)
    for row in rows(measure(app, max(2, args.requests))):
        print(f"{row['figure']}: {row['value']} (target {row['target']})")  # noqa: T201


if __name__ == "__main__":
    main()
