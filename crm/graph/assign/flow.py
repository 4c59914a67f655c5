"""Step 1, the flow model: wishes (and soft mix quotas) solved exactly as a min-cost flow.

Participant group (identical wishes and ``mix[0]`` value, supply = group size) →
(workshop, value) cell → workshop (capacity) → sink. Unlisted workshops are reached through
one hub node per value, so the graph stays sparse; a very expensive hub → sink arc leaves
someone without a seat only when no seat is left. Without quotas the result is the exact
rank-cost optimum; with quotas (see `crm.graph.assign.mixing`) each cell has a zero-cost
arc up to its target and parallel arcs with an increasing penalty per unit beyond it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import networkx as nx

from crm.graph.assign.model import UNLISTED_COST
from crm.graph.assign.model import _wish_cost

# Flow costs are integers: rank costs are scaled so that mix penalties can be finer.
_SCALE = 100
# Mix penalty tiers: (width as a fraction of the workshop size, cost per unit of excess).
# Scaled by a strength from the ladder until the mix target is met (see `_mixed_flow`).
_PENALTY_TIERS: tuple[tuple[float, int], ...] = ((0.02, 150), (0.04, 220))
_LAST_PENALTY = 330


@dataclass(slots=True)
class _Group:
    preferences: tuple[int, ...]  # workshop indices, best first
    value: int  # index of the mix[0] value (0 without mixing)
    members: list[int] = field(default_factory=list)


def _group_costs(group: _Group) -> dict[int, int]:
    return {w: _wish_cost(k) for k, w in enumerate(group.preferences)}


def _solve_flow(
    groups: Sequence[_Group],
    free_seats: Sequence[int],
    quotas: Sequence[Sequence[float]] | None,
    sizes: Sequence[float],
    strength: float = 1.0,
) -> list[dict[int, int]]:
    """Min-cost flow; returns per group its seats per workshop (the rest has no seat)."""
    graph = nx.MultiDiGraph()
    n_workshops = len(free_seats)
    tiers = [(fraction, round(cost * strength)) for fraction, cost in _PENALTY_TIERS]
    last_penalty = round(_LAST_PENALTY * strength)
    # nobody is left without a seat while one is free: no placement costs this much
    unplaced_cost = _SCALE * UNLISTED_COST + last_penalty + 1
    total = 0
    values_used = sorted({g.value for g in groups})
    for gi, group in enumerate(groups):
        size = len(group.members)
        total += size
        node = ("g", gi)
        graph.add_node(node, demand=-size)
        for w, cost in _group_costs(group).items():
            graph.add_edge(node, ("c", w, group.value), weight=cost * _SCALE)
        hub_cost = UNLISTED_COST * _SCALE if group.preferences else 0
        graph.add_edge(node, ("h", group.value), weight=hub_cost)
    graph.add_node("sink", demand=total)
    for v in values_used:
        graph.add_edge(("h", v), "sink", weight=unplaced_cost)
        for w in range(n_workshops):
            graph.add_edge(("h", v), ("c", w, v), weight=0)
            cell, target = ("c", w, v), ("w", w)
            if quotas is None:
                graph.add_edge(cell, target, weight=0)
                continue
            base = max(0.0, quotas[w][v])
            # the unit that crosses a fractional target exceeds it by only part of a unit
            crossing = round(tiers[0][1] * (1 - (base - int(base))))
            graph.add_edge(cell, target, capacity=int(base), weight=0)
            graph.add_edge(cell, target, capacity=1, weight=crossing)
            for fraction, cost in tiers:
                width = max(1, round(fraction * sizes[w]))
                graph.add_edge(cell, target, capacity=width, weight=cost)
            graph.add_edge(cell, target, weight=last_penalty)
    for w in range(n_workshops):
        graph.add_edge(("w", w), "sink", capacity=free_seats[w], weight=0)
    _, flow = nx.network_simplex(graph)

    # flow through a hub is shared by its groups; any split has the same cost
    hub_out: dict[int, list[int]] = {
        v: [flow[("h", v)][("c", w, v)][0] for w in range(n_workshops)]
        + [flow[("h", v)]["sink"][0]]
        for v in values_used
    }
    seats: list[dict[int, int]] = []
    for gi, group in enumerate(groups):
        node = ("g", gi)
        placed: dict[int, int] = {}
        for w in _group_costs(group):
            amount = flow[node][("c", w, group.value)][0]
            if amount:
                placed[w] = amount
        via_hub = flow[node][("h", group.value)][0]
        out = hub_out[group.value]
        for w in range(n_workshops + 1):
            take = min(via_hub, out[w])
            if take and w < n_workshops:
                placed[w] = placed.get(w, 0) + take
            out[w] -= take
            via_hub -= take
        seats.append(placed)
    return seats
