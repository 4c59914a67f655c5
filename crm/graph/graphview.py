"""Which part of a large network to draw: filters, neighbourhoods, search and a node cap.

Pure networkx and the standard library, like the rest of `crm.graph`. The input is
the graph of `crm.network.builder` (or any graph of that shape: every node has a
`kind`, optionally `label`, `land`/`laender` and `themes`); the output is plain data
that a drawing library can take as it is.

Drawing all ~3,500 nodes of the full network at once helps nobody, so the default view
is aggregated: initiatives only, linked by their explicit relationships and by the
members and persons they share (`initiative_network`, weighted by the number shared).
Organisations and persons are drawn when a kind filter or a neighbourhood asks for
them, and never more than `max_nodes` nodes: the rest is counted as hidden.
"""

from __future__ import annotations

from collections import Counter
from collections import deque
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import networkx as nx

from crm.graph.analytics import project
from crm.graph.suggest import INITIATIVE
from crm.graph.suggest import ORGANISATION
from crm.graph.suggest import PERSON
from crm.graph.suggest import node_kind
from crm.graph.suggest import node_label

#: The node kinds a view can show.
KINDS: tuple[str, ...] = (INITIATIVE, ORGANISATION, PERSON)
#: The aggregated view: initiatives only.
DEFAULT_KINDS = frozenset({INITIATIVE})
#: At most this many nodes are drawn; the others are counted as hidden.
DEFAULT_MAX_NODES = 600
#: Neighbourhoods reach this many hops at most.
MAX_DEPTH = 2
#: Edge kinds of the aggregated initiative network.
RELATIONSHIP = "relationship"
SHARED = "shared"


@dataclass(frozen=True)
class ViewFilters:
    """What the viewer asked for. Empty values mean "no filter"."""

    kinds: frozenset[str] = frozenset()
    land: str | None = None
    theme: str | None = None
    community: int | None = None
    focus: Hashable | None = None
    depth: int = 1
    search: str = ""


@dataclass(frozen=True)
class ViewNode:
    """A node to draw: `degree` in the network the view is cut from, `distance` from the focus."""

    id: Hashable
    kind: str
    label: str
    degree: int
    community: int | None
    distance: int | None = None


@dataclass(frozen=True)
class ViewEdge:
    """An edge to draw between two shown nodes."""

    source: Hashable
    target: Hashable
    kind: str
    weight: float


@dataclass
class GraphView:
    """The part of the network to draw, and what was left out."""

    nodes: list[ViewNode] = field(default_factory=list)
    edges: list[ViewEdge] = field(default_factory=list)
    kinds: tuple[str, ...] = ()
    aggregated: bool = False
    #: Nodes that met the filters (and lie in the neighbourhood, with a focus).
    matched: int = 0
    #: Of those, how many were left out because of the cap.
    hidden: int = 0
    focus: Hashable | None = None
    #: The best search hit among the shown nodes (None: no search or nothing shown matched).
    selected: Hashable | None = None
    #: Search hits in the whole network, best first (also those the filters hide).
    matches: list[ViewNode] = field(default_factory=list)


def _key(node: Hashable) -> str:
    return str(node)


def initiative_network(graph: nx.Graph) -> nx.Graph:
    """Initiatives linked by explicit relationships and by the neighbours they share.

    Edge attributes: `kind` ("relationship" when the two are linked directly, else
    "shared"), `shared` (how many members, persons, ... they share; themes do not
    count) and `weight` (shared plus one for a direct link).
    """
    if not any(kind == INITIATIVE for _node, kind in graph.nodes(data="kind")):
        return nx.Graph()
    network = project(graph, INITIATIVE)
    for a, b, data in network.edges(data=True):
        direct = graph.has_edge(a, b)
        data["kind"] = RELATIONSHIP if direct else SHARED
        data["shared"] = int(data["weight"]) - int(direct)
    return network


