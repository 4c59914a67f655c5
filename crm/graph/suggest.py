"""Who should connect? Ranked network suggestions with reasons a person can read.

The score is a resource-allocation walk (Zhou, Lü & Zhang 2009) started at the
source: every neighbour ``n`` of the source hands one unit of resource on to its
own neighbours, split by edge weight (``w(s, n) * w(n, t) / strength(n)``; for an
unweighted graph exactly ``1 / deg(n)``). Resource that reaches a candidate after
two steps is the evidence: a shared member, theme, event or contact.

When the suggested kind differs from the source's kind (an organisation looking
for initiatives to join), shared neighbours are rare by construction, so a small
share (`PATH_FACTOR`) of the resource is passed one step further and candidates
three steps away get "path" evidence (co-members, colleagues). For same-kind
suggestions the third step is left out on purpose: on the hold-out evaluation
(`crm.graph.evaluate`) it ranks reachable non-links above held-out links of
nodes that lost their only edge, and lowers the AUC on Les Misérables.
Edge weights count: on all three evaluation graphs the weighted walk beats the
unweighted resource-allocation index.

Attribute evidence only *adds to* structural evidence, as a fraction of it, so a
candidate is never suggested for its attributes alone and attributes can reorder
near-ties but never beat clearly stronger structure (at most ×1.5 in total):

* shared `themes` attribute values: +`THEME_FACTOR` per theme, at most
  `MAX_ATTRIBUTE_THEMES` themes (themes that are theme *nodes* are structural);
* same Land: +`SAME_REGION_FACTOR`; neighbouring Land: +`NEIGHBOUR_REGION_FACTOR`;
* for initiatives, members of organisation types the source lacks:
  up to +`COMPLEMENT_FACTOR`.

To have shared themes alone produce suggestions, add the themes as nodes of
kind ``"theme"``; that makes them structural and keeps each call a local walk
instead of a scan over the whole graph.

Every `Suggestion.score` is the exact `math.fsum` of its reasons' weights.

Many walks on one graph that no longer changes (a cached graph behind every record page)
share a `WalkIndex`: for each node next to a node of the wanted kind, those neighbours
with their edge weights, found once for the whole graph (a few ms); a walk from a busy
organisation then passes resource on only through the ~230 of its ~1,300 nodes two steps
away that can still hand it to a candidate, instead of asking every neighbour of each
for its kind. For the best `k` only, candidates that cannot be among them whatever their
attributes are left out before their reasons are folded.
"""

from __future__ import annotations

import functools
import heapq
import math
import weakref
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import networkx as nx

from crm.graph.regions import neighbours_of

# Reason kinds.
SHARED_NEIGHBOUR = "shared_neighbour"
SHARED_THEME = "shared_theme"
CO_ATTENDANCE = "co_attendance"
PATH = "path"
SAME_REGION = "same_region"
NEIGHBOURING_REGION = "neighbouring_region"
COMPLEMENTARY_MIX = "complementary_mix"
FURTHER = "further"

# Node kinds the module knows by name.
INITIATIVE = "initiative"
ORGANISATION = "organisation"
PERSON = "person"
EVENT = "event"
WORKSHOP = "workshop"
THEME = "theme"

PATH_FACTOR = 0.01
THEME_FACTOR = 0.1
MAX_ATTRIBUTE_THEMES = 3
SAME_REGION_FACTOR = 0.1
NEIGHBOUR_REGION_FACTOR = 0.05
COMPLEMENT_FACTOR = 0.1
MAX_LISTED_REASONS = 5

_ATTENDANCE_KINDS = frozenset({EVENT, WORKSHOP})


@dataclass(frozen=True)
class Reason:
    """One piece of evidence for a suggestion; `weight` is its share of the score.

    `code` names its wording (`WORDING`) and `data` fills it in (`label`, `count`,
    `types`); `text` is that wording in German."""

    kind: str
    via: Hashable | None
    weight: float
    text: str
    code: str = "label"
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Suggestion:
    """A suggested node with its score and the reasons that add up to it."""

    node: Hashable
    score: float
    reasons: tuple[Reason, ...]


