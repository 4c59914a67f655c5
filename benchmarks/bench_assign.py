"""Benchmark and comparison for the workshop assignment: ``python -m benchmarks.bench_assign``.

Also provides `synthetic_event`, a realistic generator the tests reuse.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from crm.graph.assign import AssignmentMetrics
from crm.graph.assign import assign_workshops
from crm.graph.assign import first_come_first_served
from crm.graph.assign import metrics_of
from crm.graph.assign import random_assignment

SECTORS: tuple[tuple[str, float], ...] = (
    ("Unternehmen", 0.60),
    ("Kommune", 0.10),
    ("Gewerkschaft", 0.05),
    ("IHK", 0.10),
    ("Wissenschaft", 0.08),
    ("Verein", 0.07),
)
LAENDER = ("BY", "BW", "NW", "NI", "HE", "SN", "TH", "ST", "BB", "RP")

Event = tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[int, int]]]


def synthetic_event(
    n_participants: int = 170,
    n_workshops: int = 5,
    seed: int = 1,
    *,
    slack: float = 1.06,
    no_wish_share: float = 0.05,
) -> Event:
    """A realistic event: uneven popularity, sector tastes, organisations, acquaintances."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    capacity = max(1, round(n_participants * slack / n_workshops))
    workshops: list[dict[str, Any]] = [
        {"id": f"W{w + 1}", "capacity": capacity, "themes": (), "title": f"Workshop {w + 1}"}
        for w in range(n_workshops)
    ]
    # unevenly popular: with 5 workshops about 34/24/18/14/11 % of wishes before sector tastes
    base = [1.0 / (1.0 + 0.25 * w) ** 1.6 for w in range(n_workshops)]
    # each sector has its own favourite topic, which is what makes mixing hard
    affinity = {name: 1 + i % n_workshops for i, (name, _) in enumerate(SECTORS)}
    sector_names = [name for name, _ in SECTORS]
    sector_weights = [share for _, share in SECTORS]
    org_pools = {
        "Unternehmen": max(3, n_participants // 5),
        "Kommune": max(2, n_participants // 40),
        "Gewerkschaft": 2,
        "IHK": 3,
        "Wissenschaft": max(2, n_participants // 60),
        "Verein": max(2, n_participants // 30),
    }
    participants: list[dict[str, Any]] = []
    for p in range(n_participants):
        sector = rng.choices(sector_names, sector_weights)[0]
        weights = list(base)
        weights[affinity[sector] % n_workshops] *= 3.0
        wishes: list[str] = []
        if rng.random() >= no_wish_share:
            pool = list(range(n_workshops))
            n_wishes = rng.choices((1, 2, 3), (1, 1, 8))[0]
            for _ in range(min(n_wishes, n_workshops)):
                pick = rng.choices(pool, [weights[w] for w in pool])[0]
                pool.remove(pick)
                wishes.append(workshops[pick]["id"])
        org_rank = int(rng.paretovariate(1.2)) % org_pools[sector]
        participants.append(
            {
                "id": p,
                "preferences": wishes,
                "sector": sector,
                "organisation": f"{sector}-{org_rank}",
                "land": rng.choices(LAENDER, [6, 5, 5, 3, 3, 2, 2, 1, 1, 1])[0],
                "initiative": f"Initiative {rng.randrange(max(2, n_participants // 25))}",
            }
        )
    by_initiative: dict[str, list[int]] = {}
    for item in participants:
        by_initiative.setdefault(item["initiative"], []).append(item["id"])
    acquaintances: list[tuple[int, int]] = []
    for members in by_initiative.values():
        for _ in range(len(members) // 2):
            a, b = rng.sample(members, 2) if len(members) > 1 else (members[0], members[0])
            if a != b:
                acquaintances.append((a, b))
    return participants, workshops, acquaintances


def _time(call: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _row(name: str, m: AssignmentMetrics) -> str:
    return (
        f"| {name:<34} | {m.first_choice_rate:6.1%} | {m.top3_rate:6.1%} | "
        f"{m.mean_rank_cost:5.2f} | {m.sector_tvd:6.3f} | {m.acquaintance_pairs:5d} |"
    )


def comparison(n_participants: int = 170, n_workshops: int = 5, seed: int = 1) -> list[str]:
    """Markdown table comparing the optimum, the mixed assignment and the two baselines."""
    participants, workshops, acquaintances = synthetic_event(n_participants, n_workshops, seed)
    plain = [{**p, "organisation": None} for p in participants]

    def measure(workshop_of: dict[Any, Any]) -> AssignmentMetrics:
        return metrics_of(participants, workshops, workshop_of, acquaintances)

    rows = {
        "optimal, mix=(), no acquaintances": assign_workshops(plain, workshops, mix=()),
        "optimal, mix=(), acquaintances": assign_workshops(
            participants, workshops, mix=(), acquaintances=acquaintances
        ),
        "mixed sector, acquaintances": assign_workshops(
            participants, workshops, acquaintances=acquaintances
        ),
        "mixed sector+land, acquaintances": assign_workshops(
            participants, workshops, mix=("sector", "land"), acquaintances=acquaintances
        ),
    }
    lines = [
        f"| {'algorithm':<34} | first  | top 3  | cost  | TVD    | pairs |",
        f"|{'-' * 36}|--------|--------|-------|--------|-------|",
    ]
    lines += [_row(name, measure(result.workshop_of)) for name, result in rows.items()]
    lines.append(
        _row("first come, first served", measure(first_come_first_served(participants, workshops)))
    )
    lines.append(_row("random", measure(random_assignment(participants, workshops, seed=seed))))
    return lines


def main() -> None:
    """Print timings and the comparison table."""
    small = synthetic_event(500, 5, seed=2)
    large = synthetic_event(5000, 10, seed=3)
    t_small = _time(lambda: assign_workshops(small[0], small[1], mix=()))
    t_small_mix = _time(lambda: assign_workshops(small[0], small[1], acquaintances=small[2]))
    t_large = _time(lambda: assign_workshops(large[0], large[1], acquaintances=large[2]), repeat=2)
    t_large_two = _time(
        lambda: assign_workshops(
            large[0], large[1], mix=("sector", "land"), acquaintances=large[2]
        ),
        repeat=2,
    )
    print(f"  500 x  5, mix=()                          : {t_small * 1000:7.1f} ms (target 200)")
    print(f"  500 x  5, mix sector + acquaintances      : {t_small_mix * 1000:7.1f} ms")
    print(f"5,000 x 10, mix sector + acquaintances      : {t_large * 1000:7.1f} ms (target 2000)")
    print(f"5,000 x 10, mix sector+land + acquaintances : {t_large_two * 1000:7.1f} ms")
    print()
    print("Synthetic event, 170 participants, 5 workshops:")
    for line in comparison():
        print(line)


if __name__ == "__main__":
    main()
