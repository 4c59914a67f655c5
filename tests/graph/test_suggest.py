"""Tests for crm.graph.suggest: scores, reasons, exclusions, determinism, bad input."""

from __future__ import annotations

import math
import random
from typing import Any

import networkx as nx
import pytest

from crm.graph import evaluate
from crm.graph.suggest import CO_ATTENDANCE
from crm.graph.suggest import COMPLEMENT_FACTOR
from crm.graph.suggest import COMPLEMENTARY_MIX
from crm.graph.suggest import FURTHER
from crm.graph.suggest import MAX_LISTED_REASONS
from crm.graph.suggest import NEIGHBOUR_REGION_FACTOR
from crm.graph.suggest import NEIGHBOURING_REGION
from crm.graph.suggest import PATH
from crm.graph.suggest import SAME_REGION
from crm.graph.suggest import SAME_REGION_FACTOR
from crm.graph.suggest import SHARED_NEIGHBOUR
from crm.graph.suggest import SHARED_THEME
from crm.graph.suggest import THEME_FACTOR
from crm.graph.suggest import Suggestion
from crm.graph.suggest import candidate_scores
from crm.graph.suggest import suggest_connections

NODES = [
    ("A", {"kind": "initiative", "label": "Zukunft Industrie Köln", "land": "05"}),
    ("B", {"kind": "initiative", "label": "Industrie Bonn", "land": "05"}),
    ("C", {"kind": "initiative", "label": "Industrie Hessen", "land": "06"}),
    ("D", {"kind": "initiative", "label": "Industrie Bayern", "land": "09"}),
    ("ihk", {"kind": "organisation", "label": "IHK Köln", "org_type": "IHK"}),
    ("o1", {"kind": "organisation", "label": "Ford", "org_type": "Unternehmen"}),
    ("o2", {"kind": "organisation", "label": "TH Köln", "org_type": "Hochschule"}),
]
EDGES = [("A", "ihk"), ("B", "ihk"), ("C", "ihk"), ("A", "o1"), ("B", "o1"), ("C", "o2")]


def build(nodes: list[Any], edges: list[Any], seed: int | None = None) -> nx.Graph:
    """Build a graph, optionally inserting nodes and edges in a shuffled order."""
    nodes, edges = list(nodes), list(edges)
    if seed is not None:
        rng = random.Random(seed)
        rng.shuffle(nodes)
        rng.shuffle(edges)
        edges = [(v, u, *rest) if rng.random() < 0.5 else (u, v, *rest) for u, v, *rest in edges]
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


def initiatives() -> nx.Graph:
    return build(NODES, EDGES)


def assert_adds_up(suggestions: list[Suggestion]) -> None:
    for suggestion in suggestions:
        total = math.fsum(reason.weight for reason in suggestion.reasons)
        assert math.isclose(suggestion.score, total, rel_tol=1e-12, abs_tol=1e-15)
        assert suggestion.score == total


def test_scores_are_resource_allocation_with_region_and_mix_bonuses() -> None:
    result = suggest_connections(initiatives(), "A")
    assert [s.node for s in result] == ["B", "C"]
    b, c = result
    # B: IHK Köln (3 members) gives 1/3, Ford (2 members) 1/2, plus 10% for the same Land.
    assert b.score == pytest.approx((1 / 3 + 1 / 2) * (1 + SAME_REGION_FACTOR))
    # C: IHK Köln 1/3, Hessen borders NRW, members bring the type Hochschule (1 of 2 types).
    base = 1 / 3
    expected = base * (1 + NEIGHBOUR_REGION_FACTOR + COMPLEMENT_FACTOR * 0.5)
    assert c.score == pytest.approx(expected)
    assert [r.kind for r in c.reasons] == [SHARED_NEIGHBOUR, COMPLEMENTARY_MIX, NEIGHBOURING_REGION]
    assert_adds_up(result)


def test_german_texts_for_members_region_and_mix() -> None:
    b, c = suggest_connections(initiatives(), "A")
    assert [r.text for r in b.reasons] == [
        "Beide haben Ford als Mitglied",
        "Beide haben IHK Köln als Mitglied",
        "Gleiches Bundesland",
    ]
    assert [r.via for r in b.reasons] == ["o1", "ihk", None]
    assert b.reasons[2].kind == SAME_REGION
    assert [r.text for r in c.reasons] == [
        "Beide haben IHK Köln als Mitglied",
        "Ergänzende Mitglieder: Hochschule",
        "Nachbarregion",
    ]