# A reason before its text is written: (kind, via, weight, detail).
_RawReason = tuple[str, Hashable | None, float, Any]
# A node's edges: neighbour → edge data; and its strength with its (neighbour, weight)s.
_Edges = Mapping[Hashable, Mapping[str, Any]]
_Weighted = tuple[float, tuple[tuple[Hashable, float], ...]]
# A node's neighbours of the wanted kind with the weights of their edges.
_Toward = tuple[tuple[Hashable, float], ...]
# What the attribute evidence reads of a candidate: its themes, its Land, its member mix.
_Attributes = tuple[frozenset[str], frozenset[str], frozenset[str]]


def suggest_connections(
    graph: nx.Graph,
    source: Hashable,
    *,
    target_kind: str | None = None,
    k: int = 10,
    exclude: Iterable[Hashable] = (),
    index: WalkIndex | None = None,
) -> list[Suggestion]:
    """Return the best `k` nodes of `target_kind` for `source` to connect with, best first.

    `index`: a `WalkIndex` of `graph`, for many calls on a graph that no longer changes
    (the same results, faster)."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError(f"k muss eine ganze Zahl sein, nicht {k!r}")
    if k <= 0:
        raise ValueError(f"k muss positiv sein, nicht {k}")
    excluded = _as_node_set(exclude)
    wanted = _check_query(graph, source, target_kind)
    raw = _raw_reasons(graph, source, wanted, excluded, _index_of(graph, index), best=k)
    ranked = heapq.nsmallest(
        k, ((_score(reasons), node) for node, reasons in raw.items()), key=_rank_key
    )
    return [
        Suggestion(node=node, score=score, reasons=_write_reasons(graph, source, node, raw[node]))
        for score, node in ranked
    ]


def candidate_scores(
    graph: nx.Graph,
    source: Hashable,
    *,
    target_kind: str | None = None,
    exclude: Iterable[Hashable] = (),
    index: WalkIndex | None = None,
) -> dict[Hashable, float]:
    """Return the score of every candidate with evidence, as `suggest_connections` ranks it."""
    wanted = _check_query(graph, source, target_kind)
    raw = _raw_reasons(graph, source, wanted, _as_node_set(exclude), _index_of(graph, index))
    return {node: _score(reasons) for node, reasons in raw.items()}


def node_kind(graph: nx.Graph, node: Hashable) -> str | None:
    """Return the `kind` attribute of `node`, or None for a graph without kinds."""
    kind = graph._node[node].get("kind")
    return None if kind is None else str(kind)


def node_label(graph: nx.Graph, node: Hashable) -> str:
    """Return the `label` attribute of `node`, falling back to `str(node)`."""
    label = graph._node[node].get("label")
    return str(node) if label is None or label == "" else str(label)


class WalkIndex:
    """What walks from many sources of one graph look up again and again, kept for that
    graph: the nodes of each kind, and for each kind every node next to a node of that
    kind with those neighbours (found once when first asked for); the strengths of the
    nodes that pass resource on to a candidate, and the edge weights of the busy nodes and
    those of their neighbours that pass resource on (kept when a walk first needs them).
    Only for a graph that no longer changes, such as a cached one; the walks give the
    same results with it as without it (the same arithmetic).

    It refers to its graph weakly, so that it can be kept on the graph itself (in
    `graph.graph`) without a reference cycle."""

    #: Nodes with at least this many edges (initiatives, themes, events) keep their edge
    #: weights and their relays: walks from their neighbours all pass through them.
    BUSY_DEGREE = 16

    def __init__(self, graph: nx.Graph) -> None:
        validate_graph(graph)
        self._graph = weakref.ref(graph)
        self._kinds: dict[str | None, frozenset[Hashable]] = {}
        self._toward: dict[str | None, dict[Hashable, _Toward]] = {}
        self._strengths: dict[Hashable, float] = {}
        self._weighted: dict[Hashable, _Weighted] = {}
        self._relays: dict[tuple[str | None, Hashable], _Weighted] = {}
        self._attributes: dict[Hashable, _Attributes] = {}

    def __reduce__(self) -> tuple[type[WalkIndex], tuple[nx.Graph | None]]:
        return (WalkIndex, (self._graph(),))  # pickled with its graph: an empty index

    def belongs_to(self, graph: nx.Graph) -> bool:
        """Is this the index of `graph`?"""
        return self._graph() is graph

    def of_kind(self, kind: str | None) -> frozenset[Hashable]:
        """The nodes whose `kind` attribute is `kind`."""
        found = self._kinds.get(kind)
        if found is None:
            graph = self._graph()
            nodes = () if graph is None else graph.nodes(data="kind")
            found = frozenset(node for node, value in nodes if value == kind)
            self._kinds[kind] = found  # a race computes the same set twice: harmless
        return found

    def toward(self, kind: str | None) -> Mapping[Hashable, _Toward]:
        """Every node through which resource can reach a node of `kind` (at least two
        edges, one of them to a node of `kind`): its neighbours of `kind` with the weights
        of their edges. Other nodes are left out (`_toward` is None for them)."""
        found = self._toward.get(kind)
        if found is None:
            graph = self._graph()
            found = {} if graph is None else _toward_all(graph, self.of_kind(kind))
            self._toward[kind] = found  # a race computes the same mapping twice: harmless
        return found

    def strength(self, node: Hashable, edges: _Edges) -> float:
        """The strength of `node`, whose edges are `edges` (kept: only nodes that pass
        resource on to a candidate are asked, a few thousand at most)."""
        value = self._strengths.get(node)
        if value is None:
            value = self._strengths[node] = _strength(node, edges)
        return value

    def weighted(self, node: Hashable, edges: _Edges) -> _Weighted:
        """The strength of `node` and its neighbours with the weights of their edges."""
        found = self._weighted.get(node)
        if found is None:
            found = _weighted(node, edges)
            if len(edges) >= self.BUSY_DEGREE:
                self._weighted[node] = found
        return found

    def relays(self, kind: str | None, node: Hashable, edges: _Edges) -> _Weighted:
        """The strength of `node`, a neighbour of a walk's source, and those of its
        neighbours (with the weights of their edges) that can pass resource on to a node of
        `kind` other than `node`: `node` itself is never a candidate (it is linked to the
        source), so resource that only `node` could receive again goes nowhere. Skipping
        these neighbours spares a walk from a busy organisation five in six of the ~1,300
        nodes two steps away (the other members of its initiatives)."""
        key = (kind, node)
        found = self._relays.get(key)
        if found is None:
            strength, weighted = self.weighted(node, edges)
            toward = self.toward(kind)
            passing = tuple(
                (other, weight) for other, weight in weighted if _passes_on(toward.get(other), node)
            )
            found = strength, passing
            if len(edges) >= self.BUSY_DEGREE:
                self._relays[key] = found
        return found

    def attributes(self, node: Hashable) -> _Attributes:
        """The themes, Land and member mix of a candidate, as its evidence reads them."""
        found = self._attributes.get(node)
        if found is None:
            graph = self._graph()
            if graph is None:  # pragma: no cover - only walks on a live graph ask
                raise ValueError("Der Graph dieses WalkIndex existiert nicht mehr")
            found = self._attributes[node] = _attributes_of(graph, node)
        return found


def _index_of(graph: nx.Graph, index: WalkIndex | None) -> WalkIndex | None:
    if index is not None and not index.belongs_to(graph):
        raise ValueError("Der WalkIndex gehört zu einem anderen Graphen")
    return index


# --- validation ---------------------------------------------------------------


def validate_graph(graph: Any) -> None:
    """Raise ValueError unless `graph` is an undirected simple networkx graph."""
    if not isinstance(graph, nx.Graph):
        raise ValueError(f"Erwartet wird ein networkx.Graph, nicht {type(graph).__name__}")
    if graph.is_directed() or graph.is_multigraph():
        raise ValueError("Nur ungerichtete einfache Graphen (networkx.Graph) werden unterstützt")


def _check_query(graph: nx.Graph, source: Hashable, target_kind: str | None) -> str | None:
    """Validate graph, source and target kind; return the kind to suggest."""
    validate_graph(graph)
    if graph.number_of_nodes() == 0:
        raise ValueError("Der Graph ist leer")
    try:
        present = source in graph
    except TypeError:
        present = False
    if not present:
        raise ValueError(f"Knoten {source!r} ist nicht im Graphen")
    source_kind = node_kind(graph, source)
    if target_kind is None or target_kind == source_kind:
        return source_kind
    if not isinstance(target_kind, str):
        raise ValueError(f"Unbekannte Knotenart {target_kind!r}")
    if not any(kind == target_kind for _node, kind in graph.nodes(data="kind")):
        raise ValueError(f"Unbekannte Knotenart {target_kind!r}: kein Knoten dieser Art im Graphen")
    return target_kind


def _as_node_set(exclude: Iterable[Hashable]) -> frozenset[Hashable]:
    if isinstance(exclude, str | bytes):
        return frozenset({exclude})
    try:
        return frozenset(exclude)
    except TypeError as error:
        raise ValueError(f"exclude muss eine Sammlung von Knoten sein: {error}") from None


def _weight(data: Mapping[str, Any], u: Hashable, v: Hashable) -> float:
    value = data.get("weight", 1.0)
    if type(value) is float and 0.0 < value < math.inf:  # the usual case, checked cheaply
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"Kante {u!r}–{v!r}: Gewicht {value!r} ist keine Zahl")
    if not value > 0 or math.isinf(value):
        raise ValueError(f"Kante {u!r}–{v!r}: Gewicht {value!r} muss positiv und endlich sein")
    return float(value)


def _strength(node: Hashable, edges: _Edges) -> float:
    """The sum of the weights of a node's edges (its degree in an unweighted graph)."""
    return math.fsum(_weight(data, node, other) for other, data in edges.items())


