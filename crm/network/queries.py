"""Read side of the network pages: suggestions for a record, introductions, analytics.

Graphs come from `crm.network.cache`; records are looked up in bulk by id. Feedback
and explicit relationships are read fresh on every call, so a decision shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections import defaultdict
from collections.abc import Hashable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import networkx as nx
from flask_babel import get_locale
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.db import datastamp
from crm.extensions import db
from crm.graph import LAENDER
from crm.graph import Broker
from crm.graph import Community
from crm.graph import CrossRegionLink
from crm.graph import Suggestion
from crm.graph import WalkIndex
from crm.graph import brokers
from crm.graph import communities
from crm.graph import cross_region_links
from crm.graph import isolates
from crm.graph import project
from crm.graph import suggest_connections
from crm.models import Initiative
from crm.models import InitiativeStatus
from crm.models import Organisation
from crm.models import Relationship
from crm.models import SuggestionDecision
from crm.models import SuggestionFeedback
from crm.models.base import today
from crm.network import cache
from crm.network.builder import node_id
from crm.network.builder import record_of
from crm.network.naming import GroupName
from crm.network.naming import group_names
from crm.network.reasons import reason_text
from crm.network.reasons import reason_texts

#: How many suggestions a record page shows.
PANEL_SIZE = 5
#: How many of the strongest suggested pairs the network page shows.
NETWORK_TOP = 8
#: Suggestions taken per initiative when ranking the pairs of the whole network.
NETWORK_PER_SOURCE = 5
#: Decisions that take a pair out of the suggestions for good.
FINAL_DECISIONS = (SuggestionDecision.ACCEPTED, SuggestionDecision.DISMISSED)
#: Decisions listed on the introductions page, and its filter values.
INTRODUCTION_DECISIONS = {
    SuggestionDecision.LATER.value: SuggestionDecision.LATER,
    SuggestionDecision.ACCEPTED.value: SuggestionDecision.ACCEPTED,
}
_PREFIX = {"i": "initiative", "o": "organisation"}
#: The names of the whole-network results on a cached graph (part of its snapshot).
ANALYTICS, PAIRS = "analytics:initiative", "analytics:pairs"


@dataclass(frozen=True)
class SuggestionItem:
    """One suggested record with the reasons a person can read."""

    target_type: str
    target_id: int
    name: str
    score: float
    reasons: tuple[str, ...]
    later: bool


@dataclass(frozen=True)
class SuggestionPanel:
    """What a record page shows under "Vorgeschlagene Kontakte"."""

    source_type: str
    source_id: int
    items: list[SuggestionItem]
    can_act: bool
    # what the items are kept by (scope, record, day, language, graph version)
    key: Hashable = None


# --- suggestions ------------------------------------------------------------------


# The statements of the suggestions panel, built once: a record page after a save spends
# no time composing them or their cache keys (about half of their time on SQLite).
#: The other record and the decision of each feedback row of a source, in either stored
#: direction.
_FEEDBACK = select(
    case(
        (
            and_(
                SuggestionFeedback.source_type == bindparam("source_type"),
                SuggestionFeedback.source_id == bindparam("source_id"),
            ),
            SuggestionFeedback.target_id,
        ),
        else_=SuggestionFeedback.source_id,
    ),
    SuggestionFeedback.decision,
).where(
    or_(
        and_(
            SuggestionFeedback.source_type == bindparam("source_type"),
            SuggestionFeedback.source_id == bindparam("source_id"),
            SuggestionFeedback.target_type == bindparam("target_type"),
        ),
        and_(
            SuggestionFeedback.source_type == bindparam("target_type"),
            SuggestionFeedback.target_type == bindparam("source_type"),
            SuggestionFeedback.target_id == bindparam("source_id"),
        ),
    )
)
#: For an initiative, also the other initiative of each explicit relationship (also ended),
#: without a decision: one round trip to the database instead of two.
_FEEDBACK_AND_RELATED = _FEEDBACK.union_all(
    select(
        case(
            (Relationship.initiative_a_id == bindparam("source_id"), Relationship.initiative_b_id),
            else_=Relationship.initiative_a_id,
        ),
        null(),
    ).where(
        or_(
            Relationship.initiative_a_id == bindparam("source_id"),
            Relationship.initiative_b_id == bindparam("source_id"),
        )
    )
)
_NAMES = select(Initiative.id, Initiative.name).where(
    Initiative.id.in_(bindparam("ids", expanding=True))
)


def _decided_and_related(source_type: str, source_id: int) -> tuple[dict[int, Any], set[int]]:
    """({initiative id: decision} of the feedback rows of a source, in either stored
    direction; for an initiative, the ids of the initiatives with any explicit
    relationship, also ended, to it), read in one statement."""
    statement = _FEEDBACK_AND_RELATED if source_type == "initiative" else _FEEDBACK
    rows = db.session.execute(
        statement,
        {"source_type": source_type, "source_id": source_id, "target_type": "initiative"},
    )
    decisions: dict[int, Any] = {}
    related: set[int] = set()
    for other, decision in rows:
        if decision is not None:  # a decision is never empty: else a relationship
            decisions[other] = decision
        elif other is not None and other != source_id:
            related.add(other)
    return decisions, related


def _per_graph(graph: nx.Graph, key: str, compute: Any) -> Any:
    """A value derived from a cached graph, computed once per graph (it never changes:
    a data change builds a new graph)."""
    if key not in graph.graph:
        graph.graph[key] = compute()
    return graph.graph[key]


def _dissolved(graph: nx.Graph) -> set[str]:
    return _per_graph(
        graph,
        "dissolved_initiatives",
        lambda: {
            node
            for node, status in graph.nodes(data="status")
            if status == InitiativeStatus.AUFGELOEST.value
        },
    )


def _suggest(
    graph: nx.Graph, source: str, target_kind: str, exclude: Iterable[str], k: int
) -> list[Suggestion]:
    if source not in graph:
        return []
    # Kept on the graph (it never changes: a data change builds a new one): the nodes of
    # each kind and the strengths and edge weights that every walk passes again.
    index = _per_graph(graph, "walk_index", lambda: WalkIndex(graph))
    if not index.of_kind(target_kind):
        return []
    return suggest_connections(
        graph, source, target_kind=target_kind, k=k, exclude=exclude, index=index
    )


def suggestions(
    user: Any, source_type: str, source_id: int, *, k: int = PANEL_SIZE
) -> list[SuggestionItem]:
    """Top-`k` initiative suggestions for an initiative or organisation, as `user` may see.

    Left out: records already linked (neighbours in the graph, any explicit
    relationship), dissolved initiatives, pairs accepted or dismissed earlier.
    Pairs postponed ("later") come back, marked as such.
    """
    graph = cache.graph_for(permissions.graph_scope(user))
    feedback, related = _decided_and_related(source_type, source_id)
    excluded = {
        node_id("initiative", other)
        for other, decision in feedback.items()
        if decision in FINAL_DECISIONS
    }
    excluded |= {node_id("initiative", other) for other in related}
    excluded |= _dissolved(graph)
    found = _suggest(graph, node_id(source_type, source_id), "initiative", excluded, k)
    if not found:
        return []
    ids = [record_of(str(s.node))[1] for s in found]
    names: dict[int, str] = {
        record_id: name for record_id, name in db.session.execute(_NAMES, {"ids": ids})
    }
    texts = reason_texts(s.reasons for s in found)
    return [
        SuggestionItem(
            target_type="initiative",
            target_id=target_id,
            name=names[target_id],
            score=s.score,
            reasons=reasons,
            later=feedback.get(target_id) is SuggestionDecision.LATER,
        )
        for s, target_id, reasons in zip(found, ids, texts, strict=True)
        if target_id in names  # a record deleted since the graph was built
    ]


def panel(user: Any, record: Any) -> SuggestionPanel | None:
    """The suggestions panel of an initiative or organisation page (None: not for `user`)."""
    if record is None or not permissions.can_view(user, record):
        return None
    source_type = "initiative" if isinstance(record, Initiative) else "organisation"
    # Kept per data version (and day, scope, language of the reasons) and graph version
    # (an older graph served while the worker computes the current one is replaced by
    # it at the same data version): the record's page spends no statement on the panel
    # until something changes.
    scope = permissions.graph_scope(user)
    graph_version = cache.get(scope).key[1:4]
    key = (scope, source_type, record.id, today(), str(get_locale()), graph_version)
    items = datastamp.cached("suggestions", key, lambda: suggestions(user, source_type, record.id))
    return SuggestionPanel(
        source_type=source_type,
        source_id=record.id,
        items=items,
        can_act=permissions.can_act_on_suggestions(user),
        key=key,
    )


def evidence(user: Any, source_type: str, source_id: int, target_id: int) -> Suggestion | None:
    """The current score and reasons of one suggested initiative (None: no evidence)."""
    graph = cache.graph_for(permissions.graph_scope(user))
    everyone = sum(1 for _n, kind in graph.nodes(data="kind") if kind == "initiative")
    target = node_id("initiative", target_id)
    for found in _suggest(graph, node_id(source_type, source_id), "initiative", (), everyone):
        if found.node == target:
            return found
    return None


# --- introductions ------------------------------------------------------------------


@dataclass(frozen=True)
class Introduction:
    """A feedback row with the names of both records."""

    feedback: SuggestionFeedback
    source_name: str
    target_name: str


def introductions_query(decision: SuggestionDecision | None) -> Select[Any]:
    """Open ("später") and accepted introductions, newest decision first."""
    wanted = [decision] if decision else list(INTRODUCTION_DECISIONS.values())
    return (
        select(SuggestionFeedback)
        .where(SuggestionFeedback.decision.in_(wanted))
        .options(selectinload(SuggestionFeedback.decided_by))
        .order_by(SuggestionFeedback.decided_at.desc(), SuggestionFeedback.id.desc())
    )


def with_names(rows: list[SuggestionFeedback]) -> list[Introduction]:
    """Attach record names to feedback rows (two queries, whatever the page size)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.source_type].add(row.source_id)
        wanted[row.target_type].add(row.target_id)
    names: dict[tuple[str, int], str] = {}
    for kind, model in (("initiative", Initiative), ("organisation", Organisation)):
        if wanted[kind]:
            for record_id, name in db.session.execute(
                select(model.id, model.name).where(model.id.in_(wanted[kind]))
            ):
                names[(kind, record_id)] = name
    return [
        Introduction(
            feedback=row,
            source_name=names.get((row.source_type, row.source_id), "–"),
            target_name=names.get((row.target_type, row.target_id), "–"),
        )
        for row in rows
    ]


