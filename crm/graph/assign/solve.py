"""`assign_workshops`: read the input, solve the flow, mix, search, explain."""

from __future__ import annotations

import random
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from crm.graph.assign.explain import _build_result
from crm.graph.assign.flow import _Group
from crm.graph.assign.flow import _solve_flow
from crm.graph.assign.mixing import _mixed_flow
from crm.graph.assign.mixing import _Search
from crm.graph.assign.model import UNLISTED_COST
from crm.graph.assign.model import Assignment
from crm.graph.assign.model import Id
from crm.graph.assign.model import _positions
from crm.graph.assign.model import _read_acquaintances
from crm.graph.assign.model import _read_fixed
from crm.graph.assign.model import _read_input
from crm.graph.assign.model import _read_mix
from crm.graph.assign.model import _wish_cost


def assign_workshops(
    participants: Iterable[Any],
    workshops: Iterable[Any],
    *,
    acquaintances: Iterable[tuple[Id, Id]] = (),
    fixed: Mapping[Id, Id] | None = None,
    mix: Iterable[str] | str = ("sector",),
    seed: int = 0,
) -> Assignment:
    """Place participants within capacities: best wishes, good mix, few acquaintances together."""
    ps, ws = _read_input(participants, workshops)
    w_index, p_index = _positions(ws), _positions(ps)
    mix_attributes = _read_mix(mix)
    pairs = _read_acquaintances(acquaintances, p_index)
    fixed_of = _read_fixed(fixed, ps, ws)
    if not ps:
        return Assignment()

    n, n_workshops = len(ps), len(ws)
    rng = random.Random(seed)  # noqa: S311 - seeded for reproducibility, not security
    placement = [-1] * n
    for p, w in fixed_of.items():
        placement[p] = w
    movable = [p not in fixed_of for p in range(n)]
    free_seats = [w.capacity for w in ws]
    for w in fixed_of.values():
        free_seats[w] -= 1

    search = _Search(
        ps, n_workshops, [w.capacity for w in ws], mix_attributes, pairs, placement, movable, rng
    )
    costs = [{w_index[wish]: _wish_cost(k) for k, wish in enumerate(p.preferences)} for p in ps]
    search.set_costs(costs, [UNLISTED_COST if p.preferences else 0 for p in ps])

    # groups: identical wishes and identical mix[0] value
    first_values = search.values[0] if mix_attributes else [0] * n
    by_key: dict[tuple[tuple[int, ...], int], _Group] = {}
    for p in range(n):
        if not movable[p]:
            continue
        prefs = tuple(w_index[wish] for wish in ps[p].preferences)
        key = (prefs, first_values[p])
        group = by_key.get(key)
        if group is None:
            group = by_key[key] = _Group(prefs, first_values[p])
        group.members.append(p)
    groups = list(by_key.values())

    seats = _solve_flow(groups, free_seats, None, [])
    if mix_attributes and groups:
        seats = _mixed_flow(groups, free_seats, first_values, fixed_of, costs, seats)

    for gi, (group, group_seats) in enumerate(zip(groups, seats, strict=True)):
        search.place_group(gi, group.members, group_seats)
    search.start()
    search.run()

    return _build_result(ps, ws, placement, pairs, fixed_of, mix_attributes)