def _weighted(node: Hashable, edges: _Edges) -> _Weighted:
    """A node's strength and its neighbours with the weights of their edges."""
    weights = tuple((other, _weight(data, node, other)) for other, data in edges.items())
    return math.fsum(weight for _other, weight in weights), weights


# --- scoring -------------------------------------------------------------------


def _raw_reasons(
    graph: nx.Graph,
    source: Hashable,
    wanted: str | None,
    excluded: frozenset[Hashable],
    index: WalkIndex | None = None,
    best: int | None = None,
) -> dict[Hashable, list[_RawReason]]:
    """Walk from `source` and collect the weighted evidence for every candidate, folded;
    with `best`, only for the candidates that may be among the best `best`."""
    # Read the graph's own mappings, as networkx's algorithms do: plain dicts for a Graph,
    # filtered mappings for a view; the public views wrap each of the thousands of lookups
    # of a walk from a busy node in a new view object.
    adjacency = graph._adj
    blocked = set(adjacency[source])
    blocked.add(source)
    blocked |= excluded

    toward_of: Callable[[Hashable], _Toward | None]
    strength_of: Callable[[Hashable, _Edges], float] = _strength
    weighted_of: Callable[[Hashable, _Edges], _Weighted] = _weighted
    relays_of: Callable[[Hashable, _Edges], _Weighted] = _weighted  # without an index: all
    if index is not None:
        toward_of, weighted_of = index.toward(wanted).get, index.weighted
        strength_of, relays_of = index.strength, functools.partial(index.relays, wanted)
    else:

        def toward_of(node: Hashable) -> _Toward | None:
            return _toward(graph, node, wanted)

    # Step two: the resource of each neighbour `via` of the source reaches the candidates
    # among its neighbours, and (across kinds) the nodes that may pass it on in step three.
    raw: dict[Hashable, list[_RawReason]] = {}
    use_paths = wanted != graph._node[source].get("kind")
    arriving: dict[Hashable, list[float]] = {}
    for via, w_source in weighted_of(source, adjacency[source])[1]:
        if use_paths:
            strength, relays = relays_of(via, adjacency[via])
            for target, weight in relays:
                if target != source:
                    arriving.setdefault(target, []).append(w_source * weight / strength)
        targets = toward_of(via)
        if targets is not None:
            kind = None
            for target, weight in targets:
                if target not in blocked:
                    if kind is None:
                        kind = _via_reason_kind(graph, via)
                        strength = strength_of(via, adjacency[via])
                    share = w_source * weight / strength
                    raw.setdefault(target, []).append((kind, via, share, None))

    # Step three: a small share of what arrived two steps away is passed on to candidates.
    # Most nodes two steps away (a member's people) have none: then nothing is needed.
    for via, shares in arriving.items():
        targets = toward_of(via)
        if targets is None:
            continue
        resource = None
        for target, weight in targets:
            if target not in blocked:
                if resource is None:
                    resource = PATH_FACTOR * math.fsum(shares)
                    strength = strength_of(via, adjacency[via])
                share = resource * weight / strength
                raw.setdefault(target, []).append((PATH, via, share, None))

    if best is not None:
        _leave_out_the_hopeless(raw, best)
    for target, reasons in raw.items():
        raw[target] = _fold(reasons)
    _add_attribute_evidence(graph, source, wanted, raw, index)
    return raw