def test_theme_nodes_and_theme_attributes() -> None:
    graph = initiatives()
    graph.add_node("t1", kind="theme", label="Wasserstoff")
    graph.add_edges_from([("A", "t1"), ("C", "t1")])
    graph.nodes["A"]["themes"] = {"Wasserstoff", "Fachkräfte/Ausbildung/MINT"}
    graph.nodes["B"]["themes"] = {"Fachkräfte/Ausbildung/MINT"}
    graph.nodes["C"]["themes"] = {"Wasserstoff"}
    result = {s.node: s for s in suggest_connections(graph, "A")}
    c_themes = [r for r in result["C"].reasons if r.kind == SHARED_THEME]
    # The theme node already says it; the attribute is not counted twice.
    assert [(r.via, r.weight, r.text) for r in c_themes] == [
        ("t1", 0.5, "Beide arbeiten zu Wasserstoff")
    ]
    b_themes = [r for r in result["B"].reasons if r.kind == SHARED_THEME]
    base = 1 / 3 + 1 / 2
    assert [(r.via, r.text) for r in b_themes] == [
        (None, "Beide arbeiten zu Fachkräfte/Ausbildung/MINT")
    ]
    assert b_themes[0].weight == pytest.approx(THEME_FACTOR * base)
    assert_adds_up(list(result.values()))


def test_attributes_alone_never_make_a_suggestion() -> None:
    graph = initiatives()
    graph.nodes["A"]["themes"] = {"Wasserstoff"}
    graph.nodes["D"]["themes"] = {"Wasserstoff"}
    graph.nodes["D"]["land"] = "05"
    assert "D" not in [s.node for s in suggest_connections(graph, "A")]


def test_co_attendance_between_people() -> None:
    graph = nx.Graph()
    graph.add_node("e", kind="event", label="Netzwerktreffen 16.03.2021")
    graph.add_node("w", kind="workshop", label="Wasserstoff-Werkstatt")
    graph.add_nodes_from(["p1", "p2", "p3"], kind="person")
    graph.add_edges_from([("p1", "e"), ("p2", "e"), ("p3", "e"), ("p1", "w"), ("p2", "w")])
    p2, p3 = suggest_connections(graph, "p1")
    assert (p2.node, p3.node) == ("p2", "p3")
    assert {r.text for r in p2.reasons} == {
        "Beide waren beim Netzwerktreffen 16.03.2021",
        "Beide waren im Workshop Wasserstoff-Werkstatt",
    }
    assert {r.kind for r in p2.reasons} == {CO_ATTENDANCE}
    assert p2.score == pytest.approx(1 / 3 + 1 / 2)
    assert p3.score == pytest.approx(1 / 3)


def test_excludes_source_neighbours_and_exclude_list() -> None:
    graph = initiatives()
    graph.add_edge("A", "B", kind="relationship")
    nodes = [s.node for s in suggest_connections(graph, "A")]
    assert nodes == ["C"]
    assert suggest_connections(graph, "A", exclude=["C"]) == []
    from_c = [s.node for s in suggest_connections(graph, "C")]
    assert "C" not in from_c
    assert "ihk" not in from_c


def test_target_kind_filters_and_uses_paths_across_kinds() -> None:
    graph = initiatives()
    result = suggest_connections(graph, "o1", target_kind="initiative")
    # o1 is in A and B already; C is reached through co-member IHK Köln.
    assert [s.node for s in result] == ["C"]
    (reason,) = result[0].reasons
    assert (reason.kind, reason.via, reason.text) == (
        PATH,
        "ihk",
        "Indirekte Verbindung über IHK Köln",
    )
    assert_adds_up(result)
    organisations = suggest_connections(graph, "o1")
    assert {s.node for s in organisations} == {"ihk"}
    assert {r.text for r in organisations[0].reasons} == {
        "Beide sind Mitglied in Zukunft Industrie Köln",
        "Beide sind Mitglied in Industrie Bonn",
    }


def test_k_limits_and_ties_break_by_node() -> None:
    graph = nx.star_graph(5)  # centre 0, leaves 1..5 all tie for leaf 1
    result = suggest_connections(graph, 1, k=3)
    assert [s.node for s in result] == [2, 3, 4]
    assert all(s.score == pytest.approx(1 / 5) for s in result)
    assert result[0].reasons[0].text == "Gemeinsame Verbindung über 0"


def test_same_result_for_shuffled_insertion_order() -> None:
    graph = nx.les_miserables_graph()
    nodes = list(graph.nodes(data=True))
    edges = list(graph.edges(data=True))
    expected = suggest_connections(graph, "Valjean", k=15)
    for seed in range(5):
        shuffled = build(nodes, edges, seed=seed)
        assert suggest_connections(shuffled, "Valjean", k=15) == expected
    assert_adds_up(expected)


