"""Names for communities that tell them apart: their most distinctive themes, their
largest member and the Land most of them share.

Returns codes and node ids only (theme names as stored, Land AGS codes); the web layer
words them in the user's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from crm.graph.analytics import Community
from crm.graph.analytics import _node_key
from crm.graph.analytics import _themes_of
from crm.graph.suggest import node_kind
from crm.graph.suggest import validate_graph

#: A community is named after a Land when at least this share of its members lie in it.
LAND_MAJORITY = 0.5
#: How many themes a name carries.
NAME_THEMES = 2


@dataclass(frozen=True)
class CommunityName:
    """The parts of a community's name.

    `themes`: its most distinctive themes (more frequent inside than in the whole
    network), most distinctive first; `largest`: the member with the most neighbours
    of `member_kind` (e.g. the initiative with the most member organisations);
    `land`: the AGS code of the Land most members lie in, None when they spread over
    several Länder without a majority.
    """

    themes: tuple[str, ...]
    largest: Hashable | None
    land: str | None


def _laender_of(graph: nx.Graph, node: Hashable) -> set[str]:
    data = graph.nodes[node]
    found = {str(code) for code in data.get("laender") or ()}
    if not found and data.get("land"):
        found.add(str(data["land"]))
    return found


def _distinctive_themes(
    group_counts: Counter[str], size: int, overall: Counter[str], total: int, limit: int
) -> tuple[str, ...]:
    """Themes ranked by how much more often they occur in the group than overall;
    the most frequent ones when no theme stands out (a network of one group)."""
    lifted = sorted(
        (
            (-(count / size - overall[theme] / total), -count, theme)
            for theme, count in group_counts.items()
            if count / size > overall[theme] / total
        )
    )
    chosen = [theme for _lift, _count, theme in lifted[:limit]]
    if not chosen:
        ranked = sorted(group_counts.items(), key=lambda item: (-item[1], item[0]))
        chosen = [theme for theme, _count in ranked[:limit]]
    return tuple(chosen)


def _largest(graph: nx.Graph, nodes: frozenset[Hashable], member_kind: str) -> Hashable | None:
    present = [node for node in nodes if node in graph]
    if not present:
        return None

    def size(node: Hashable) -> int:
        return sum(1 for other in graph.adj[node] if node_kind(graph, other) == member_kind)

    return min(present, key=lambda node: (-size(node), -graph.degree(node), _node_key(node)))


def community_names(
    graph: nx.Graph,
    groups: Sequence[Community],
    *,
    member_kind: str = "organisation",
    themes: int = NAME_THEMES,
) -> list[CommunityName]:
    """The name parts of each of `groups` (communities of `graph`), in their order."""
    validate_graph(graph)
    members = [node for group in groups for node in group.nodes if node in graph]
    total = max(len(members), 1)
    overall: Counter[str] = Counter()
    for node in members:
        overall.update(_themes_of(graph, node))
    names = []
    for group in groups:
        nodes = [node for node in group.nodes if node in graph]
        counts: Counter[str] = Counter()
        laender: Counter[str] = Counter()
        for node in nodes:
            counts.update(_themes_of(graph, node))
            laender.update(_laender_of(graph, node))
        land = None
        if laender and nodes:
            code, count = min(laender.items(), key=lambda item: (-item[1], item[0]))
            if count / len(nodes) >= LAND_MAJORITY:
                land = code
        names.append(
            CommunityName(
                themes=_distinctive_themes(counts, max(len(nodes), 1), overall, total, themes),
                largest=_largest(graph, frozenset(nodes), member_kind),
                land=land,
            )
        )
    return names