#: The most that the attribute evidence can add, as a fraction of the structural score
#: (`_add_attribute_evidence`: themes, then one of the two region bonuses, then the mix).
_MAX_ATTRIBUTE_SHARE = (
    MAX_ATTRIBUTE_THEMES * THEME_FACTOR
    + max(SAME_REGION_FACTOR, NEIGHBOUR_REGION_FACTOR)
    + COMPLEMENT_FACTOR
)
#: Far more than the rounding of any sum of a walk's shares (relative error below 1e-12).
_ROUNDING_SLACK = 1e-9


def _leave_out_the_hopeless(raw: dict[Hashable, list[_RawReason]], best: int) -> None:
    """Drop the candidates that cannot be among the `best` whatever their attributes, before
    their reasons are folded and their attribute evidence is added (most of a walk's work
    per candidate: a busy organisation has ~90 candidates for a panel of 5).

    A candidate's score is its structural score plus at most `_MAX_ATTRIBUTE_SHARE` of
    it. If even that (with room for rounding) stays below the lowest structural score
    of the `best` strongest candidates, at least `best` others score higher."""
    if len(raw) <= best:
        return
    structural = {target: sum(reason[2] for reason in reasons) for target, reasons in raw.items()}
    floor = heapq.nlargest(best, structural.values())[-1] * (1 - _ROUNDING_SLACK)
    ceiling = (1 + _MAX_ATTRIBUTE_SHARE) * (1 + _ROUNDING_SLACK)
    for target, score in structural.items():
        if score * ceiling < floor:
            del raw[target]


