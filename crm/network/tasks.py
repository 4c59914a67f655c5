"""The network graph's snapshot, computed by the worker once per data version (see
`crm.network.cache`): after a save, every web worker loads it instead of building the graph
and its whole-network results in a request."""

from __future__ import annotations

from crm.jobs import job
from crm.network import cache
from crm.network import graph as _graph  # noqa: F401 - registers the graph page's context
from crm.network import queries as _queries  # noqa: F401 - registers the analytics and pairs


@job()
def network_snapshot(scope_kind: str, scope_id: int | None) -> str:
    """The graph of one scope (`permissions.graph_scope`) at the current data version and
    its shared results, written to the instance folder; safe to run twice (a snapshot that
    exists is kept)."""
    scope = (scope_kind, scope_id)
    try:
        entry = cache.compute_snapshot(scope)
    finally:
        cache.job_finished(scope)
    return f"Datenstand {entry.key[1]}"