def community_of(graph: nx.Graph, groups: Sequence[Collection[Hashable]]) -> dict[Hashable, int]:
    """Number every node of `graph` by its community (1 = the first group).

    Nodes in `groups` (usually initiative communities) get their group's number. The
    other nodes take the most frequent number among their numbered neighbours (ties:
    the lower number), in two rounds: organisations and persons next to an initiative,
    then persons next to such an organisation. Nodes reached by neither have none.
    """
    numbers: dict[Hashable, int] = {}
    for number, group in enumerate(groups, start=1):
        for node in group:
            if node in graph:
                numbers[node] = number
    for _round in range(2):
        found: dict[Hashable, int] = {}
        for node in graph:
            if node in numbers:
                continue
            counts = Counter(numbers[other] for other in graph.adj[node] if other in numbers)
            if counts:
                found[node] = min(counts, key=lambda n: (-counts[n], n))
        numbers.update(found)
    return numbers


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def find_nodes(
    graph: nx.Graph, text: str, *, kinds: Iterable[str] = KINDS, limit: int = 10
) -> list[Hashable]:
    """Nodes of `kinds` whose label contains `text` (case-insensitive), best first.

    Exact matches first, then labels starting with the text, then a word starting with
    it, then any other match; within each, more connected nodes first, then by label.
    """
    wanted = _fold(text)
    if not wanted or limit <= 0:
        return []
    allowed = set(kinds)
    hits: list[tuple[int, int, str, str, Hashable]] = []
    for node, kind in graph.nodes(data="kind"):
        if kind not in allowed:
            continue
        label = _fold(node_label(graph, node))
        if wanted not in label:
            continue
        if label == wanted:
            rank = 0
        elif label.startswith(wanted):
            rank = 1
        elif f" {wanted}" in f" {label}":
            rank = 2
        else:
            rank = 3
        hits.append((rank, -graph.degree(node), label, _key(node), node))
    hits.sort(key=lambda hit: hit[:4])
    return [hit[4] for hit in hits[:limit]]


def _laender(graph: nx.Graph, node: Hashable) -> set[str]:
    data = graph.nodes[node]
    found = set(data.get("laender") or ())
    if data.get("land"):
        found.add(str(data["land"]))
    return found


def _themes(graph: nx.Graph, node: Hashable) -> set[str]:
    value = graph.nodes[node].get("themes") or ()
    return {value} if isinstance(value, str) else {str(theme) for theme in value}


def _matcher(
    graph: nx.Graph, filters: ViewFilters, numbers: Mapping[Hashable, int]
) -> set[Hashable] | None:
    """The nodes of KINDS that pass the Land, theme and community filters (None: all do).

    An initiative matches by its own Länder and themes; an organisation by its own Land
    and, for a theme, by being a member of a matching initiative; a person by a link to
    a matching initiative or organisation. Found from the matching initiatives outwards:
    the members of those with the theme, the persons next to those that match (not every
    organisation and person of the network asked for its neighbours).
    """
    if filters.land is None and filters.theme is None and filters.community is None:
        return None
    if filters.land is None and filters.theme is None:
        # the community alone: every node of KINDS numbered with it
        return {
            node
            for node, number in numbers.items()
            if number == filters.community and node_kind(graph, node) in KINDS
        }
    initiatives: list[Hashable] = []
    organisations: list[Hashable] = []
    for node, kind in graph.nodes(data="kind"):
        if kind == INITIATIVE:
            initiatives.append(node)
        elif kind == ORGANISATION and filters.theme is None:
            organisations.append(node)
    keep: set[Hashable] = set()
    for node in initiatives:
        if filters.land is not None and filters.land not in _laender(graph, node):
            continue
        if filters.theme is not None and filters.theme not in _themes(graph, node):
            continue
        keep.add(node)
    if filters.theme is not None:  # only members of a matching initiative may match
        organisations = list(_next_to(graph, keep, ORGANISATION))
    for node in organisations:
        if filters.land is not None and filters.land not in _laender(graph, node):
            continue
        keep.add(node)
    keep |= _next_to(graph, keep, PERSON)
    if filters.community is not None:
        keep = {node for node in keep if numbers.get(node) == filters.community}
    return keep


def _next_to(graph: nx.Graph, nodes: Iterable[Hashable], kind: str) -> set[Hashable]:
    """The nodes of `kind` linked to any of `nodes`."""
    return {other for node in nodes for other in graph.adj[node] if node_kind(graph, other) == kind}


def _kinds_for(graph: nx.Graph, filters: ViewFilters) -> frozenset[str]:
    kinds = frozenset(kind for kind in filters.kinds if kind in KINDS)
    if not kinds:
        kinds = frozenset(KINDS) if filters.focus is not None else DEFAULT_KINDS
    if filters.focus is not None and filters.focus in graph:
        focus_kind = node_kind(graph, filters.focus)
        if focus_kind in KINDS and focus_kind not in kinds:
            kinds = kinds | {focus_kind}
    return kinds


def kinds_of(graph: nx.Graph) -> dict[Hashable, str]:
    """{node: its `kind`} for every node that has one (see `select_view`)."""
    return {node: str(kind) for node, kind in graph.nodes(data="kind") if kind is not None}


def _neighbourhood(
    base: nx.Graph, focus: Hashable, depth: int, allowed: Callable[[Hashable], bool]
) -> dict[Hashable, int]:
    """{node: hops from `focus`} up to `depth`, walking through `allowed` nodes only.

    A breadth-first walk: each node's hops are the fewest whatever order its neighbours
    are met in, so they are not sorted (the caller orders the nodes)."""
    distance = {focus: 0}
    queue = deque([focus])
    while queue:
        node = queue.popleft()
        if distance[node] >= depth:
            continue
        for other in base.adj[node]:
            if other in distance or not allowed(other):
                continue
            distance[other] = distance[node] + 1
            queue.append(other)
    return distance