def _toward(graph: nx.Graph, node: Hashable, wanted: str | None) -> _Toward | None:
    """The neighbours of `node` of kind `wanted` with the weights of their edges; None
    unless it has both such a neighbour and at least two edges (only then can resource
    that arrives there pass on to a candidate)."""
    edges = graph._adj[node]
    if len(edges) < 2:
        return None
    nodes = graph._node
    targets = tuple(
        (target, _weight(data, node, target))
        for target, data in edges.items()
        if nodes[target].get("kind") == wanted
    )
    return targets or None


def _passes_on(toward: _Toward | None, via: Hashable) -> bool:
    """Can resource that arrives at a node from `via` pass on to a candidate, given the
    node's `_toward`? Only through a neighbour of the wanted kind other than `via`."""
    return toward is not None and any(target != via for target, _w in toward)


def _toward_all(graph: nx.Graph, wanted_nodes: Iterable[Hashable]) -> dict[Hashable, _Toward]:
    """`_toward` of every node it is not None for, found from the edges of `wanted_nodes`
    (all nodes of the wanted kind): one pass over far fewer edges than the graph has."""
    adjacency = graph._adj
    found: dict[Hashable, list[tuple[Hashable, float]]] = {}
    for target in wanted_nodes:
        for node, data in adjacency[target].items():
            if len(adjacency[node]) >= 2:
                found.setdefault(node, []).append((target, _weight(data, node, target)))
    return {node: tuple(targets) for node, targets in found.items()}


