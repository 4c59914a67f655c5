"""Assign an event's participants to its workshops: capacities, ranked wishes, mixing, overrides.

Pure functions over plain data; imports networkx and the standard library only.

Modules: `model` (input, rank cost, result types), `flow` (the min-cost flow, step 1),
`mixing` (soft quotas and the local search, steps 2 and 3), `explain` (metrics, reasons,
baselines) and `solve` (`assign_workshops`, which runs the steps in order).

Model
-----
*Rank cost* of a placement: first wish 0, second 1, third 3, fourth 5, fifth 7, any later
wish 9, a workshop not on the list 10. A participant who gave no wishes costs 0 anywhere:
they have no preference we could fail, so they are the free material for capacity and mix.

1. **Preferences** are solved exactly as a min-cost flow (``networkx.network_simplex``):
   participant group (identical wishes and ``mix[0]`` value, supply = group size) →
   (workshop, value) cell → workshop (capacity) → sink. Unlisted workshops are reached
   through one hub node per value, so the graph stays sparse; a very expensive hub → sink
   arc leaves someone without a seat only when no seat is left. With ``mix=()`` the
   result is the exact rank-cost optimum.
2. **Mix** (``mix[0]``) is a soft quota in the same flow: each cell has a zero-cost arc up
   to its proportional target (event share × workshop size) and parallel arcs with an
   increasing (convex, piecewise-linear) penalty per unit beyond it. One unit of excess
   raises a workshop's total-variation distance by 1/size, so the tiers are fractions of
   the workshop size, which keeps the trade-off the same for 170 or 5,000 participants.
   Sizes come from the previous solution (re-solved while they still move). The penalty
   is scaled up a short ladder until the mix reaches half the preferences-only distance
   (and at most 0.08); the weakest penalty that does so is kept, i.e. the least rank cost
   for that mix. A step that would lose more than 11 points of first choices or 1.5
   points of top-three places is not taken.
3. **Further mix attributes** (``mix[1:]``) and **acquaintances** (explicit pairs plus
   everyone from the same organisation) are handled by a bounded local search: moves into
   free seats and swaps of two participants with the same ``mix[0]`` value. A step is taken
   only if it worsens neither the rank cost, nor any attribute's mix, nor the number of
   acquaintance pairs placed together, and improves at least one of them (a Pareto step,
   so the search cannot cycle). The order of the search comes from ``seed``. Groups are
   first spread greedily over their seats so that colleagues land apart. ``mix[1:]`` only
   gets the freedom that rank cost and ``mix[0]`` leave: put the attribute that matters
   most first.

Participants and workshops are processed in the order of their ids, so the result depends
on the seed only, never on the order of the input.
"""

from crm.graph.assign.explain import first_come_first_served
from crm.graph.assign.explain import metrics_of
from crm.graph.assign.explain import random_assignment
from crm.graph.assign.model import MIX_ATTRIBUTES
from crm.graph.assign.model import UNLISTED_COST
from crm.graph.assign.model import Assignment
from crm.graph.assign.model import AssignmentMetrics
from crm.graph.assign.model import rank_cost
from crm.graph.assign.solve import assign_workshops

__all__ = [
    "MIX_ATTRIBUTES",
    "UNLISTED_COST",
    "Assignment",
    "AssignmentMetrics",
    "assign_workshops",
    "first_come_first_served",
    "metrics_of",
    "random_assignment",
    "rank_cost",
]
