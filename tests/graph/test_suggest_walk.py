"""The fast walk of crm.graph.suggest (with and without a WalkIndex) gives exactly what the
plain walk gave: the same suggestions, scores and reasons, on generated graphs."""

from __future__ import annotations

import math
import pickle
import random
from collections.abc import Hashable
from typing import Any

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from crm.graph import suggest
from crm.graph.suggest import WalkIndex
from crm.graph.suggest import candidate_scores
from crm.graph.suggest import suggest_connections

KINDS = ["initiative", "organisation", "person", "event", "workshop", "theme"]
WEIGHTS = [1.0, 1.0, 0.7, 0.8, 1.2, 1.5, 2, 3]  # ints too: the walk takes any positive number
LAENDER = ["05", "06", "07", "09", "11", "12"]
THEMES = ["Wasserstoff", "Fachkräfte", "Energiewende", "Digitalisierung"]
ORG_TYPES = ["IHK", "Unternehmen", "Hochschule", "Kommune"]


def plain_weight(data: dict[str, Any], u: Hashable, v: Hashable) -> float:
    """The walk's edge weight, checked as before (the same errors for bad weights)."""
    value = data.get("weight", 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"Kante {u!r}–{v!r}: Gewicht {value!r} ist keine Zahl")
    if not value > 0 or math.isinf(value):
        raise ValueError(f"Kante {u!r}–{v!r}: Gewicht {value!r} muss positiv und endlich sein")
    return float(value)


def plain_raw_reasons(
    graph: nx.Graph, source: Hashable, wanted: str | None, excluded: frozenset[Hashable]
) -> dict[Hashable, list[Any]]:
    """The walk as it was written before the index (commit d23516e): every lookup through
    networkx's public views, every neighbour of every node it passes checked. The oracle."""
    adjacency = graph.adj
    nodes = graph.nodes
    blocked = set(adjacency[source])
    blocked.add(source)
    blocked |= excluded

    def is_candidate(node: Hashable) -> bool:
        return node not in blocked and nodes[node].get("kind") == wanted

    use_paths = wanted != nodes[source].get("kind")
    two_hop: dict[Hashable, dict[Hashable, float]] = {}
    arriving: dict[Hashable, list[float]] = {}
    for via, source_edge in adjacency[source].items():
        w_source = plain_weight(source_edge, source, via)
        edges = adjacency[via]
        strength = math.fsum(plain_weight(data, via, other) for other, data in edges.items())
        for target, edge in edges.items():
            if target == source:
                continue
            share = w_source * plain_weight(edge, via, target) / strength
            if is_candidate(target):
                two_hop.setdefault(target, {})[via] = share
            if use_paths:
                arriving.setdefault(target, []).append(share)
    three_hop: dict[Hashable, dict[Hashable, float]] = {}
    for via, shares in arriving.items():
        edges = adjacency[via]
        if len(edges) < 2:
            continue
        resource = suggest.PATH_FACTOR * math.fsum(shares)
        strength = math.fsum(plain_weight(data, via, other) for other, data in edges.items())
        for target, edge in edges.items():
            if is_candidate(target):
                three_hop.setdefault(target, {})[via] = (
                    resource * plain_weight(edge, via, target) / strength
                )
    raw: dict[Hashable, list[Any]] = {}
    for target in two_hop.keys() | three_hop.keys():
        reasons: list[Any] = []
        for via, weight in two_hop.get(target, {}).items():
            reasons.append((suggest._via_reason_kind(graph, via), via, weight, None))
        for via, weight in three_hop.get(target, {}).items():
            reasons.append((suggest.PATH, via, weight, None))
        raw[target] = suggest._fold(reasons)
    plain_attribute_evidence(graph, source, wanted, raw)
    return raw