def _via_reason_kind(graph: nx.Graph, via: Hashable) -> str:
    kind = node_kind(graph, via)
    if kind == THEME:
        return SHARED_THEME
    if kind in _ATTENDANCE_KINDS:
        return CO_ATTENDANCE
    return SHARED_NEIGHBOUR


def _fold(reasons: list[_RawReason]) -> list[_RawReason]:
    """Keep the strongest via-reasons and fold the rest into one, weights preserved."""
    if len(reasons) == 1:  # the usual case far from the source: nothing to order
        return reasons
    reasons.sort(key=lambda reason: (-reason[2], str(reason[1]), reason[0]))
    if len(reasons) <= MAX_LISTED_REASONS:
        return reasons
    kept, rest = reasons[:MAX_LISTED_REASONS], reasons[MAX_LISTED_REASONS:]
    kept.append((FURTHER, None, math.fsum(reason[2] for reason in rest), len(rest)))
    return kept


def _score(reasons: list[_RawReason]) -> float:
    return math.fsum(reason[2] for reason in reasons)


def _rank_key(item: tuple[float, Hashable]) -> tuple[float, str, str]:
    score, node = item
    return (-score, str(node), type(node).__name__)


def _laender(value: Any) -> frozenset[str]:
    if value is None or value == "":
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    try:
        return frozenset(str(code) for code in value)
    except TypeError:
        return frozenset({str(value)})


def _themes(value: Any) -> frozenset[str]:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(theme) for theme in value)


def _org_types(graph: nx.Graph, node: Hashable) -> frozenset[str]:
    """The types of the organisations linked to `node` (an initiative's member mix), as
    stored in its `member_org_types` or else counted from its neighbours."""
    stored = graph._node[node].get("member_org_types")
    if stored is not None:
        return frozenset(stored)
    found: set[str] = set()
    for member in graph.adj[node]:
        data = graph.nodes[member]
        org_type = data.get("org_type")
        if org_type and data.get("kind", ORGANISATION) == ORGANISATION:
            found.add(str(org_type))
    return frozenset(found)


def _attributes_of(graph: nx.Graph, node: Hashable) -> _Attributes:
    data = graph._node[node]
    return _themes(data.get("themes")), _laender(data.get("land")), _org_types(graph, node)


def _add_attribute_evidence(
    graph: nx.Graph,
    source: Hashable,
    wanted: str | None,
    raw: dict[Hashable, list[_RawReason]],
    index: WalkIndex | None = None,
) -> None:
    """Add theme, region and member-mix bonuses, each a fraction of the structural score."""
    attributes_of: Callable[[Hashable], _Attributes]
    if index is not None:
        attributes_of = index.attributes
    else:

        def attributes_of(node: Hashable) -> _Attributes:
            return _attributes_of(graph, node)

    data = graph._node[source]
    source_themes = _themes(data.get("themes"))
    source_laender = _laender(data.get("land"))
    explicit = data.get("neighbour_laender")
    nearby = _laender(explicit) if explicit is not None else neighbours_of(source_laender)
    source_types = _org_types(graph, source) if wanted == INITIATIVE else frozenset()
    for target, reasons in raw.items():
        base = _score(reasons)
        target_themes, target_laender, target_types = attributes_of(target)
        common = source_themes & target_themes
        if common:
            covered = {
                node_label(graph, via) for kind, via, _w, _d in reasons if kind == SHARED_THEME
            }
            for theme in sorted(common - covered)[:MAX_ATTRIBUTE_THEMES]:
                reasons.append((SHARED_THEME, None, THEME_FACTOR * base, theme))
        if source_laender & target_laender:
            reasons.append((SAME_REGION, None, SAME_REGION_FACTOR * base, None))
        elif nearby & target_laender:
            reasons.append((NEIGHBOURING_REGION, None, NEIGHBOUR_REGION_FACTOR * base, None))
        if source_types:
            new_types = target_types - source_types
            if new_types:
                share = len(new_types) / len(target_types)
                reasons.append(
                    (COMPLEMENTARY_MIX, None, COMPLEMENT_FACTOR * share * base, new_types)
                )


# --- texts -----------------------------------------------------------------------

