"""Positions for drawing a view: a seeded force layout in numpy, communities apart.

Plain data in and out, numpy and the standard library only (no Flask, no SQLAlchemy), like
the rest of `crm.graph`. The browser
draws the positions as they are (Cytoscape's `preset` layout), so the layout runs once
per view and data version on the server instead of in every browser.

The layout is a Fruchterman–Reingold spring embedder on a dense distance matrix (numpy
only; networkx's own `spring_layout` needs scipy above 500 nodes), with two changes that
keep communities apart: a link inside a community pulls much harder than a link between
two, and each node is pulled gently towards the centre of its community. The start is
seeded (communities on a spiral, each node near its community's spot), so the same view
always gets the same picture; it is turned so that its longer extent runs across.

With `previous` positions (the picture of the same view before a change), every node that
is still shown keeps its place; only new nodes are placed: next to their placed neighbours,
then moved by a few iterations in which every other node stays fixed. Nodes without a
shown link go into rows below the network, where their labels do not collide.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

import numpy as np

from crm.graph.graphview import GraphView

Point = tuple[float, float]

#: The ideal distance between two linked nodes, in drawing units (about pixels at zoom 1).
SPACING = 60.0
#: How much weaker a link between two communities pulls than one inside a community.
CROSS_PULL = 0.08
#: How strongly a node is pulled towards the centre of its community.
COHESION = 0.06
#: A weak pull towards the middle, so that small components stay near the rest.
GRAVITY = 0.01
#: Iterations of a full layout and of placing new nodes among fixed ones.
ITERATIONS = 80
PLACE_ITERATIONS = 40
#: Drawn nodes are this far apart at least (between their rims, with `radii`).
GAP = 6.0
SPREAD_ROUNDS = 30
#: Nodes without a link: rows of this step below the network.
ROW_STEP: Point = (170.0, 55.0)
#: A previous picture is reused when it still holds at least this share of the nodes.
REUSE_SHARE = 0.5
SEED = 23


def _order(nodes: Iterable[Hashable]) -> list[Hashable]:
    """A fixed order of the nodes, independent of how they were given."""
    return sorted(set(nodes), key=str)


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator of its own per node: a node's start does not depend on the others."""
    text = ":".join(str(part) for part in (seed, *parts))
    return random.Random(text)  # noqa: S311 - seeded for reproducibility, not security


def _pull_matrix(
    index: Mapping[Hashable, int],
    edges: Iterable[tuple[Hashable, Hashable, float]],
    groups: Mapping[Hashable, int | None],
) -> np.ndarray:
    """Symmetric matrix of link strengths: 1 + log(weight), much less between communities."""
    pull = np.zeros((len(index), len(index)))
    for source, target, weight in edges:
        i, j = index.get(source), index.get(target)
        if i is None or j is None or i == j:
            continue
        strength = 1.0 + math.log(max(float(weight), 1.0))
        group = groups.get(source)
        if group is None or group != groups.get(target):
            strength *= CROSS_PULL
        pull[i, j] = pull[j, i] = max(pull[i, j], strength)
    return pull


class _Springs:
    """Spring forces on the nodes `movers` (indices into `pos`) from every node: repulsion
    k²/d from all, attraction pull·d²/k along links. The n×m work arrays are allocated
    once and reused by every step (at 600 nodes, allocating them each step costs more
    than the arithmetic), in single precision (half the memory traffic; positions stay
    double)."""

    def __init__(self, pull: np.ndarray, movers: np.ndarray, size: int, k: float) -> None:
        self.movers = movers
        self.k = k
        rows = pull if len(movers) == size else pull[movers]
        self.pull = (rows / k).astype(np.float32)
        shape = (len(movers), size)
        self.dx, self.dy, self.d2, self.work = (np.empty(shape, dtype=np.float32) for _ in range(4))

    def __call__(self, pos: np.ndarray) -> np.ndarray:
        dx, dy, d2, work = self.dx, self.dy, self.d2, self.work
        x, y = pos[:, 0], pos[:, 1]
        np.subtract.outer(x[self.movers], x, out=dx)
        np.subtract.outer(y[self.movers], y, out=dy)
        np.multiply(dx, dx, out=d2)
        np.multiply(dy, dy, out=work)
        d2 += work
        np.maximum(d2, 0.01, out=d2)  # a node and itself: dx = dy = 0, so no force
        np.sqrt(d2, out=work)
        work *= self.pull  # attraction / d
        np.divide(self.k * self.k, d2, out=d2)  # repulsion / d
        d2 -= work
        np.multiply(d2, dx, out=work)
        fx = work.sum(axis=1)
        np.multiply(d2, dy, out=work)
        return np.stack((fx, work.sum(axis=1)), axis=1).astype(np.float64)


