"""Link-prediction evaluation of the suggestion score against the classic local indices.

Run ``python -m crm.graph.evaluate`` for the Markdown table (AUC and precision@10
on a random 10% edge hold-out, averaged over seeds) and ``--bench`` for timings on
a synthetic graph the size of a full installation.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from crm.graph.analytics import communities
from crm.graph.analytics import project
from crm.graph.suggest import candidate_scores
from crm.graph.suggest import suggest_connections

Pair = tuple[Hashable, Hashable]
PairScorer = Callable[[nx.Graph, list[Pair]], list[float]]


@dataclass(frozen=True)
class Split:
    """A training graph with the held-out edges and the true non-edges to rank."""

    train: nx.Graph
    held_out: list[Pair]
    non_edges: list[Pair]


def _ordered(pair: Pair) -> Pair:
    a, b = pair
    return (a, b) if str(a) <= str(b) else (b, a)


def hold_out(graph: nx.Graph, *, fraction: float = 0.1, seed: int = 0) -> Split:
    """Remove a random `fraction` of the edges; return them with all non-edges of `graph`."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction muss zwischen 0 und 1 liegen, nicht {fraction}")
    rng = random.Random(seed)
    edges = sorted((_ordered(edge) for edge in graph.edges()), key=str)
    held_out = sorted(rng.sample(edges, max(1, round(fraction * len(edges)))), key=str)
    train = graph.copy()
    train.remove_edges_from(held_out)
    non_edges = sorted((_ordered(pair) for pair in nx.non_edges(graph)), key=str)
    return Split(train=train, held_out=held_out, non_edges=non_edges)


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Return P(positive score > negative score), ties counting one half, computed exactly."""
    if not positive or not negative:
        raise ValueError("AUC braucht positive und negative Beispiele")
    ranked = sorted([(score, 1) for score in positive] + [(score, 0) for score in negative])
    wins = 0.0
    below = 0
    index = 0
    while index < len(ranked):
        end = index
        while end < len(ranked) and ranked[end][0] == ranked[index][0]:
            end += 1
        group = ranked[index:end]
        pos = sum(label for _score, label in group)
        neg = len(group) - pos
        wins += pos * below + 0.5 * pos * neg
        below += neg
        index = end
    return wins / (len(positive) * len(negative))


def precision_at(scores: Sequence[float], is_positive: Sequence[bool], k: int = 10) -> float:
    """Return the expected precision of the top `k` scores, ties at the cut split evenly."""
    order = sorted(range(len(scores)), key=lambda index: -scores[index])
    if len(order) <= k:
        return sum(is_positive) / k
    threshold = scores[order[k - 1]]
    above = [index for index in order if scores[index] > threshold]
    tied = [index for index in order if scores[index] == threshold]
    hits = sum(is_positive[index] for index in above)
    tied_hits = sum(is_positive[index] for index in tied)
    return (hits + (k - len(above)) * tied_hits / len(tied)) / k


def ours(train: nx.Graph, pairs: list[Pair]) -> list[float]:
    """Score pairs with the suggestion score (`candidate_scores`, from the first node)."""
    cache: dict[Hashable, dict[Hashable, float]] = {}
    scores = []
    for a, b in pairs:
        if a not in cache:
            cache[a] = candidate_scores(train, a)
        scores.append(cache[a].get(b, 0.0))
    return scores


def ours_unweighted(train: nx.Graph, pairs: list[Pair]) -> list[float]:
    """Score pairs with the suggestion score on a copy of `train` without edge weights."""
    plain = nx.Graph()
    plain.add_nodes_from(train.nodes)
    plain.add_edges_from(train.edges())
    return ours(plain, pairs)


def _networkx_index(
    index: Callable[[nx.Graph, Iterable[Pair]], Iterable[tuple[Hashable, Hashable, float]]],
) -> PairScorer:
    def scorer(train: nx.Graph, pairs: list[Pair]) -> list[float]:
        return [float(score) for _a, _b, score in index(train, pairs)]

    return scorer


def common_neighbours(train: nx.Graph, pairs: list[Pair]) -> list[float]:
    """Score pairs by their number of common neighbours."""
    return [float(len(set(train.adj[a]) & set(train.adj[b]))) for a, b in pairs]


def random_scores(train: nx.Graph, pairs: list[Pair]) -> list[float]:
    """Score pairs at random, seeded by the training graph so each split differs."""
    rng = random.Random(str(sorted(str(_ordered(edge)) for edge in train.edges())))
    drawn = {pair: rng.random() for pair in sorted(set(pairs), key=str)}
    return [drawn[pair] for pair in pairs]


METHODS: dict[str, PairScorer] = {
    "Industrienetz (suggest)": ours,
    "Industrienetz, weights ignored": ours_unweighted,
    "Common neighbours": common_neighbours,
    "Adamic-Adar": _networkx_index(nx.adamic_adar_index),
    "Resource allocation": _networkx_index(nx.resource_allocation_index),
    "Preferential attachment": _networkx_index(nx.preferential_attachment),
    "Random": random_scores,
}


def datasets() -> dict[str, nx.Graph]:
    """Return the three public evaluation graphs by name."""
    davis = nx.davis_southern_women_graph()
    women = [node for node, part in davis.nodes(data="bipartite") if part == 0]
    return {
        "Karate club": nx.karate_club_graph(),
        "Les Misérables": nx.les_miserables_graph(),
        "Davis women (projection)": nx.bipartite.weighted_projected_graph(davis, women),
    }


def evaluate_method(
    method: PairScorer, graph: nx.Graph, *, seeds: Iterable[int] = range(10), k: int = 10
) -> tuple[float, float]:
    """Return (mean AUC, mean precision@k) of `method` on `graph` over the hold-out seeds."""
    aucs: list[float] = []
    precisions: list[float] = []
    for seed in seeds:
        split = hold_out(graph, seed=seed)
        pairs = split.held_out + split.non_edges
        scores = method(split.train, pairs)
        positive = scores[: len(split.held_out)]
        negative = scores[len(split.held_out) :]
        aucs.append(auc(positive, negative))
        # Training non-edges are exactly the held-out edges plus the true non-edges.
        flags = [True] * len(split.held_out) + [False] * len(split.non_edges)
        precisions.append(precision_at(scores, flags, k))
    return statistics.fmean(aucs), statistics.fmean(precisions)


def evaluation_table(seeds: Iterable[int] = range(10)) -> str:
    """Return the Markdown table of AUC and P@10 for every method and data set."""
    seed_list = list(seeds)
    data = datasets()
    header = "| Method | " + " | ".join(f"{name} AUC | {name} P@10" for name in data) + " |"
    rule = "|---|" + "---:|---:|" * len(data)
    rows = [header, rule]
    for method_name, method in METHODS.items():
        cells = []
        for graph in data.values():
            mean_auc, mean_precision = evaluate_method(method, graph, seeds=seed_list)
            cells.append(f"{mean_auc:.3f} | {mean_precision:.2f}")
        rows.append(f"| {method_name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def synthetic_graph(seed: int = 0) -> nx.Graph:
    """Build a graph the size of a full installation: initiatives, organisations, people."""
    rng = random.Random(seed)
    themes = ["Wasserstoff", "Fachkräfte", "Digitalisierung", "Kreislaufwirtschaft", "Resilienz"]
    org_types = ["Unternehmen", "IHK", "Kommune", "Hochschule", "Gewerkschaft", "Forschung"]
    laender = [f"{code:02d}" for code in range(1, 17)]
    graph = nx.Graph()
    for index in range(100):
        graph.add_node(
            f"i{index}",
            kind="initiative",
            label=f"Initiative {index}",
            land=rng.choice(laender),
            themes=set(rng.sample(themes, 2)),
        )
    for index in range(20_000):
        graph.add_node(
            f"o{index}",
            kind="organisation",
            org_type=rng.choice(org_types),
            land=rng.choice(laender),
        )
    for index in range(60_000):
        graph.add_node(f"p{index}", kind="person")
    memberships: set[tuple[int, int]] = set()
    while len(memberships) < 3_500:
        memberships.add((rng.randrange(100), rng.randrange(20_000)))
    for initiative, organisation in sorted(memberships):
        graph.add_edge(f"i{initiative}", f"o{organisation}", kind="membership")
    for index in range(60_000):
        graph.add_edge(f"p{index}", f"o{rng.randrange(20_000)}", kind="affiliation")
    return graph


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def bench(seed: int = 0, runs: int = 200) -> dict[str, float]:
    """Time suggestions and communities on `synthetic_graph`; return milliseconds."""
    graph = synthetic_graph(seed)
    rng = random.Random(seed)
    initiatives = [node for node, kind in graph.nodes(data="kind") if kind == "initiative"]
    organisations = [node for node, kind in graph.nodes(data="kind") if kind == "organisation"]
    members = [
        node
        for node in organisations
        if any(graph.nodes[other]["kind"] == "initiative" for other in graph.adj[node])
    ]
    figures: dict[str, float] = {}
    for name, pool, target in (
        ("initiative → initiatives", initiatives, None),
        ("organisation → initiatives", members, "initiative"),
    ):
        timings = []
        for _run in range(runs):
            source = rng.choice(pool)
            start = time.perf_counter()
            suggest_connections(graph, source, target_kind=target)
            timings.append((time.perf_counter() - start) * 1000)
        figures[f"suggest {name} p95 ms"] = _p95(timings)
        figures[f"suggest {name} median ms"] = statistics.median(timings)
    start = time.perf_counter()
    projection = project(graph, "initiative")
    figures["project onto initiatives ms"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    found = communities(projection, seed=seed)
    figures["communities of the projection ms"] = (time.perf_counter() - start) * 1000
    figures["communities found"] = float(len(found))
    start = time.perf_counter()
    found = communities(graph, seed=seed, kind="initiative")
    figures["communities(graph, kind='initiative') ms"] = (time.perf_counter() - start) * 1000
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """Print the evaluation table, or the timings with ``--bench``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", action="store_true", help="time on a synthetic large graph")
    parser.add_argument("--seeds", type=int, default=10, help="number of hold-out seeds")
    args = parser.parse_args(argv)
    if args.bench:
        for name, value in bench().items():
            print(f"{name}: {value:.2f}")
        return
    print(evaluation_table(range(args.seeds)))


if __name__ == "__main__":
    main()