def open_introduction_count() -> int:
    """How many introductions wait ("später")."""
    count = db.session.scalar(
        select(func.count(SuggestionFeedback.id)).where(
            SuggestionFeedback.decision == SuggestionDecision.LATER
        )
    )
    return int(count or 0)


# --- analytics ------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeLink:
    """A node shown on a page: its record kind and id, and its label."""

    kind: str
    id: int
    label: str


@dataclass(frozen=True)
class LandPair:
    """Links between two Länder: how many and a few examples."""

    land_a: str
    land_b: str
    count: int
    direct: int
    examples: list[tuple[NodeLink, NodeLink]]


@dataclass(frozen=True)
class CommunityRow:
    """A community on the analytics page: its name parts and its members."""

    group: Community
    name: GroupName
    members: list[NodeLink]


@dataclass
class Analytics:
    """Everything the analytics page shows, computed from one cached graph."""

    communities: list[CommunityRow]
    brokers: list[tuple[Broker, NodeLink]]
    broker_measure: str
    isolates: list[NodeLink]
    land_pairs: list[LandPair]
    link_count: int
    nodes: int
    edges: int
    counts: dict[str, int] = field(default_factory=dict)


def _link(graph: nx.Graph, node: Any) -> NodeLink:
    prefix, record_id = record_of(str(node))
    return NodeLink(_PREFIX.get(prefix, prefix), record_id, str(graph.nodes[node].get("label")))


