"""Tests for crm.graph.analytics and crm.graph.regions."""

from __future__ import annotations

import random
from collections.abc import Callable

import networkx as nx
import pytest

from crm.graph.analytics import BETWEENNESS
from crm.graph.analytics import PARTICIPATION
from crm.graph.analytics import Community
from crm.graph.analytics import CrossRegionLink
from crm.graph.analytics import brokers
from crm.graph.analytics import communities
from crm.graph.analytics import cross_region_links
from crm.graph.analytics import isolates
from crm.graph.analytics import project
from crm.graph.regions import LAENDER
from crm.graph.regions import NEIGHBOURS
from crm.graph.regions import are_neighbours
from crm.graph.regions import neighbours_of


def shuffled(graph: nx.Graph, seed: int) -> nx.Graph:
    rng = random.Random(seed)
    nodes = list(graph.nodes(data=True))
    edges = [(v, u, d) if rng.random() < 0.5 else (u, v, d) for u, v, d in graph.edges(data=True)]
    rng.shuffle(nodes)
    rng.shuffle(edges)
    copy = nx.Graph()
    copy.add_nodes_from(nodes)
    copy.add_edges_from(edges)
    return copy


def two_cliques() -> nx.Graph:
    """Two 5-cliques a0..a4 and b0..b4 joined by the single node x (a0–x–b0)."""
    graph = nx.Graph()
    for prefix in "ab":
        members = [f"{prefix}{index}" for index in range(5)]
        graph.add_edges_from((u, v) for i, u in enumerate(members) for v in members[i + 1 :])
    graph.add_edges_from([("a0", "x"), ("x", "b0")])
    return graph


def themed_cliques() -> nx.Graph:
    graph = two_cliques()
    for index in range(5):
        graph.nodes[f"a{index}"]["themes"] = {"Wasserstoff"}
        graph.nodes[f"b{index}"]["themes"] = {"Fachkräfte/Ausbildung/MINT"}
    for index in (0, 1, 2):
        graph.nodes[f"a{index}"]["themes"].add("Energiewende/Klimaschutz")
    graph.add_node("t", kind="theme", label="Digitalisierung/Industrie 4.0")
    graph.add_edges_from([("b0", "t"), ("b1", "t")])
    return graph


def test_communities_are_labelled_by_themes_and_sorted() -> None:
    found = communities(themed_cliques(), seed=0)
    assert [c.size for c in found] == sorted((c.size for c in found), reverse=True)
    by_member = {node: c for c in found for node in c.nodes}
    assert by_member["a1"].nodes >= {f"a{i}" for i in range(5)}
    assert by_member["b1"].nodes >= {f"b{i}" for i in range(5)}
    assert by_member["a1"].label == "Wasserstoff, Energiewende/Klimaschutz"
    assert by_member["b1"].label == "Fachkräfte/Ausbildung/MINT, Digitalisierung/Industrie 4.0"
    assert all(isinstance(c, Community) and c.size == len(c.nodes) for c in found)


def test_communities_are_deterministic_for_a_seed() -> None:
    graph = nx.les_miserables_graph()
    expected = communities(graph, seed=3)
    for seed in range(4):
        assert communities(shuffled(graph, seed), seed=3) == expected
    assert [c.label for c in expected] == [f"Gruppe {n}" for n in range(1, len(expected) + 1)]


def test_communities_of_a_kind_use_the_projection() -> None:
    graph = nx.Graph()
    graph.add_nodes_from(["i1", "i2", "i3", "i4"], kind="initiative", themes={"Wasserstoff"})
    graph.add_nodes_from(["o1", "o2"], kind="organisation")
    graph.add_edges_from([("i1", "o1"), ("i2", "o1"), ("i3", "o2"), ("i4", "o2")])
    found = communities(graph, kind="initiative")
    assert sorted(sorted(str(n) for n in c.nodes) for c in found) == [["i1", "i2"], ["i3", "i4"]]
    assert {c.label for c in found} == {"Wasserstoff"}


def test_project_counts_shared_neighbours_but_not_themes() -> None:
    graph = nx.Graph()
    graph.add_nodes_from(["i1", "i2", "i3"], kind="initiative")
    graph.add_nodes_from(["o1", "o2"], kind="organisation")
    graph.add_node("t", kind="theme", label="Wasserstoff")
    graph.add_edges_from([("i1", "o1"), ("i2", "o1"), ("i1", "o2"), ("i2", "o2"), ("i2", "i3")])
    graph.add_edges_from([("i1", "t"), ("i3", "t")])
    projection = project(graph, "initiative")
    assert sorted(projection.nodes) == ["i1", "i2", "i3"]
    assert dict(projection.edges.items()) == {
        ("i1", "i2"): {"weight": 2.0},
        ("i2", "i3"): {"weight": 1.0},
    }