def _relax(
    pos: np.ndarray,
    pull: np.ndarray,
    group_of: np.ndarray,
    movers: np.ndarray,
    iterations: int,
    start_step: float,
) -> None:
    """Move `movers` (in place) for `iterations` steps of a cooling spring layout."""
    k = SPACING
    springs = _Springs(pull, movers, len(pos), k)
    grouped = group_of >= 0
    mine = group_of[movers]
    inside = mine >= 0
    for step in range(iterations):
        force = springs(pos)
        if grouped.any():  # each node towards the centre of its community
            centres = np.zeros((int(group_of.max()) + 1, 2))
            counts = np.bincount(group_of[grouped], minlength=len(centres)).astype(float)
            np.add.at(centres, group_of[grouped], pos[grouped])
            centres /= np.maximum(counts, 1.0)[:, None]
            force[inside] += COHESION * (centres[mine[inside]] - pos[movers][inside])
        force -= GRAVITY * (pos[movers] - pos.mean(axis=0))
        length = np.maximum(np.linalg.norm(force, axis=1), 1e-9)
        limit = start_step * (1.0 - step / iterations) + 0.02 * k
        pos[movers] += force * (np.minimum(length, limit) / length)[:, None]


def _spread(pos: np.ndarray, radii: np.ndarray, movers: np.ndarray) -> None:
    """Push `movers` (in place) off the nodes they overlap: a few rounds in which each pair
    closer than its radii plus GAP moves apart (a mover by half the overlap, or the whole
    of it against a node that stays)."""
    moving = np.zeros(len(pos), dtype=bool)
    moving[movers] = True
    share = np.where(moving, 0.5, 1.0)[None, :]
    need = radii[movers][:, None] + radii[None, :] + GAP
    for _round in range(SPREAD_ROUNDS):
        x, y = pos[:, 0], pos[:, 1]
        dx = np.subtract.outer(x[movers], x)
        dy = np.subtract.outer(y[movers], y)
        distance = np.sqrt(dx * dx + dy * dy)
        overlap = np.maximum(need - distance, 0.0)
        overlap[np.arange(len(movers)), movers] = 0.0
        if overlap.max(initial=0.0) < 0.5:
            break
        push = overlap * share / np.maximum(distance, 0.01)
        pos[movers] += np.stack(((push * dx).sum(axis=1), (push * dy).sum(axis=1)), axis=1)


def _lengthwise(pos: np.ndarray) -> np.ndarray:
    """The picture turned so that its longer extent runs across (the canvas is wide)."""
    if len(pos) < 2:
        return pos
    centred = pos - pos.mean(axis=0)
    _values, vectors = np.linalg.eigh(centred.T @ centred)
    turned: np.ndarray = centred @ vectors[:, ::-1]  # the main axis first: x
    return turned


def _group_numbers(nodes: Sequence[Hashable], groups: Mapping[Hashable, int | None]) -> np.ndarray:
    """Each node's community as a dense index 0.. (largest first), -1 for none."""
    sizes: dict[int, int] = {}
    for node in nodes:
        group = groups.get(node)
        if group is not None:
            sizes[group] = sizes.get(group, 0) + 1
    ranked = sorted(sizes, key=lambda g: (-sizes[g], g))
    dense = {group: number for number, group in enumerate(ranked)}
    return np.array([dense.get(groups.get(node), -1) for node in nodes], dtype=int)  # type: ignore[arg-type]


