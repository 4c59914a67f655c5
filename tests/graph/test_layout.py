"""Positions for drawing a view (crm.graph.layout): seeded, communities apart, no overlaps,
and stable after a change (the nodes of the last picture stay where they were)."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

from crm.graph.graphview import GraphView
from crm.graph.graphview import ViewEdge
from crm.graph.graphview import ViewNode
from crm.graph.layout import REUSE_SHARE
from crm.graph.layout import SPACING
from crm.graph.layout import drawn_radius
from crm.graph.layout import layout
from crm.graph.layout import view_layout

Edge = tuple[Hashable, Hashable, float]


def two_communities(size: int = 12) -> tuple[list[str], list[Edge], dict[Hashable, int | None]]:
    """Two rings with chords (communities 1 and 2), joined by a single link."""
    nodes, edges, groups = [], [], {}
    for group, prefix in ((1, "a"), (2, "b")):
        ring = [f"{prefix}{n}" for n in range(size)]
        nodes += ring
        groups.update(dict.fromkeys(ring, group))
        for n in range(size):
            edges.append((ring[n], ring[(n + 1) % size], 1.0))
            edges.append((ring[n], ring[(n + 3) % size], 2.0))
    edges.append(("a0", "b0", 1.0))
    return nodes, edges, groups


def distance(p: tuple[float, float], q: tuple[float, float]) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


def centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def test_every_node_gets_a_finite_position_and_the_same_input_the_same_picture():
    nodes, edges, groups = two_communities()
    first = layout(nodes, edges, groups)
    assert set(first) == set(nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in first.values())
    shuffled = list(edges)
    random.Random(5).shuffle(shuffled)
    assert layout(reversed(nodes), shuffled, groups) == first  # order does not matter
    assert layout(nodes, edges, groups, seed=99) != first  # the seed does


def test_communities_are_drawn_apart():
    nodes, edges, groups = two_communities()
    pos = layout(nodes, edges, groups)
    centres = {group: centre([pos[n] for n in nodes if groups[n] == group]) for group in (1, 2)}
    for node in nodes:
        own, other = centres[groups[node]], centres[3 - int(groups[node] or 0)]
        assert distance(pos[node], own) < distance(pos[node], other), node
    spread = max(distance(pos[n], centres[1]) for n in nodes if groups[n] == 1)
    assert distance(centres[1], centres[2]) > 1.5 * spread


def test_nodes_do_not_overlap_at_the_size_they_are_drawn():
    nodes, edges, groups = two_communities()
    radii = {node: 20.0 for node in nodes}
    pos = layout(nodes, edges, groups, radii=radii)
    closest = min(distance(pos[a], pos[b]) for a in nodes for b in nodes if a < b)
    assert closest >= 40.0 - 1.0


def test_nodes_without_a_link_go_into_rows_below_the_network_by_label():
    nodes, edges, groups = two_communities()
    alone = ["z1", "z2", "z3"]
    labels = {"z1": "Cäsar", "z2": "anton", "z3": "Berta"}
    pos = layout(nodes + alone, edges, groups, labels=labels)
    bottom = max(pos[n][1] for n in nodes)
    assert all(pos[n][1] > bottom for n in alone)
    assert pos["z2"][0] < pos["z3"][0] < pos["z1"][0]  # anton, Berta, Cäsar
    assert len({pos[n][1] for n in alone}) == 1  # one row


def test_only_unlinked_nodes_are_laid_out_in_rows():
    pos = layout(["x", "y"], [], {})
    assert pos["x"][1] == pos["y"][1] and pos["x"][0] != pos["y"][0]
    assert layout([], [], {}) == {}


def test_a_new_node_is_placed_next_to_its_neighbour_and_nothing_else_moves():
    nodes, edges, groups = two_communities()
    before = layout(nodes, edges, groups)
    grown = [*edges, ("new", "a4", 1.0), ("new", "a5", 1.0)]
    after = layout([*nodes, "new", "lonely"], grown, {**groups, "new": 1}, previous=before)
    assert all(after[node] == before[node] for node in nodes)
    neighbours = centre([before["a4"], before["a5"]])
    assert distance(after["new"], neighbours) < 3 * SPACING
    assert after["lonely"][1] > max(y for _x, y in before.values())  # a row below


def test_removed_nodes_leave_the_others_in_place():
    nodes, edges, groups = two_communities()
    before = layout(nodes, edges, groups)
    kept = [node for node in nodes if node != "b3"]
    after = layout(kept, [e for e in edges if "b3" not in e[:2]], groups, previous=before)
    assert after == {node: before[node] for node in kept}


def test_a_picture_of_too_few_of_the_nodes_is_not_reused():
    nodes, edges, groups = two_communities()
    fresh = layout(nodes, edges, groups)
    few = int(len(nodes) * REUSE_SHARE) - 1
    stale = {node: (1000.0 + n, 1000.0) for n, node in enumerate(nodes[:few])}
    assert layout(nodes, edges, groups, previous=stale) == fresh


def test_six_hundred_nodes_are_laid_out_with_numpy_alone():
    """networkx's spring_layout needs scipy from 500 nodes on; this layout does not."""
    rng = random.Random(3)
    nodes = [f"n{k}" for k in range(600)]
    groups: dict[Hashable, int | None] = {node: k % 6 or None for k, node in enumerate(nodes)}
    edges: list[Edge] = [(nodes[k], nodes[rng.randrange(600)], 1.0) for k in range(600)]
    edges += [(nodes[k], nodes[(k + 6) % 600], 1.0) for k in range(600)]
    pos = layout(nodes, edges, groups)
    assert len(pos) == 600
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len(set(pos.values())) == 600


def test_view_layout_sizes_nodes_like_the_page():
    nodes = [
        ViewNode(id=f"i:{k}", kind="initiative", label=f"I{k}", degree=k, community=1)
        for k in range(1, 5)
    ]
    edges = [
        ViewEdge(source=f"i:{k}", target=f"i:{k + 1}", kind="shared", weight=1.0)
        for k in range(1, 4)
    ]
    pos = view_layout(GraphView(nodes=nodes, edges=edges))
    assert set(pos) == {node.id for node in nodes}
    assert drawn_radius(4, 4) == 25.0 and drawn_radius(0, 4) == 7.0
    big, other = pos["i:4"], pos["i:3"]
    assert distance(big, other) >= drawn_radius(4, 4) + drawn_radius(3, 4) - 1.0