def test_many_shared_neighbours_are_folded_into_one_reason() -> None:
    graph = nx.Graph()
    graph.add_nodes_from(["s", "t"], kind="initiative")
    for index in range(12):
        hub = f"o{index:02d}"
        graph.add_node(hub, kind="organisation", label=f"Org {index}")
        graph.add_edges_from([("s", hub), ("t", hub)])
        for leaf in range(index):  # ever larger hubs give ever smaller shares
            graph.add_edge(hub, f"{hub}-x{leaf}")
    (suggestion,) = suggest_connections(graph, "s")
    reasons = suggestion.reasons
    assert len(reasons) == MAX_LISTED_REASONS + 1
    assert [r.via for r in reasons[:MAX_LISTED_REASONS]] == ["o00", "o01", "o02", "o03", "o04"]
    folded = reasons[-1]
    assert (folded.kind, folded.via) == (FURTHER, None)
    assert folded.text == "… und 7 weitere gemeinsame Verbindungen"
    assert folded.weight == pytest.approx(sum(1 / (index + 2) for index in range(5, 12)))
    assert suggestion.score == pytest.approx(sum(1 / (index + 2) for index in range(12)))
    assert_adds_up([suggestion])


def test_plain_graph_without_weights_scores_like_resource_allocation() -> None:
    graph = nx.Graph(nx.karate_club_graph().edges())
    for source in graph.nodes:
        ours = candidate_scores(graph, source)
        non_edges = [(source, other) for other in nx.non_neighbors(graph, source)]
        for _u, other, expected in nx.resource_allocation_index(graph, non_edges):
            assert ours.get(other, 0.0) == pytest.approx(expected, abs=1e-12)


def test_edge_weights_shift_the_shares() -> None:
    graph = nx.Graph()
    graph.add_edge("s", "n", weight=2.0)
    graph.add_edge("n", "a", weight=3.0)
    graph.add_edge("n", "b", weight=1.0)
    scores = candidate_scores(graph, "s")
    # n has strength 6: s's weight 2 times the link's weight, shared by that strength.
    assert scores == {"a": pytest.approx(2 * 3 / 6), "b": pytest.approx(2 * 1 / 6)}


def test_isolated_source_has_no_suggestions() -> None:
    graph = initiatives()
    assert suggest_connections(graph, "D") == []


@pytest.mark.parametrize(
    ("graph", "source", "kwargs", "message"),
    [
        (initiatives(), "X", {}, "'X' ist nicht im Graphen"),
        (initiatives(), ["A"], {}, "nicht im Graphen"),
        (initiatives(), "A", {"target_kind": "event"}, "Unbekannte Knotenart 'event'"),
        (initiatives(), "A", {"k": 0}, "k muss positiv"),
        (initiatives(), "A", {"k": -3}, "k muss positiv"),
        (initiatives(), "A", {"k": 2.5}, "ganze Zahl"),
        (initiatives(), "A", {"k": True}, "ganze Zahl"),
        (initiatives(), "A", {"exclude": 5}, "exclude"),
        (nx.Graph(), "A", {}, "leer"),
        (nx.DiGraph([("A", "B")]), "A", {}, "ungerichtete"),
        (nx.MultiGraph([("A", "B")]), "A", {}, "ungerichtete"),
        ({"A": ["B"]}, "A", {}, "networkx.Graph"),
        (nx.Graph([("A", "n", {"weight": -1}), ("n", "B")]), "A", {}, "positiv"),
        (nx.Graph([("A", "n", {"weight": "viel"}), ("n", "B")]), "A", {}, "keine Zahl"),
    ],
)
def test_bad_input_raises_value_error(
    graph: Any, source: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        suggest_connections(graph, source, **kwargs)


def test_kindless_graph_rejects_a_target_kind() -> None:
    with pytest.raises(ValueError, match="Unbekannte Knotenart 'person'"):
        suggest_connections(nx.karate_club_graph(), 0, target_kind="person")


def test_ours_beats_resource_allocation_on_karate_club() -> None:
    graph = nx.karate_club_graph()
    seeds = [0, 1, 2]
    ours_auc, _ = evaluate.evaluate_method(evaluate.ours, graph, seeds=seeds)
    ra_auc, _ = evaluate.evaluate_method(
        evaluate.METHODS["Resource allocation"], graph, seeds=seeds
    )
    assert ours_auc >= ra_auc


def test_auc_and_precision_helpers() -> None:
    assert evaluate.auc([2.0], [1.0, 0.0]) == 1.0
    assert evaluate.auc([1.0], [1.0]) == 0.5
    assert evaluate.auc([0.0, 2.0], [1.0]) == 0.5
    # Two tied at the cut, one of them positive: half a hit expected.
    assert evaluate.precision_at([3.0, 2.0, 2.0, 1.0], [True, True, False, True], k=2) == 0.75