def _start(nodes: Sequence[Hashable], group_of: np.ndarray, seed: int) -> np.ndarray:
    """Seeded start: community spots on a sunflower spiral (largest in the middle), each
    node near its spot; nodes without a community scattered over the whole."""
    count = int(group_of.max()) + 1 if len(group_of) else 0
    sizes = np.bincount(group_of[group_of >= 0], minlength=count) if count else np.zeros(0)
    spread = SPACING * math.sqrt(max(len(nodes), 1))
    golden = math.pi * (3.0 - math.sqrt(5.0))
    spots = [
        (
            spread * 0.45 * math.sqrt(i / max(count, 1)) * math.cos(i * golden),
            spread * 0.45 * math.sqrt(i / max(count, 1)) * math.sin(i * golden),
        )
        for i in range(count)
    ]
    pos = np.zeros((len(nodes), 2))
    for i, node in enumerate(nodes):
        rng = _rng(seed, node)
        group = int(group_of[i])
        if group >= 0:
            radius = SPACING * math.sqrt(float(sizes[group])) * 0.6
            cx, cy = spots[group]
        else:
            radius, cx, cy = spread * 0.5, 0.0, 0.0
        angle, distance = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random())
        pos[i] = (cx + distance * math.cos(angle), cy + distance * math.sin(angle))
    return pos


