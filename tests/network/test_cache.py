"""The graph cache: reused while nothing changes, rebuilt after any audited write."""

from __future__ import annotations

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Initiative
from crm.network import cache

STAFF = ("all", None)


def test_two_reads_without_writes_reuse_the_graph(app, make):
    make.initiative()
    with app.app_context():
        first = cache.get(STAFF)
    with app.app_context():
        second = cache.get(STAFF)
    assert second is first and second.graph is first.graph


def test_a_write_makes_the_next_read_rebuild(app, make):
    ini = make.initiative(name="Vorher")
    with app.app_context():
        before = cache.graph_for(STAFF)
    with app.app_context(), writing():
        db.session.get_one(Initiative, ini.id).name = "Nachher"
        db.session.commit()
    with app.app_context():
        after = cache.graph_for(STAFF)
    assert after is not before
    assert after.nodes[f"i:{ini.id}"]["label"] == "Nachher"
    assert before.nodes[f"i:{ini.id}"]["label"] == "Vorher"


def test_a_new_record_from_a_factory_rebuilds(app, make):
    make.initiative()
    with app.app_context():
        before = cache.graph_for(STAFF)
    org = make.organisation()
    with app.app_context():
        assert f"o:{org.id}" in cache.graph_for(STAFF)
        assert f"o:{org.id}" not in before


def test_scopes_have_their_own_graphs(app, make):
    ini = make.initiative()
    with app.app_context():
        staff = cache.get(STAFF)
        editor = cache.get(("initiative", ini.id))
        assert editor is not staff
        assert cache.get(STAFF) is staff


def test_only_the_last_few_graphs_are_kept(app, make):
    inis = [make.initiative() for _ in range(cache.MAX_ENTRIES + 2)]
    with app.app_context():
        first = cache.get(("initiative", inis[0].id))
        for ini in inis[1:]:
            cache.get(("initiative", ini.id))
        assert cache.get(("initiative", inis[0].id)) is not first


def test_derived_results_are_computed_once_per_graph(app, make):
    make.initiative()
    calls: list[int] = []

    def compute(graph):
        calls.append(1)
        return graph.number_of_nodes()

    with app.app_context():
        entry = cache.get(STAFF)
        assert entry.derived("n", compute) == entry.derived("n", compute) == 1
    assert len(calls) == 1