def plain_attribute_evidence(
    graph: nx.Graph, source: Hashable, wanted: str | None, raw: dict[Hashable, list[Any]]
) -> None:
    """The attribute bonuses as they were added before (commit d23516e)."""
    data = graph.nodes[source]
    source_themes = suggest._themes(data.get("themes"))
    source_laender = suggest._laender(data.get("land"))
    explicit = data.get("neighbour_laender")
    nearby = (
        suggest._laender(explicit)
        if explicit is not None
        else suggest.neighbours_of(source_laender)
    )
    with_types = wanted == suggest.INITIATIVE
    source_types = suggest._org_types(graph, source) if with_types else frozenset()
    for target, reasons in raw.items():
        base = suggest._score(reasons)
        target_data = graph.nodes[target]
        bonus: list[Any] = []
        covered = {
            suggest.node_label(graph, via)
            for kind, via, _w, _d in reasons
            if kind == suggest.SHARED_THEME
        }
        shared = sorted(source_themes & suggest._themes(target_data.get("themes")) - covered)
        for theme in shared[: suggest.MAX_ATTRIBUTE_THEMES]:
            bonus.append((suggest.SHARED_THEME, None, suggest.THEME_FACTOR * base, theme))
        target_laender = suggest._laender(target_data.get("land"))
        if source_laender & target_laender:
            bonus.append((suggest.SAME_REGION, None, suggest.SAME_REGION_FACTOR * base, None))
        elif nearby & target_laender:
            factor = suggest.NEIGHBOUR_REGION_FACTOR
            bonus.append((suggest.NEIGHBOURING_REGION, None, factor * base, None))
        if source_types:
            target_types = suggest._org_types(graph, target)
            new_types = target_types - source_types
            if new_types:
                share = len(new_types) / len(target_types)
                weight = suggest.COMPLEMENT_FACTOR * share * base
                bonus.append((suggest.COMPLEMENTARY_MIX, None, weight, new_types))
        reasons.extend(bonus)


def plain_suggestions(
    graph: nx.Graph, source: Hashable, target_kind: str | None, exclude: frozenset[Hashable]
) -> list[suggest.Suggestion]:
    """Every candidate of the plain walk, ranked and written as `suggest_connections` does."""
    wanted = suggest._check_query(graph, source, target_kind)
    raw = plain_raw_reasons(graph, source, wanted, exclude)
    ranked = sorted(((suggest._score(r), node) for node, r in raw.items()), key=suggest._rank_key)
    return [
        suggest.Suggestion(node, score, suggest._write_reasons(graph, source, node, raw[node]))
        for score, node in ranked
    ]


@st.composite
def graphs(draw: st.DrawFn) -> nx.Graph:
    """Small typed graphs shaped like the directory's: kinds, labels, Länder, themes, types,
    weighted edges, some nodes with a stored member mix."""
    count = draw(st.integers(min_value=2, max_value=24))
    graph = nx.Graph()
    for number in range(count):
        kind = draw(st.sampled_from(KINDS))
        data: dict[str, Any] = {"kind": kind, "label": f"{kind} {number}"}
        if kind in ("initiative", "organisation"):
            data["land"] = draw(st.sampled_from([None, *LAENDER]))
            if draw(st.booleans()):
                data["neighbour_laender"] = set(draw(st.sets(st.sampled_from(LAENDER))))
        if kind == "initiative":
            data["themes"] = set(draw(st.sets(st.sampled_from(THEMES), max_size=3)))
            if draw(st.booleans()):
                data["member_org_types"] = frozenset(draw(st.sets(st.sampled_from(ORG_TYPES))))
        if kind == "organisation":
            data["org_type"] = draw(st.sampled_from(ORG_TYPES))
        if kind == "theme":
            data["label"] = draw(st.sampled_from(THEMES))
        graph.add_node(number, **data)
    pairs = st.tuples(st.integers(0, count - 1), st.integers(0, count - 1))
    for u, v in draw(st.lists(pairs, max_size=count * 3)):
        if u != v:
            graph.add_edge(u, v, weight=draw(st.sampled_from(WEIGHTS)))
    return graph


def assert_same_everywhere(graph: nx.Graph, exclude: frozenset[Hashable]) -> None:
    index = WalkIndex(graph)
    kinds = {kind for _node, kind in graph.nodes(data="kind")}
    for source in graph:
        for target_kind in [None, *sorted(kinds)]:
            expected = plain_suggestions(graph, source, target_kind, exclude)
            k = max(len(graph), 1)
            for walk_index in (None, index, index):  # the index's second use: as kept
                found = suggest_connections(
                    graph, source, target_kind=target_kind, k=k, exclude=exclude, index=walk_index
                )
                assert found == expected
                scores = candidate_scores(
                    graph, source, target_kind=target_kind, exclude=exclude, index=walk_index
                )
                assert scores == {s.node: s.score for s in expected}
                for best in (1, 2, 3):  # the candidates left out early: never one of the best
                    found = suggest_connections(
                        graph,
                        source,
                        target_kind=target_kind,
                        k=best,
                        exclude=exclude,
                        index=walk_index,
                    )
                    assert found == expected[:best]


@settings(max_examples=120, derandomize=True, deadline=None)
@given(graphs(), st.data())
def test_the_fast_walk_gives_what_the_plain_walk_gave(graph: nx.Graph, data: st.DataObject) -> None:
    exclude = frozenset(data.draw(st.sets(st.sampled_from(sorted(graph)), max_size=3)))
    assert_same_everywhere(graph, exclude)