def _rows(nodes: Sequence[Hashable], origin: Point, width: float) -> dict[Hashable, Point]:
    """Nodes in rows from `origin` (left, top), as many columns as fit `width`."""
    columns = max(4, int(width // ROW_STEP[0]) + 1)
    return {
        node: (
            origin[0] + (i % columns) * ROW_STEP[0],
            origin[1] + (i // columns) * ROW_STEP[1],
        )
        for i, node in enumerate(nodes)
    }


def _radii(nodes: Sequence[Hashable], radii: Mapping[Hashable, float]) -> np.ndarray:
    return np.array([float(radii.get(node, 0.0)) for node in nodes])


def _box(points: Iterable[Point]) -> tuple[float, float, float, float]:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def layout(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Hashable, Hashable, float]],
    groups: Mapping[Hashable, int | None],
    *,
    labels: Mapping[Hashable, str] | None = None,
    radii: Mapping[Hashable, float] | None = None,
    previous: Mapping[Hashable, Point] | None = None,
    seed: int = SEED,
) -> dict[Hashable, Point]:
    """{node: (x, y)} for drawing `nodes` linked by `edges` (source, target, weight).

    `groups` numbers the nodes by community (None: none). `labels` orders the rows of
    nodes without a link (else their ids). `radii`: how large each node is drawn (none:
    a point), so that linked nodes do not overlap. With `previous` (holding at least
    REUSE_SHARE of the nodes) the nodes in it keep their positions and only the others
    are placed. Deterministic: the same arguments give the same positions.
    """
    order = _order(nodes)
    if not order:
        return {}
    present = set(order)
    links = [(s, t, w) for s, t, w in edges if s in present and t in present and s != t]
    linked = _order(node for s, t, _w in links for node in (s, t))
    linked_set = set(linked)
    names = labels or {}

    def by_label(items: Iterable[Hashable]) -> list[Hashable]:
        return sorted(items, key=lambda n: (str(names.get(n, n)).casefold(), str(n)))

    alone = by_label(node for node in order if node not in linked_set)
    kept = {node: previous[node] for node in order if previous and node in previous}
    if previous and kept and len(kept) >= REUSE_SHARE * len(order):
        return _place_new(order, linked, alone, links, groups, kept, radii or {}, seed)

    positions: dict[Hashable, Point] = {}
    if linked:
        index = {node: i for i, node in enumerate(linked)}
        pull = _pull_matrix(index, links, groups)
        group_of = _group_numbers(linked, groups)
        pos = _start(linked, group_of, seed)
        everyone = np.arange(len(linked))
        _relax(pos, pull, group_of, everyone, ITERATIONS, SPACING * 3)
        _spread(pos, _radii(linked, radii or {}), everyone)
        pos = _lengthwise(pos)
        pos -= pos.min(axis=0)
        positions = {node: (float(x), float(y)) for node, (x, y) in zip(linked, pos, strict=True)}
    if alone:
        if positions:
            x1, _y1, x2, y2 = _box(positions.values())
            positions.update(_rows(alone, (x1, y2 + 80.0), x2 - x1))
        else:
            positions.update(_rows(alone, (0.0, 0.0), ROW_STEP[0] * math.sqrt(len(alone)) * 1.5))
    return positions


def _place_new(
    order: Sequence[Hashable],
    linked: Sequence[Hashable],
    alone: Sequence[Hashable],
    links: Sequence[tuple[Hashable, Hashable, float]],
    groups: Mapping[Hashable, int | None],
    kept: Mapping[Hashable, Point],
    radii: Mapping[Hashable, float],
    seed: int,
) -> dict[Hashable, Point]:
    """Keep every node of `kept` where it is; place the others."""
    positions: dict[Hashable, Point] = dict(kept)
    new_linked = [node for node in linked if node not in kept]
    new_alone = [node for node in alone if node not in kept]
    if new_linked:
        neighbours: dict[Hashable, list[Hashable]] = {node: [] for node in linked}
        for s, t, _w in links:
            neighbours[s].append(t)
            neighbours[t].append(s)
        # next to placed neighbours, spreading outwards from the kept nodes
        waiting = list(new_linked)
        while waiting:
            still = []
            for node in waiting:
                placed = [positions[n] for n in neighbours[node] if n in positions]
                if not placed:
                    still.append(node)
                    continue
                rng = _rng(seed, node)
                angle = rng.uniform(0, 2 * math.pi)
                positions[node] = (
                    sum(p[0] for p in placed) / len(placed) + SPACING * 0.7 * math.cos(angle),
                    sum(p[1] for p in placed) / len(placed) + SPACING * 0.7 * math.sin(angle),
                )
            if len(still) == len(waiting):  # a new component: beside the picture
                x1, y1, x2, y2 = _box(positions.values())
                for i, node in enumerate(still):
                    rng = _rng(seed, node)
                    positions[node] = (
                        x2 + SPACING * (2 + rng.random()),
                        y1 + SPACING * (i + rng.random()),
                    )
                break
            waiting = still
        index = {node: i for i, node in enumerate(linked)}
        pos = np.array([positions[node] for node in linked], dtype=float)
        pull = _pull_matrix(index, links, groups)
        movers = np.array([index[node] for node in new_linked], dtype=int)
        _relax(pos, pull, _group_numbers(linked, groups), movers, PLACE_ITERATIONS, SPACING)
        _spread(pos, _radii(linked, radii), movers)
        for node in new_linked:
            x, y = pos[index[node]]
            positions[node] = (float(x), float(y))
    if new_alone:
        x1, _y1, x2, y2 = _box(positions.values())
        positions.update(_rows(new_alone, (x1, y2 + ROW_STEP[1]), x2 - x1))
    return {node: positions[node] for node in order}


def drawn_radius(degree: int, most: int) -> float:
    """Half the size the page draws a node with `degree` in a view whose largest degree is
    `most` (static/js/network_graph.js: 14 + 36·√(degree / most) pixels)."""
    return (14.0 + 36.0 * math.sqrt(max(degree, 0) / max(most, 1))) / 2.0


def view_layout(
    view: GraphView, *, previous: Mapping[Hashable, Point] | None = None, seed: int = SEED
) -> dict[Hashable, Point]:
    """`layout` of the nodes and edges of a view, grouped by their community numbers, with
    the nodes as large as the page draws them."""
    most = max((node.degree for node in view.nodes), default=1)
    return layout(
        (node.id for node in view.nodes),
        ((edge.source, edge.target, edge.weight) for edge in view.edges),
        {node.id: node.community for node in view.nodes},
        labels={node.id: node.label for node in view.nodes},
        radii={node.id: drawn_radius(node.degree, most) for node in view.nodes},
        previous=previous,
        seed=seed,
    )