#: Each reason's wording by its `code` (a German template over its `data`). The library
#: writes `Reason.text` with it; the web layer words the code in the user's language.
WORDING = {
    "shared_theme": "Beide arbeiten zu {label}",
    "same_workshop": "Beide waren im Workshop {label}",
    "same_event": "Beide waren beim {label}",
    "shared_member": "Beide haben {label} als Mitglied",
    "shared_membership": "Beide sind Mitglied in {label}",
    "same_employer": "Beide arbeiten bei {label}",
    "active_in_both": "{label} ist bei beiden aktiv",
    "shared_connection": "Gemeinsame Verbindung über {label}",
    "member_there": "{label} ist dort Mitglied",
    "active_there": "{label} ist dort aktiv",
    "connection": "Verbindung über {label}",
    "path": "Indirekte Verbindung über {label}",
    "same_region": "Gleiches Bundesland",
    "neighbouring_region": "Nachbarregion",
    "complementary_mix": "Ergänzende Mitglieder: {types}",
    "further_one": "… und 1 weitere gemeinsame Verbindung",
    "further": "… und {count} weitere gemeinsame Verbindungen",
    "label": "{label}",
}


def german_text(code: str, data: Mapping[str, Any]) -> str:
    """The German text of a reason `code` with its `data` (`types`: a list of values)."""
    values = dict(data)
    if "types" in values:
        values["types"] = ", ".join(values["types"])
    return WORDING[code].format(**values)


def _write_reasons(
    graph: nx.Graph, source: Hashable, target: Hashable, reasons: list[_RawReason]
) -> tuple[Reason, ...]:
    """Turn raw reasons into `Reason`s with codes, data and German texts, strongest first,
    folded last."""
    kinds = (node_kind(graph, source), node_kind(graph, target))

    def written(kind: str, via: Hashable | None, weight: float, detail: Any) -> Reason:
        code, data = _wording(graph, kinds, kind, via, detail)
        text = german_text(code, data)
        return Reason(kind=kind, via=via, weight=weight, text=text, code=code, data=data)

    listed = [written(*reason) for reason in reasons if reason[0] != FURTHER]
    listed.sort(key=lambda reason: (-reason.weight, reason.kind, reason.text))
    listed.extend(written(*reason) for reason in reasons if reason[0] == FURTHER)
    return tuple(listed)


def _wording(
    graph: nx.Graph,
    kinds: tuple[str | None, str | None],
    kind: str,
    via: Hashable | None,
    detail: Any,
) -> tuple[str, dict[str, Any]]:
    """The code of a reason and its data (`label`: the via node's label, `count`, `types`)."""
    label = node_label(graph, via) if via is not None else ""
    if kind == SHARED_THEME:
        return "shared_theme", {"label": label or detail}
    if kind == CO_ATTENDANCE:
        code = "same_workshop" if node_kind(graph, via) == WORKSHOP else "same_event"
        return code, {"label": label}
    if kind == SHARED_NEIGHBOUR:
        return _shared_neighbour_code(kinds, node_kind(graph, via)), {"label": label}
    if kind in (PATH, SAME_REGION, NEIGHBOURING_REGION):
        return kind, {"label": label} if kind == PATH else {}
    if kind == COMPLEMENTARY_MIX:
        return kind, {"types": sorted(detail)}
    if kind == FURTHER:
        return ("further_one" if detail == 1 else "further"), {"count": detail}
    return "label", {"label": label}


def _shared_neighbour_code(kinds: tuple[str | None, str | None], via_kind: str | None) -> str:
    source_kind, target_kind = kinds
    if source_kind == target_kind:
        if source_kind == INITIATIVE and via_kind == ORGANISATION:
            return "shared_member"
        if source_kind == ORGANISATION and via_kind == INITIATIVE:
            return "shared_membership"
        if source_kind == PERSON and via_kind == ORGANISATION:
            return "same_employer"
        if via_kind == PERSON:
            return "active_in_both"
        return "shared_connection"
    if target_kind == INITIATIVE and via_kind == ORGANISATION:
        return "member_there"
    if target_kind == INITIATIVE and via_kind == PERSON:
        return "active_there"
    return "connection"