def _land_name(code: str) -> str:
    return ", ".join(LAENDER[c][1] if c in LAENDER else c for c in code.split(",") if c)


def _land_pairs(graph: nx.Graph, links: list[CrossRegionLink], examples: int) -> list[LandPair]:
    grouped: dict[tuple[str, str], list[CrossRegionLink]] = defaultdict(list)
    for link in links:
        key = tuple(sorted((link.land_a, link.land_b)))
        grouped[(key[0], key[1])].append(link)
    direct = Counter(pair for pair, found in grouped.items() for link in found if link.via is None)
    pairs = [
        LandPair(
            land_a=_land_name(a),
            land_b=_land_name(b),
            count=len(found),
            direct=direct[(a, b)],
            examples=[(_link(graph, x.a), _link(graph, x.b)) for x in found[:examples]],
        )
        for (a, b), found in grouped.items()
    ]
    pairs.sort(key=lambda pair: (-pair.count, pair.land_a, pair.land_b))
    return pairs


def _compute(graph: nx.Graph) -> Analytics:
    """The initiative-level analytics of `graph` (see the analytics page)."""
    has_initiatives = any(kind == "initiative" for _n, kind in graph.nodes(data="kind"))
    if not has_initiatives:
        return Analytics([], [], "", [], [], 0, graph.number_of_nodes(), graph.number_of_edges())
    found = communities(graph, kind="initiative")
    # Brokers between groups of initiatives: betweenness on the initiative network
    # (initiatives linked by shared members, people and relationships), exact and fast.
    projection = project(graph, "initiative")
    top = brokers(projection, k=10, measure="betweenness")
    links = cross_region_links(graph, kind="initiative")
    kinds = Counter(kind for _n, kind in graph.nodes(data="kind"))

    def members(group: Community) -> list[NodeLink]:
        return sorted((_link(graph, n) for n in group.nodes), key=lambda n: n.label.casefold())

    names = group_names(graph, found)
    return Analytics(
        communities=[
            CommunityRow(group, name, members(group))
            for group, name in zip(found, names, strict=True)
        ],
        brokers=[(broker, _link(graph, broker.node)) for broker in top],
        broker_measure=top[0].measure if top else "",
        isolates=sorted(
            (_link(graph, n) for n in isolates(graph, "initiative")),
            key=lambda n: n.label.casefold(),
        ),
        land_pairs=_land_pairs(graph, links, examples=3),
        link_count=len(links),
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        counts=dict(kinds),
    )


