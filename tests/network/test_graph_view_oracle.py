"""`select_view` against a plain oracle on random graphs: the fast cut (matching nodes found
from the initiatives outwards, neighbours walked unsorted, degrees and edges counted in C)
shows the same nodes, edges, counts and search hits as the filters' rules applied node by
node on subgraphs."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from crm.graph.graphview import DEFAULT_KINDS
from crm.graph.graphview import KINDS
from crm.graph.graphview import GraphView
from crm.graph.graphview import ViewEdge
from crm.graph.graphview import ViewFilters
from crm.graph.graphview import ViewNode
from crm.graph.graphview import _kinds_for
from crm.graph.graphview import community_of
from crm.graph.graphview import find_nodes
from crm.graph.graphview import initiative_network
from crm.graph.graphview import select_view

PREFIX = {"initiative": "i", "organisation": "o", "person": "p", "theme": "t", "event": "e"}
LAENDER = ["01", "03", "09"]
THEMES = ["Wasserstoff", "Chemie"]
WORDS = ["Nord", "Süd", "Werk", "Forum"]


@st.composite
def graphs(draw: Any) -> tuple[nx.Graph, list[set[Hashable]]]:
    """A small graph of the builder's shape and initiative communities."""
    graph = nx.Graph()
    kinds = draw(st.lists(st.sampled_from(sorted(PREFIX)), min_size=1, max_size=20))
    for number, kind in enumerate(kinds, start=1):
        data: dict[str, Any] = {"kind": kind, "label": f"{draw(st.sampled_from(WORDS))} {number}"}
        if kind in ("initiative", "organisation") and draw(st.booleans()):
            data["land"] = draw(st.sampled_from(LAENDER))
        if kind == "initiative":
            data["laender"] = set(draw(st.lists(st.sampled_from(LAENDER), max_size=2)))
            data["themes"] = set(draw(st.lists(st.sampled_from(THEMES), min_size=1, max_size=2)))
        graph.add_node(f"{PREFIX[kind]}:{number}", **data)
    nodes = sorted(graph)
    for a in nodes:  # each node linked to up to three others
        for b in draw(st.lists(st.sampled_from(nodes), max_size=3)):
            if a != b:
                graph.add_edge(a, b, kind=draw(st.sampled_from(["membership", "role", "link"])),
                               weight=float(draw(st.integers(1, 3))))  # fmt: skip
    initiatives = [node for node in nodes if node.startswith("i:")]
    groups: list[set[Hashable]] = [set(), set(), set()]
    for node in initiatives:
        groups[draw(st.integers(0, 2))].add(node)
    return graph, [group for group in groups if group]


@st.composite
def filters(draw: Any, graph: nx.Graph) -> ViewFilters:
    focus = draw(st.sampled_from([None, "i:99", *sorted(graph)]))
    return ViewFilters(
        kinds=frozenset(draw(st.lists(st.sampled_from(KINDS), max_size=3))),
        land=draw(st.sampled_from([None, None, *LAENDER])),
        theme=draw(st.sampled_from([None, *THEMES])),
        community=draw(st.sampled_from([None, None, 1, 2])),
        focus=focus,
        depth=draw(st.sampled_from([1, 2])),
        search=draw(st.sampled_from(["", "nord", "1", "werk 2"])),
    )


def oracle(
    graph: nx.Graph, wanted: ViewFilters, numbers: dict[Hashable, int], max_nodes: int
) -> GraphView:
    """The view by the rules of `select_view`'s docstring, node by node."""
    kind = {node: str(k) for node, k in graph.nodes(data="kind")}
    focus = wanted.focus
    if focus is not None and (focus not in graph or kind[focus] not in KINDS):
        return GraphView()

    def laender(node: Hashable) -> set[str]:
        data = graph.nodes[node]
        return set(data.get("laender") or ()) | ({data["land"]} if data.get("land") else set())

    def initiative_matches(node: Hashable) -> bool:
        return (wanted.land is None or wanted.land in laender(node)) and (
            wanted.theme is None or wanted.theme in graph.nodes[node].get("themes", set())
        )

    def organisation_matches(node: Hashable) -> bool:
        return (wanted.land is None or wanted.land in laender(node)) and (
            wanted.theme is None
            or any(kind[o] == "initiative" and initiative_matches(o) for o in graph.adj[node])
        )

    def matches(node: Hashable) -> bool:
        located = wanted.land is not None or wanted.theme is not None
        if kind[node] == "initiative":
            found = initiative_matches(node)
        elif kind[node] == "organisation":
            found = organisation_matches(node)
        else:
            found = not located or any(
                (kind[o] == "initiative" and initiative_matches(o))
                or (kind[o] == "organisation" and organisation_matches(o))
                for o in graph.adj[node]
            )
        return found and (wanted.community is None or numbers.get(node) == wanted.community)

    chosen = _kinds_for(graph, wanted)
    aggregated = chosen == DEFAULT_KINDS
    of_kinds = graph.subgraph(node for node in graph if kind[node] in chosen)
    base = initiative_network(graph) if aggregated else of_kinds
    allowed = {node for node in base if kind[node] in chosen and matches(node)}
    if focus is not None:
        walk = base.subgraph(allowed | {focus})
        distance = dict(nx.single_source_shortest_path_length(walk, focus, cutoff=wanted.depth))
    else:
        distance = {}
    candidates = set(distance) if focus is not None else allowed
    degree = {node: base.degree(node) for node in candidates}
    hits = find_nodes(graph, wanted.search) if wanted.search else []
    selected = next((hit for hit in hits if hit in candidates), None)
    pinned = {focus, selected} - {None}

    def label(node: Hashable) -> str:
        return str(graph.nodes[node].get("label") or node)

    shown = sorted(
        candidates,
        key=lambda n: (
            n not in pinned,
            distance.get(n, 0),
            kind[n] != "initiative",
            -degree[n],
            label(n).casefold(),
            str(n),
        ),  # fmt: skip
    )[:max_nodes]

    def view_node(node: Hashable, degree_of: int) -> ViewNode:
        return ViewNode(node, kind[node], label(node), degree_of, numbers.get(node),
                        distance.get(node) if focus is not None else None)  # fmt: skip

    edges = sorted(
        (
            ViewEdge(
                min(u, v, key=str),
                max(u, v, key=str),
                str(data.get("kind") or ""),
                float(data.get("shared") or data.get("weight") or 1.0),
            )  # fmt: skip
            for u, v, data in base.subgraph(shown).edges(data=True)
        ),
        key=lambda edge: (str(edge.source), str(edge.target)),
    )
    return GraphView(
        nodes=[view_node(node, degree[node]) for node in shown],
        edges=edges,
        kinds=tuple(k for k in KINDS if k in chosen),
        aggregated=aggregated,
        matched=len(candidates),
        hidden=len(candidates) - len(shown),
        focus=focus,
        selected=selected,
        matches=[view_node(hit, graph.degree(hit)) for hit in hits],
    )


@settings(max_examples=500, deadline=None)
@given(data=st.data(), made=graphs(), max_nodes=st.integers(1, 25))
def test_select_view_shows_what_the_rules_say(data: Any, made: Any, max_nodes: int) -> None:
    graph, groups = made
    wanted = data.draw(filters(graph))
    numbers = community_of(graph, groups)
    view = select_view(graph, wanted, communities=groups, max_nodes=max_nodes)
    assert view == oracle(graph, wanted, numbers, max_nodes)
