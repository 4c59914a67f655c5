"""Issue 23 target 5: the graph and its whole-network results are computed once per data
version (by the worker's job, or by the one request that has to) and written as a snapshot
that every other process loads; after a save, the network page shows the last snapshot
with its time while the worker computes the new one."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from crm import jobs
from crm.extensions import db
from crm.network import cache
from crm.network import queries
from crm.network import snapshots
from tests.network.helpers import decide_url
from tests.network.helpers import share_members
from tests.network.test_network_page import pairs

STAFF = ("all", None)
UPDATING = "wird aktualisiert"


@pytest.fixture
def network(make) -> dict[str, Any]:
    """A shares two members with B and one with C: both pairs are suggested."""
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"], themes=["Wasserstoff"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"], themes=["Wasserstoff"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"], themes=["Kreislaufwirtschaft"])
    share_members(make, a, (b, 2), (c, 1))
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def worker(app, monkeypatch) -> Any:
    """The snapshot job switched on, an empty queue and a job worker that is alive; no
    snapshot of the staff graph left by an earlier test (same database, emptied)."""
    with app.app_context():
        database = db.engine.url.render_as_string(hide_password=True)
        for path in snapshots.folder().glob(snapshots.scope_prefix(database, STAFF) + "-*"):
            path.unlink(missing_ok=True)
    jobs.init_app(app)
    jobs.huey.flush()
    monkeypatch.setitem(app.config, "NETWORK_SNAPSHOT_JOB", True)
    jobs.record_heartbeat()
    yield jobs.huey
    jobs.huey.flush()


def no_building(monkeypatch) -> list[Any]:
    """Make building a graph in this process fail loudly; returns the scopes asked for."""
    asked: list[Any] = []

    def refuse(scope):
        asked.append(scope)
        raise AssertionError("the graph was built in the request")

    monkeypatch.setattr(cache, "build_graph", refuse)
    return asked


def run_queued(app) -> None:
    """The worker's part: take the next task from the queue and run it."""
    task = jobs.huey.dequeue()
    assert task is not None
    with app.app_context(), contextlib.suppress(RuntimeError):
        jobs.huey.execute(task)


def a_save(make) -> str:
    """Any audited write (a new data version): a new initiative; its node."""
    return f"i:{make.initiative(name='Neu im Netz').id}"


def test_a_second_process_loads_the_snapshot_instead_of_building(
    app, client, login_as, network, monkeypatch
):
    login_as("staff")
    first = client.get("/network/").get_data(as_text=True)
    with app.app_context():
        built = cache.get(STAFF)
        nodes = set(built.graph.nodes)
        analytics = built.derived(queries.ANALYTICS, queries._compute)
        assert snapshots.results_path(built.key).exists()
    cache.clear()  # another process: nothing in memory
    no_building(monkeypatch)
    second = client.get("/network/").get_data(as_text=True)
    assert pairs(second) == pairs(first) and len(pairs(first)) == 2
    with app.app_context():
        loaded = cache.get(STAFF)
        assert loaded is not built and loaded.key == built.key
        assert loaded.derived(queries.ANALYTICS, queries._compute) == analytics
        assert set(loaded.graph.nodes) == nodes  # read from the snapshot's graph file
    assert UPDATING not in second


def test_without_a_worker_the_request_builds_and_shows_the_new_data(
    app, client, login_as, make, network, monkeypatch
):
    jobs.init_app(app)
    jobs.huey.flush()
    monkeypatch.setitem(app.config, "NETWORK_SNAPSHOT_JOB", True)  # but no heartbeat
    login_as("staff")
    client.get("/network/")
    node = a_save(make)
    html = client.get("/network/").get_data(as_text=True)
    assert UPDATING not in html
    assert jobs.huey.pending_count() == 0
    with app.app_context():
        entry = cache.get(STAFF)
        assert not cache.is_stale(entry) and node in entry.graph
        assert snapshots.results_path(entry.key).exists()