def analytics(user: Any) -> Analytics:
    """The analytics of the graph `user` sees, computed once per graph version."""
    entry = cache.get(permissions.graph_scope(user))
    return entry.derived(ANALYTICS, _compute)


# --- the strongest suggestions of the whole network ----------------------------------


@dataclass(frozen=True)
class PairSuggestion:
    """A suggested pair of initiatives for the network page, with readable reasons."""

    source: NodeLink
    target: NodeLink
    score: float
    reasons: tuple[str, ...]
    later: bool


def _ranked_pairs(graph: nx.Graph) -> list[tuple[NodeLink, NodeLink, Suggestion]]:
    """Every initiative's best suggestions as unordered pairs, strongest first (one graph
    version; decisions and relationships are applied fresh by `network_suggestions`). The
    pairs carry their records' links, so that the network page needs no graph to show them."""
    dissolved = _dissolved(graph)
    best: dict[tuple[str, str], tuple[str, Suggestion]] = {}
    sources = sorted(
        node
        for node, kind in graph.nodes(data="kind")
        if kind == "initiative" and node not in dissolved
    )
    for source in sources:
        for found in _suggest(graph, source, "initiative", dissolved, NETWORK_PER_SOURCE):
            key = (min(source, str(found.node)), max(source, str(found.node)))
            if key not in best or found.score > best[key][1].score:
                best[key] = (source, found)
    ranked = sorted(best.items(), key=lambda item: (-item[1][1].score, item[0]))
    links: dict[str, NodeLink] = {}

    def link(node: str) -> NodeLink:
        if node not in links:
            links[node] = _link(graph, node)
        return links[node]

    return [(link(source), link(str(found.node)), found) for _key, (source, found) in ranked]