def select_view(
    graph: nx.Graph,
    filters: ViewFilters,
    *,
    network: nx.Graph | None = None,
    communities: Sequence[Collection[Hashable]] = (),
    numbers: Mapping[Hashable, int] | None = None,
    kinds: Mapping[Hashable, str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> GraphView:
    """Cut the view that `filters` ask for out of `graph`, at most `max_nodes` nodes.

    - Kinds: initiatives only by default (drawn on `network`, the aggregated
      `initiative_network(graph)`, computed here if not given); with organisations or
      persons, or with a focus, the plain graph restricted to the chosen kinds.
    - Land, theme, community (a number of `communities`, see `community_of`): AND.
    - Focus: the node and its neighbourhood up to `depth` (1 or 2) hops through
      matching nodes; the focus itself is always shown. A focus that is not a node of
      one of KINDS gives an empty view with `focus` None.
    - Search: the best hit among the shown nodes becomes `selected`; `matches` lists
      the hits in the whole network.
    - Cap: nodes are kept by (pinned first, distance, initiatives before organisations
      and persons, degree, label); the focus and the selected search hit are pinned.

    `kinds` is `kinds_of(graph)`, given by a caller that keeps it per graph: a view of a
    few hundred nodes asks for the kind of ten thousand neighbours on the way.
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes muss mindestens 1 sein, nicht {max_nodes!r}")
    depth = min(max(int(filters.depth), 1), MAX_DEPTH)
    focus = filters.focus
    kind_of = (kinds if kinds is not None else kinds_of(graph)).get
    if focus is not None and (focus not in graph or kind_of(focus) not in KINDS):
        return GraphView()
    chosen = _kinds_for(graph, filters)
    aggregated = chosen == DEFAULT_KINDS
    numbers = numbers if numbers is not None else community_of(graph, communities)
    passing = _matcher(graph, filters, numbers)
    # The graph of the chosen kinds. Not as `graph.subgraph(...)`: a subgraph view lists
    # every node of the network on each request (60 ms at 80,000 nodes) to show a few
    # hundred; the walk below asks each node it meets for its kind instead.
    if aggregated:
        base = network if network is not None else initiative_network(graph)

        def of_kinds(node: Hashable) -> bool:
            return True

    else:
        base = graph

        def of_kinds(node: Hashable) -> bool:
            return kind_of(node) in chosen

    def allowed(node: Hashable) -> bool:
        return of_kinds(node) and (passing is None or node in passing)

    if focus is not None:
        distance = _neighbourhood(base, focus, depth, allowed)
        candidates: list[Hashable] = list(distance)
    else:
        distance = {}
        # the candidates' order does not matter: they are ranked below
        among = base if passing is None else (node for node in passing if node in base)
        candidates = [node for node in among if allowed(node)]

    if aggregated:
        degree = {node: base.degree(node) for node in candidates}
    else:
        degree = {node: sum(map(of_kinds, base.adj[node])) for node in candidates}
    hits = find_nodes(graph, filters.search) if filters.search else []
    candidate_set = set(candidates)
    selected = next((hit for hit in hits if hit in candidate_set), None)
    pinned = {node for node in (focus, selected) if node is not None}

    def rank(node: Hashable) -> tuple[int, int, int, int, str, str]:
        return (
            0 if node in pinned else 1,
            distance.get(node, 0),
            0 if kind_of(node) == INITIATIVE else 1,
            -degree[node],
            node_label(graph, node).casefold(),
            _key(node),
        )

    shown = sorted(candidates, key=rank)[:max_nodes]
    shown_set = set(shown)

    def view_node(node: Hashable, degree_of: int) -> ViewNode:
        return ViewNode(
            id=node,
            kind=kind_of(node, ""),
            label=node_label(graph, node),
            degree=degree_of,
            community=numbers.get(node),
            distance=distance.get(node) if focus is not None else None,
        )

    edges = []
    for u in shown:
        around = base.adj[u]
        for v in shown_set.intersection(around):  # in C: a hub has a thousand neighbours
            data = around[v]
            if _key(u) < _key(v):
                edges.append(
                    ViewEdge(
                        source=u,
                        target=v,
                        kind=str(data.get("kind") or ""),
                        weight=float(data.get("shared") or data.get("weight") or 1.0),
                    )
                )
    edges.sort(key=lambda edge: (_key(edge.source), _key(edge.target)))
    return GraphView(
        nodes=[view_node(node, degree[node]) for node in shown],
        edges=edges,
        kinds=tuple(kind for kind in KINDS if kind in chosen),
        aggregated=aggregated,
        matched=len(candidates),
        hidden=len(candidates) - len(shown),
        focus=focus,
        selected=selected,
        matches=[view_node(hit, graph.degree(hit)) for hit in hits],
    )