def test_after_a_save_the_last_snapshot_is_shown_and_the_job_queued_once(
    app, client, login_as, make, network, worker, monkeypatch
):
    login_as("staff")
    before = client.get("/network/").get_data(as_text=True)
    assert UPDATING not in before
    assert worker.pending_count() == 0  # no snapshot at all: built in the request
    node = a_save(make)
    with monkeypatch.context() as patch:
        no_building(patch)
        stale = client.get("/network/").get_data(as_text=True)
        assert UPDATING in stale and "Stand: " in stale
        assert pairs(stale) == pairs(before)
        assert worker.pending_count() == 1
        cache.clear()  # another process: it finds the older snapshot file
        again = client.get("/network/").get_data(as_text=True)
        assert UPDATING in again
        assert worker.pending_count() == 1  # queued once for all processes
        graph_page = client.get("/network/graph").get_data(as_text=True)
        assert UPDATING in graph_page  # the graph page says so too
        assert worker.pending_count() == 1
    run_queued(app)
    assert worker.pending_count() == 0
    with monkeypatch.context() as patch:
        no_building(patch)
        cache.clear()
        fresh = client.get("/network/").get_data(as_text=True)
    assert UPDATING not in fresh
    assert UPDATING not in client.get("/network/graph").get_data(as_text=True)
    with app.app_context():
        assert node in cache.graph_for(STAFF)
    a_save(make)  # the next change queues the next job
    client.get("/network/")
    assert worker.pending_count() == 1


def test_an_accepted_pair_is_not_shown_from_an_older_ranking(
    app, client, login_as, network, worker
):
    login_as("staff")
    a, b, c = network["a"], network["b"], network["c"]
    assert {frozenset(p) for p in pairs(client.get("/network/").get_data(as_text=True))} == {
        frozenset((str(a.id), str(b.id))),
        frozenset((str(a.id), str(c.id))),
    }
    client.post(decide_url(a, b), data={"decision": "accepted", "next": "/network/"})
    html = client.get("/network/").get_data(as_text=True)
    assert UPDATING in html  # the ranking is the one before the decision ...
    assert {frozenset(p) for p in pairs(html)} == {frozenset((str(a.id), str(c.id)))}
    assert worker.pending_count() == 1


def test_a_suggestion_panel_of_an_older_graph_is_replaced_by_the_new_one(
    app, client, login_as, make, network, worker
):
    login_as("staff")
    a = network["a"]
    page = f"/initiatives/{a.id}"
    assert "Bündnis Brückenland" in client.get(page).get_data(as_text=True)
    d = make.initiative(name="Dritte Brücke", laender=["03"])
    share_members(make, a, (d, 3))
    assert "Dritte Brücke" not in panel_of(client.get(page).get_data(as_text=True))
    run_queued(app)
    assert "Dritte Brücke" in panel_of(client.get(page).get_data(as_text=True))


def panel_of(html: str) -> str:
    return html.split("Vorgeschlagene Kontakte", 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("damaged", ["results", "graph", "both"])
def test_a_damaged_or_missing_snapshot_is_built_again(app, client, login_as, network, damaged):
    login_as("staff")
    first = client.get("/network/").get_data(as_text=True)
    with app.app_context():
        stem = snapshots.folder() / snapshots.stem(cache.get(STAFF).key)
    if damaged in ("results", "both"):
        stem.with_suffix(snapshots.RESULTS).write_bytes(b"nicht gepickelt")
    if damaged in ("graph", "both"):
        stem.with_suffix(snapshots.GRAPH).unlink()
    cache.clear()
    response = client.get("/network/")
    assert response.status_code == 200
    assert pairs(response.get_data(as_text=True)) == pairs(first)
    focused = client.get(f"/network/graph.json?focus=initiative:{network['a'].id}")
    assert focused.status_code == 200
    assert "Zukunft Industrie Nord" in focused.get_data(as_text=True)


def test_the_job_computes_the_graph_pages_context_too(
    app, client, login_as, make, network, worker, monkeypatch
):
    from crm.network import graph as graph_queries

    login_as("staff")
    client.get("/network/")
    a_save(make)
    client.get("/network/")  # the last snapshot shown, the job queued
    run_queued(app)
    cache.clear()  # another process

    def refuse(graph):
        raise AssertionError("the context was computed in the request")

    monkeypatch.setattr(graph_queries, "_context", refuse)
    focused = client.get(f"/network/graph.json?focus=initiative:{network['a'].id}")
    assert focused.status_code == 200
    assert "Zukunft Industrie Nord" in focused.get_data(as_text=True)


def test_a_failed_job_is_queued_again_by_the_next_request(
    app, client, login_as, make, network, worker, monkeypatch
):
    login_as("staff")
    client.get("/network/")
    a_save(make)
    assert UPDATING in client.get("/network/").get_data(as_text=True)
    assert worker.pending_count() == 1

    def fails(scope):
        raise RuntimeError("kaputt")

    with monkeypatch.context() as patch:
        patch.setattr(cache, "compute_snapshot", fails)
        run_queued(app)
    assert worker.pending_count() == 0
    assert UPDATING in client.get("/network/").get_data(as_text=True)
    assert worker.pending_count() == 1  # queued again, not waiting for a job that ended
