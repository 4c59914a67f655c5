"""What does the network look like? Communities, brokers, isolates and links across Länder.

All functions are deterministic for a given seed: they work on a canonical copy of
the graph (nodes and edges sorted by their string form), so the result does not
depend on the order in which nodes and edges were inserted.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from crm.graph.suggest import THEME
from crm.graph.suggest import node_kind
from crm.graph.suggest import node_label
from crm.graph.suggest import validate_graph

BETWEENNESS = "Betweenness-Zentralität"
PARTICIPATION = "Partizipationskoeffizient"

#: Up to this many nodes betweenness is exact; above it is sampled from this many sources.
EXACT_BETWEENNESS_LIMIT = 2_000
BETWEENNESS_SAMPLES = 256
#: Community labels name this many of the most frequent themes.
LABEL_THEMES = 2
#: Node kinds that describe rather than connect: sharing one is no link.
DESCRIPTIVE_KINDS = frozenset({THEME})


@dataclass(frozen=True)
class Community:
    """A group of densely linked nodes, labelled by its most frequent themes."""

    nodes: frozenset[Hashable]
    label: str
    size: int


@dataclass(frozen=True)
class Broker:
    """A node that bridges groups, with its score under `measure`."""

    node: Hashable
    score: float
    measure: str


@dataclass(frozen=True)
class CrossRegionLink:
    """Two nodes in different Länder linked directly (`via` None) or through `via`."""

    a: Hashable
    b: Hashable
    land_a: str
    land_b: str
    via: Hashable | None


def _node_key(node: Hashable) -> tuple[str, str]:
    return (str(node), type(node).__name__)


def _canonical(graph: nx.Graph) -> nx.Graph:
    """Copy `graph` with nodes and edges inserted in sorted order."""
    canonical = nx.Graph()
    canonical.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: _node_key(item[0])))
    edges = []
    for u, v, data in graph.edges(data=True):
        a, b = sorted((u, v), key=_node_key)
        edges.append((a, b, data))
    edges.sort(key=lambda edge: (_node_key(edge[0]), _node_key(edge[1])))
    canonical.add_edges_from(edges)
    return canonical


def _check_kind(graph: nx.Graph, kind: str | None) -> None:
    if kind is None:
        return
    if not any(found == kind for _node, found in graph.nodes(data="kind")):
        raise ValueError(f"Unbekannte Knotenart {kind!r}: kein Knoten dieser Art im Graphen")


def _of_kind(graph: nx.Graph, kind: str | None) -> list[Hashable]:
    return sorted(
        (node for node, found in graph.nodes(data="kind") if kind is None or found == kind),
        key=_node_key,
    )


def project(
    graph: nx.Graph, kind: str, *, skip_kinds: frozenset[str] = DESCRIPTIVE_KINDS
) -> nx.Graph:
    """Return the weighted graph of `kind` nodes, linked by shared neighbours and direct edges.

    The weight of a link is the number of shared neighbours (not counting neighbours
    of `skip_kinds`, by default theme nodes) plus one for a direct edge.
    """
    validate_graph(graph)
    projection = nx.Graph()
    if graph.number_of_nodes() == 0:
        return projection
    _check_kind(graph, kind)
    members = _of_kind(graph, kind)
    projection.add_nodes_from((node, dict(graph.nodes[node])) for node in members)
    # Walk out from the members only, so the cost is local to them, not to the graph.
    weights: Counter[tuple[Hashable, Hashable]] = Counter()
    vias: set[Hashable] = set()
    for member in members:
        for neighbour in graph.adj[member]:
            neighbour_kind = node_kind(graph, neighbour)
            if neighbour_kind == kind:
                if _node_key(member) < _node_key(neighbour):
                    weights[(member, neighbour)] += 1
            elif neighbour_kind not in skip_kinds:
                vias.add(neighbour)
    for via in vias:
        linked = sorted(
            (other for other in graph.adj[via] if node_kind(graph, other) == kind), key=_node_key
        )
        for a, b in itertools.combinations(linked, 2):
            weights[(a, b)] += 1
    projection.add_weighted_edges_from(
        (a, b, float(weight)) for (a, b), weight in sorted(weights.items(), key=_pair_key)
    )
    return projection


def _pair_key(item: tuple[tuple[Hashable, Hashable], Any]) -> tuple[tuple[str, str], ...]:
    (a, b), _value = item
    return (_node_key(a), _node_key(b))


def _themes_of(graph: nx.Graph, node: Hashable) -> set[str]:
    """Themes of `node`: its `themes` attribute, adjacent theme nodes, itself if a theme."""
    found: set[str] = set()
    value = graph.nodes[node].get("themes")
    if isinstance(value, str):
        found.add(value)
    elif value:
        found.update(str(theme) for theme in value)
    if node_kind(graph, node) == THEME:
        found.add(node_label(graph, node))
    for other in graph.adj[node]:
        if node_kind(graph, other) == THEME:
            found.add(node_label(graph, other))
    return found


def _label(graph: nx.Graph, nodes: frozenset[Hashable]) -> str:
    counts: Counter[str] = Counter()
    for node in nodes:
        if node in graph:
            counts.update(_themes_of(graph, node))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(theme for theme, _count in ranked[:LABEL_THEMES])


def communities(
    graph: nx.Graph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    kind: str | None = None,
) -> list[Community]:
    """Return Louvain communities, largest first, labelled by their most frequent themes.

    With `kind`, the communities are those of `project(graph, kind)`: nodes of that
    kind grouped by the neighbours they share. Labels come from the original graph.
    """
    validate_graph(graph)
    if isinstance(resolution, bool) or not isinstance(resolution, int | float):
        raise ValueError(f"resolution muss eine Zahl sein, nicht {resolution!r}")
    if not resolution > 0 or math.isinf(resolution):
        raise ValueError(f"resolution muss positiv sein, nicht {resolution!r}")
    if graph.number_of_nodes() == 0:
        return []
    work = project(graph, kind) if kind is not None else graph
    found = nx.community.louvain_communities(
        _canonical(work), weight="weight", resolution=resolution, seed=seed
    )
    groups = sorted(
        (frozenset(group) for group in found),
        key=lambda group: (-len(group), min(_node_key(node) for node in group)),
    )
    result = []
    for number, group in enumerate(groups, start=1):
        label = _label(graph, group) or f"Gruppe {number}"
        result.append(Community(nodes=group, label=label, size=len(group)))
    return result


def brokers(
    graph: nx.Graph,
    k: int = 10,
    *,
    seed: int = 0,
    measure: str = "betweenness",
    kind: str | None = None,
) -> list[Broker]:
    """Return the `k` nodes (of `kind`, if given) that bridge most between groups.

    ``measure="betweenness"``: share of shortest paths through the node (exact up to
    `EXACT_BETWEENNESS_LIMIT` nodes, sampled from `BETWEENNESS_SAMPLES` sources above).
    ``measure="participation"``: how evenly a node's links spread over the Louvain
    communities (0 = all in one, towards 1 = spread over many).
    Nodes scoring 0 are not brokers and are left out.
    """
    validate_graph(graph)
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k muss eine positive ganze Zahl sein, nicht {k!r}")
    if measure not in ("betweenness", "participation"):
        raise ValueError(f"Unbekanntes Maß {measure!r}: 'betweenness' oder 'participation'")
    if graph.number_of_nodes() == 0:
        return []
    _check_kind(graph, kind)
    canonical = _canonical(graph)
    if measure == "betweenness":
        scores = _betweenness(canonical, seed)
        name = BETWEENNESS
    else:
        scores = _participation(canonical, seed)
        name = PARTICIPATION
    ranked = sorted(
        (
            (round(score, 12), node)
            for node, score in scores.items()
            if score > 0 and (kind is None or node_kind(graph, node) == kind)
        ),
        key=lambda item: (-item[0], _node_key(item[1])),
    )
    return [Broker(node=node, score=score, measure=name) for score, node in ranked[:k]]


def _betweenness(graph: nx.Graph, seed: int) -> dict[Hashable, float]:
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_LIMIT:
        return dict(nx.betweenness_centrality(graph))
    return dict(nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, seed=seed))


def _participation(graph: nx.Graph, seed: int) -> dict[Hashable, float]:
    found = nx.community.louvain_communities(graph, weight=None, seed=seed)
    community_of = {node: index for index, group in enumerate(found) for node in group}
    scores: dict[Hashable, float] = {}
    for node in graph.nodes:
        degree = len(graph.adj[node])
        if degree == 0:
            scores[node] = 0.0
            continue
        per_community = Counter(community_of[other] for other in graph.adj[node])
        scores[node] = 1.0 - math.fsum((count / degree) ** 2 for count in per_community.values())
    return scores


def isolates(graph: nx.Graph, kind: str | None) -> list[Hashable]:
    """Return the nodes of `kind` that are linked to no other node of `kind`, sorted.

    A node of `kind` (say an initiative) is isolated when no other node of `kind` is
    within two steps of it: it has no direct edge to another initiative (an explicit
    relationship), and none of its neighbours (members, people, events) is linked
    to another initiative. Theme nodes do not count as links: sharing a theme is
    not knowing each other. Nodes without any edges are isolated as well.
    ``kind=None`` treats all nodes as one kind.
    """
    validate_graph(graph)
    if graph.number_of_nodes() == 0:
        return []
    _check_kind(graph, kind)

    def same_kind(node: Hashable) -> bool:
        return kind is None or node_kind(graph, node) == kind

    result = []
    for node in _of_kind(graph, kind):
        linked = False
        for neighbour in graph.adj[node]:
            if same_kind(neighbour):
                linked = True
            elif node_kind(graph, neighbour) not in DESCRIPTIVE_KINDS:
                linked = any(other != node and same_kind(other) for other in graph.adj[neighbour])
            if linked:
                break
        if not linked:
            result.append(node)
    return result


def _land_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    try:
        return ",".join(sorted(str(code) for code in value))
    except TypeError:
        return str(value)


def _land_codes(value: Any) -> frozenset[str]:
    text = _land_text(value)
    return frozenset(text.split(",")) if text else frozenset()


def cross_region_links(graph: nx.Graph, *, kind: str | None = None) -> list[CrossRegionLink]:
    """Return pairs of nodes in different Länder that are linked, sorted by the pair.

    Both nodes need a `land` (an AGS code, or several) and must share none. They are
    linked directly (`via` None; for initiatives: a relationship) or through a shared
    neighbour that is not a theme (for initiatives: a member organisation; `via` is
    the first such neighbour in sorted order). With `kind`, only pairs of that kind,
    and only neighbours of another kind count as shared (two initiatives related to
    the same third initiative are not linked to each other).
    """
    validate_graph(graph)
    if graph.number_of_nodes() == 0:
        return []
    _check_kind(graph, kind)
    laender = {
        node: codes
        for node, value in graph.nodes(data="land")
        if (kind is None or node_kind(graph, node) == kind) and (codes := _land_codes(value))
    }
    links: dict[tuple[Hashable, Hashable], Hashable | None] = {}

    def consider(u: Hashable, v: Hashable, via: Hashable | None) -> None:
        if u not in laender or v not in laender or laender[u] & laender[v]:
            return
        pair = (u, v) if _node_key(u) < _node_key(v) else (v, u)
        if (
            pair not in links
            or links[pair] is not None
            and (via is None or _node_key(via) < _node_key(links[pair]))
        ):
            links[pair] = via

    for u, v in graph.edges():
        consider(u, v, None)
    for via in graph.nodes:
        via_kind = node_kind(graph, via)
        if via_kind in DESCRIPTIVE_KINDS or (kind is not None and via_kind == kind):
            continue
        located = sorted((node for node in graph.adj[via] if node in laender), key=_node_key)
        for u, v in itertools.combinations(located, 2):
            consider(u, v, via)
    return [
        CrossRegionLink(
            a=a,
            b=b,
            land_a=_land_text(graph.nodes[a].get("land")),
            land_b=_land_text(graph.nodes[b].get("land")),
            via=via,
        )
        for (a, b), via in sorted(links.items(), key=_pair_key)
    ]