def test_the_same_on_a_larger_directory_like_graph_and_its_views() -> None:
    graph = nx.Graph()
    rng = random.Random(23)
    for number in range(40):
        graph.add_node(
            f"i:{number}",
            kind="initiative",
            label=f"Initiative {number}",
            land=rng.choice(LAENDER),
            themes={rng.choice(THEMES)},
        )
    for number in range(150):
        graph.add_node(
            f"o:{number}", kind="organisation", label=f"O {number}", org_type=rng.choice(ORG_TYPES)
        )
        for _ in range(rng.randint(0, 4)):
            graph.add_edge(f"o:{number}", f"i:{rng.randrange(40)}", weight=rng.choice(WEIGHTS))
    for number in range(200):
        graph.add_node(f"p:{number}", kind="person", label=f"P {number}")
        graph.add_edge(f"p:{number}", f"o:{rng.randrange(150)}", weight=1.0)
        if rng.random() < 0.2:
            graph.add_edge(f"p:{number}", f"i:{rng.randrange(40)}", weight=1.0)
    for theme in THEMES:
        graph.add_node(f"t:{theme}", kind="theme", label=theme)
        for number in rng.sample(range(40), 12):  # busy nodes: their edges are kept
            graph.add_edge(f"i:{number}", f"t:{theme}", weight=1.0)
    index = WalkIndex(graph)
    for source in ["i:0", "i:1", "o:0", "o:1", "o:2", "p:0"]:
        expected = plain_suggestions(graph, source, "initiative", frozenset({"i:3"}))
        found = suggest_connections(
            graph, source, target_kind="initiative", k=40, exclude={"i:3"}, index=index
        )
        assert found == expected
    view = graph.subgraph(n for n in graph if n != "t:Wasserstoff")
    assert suggest_connections(view, "o:0", target_kind="initiative", k=40) == plain_suggestions(
        view, "o:0", "initiative", frozenset()
    )


def test_an_index_serves_only_its_own_graph() -> None:
    graph = nx.Graph([("A", "n"), ("n", "B")])
    other = nx.Graph([("A", "n"), ("n", "B")])
    with pytest.raises(ValueError, match="anderen Graphen"):
        suggest_connections(other, "A", index=WalkIndex(graph))
    with pytest.raises(ValueError, match="networkx.Graph"):
        WalkIndex({"A": ["B"]})  # type: ignore[arg-type]


def test_bad_weights_are_still_refused_with_an_index() -> None:
    graph = nx.Graph([("A", "n", {"weight": "viel"}), ("n", "B")])
    with pytest.raises(ValueError, match="keine Zahl"):
        suggest_connections(graph, "A", index=WalkIndex(graph))


def test_a_graph_keeping_its_index_still_pickles() -> None:
    graph = nx.Graph([("A", "n"), ("n", "B")])
    graph.graph["walk_index"] = WalkIndex(graph)
    suggest_connections(graph, "A", index=graph.graph["walk_index"])
    copy = pickle.loads(pickle.dumps(graph))  # noqa: S301 - our own bytes
    assert copy.graph["walk_index"].belongs_to(copy)
    assert suggest_connections(copy, "A", index=copy.graph["walk_index"]) == suggest_connections(
        graph, "A"
    )


@pytest.mark.parametrize("use_index", [False, True])
def test_a_candidate_lifted_by_all_its_attributes_is_not_left_out_early(use_index: bool) -> None:
    """A candidate behind on structure but with every attribute bonus (three themes, the
    same Land, an entirely new member mix: ×1.5) still wins a panel of one; the walk leaves
    out early only candidates that even ×1.5 could not lift."""
    themes = set(THEMES[:3])
    graph = nx.Graph()
    graph.add_node(
        "s", kind="initiative", label="S", land="05", themes=themes, member_org_types={"IHK"}
    )
    graph.add_node(
        "lifted", kind="initiative", label="L", land="05", themes=themes, member_org_types={"HS"}
    )
    graph.add_node("ahead", kind="initiative", label="A", land="12", member_org_types={"IHK"})
    graph.add_node("o", kind="organisation", label="O", org_type="IHK")
    graph.add_edge("s", "o", weight=1.0)
    graph.add_edge("o", "lifted", weight=1.0)  # structure: 1.0 / 3.45 (×1.5: 1.5 / 3.45)
    graph.add_edge("o", "ahead", weight=1.45)  # structure: 1.45 / 3.45, no attribute bonus
    index = WalkIndex(graph) if use_index else None
    found = suggest_connections(graph, "s", k=1, index=index)
    assert [s.node for s in found] == ["lifted"]
    assert found == plain_suggestions(graph, "s", None, frozenset())[:1]