def _decided_pairs() -> tuple[set[frozenset[int]], set[frozenset[int]]]:
    """Initiative pairs decided for good, and pairs postponed ("später")."""
    final: set[frozenset[int]] = set()
    later: set[frozenset[int]] = set()
    rows = db.session.execute(
        select(
            SuggestionFeedback.source_id, SuggestionFeedback.target_id, SuggestionFeedback.decision
        ).where(
            SuggestionFeedback.source_type == "initiative",
            SuggestionFeedback.target_type == "initiative",
        )
    )
    for source_id, target_id, decision in rows:
        pair = frozenset((source_id, target_id))
        if decision in FINAL_DECISIONS:
            final.add(pair)
        elif decision is SuggestionDecision.LATER:
            later.add(pair)
    related = db.session.execute(
        select(Relationship.initiative_a_id, Relationship.initiative_b_id).where(
            Relationship.initiative_a_id.is_not(None), Relationship.initiative_b_id.is_not(None)
        )
    )
    final |= {frozenset((a, b)) for a, b in related if a is not None and b is not None}
    return final, later


def network_suggestions(user: Any, limit: int = NETWORK_TOP) -> list[PairSuggestion]:
    """The strongest suggested pairs of initiatives across the network `user` sees, best
    first; pairs accepted, dismissed or already related are left out (read fresh: a ranking
    of an older graph never shows a decided pair again)."""
    return _network_suggestions(cache.get(permissions.graph_scope(user)), limit)


def _network_suggestions(entry: cache.CachedGraph, limit: int) -> list[PairSuggestion]:
    ranked = entry.derived(PAIRS, _ranked_pairs)
    if not ranked:
        return []
    final, later = _decided_pairs()
    chosen = []
    for source, target, found in ranked:
        pair = frozenset((source.id, target.id))
        if pair not in final:
            chosen.append(
                PairSuggestion(
                    source=source,
                    target=target,
                    score=found.score,
                    reasons=tuple(reason_text(reason) for reason in found.reasons),
                    later=pair in later,
                )
            )
        if len(chosen) == limit:
            break
    return chosen


def computed_at(user: Any) -> dt.datetime | None:
    """When the network `user` sees was computed, if it is older than the data (shown
    while the worker computes the current one); None when it is current."""
    return _computed_at(cache.get(permissions.graph_scope(user)))


def _computed_at(entry: cache.CachedGraph) -> dt.datetime | None:
    return entry.built_at if cache.is_stale(entry) else None


# --- the analytics page ----------------------------------------------------------------


@dataclass(frozen=True)
class AnalyticsPage:
    """What the analytics page shows, from one cached graph and the current data."""

    #: The graph's key: the version of everything derived from the graph.
    graph_key: cache.Key
    analytics: Analytics
    top: list[PairSuggestion]
    open_introductions: int
    #: When the graph was computed, if it is older than the data (else None).
    computed_at: dt.datetime | None


def analytics_page(user: Any) -> AnalyticsPage:
    """The analytics page of the network `user` sees.

    The strongest pairs (their reasons in the request's language) and the number of open
    introductions are kept per data version and graph version: every decision is a save,
    so a decided pair is gone on the next request, and the page spends no statement on
    them until something changes."""
    entry = cache.get(permissions.graph_scope(user))
    top_key = (entry.key, NETWORK_TOP, str(get_locale()))
    return AnalyticsPage(
        graph_key=entry.key,
        analytics=entry.derived(ANALYTICS, _compute),
        top=datastamp.cached(
            "network_top", top_key, lambda: _network_suggestions(entry, NETWORK_TOP)
        ),
        open_introductions=datastamp.cached("open_introductions", None, open_introduction_count),
        computed_at=_computed_at(entry),
    )


cache.share(ANALYTICS, _compute)
cache.share(PAIRS, _ranked_pairs)