@pytest.mark.parametrize("measure", ["betweenness", "participation"])
def test_brokers_find_the_bridge_between_two_cliques(measure: str) -> None:
    result = brokers(two_cliques(), k=3, measure=measure)
    assert result[0].node == "x"
    assert result[0].measure == (BETWEENNESS if measure == "betweenness" else PARTICIPATION)
    assert all(b.score > 0 for b in result)
    assert brokers(shuffled(two_cliques(), 1), k=3, measure=measure) == result


def test_brokers_of_a_kind_and_exact_betweenness() -> None:
    graph = two_cliques()
    for node in graph.nodes:
        graph.nodes[node]["kind"] = "person" if node == "x" else "organisation"
    (top,) = brokers(graph, k=1, kind="organisation")
    assert top.node in {"a0", "b0"}
    x = brokers(graph, k=1, kind="person")[0]
    # x lies on all 25 shortest paths between the cliques, of 45 pairs not involving x.
    assert x.score == pytest.approx(25 / 45)


def isolates_graph() -> nx.Graph:
    graph = nx.Graph()
    initiatives = {
        "I1": "05",
        "I2": "06",
        "I3": "05",
        "I4": "05",
        "I5": "05",
        "I6": "09",
        "I7": "01",
    }
    for node, land in initiatives.items():
        graph.add_node(node, kind="initiative", land=land)
    graph.add_nodes_from(["o1", "o2"], kind="organisation")
    graph.add_node("p", kind="person")
    graph.add_node("t", kind="theme", label="Wasserstoff")
    graph.add_edges_from([("I1", "o1"), ("I2", "o1")])  # shared member
    graph.add_edges_from([("I3", "o2"), ("o2", "p")])  # members that know nobody else
    graph.add_edge("I4", "I5", kind="relationship")  # explicit relationship, same Land
    graph.add_edge("I5", "I6", kind="relationship")  # explicit relationship across Länder
    graph.add_edges_from([("I3", "t"), ("I1", "t")])  # a shared theme is no link
    return graph


def test_isolates_have_no_other_initiative_within_two_steps() -> None:
    graph = isolates_graph()
    assert isolates(graph, "initiative") == ["I3", "I7"]
    assert isolates(graph, "organisation") == ["o1", "o2"]


def test_cross_region_links() -> None:
    links = cross_region_links(isolates_graph(), kind="initiative")
    assert links == [
        CrossRegionLink(a="I1", b="I2", land_a="05", land_b="06", via="o1"),
        CrossRegionLink(a="I5", b="I6", land_a="05", land_b="09", via=None),
    ]
    assert cross_region_links(shuffled(isolates_graph(), 2), kind="initiative") == links


def test_cross_region_links_prefer_direct_links_and_handle_several_laender() -> None:
    graph = nx.Graph()
    graph.add_node("a", kind="initiative", land={"05", "06"})
    graph.add_node("b", kind="initiative", land="07")
    graph.add_node("c", kind="initiative", land="06")
    graph.add_node("o", kind="organisation")
    graph.add_edges_from([("a", "o"), ("b", "o"), ("c", "o"), ("a", "b")])
    assert cross_region_links(graph) == [
        CrossRegionLink(a="a", b="b", land_a="05,06", land_b="07", via=None),
        CrossRegionLink(a="b", b="c", land_a="07", land_b="06", via="o"),
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda g: isolates(g, "event"),
        lambda g: cross_region_links(g, kind="event"),
        lambda g: brokers(g, kind="event"),
        lambda g: communities(g, kind="event"),
        lambda g: project(g, "event"),
    ],
)
def test_unknown_kind_raises(call: Callable[[nx.Graph], object]) -> None:
    with pytest.raises(ValueError, match="Unbekannte Knotenart 'event'"):
        call(isolates_graph())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: brokers(two_cliques(), k=0), "k muss"),
        (lambda: brokers(two_cliques(), k=1.5), "k muss"),  # type: ignore[arg-type]
        (lambda: brokers(two_cliques(), measure="degree"), "Unbekanntes Maß"),
        (lambda: communities(two_cliques(), resolution=0), "resolution"),
        (lambda: communities(nx.DiGraph([(1, 2)])), "ungerichtete"),
        (lambda: isolates("kein Graph", "initiative"), "networkx.Graph"),
    ],
)
def test_bad_arguments_raise(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_graph_gives_empty_results() -> None:
    empty = nx.Graph()
    assert communities(empty) == []
    assert brokers(empty) == []
    assert isolates(empty, "initiative") == []
    assert cross_region_links(empty) == []
    assert project(empty, "initiative").number_of_nodes() == 0


def test_neighbouring_laender_are_symmetric_and_complete() -> None:
    assert set(NEIGHBOURS) == set(LAENDER) == {f"{n:02d}" for n in range(1, 17)}
    for land, others in NEIGHBOURS.items():
        assert land not in others
        for other in others:
            assert land in NEIGHBOURS[other], (land, other)
    assert are_neighbours("05", "06")
    assert not are_neighbours("05", "09")
    assert NEIGHBOURS["11"] == {"12"}
    assert not are_neighbours("99", "05")
    assert neighbours_of(["11", "12"]) == {"13", "03", "15", "14"}
