"""Benchmark of the 1:1 meeting schedule: ``python -m benchmarks.bench_meetings``.

Also provides `synthetic_exchange`, a realistic generator the tests reuse: uneven
popularity (a few people are wished by many), "Unbedingt" and "Gern" wishes, workshops
that block two slots for a third of the people, and a few accepted requests.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from typing import Any

from crm.graph.meetings import MeetingSchedule
from crm.graph.meetings import schedule_meetings

MUST = 3.0  # "Unbedingt treffen"
GLADLY = 1.0  # "Gern"

Exchange = dict[str, Any]


def synthetic_exchange(n_people: int = 200, n_slots: int = 8, seed: int = 1) -> Exchange:
    """Pairs, slots, blocked slots, fixed pairs and the cap: the arguments of
    `schedule_meetings`, so ``schedule_meetings(**exchange)`` plans it."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    slots = [f"S{s + 1}" for s in range(n_slots)]
    popularity = [rng.paretovariate(1.5) for _ in range(n_people)]
    wishes: dict[tuple[int, int], float] = {}
    for person in range(n_people):
        for _ in range(rng.randint(2, 12)):
            other = rng.choices(range(n_people), popularity)[0]
            if other != person:
                wishes[person, other] = MUST if rng.random() < 0.3 else GLADLY
    weights: dict[tuple[int, int], float] = {}
    for (a, b), value in wishes.items():  # both sides' wishes add up
        key = (min(a, b), max(a, b))
        weights[key] = weights.get(key, 0.0) + value
    pairs = [
        (a, b, weight, (f"theme-{(a * b) % 7}",)) for (a, b), weight in sorted(weights.items())
    ]
    unavailable = {}
    for person in range(n_people):
        if rng.random() < 1 / 3:  # in a workshop that takes two slots
            first = rng.randrange(n_slots - 1)
            unavailable[person] = {slots[first], slots[first + 1]}
    fixed: list[tuple[int, int]] = []
    fixed_count: Counter[int] = Counter()
    for a, b, weight, _ in pairs:  # accepted requests: some "Unbedingt" wishes, two at most
        if weight >= MUST and rng.random() < 0.2 and fixed_count[a] < 2 and fixed_count[b] < 2:
            fixed.append((a, b))
            fixed_count.update((a, b))
    return {
        "pairs": pairs,
        "slots": slots,
        "unavailable": unavailable,
        "fixed": fixed,
        "max_per_person": 5,
    }


def describe(name: str, exchange: Exchange, schedule: MeetingSchedule) -> str:
    """One block of figures for a schedule."""
    counts = schedule.count()
    without = sum(1 for person, target in schedule.targets.items() if target and not counts[person])
    gap = "n/a" if schedule.gap is None else f"{schedule.gap:.3%}"
    return "\n".join(
        (
            f"{name}: {len(schedule.targets)} people, {len(exchange['pairs'])} pairs, "
            f"{len(exchange['slots'])} slots, {len(exchange['fixed'])} fixed",
            f"  time {schedule.seconds:.2f} s, method {schedule.method}, "
            f"optimal {schedule.optimal}, gap to the solver's bound {gap}",
            f"  meetings {len(schedule.meetings)}, total weight {schedule.total_weight:.0f}, "
            f"people with none {without}, below target {len(schedule.unmet)}",
        )
    )


def run(
    n_people: int, n_slots: int, time_limit: float, seed: int = 1, label: str = ""
) -> MeetingSchedule:
    """Schedule one synthetic exchange and print its figures."""
    exchange = synthetic_exchange(n_people, n_slots, seed)
    started = time.perf_counter()
    schedule = schedule_meetings(**exchange, time_limit=time_limit, seed=0)
    wall = time.perf_counter() - started
    name = f"{n_people} people x {n_slots} slots, instance {seed}{label}"
    print(describe(name, exchange, schedule))
    print(f"  wall clock including input checks {wall:.2f} s (limit {time_limit:g} s)")
    return schedule


def main() -> None:
    """Print the figures for 200 (three instances) and 1,000 people with 8 slots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    for n_people, seeds in ((200, (1, 2, 3)), (1000, (1,))):
        for seed in seeds:
            exact = run(n_people, 8, args.time_limit, seed)
        # the fallback alone: no time for the solver, the greedy schedule with local search
        fallback = run(n_people, 8, 0.01, seeds[-1], ", heuristic only")
        share = fallback.total_weight / exact.total_weight
        print(f"  heuristic weight {share:.1%} of the solver's")


if __name__ == "__main__":
    main()
