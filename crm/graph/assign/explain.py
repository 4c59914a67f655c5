"""The explanation: metrics of any placement, per-participant reasons, and the baselines.

`metrics_of` measures any placement, so the optimum can be compared with
`first_come_first_served` and `random_assignment` on the same figures.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from crm.graph.assign.model import Assignment
from crm.graph.assign.model import AssignmentMetrics
from crm.graph.assign.model import Id
from crm.graph.assign.model import _get
from crm.graph.assign.model import _Participant
from crm.graph.assign.model import _positions
from crm.graph.assign.model import _read_acquaintances
from crm.graph.assign.model import _read_input
from crm.graph.assign.model import _value
from crm.graph.assign.model import _Workshop
from crm.graph.assign.model import rank_cost

_MIX_LABELS = {"sector": "Organisationstyp", "land": "Bundesland", "initiative": "Initiative"}
_ORDINALS = ("Erstwunsch", "Zweitwunsch", "Drittwunsch", "Viertwunsch", "Fünftwunsch")


# --------------------------------------------------------------------------- metrics


def _mean_tvd(
    participants: Sequence[_Participant],
    placement: Sequence[int],
    n_workshops: int,
    attribute: str,
) -> float:
    event: Counter[Any] = Counter()
    per_workshop: list[Counter[Any]] = [Counter() for _ in range(n_workshops)]
    for participant, w in zip(participants, placement, strict=True):
        if w >= 0:
            value = _value(participant, attribute)
            event[value] += 1
            per_workshop[w][value] += 1
    placed = sum(event.values())
    if not placed:
        return 0.0
    distances = []
    for counts in per_workshop:
        size = sum(counts.values())
        if size:
            distances.append(0.5 * sum(abs(counts[v] / size - event[v] / placed) for v in event))
    return sum(distances) / len(distances)


def _compute_metrics(
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
    placement: Sequence[int],
    pairs: set[tuple[int, int]],
) -> AssignmentMetrics:
    n = len(participants)
    if not n:
        return AssignmentMetrics()
    load = Counter(w for w in placement if w >= 0)
    violations = sum(max(0, load[w] - ws.capacity) for w, ws in enumerate(workshops))
    with_wishes = first = top3 = total_cost = 0
    for participant, w in zip(participants, placement, strict=True):
        workshop_id = workshops[w].id if w >= 0 else None
        cost = rank_cost(participant.preferences, workshop_id)
        total_cost += cost
        if participant.preferences:
            with_wishes += 1
            if workshop_id is not None:
                first += workshop_id == participant.preferences[0]
                top3 += workshop_id in participant.preferences[:3]
    same_org = 0
    org_load: Counter[tuple[int, Any]] = Counter(
        (w, p.organisation)
        for p, w in zip(participants, placement, strict=True)
        if w >= 0 and p.organisation is not None
    )
    for count in org_load.values():
        same_org += count * (count - 1) // 2
    explicit = sum(
        1
        for a, b in pairs
        if placement[a] >= 0
        and placement[a] == placement[b]
        and not _same_org(participants[a], participants[b])
    )
    assigned = sum(1 for w in placement if w >= 0)
    return AssignmentMetrics(
        participants=n,
        assigned=assigned,
        unassigned=n - assigned,
        capacity_violations=violations,
        first_choice_rate=first / with_wishes if with_wishes else 0.0,
        top3_rate=top3 / with_wishes if with_wishes else 0.0,
        total_rank_cost=total_cost,
        mean_rank_cost=total_cost / n,
        sector_tvd=_mean_tvd(participants, placement, len(workshops), "sector"),
        land_tvd=_mean_tvd(participants, placement, len(workshops), "land"),
        initiative_tvd=_mean_tvd(participants, placement, len(workshops), "initiative"),
        acquaintance_pairs=same_org + explicit,
        same_org_pairs=same_org,
    )


def _same_org(a: _Participant, b: _Participant) -> bool:
    return a.organisation is not None and a.organisation == b.organisation


def metrics_of(
    participants: Iterable[Any],
    workshops: Iterable[Any],
    workshop_of: Mapping[Id, Id | None],
    acquaintances: Iterable[tuple[Id, Id]] = (),
) -> AssignmentMetrics:
    """Metrics of any placement (participant id → workshop id or None; missing = unplaced)."""
    ps, ws = _read_input(participants, workshops)
    w_index, p_index = _positions(ws), _positions(ps)
    placement = [-1] * len(ps)
    for participant_id, workshop_id in workshop_of.items():
        if participant_id not in p_index:
            raise ValueError(f"Unbekannter Teilnehmer {participant_id!r} in der Zuordnung")
        if workshop_id is None:
            continue
        if workshop_id not in w_index:
            raise ValueError(
                f"Unbekannter Workshop {workshop_id!r} in der Zuordnung von "
                f"Teilnehmer {participant_id!r}"
            )
        placement[p_index[participant_id]] = w_index[workshop_id]
    pairs = _read_acquaintances(acquaintances, p_index)
    return _compute_metrics(ps, ws, placement, pairs)


# --------------------------------------------------------------------------- baselines


def first_come_first_served(
    participants: Iterable[Any], workshops: Iterable[Any]
) -> dict[Id, Id | None]:
    """Baseline: in the given order, the first wish with a free seat, else any free seat."""
    participant_list = list(participants)
    workshop_list = list(workshops)
    _ps, ws = _read_input(participant_list, workshop_list)
    # keep the caller's order: that order *is* the algorithm
    order = [_get(w, "id") for w in workshop_list]
    free = {w.id: w.capacity for w in ws}
    result: dict[Id, Id | None] = {}
    for item in participant_list:
        wishes = tuple(_get(item, "preferences", None) or ())
        chosen = next((w for w in wishes if free[w] > 0), None)
        if chosen is None:
            chosen = next((w for w in order if free[w] > 0), None)
        if chosen is not None:
            free[chosen] -= 1
        result[_get(item, "id")] = chosen
    return result


def random_assignment(
    participants: Iterable[Any], workshops: Iterable[Any], seed: int = 0
) -> dict[Id, Id | None]:
    """Baseline: every participant gets a uniformly random free seat, ignoring wishes."""
    ps, ws = _read_input(participants, workshops)
    rng = random.Random(seed)  # noqa: S311 - seeded for reproducibility, not security
    seats = [w.id for w in ws for _ in range(w.capacity)]
    rng.shuffle(seats)
    order = [p.id for p in ps]
    rng.shuffle(order)
    return {pid: (seats[i] if i < len(seats) else None) for i, pid in enumerate(order)}


# --------------------------------------------------------------------------- explanations


def _build_result(
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
    placement: Sequence[int],
    pairs: set[tuple[int, int]],
    fixed_of: Mapping[int, int],
    mix: tuple[str, ...],
) -> Assignment:
    first_wishes: Counter[Id] = Counter(p.preferences[0] for p in participants if p.preferences)
    load = Counter(w for w in placement if w >= 0)
    by_id = {w.id: (i, w) for i, w in enumerate(workshops)}
    mix_label = " und ".join(_MIX_LABELS[a] for a in mix)

    def reason(workshop_id: Id) -> str:
        i, workshop = by_id[workshop_id]
        name = f"Workshop „{workshop.title}“"
        if first_wishes[workshop_id] > workshop.capacity:
            demand = first_wishes[workshop_id]
            return f"{name} hatte {demand} Erstwünsche für {workshop.capacity} Plätze"
        if load[i] >= workshop.capacity:
            return f"{name} war mit {workshop.capacity} Plätzen voll"
        if mix:
            return f"{name} wurde für die Mischung nach {mix_label} anders besetzt"
        return f"{name} war nicht frei"

    def explain(p: int) -> str:
        participant = participants[p]
        if p in fixed_of:
            return "Fest zugeordnet (manuell)."
        if placement[p] < 0:
            return "Kein Platz frei: alle Workshops sind voll."
        if not participant.preferences:
            if mix:
                return (
                    "Keine Wünsche angegeben: zugeordnet, wo Platz war "
                    "und die Mischung es verlangte."
                )
            return "Keine Wünsche angegeben: zugeordnet, wo Platz war."
        workshop_id = workshops[placement[p]].id
        wishes = participant.preferences
        if workshop_id == wishes[0]:
            return "Erstwunsch erhalten."
        if workshop_id in wishes:
            k = wishes.index(workshop_id)
            ordinal = _ORDINALS[k] if k < len(_ORDINALS) else f"{k + 1}. Wunsch"
            reasons = "; ".join(reason(w) for w in wishes[:k])
            return f"{ordinal} erhalten: {reasons}."
        reasons = "; ".join(reason(w) for w in wishes)
        return f"Keiner der Wünsche war möglich: {reasons}. Zugeordnet, wo Platz war."

    workshop_of = {
        p.id: (workshops[w].id if w >= 0 else None)
        for p, w in zip(participants, placement, strict=True)
    }
    return Assignment(
        workshop_of=workshop_of,
        unassigned=tuple(p.id for p, w in zip(participants, placement, strict=True) if w < 0),
        metrics=_compute_metrics(participants, workshops, placement, pairs),
        explanations={participants[p].id: explain(p) for p in range(len(participants))},
    )
