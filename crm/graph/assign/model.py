"""The assignment's data: reading the input, the rank cost, and the result types."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

MIX_ATTRIBUTES: tuple[str, ...] = ("sector", "land", "initiative")
"""Participant attributes whose composition a workshop can be asked to mirror."""

UNLISTED_COST = 10
"""Rank cost of a workshop that is not on a participant's list of wishes."""

_WISH_COSTS = (0, 1, 3, 5, 7)
_LATE_WISH_COST = 9

Id = Hashable


def rank_cost(preferences: Sequence[Id], workshop_id: Id | None) -> int:
    """Rank cost of placing someone with these wishes in a workshop (None = not placed)."""
    if not preferences:
        return 0
    if workshop_id is None:
        return UNLISTED_COST
    for position, wish in enumerate(preferences):
        if wish == workshop_id:
            return _wish_cost(position)
    return UNLISTED_COST


def _wish_cost(position: int) -> int:
    return _WISH_COSTS[position] if position < len(_WISH_COSTS) else _LATE_WISH_COST


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class AssignmentMetrics:
    """Quality figures of an assignment; comparable across algorithms.

    Rates count participants who gave at least one wish (0.0 when nobody did).
    ``mean_rank_cost`` averages over all participants; a participant with wishes who got
    no seat counts as ``UNLISTED_COST``. The ``*_tvd`` fields are the mean total-variation
    distance between each non-empty workshop's composition and that of all placed
    participants (a missing value is a category of its own). ``acquaintance_pairs``
    counts pairs placed together who know each other (given pairs or same organisation);
    ``same_org_pairs`` is the part of them from the same organisation.
    """

    participants: int = 0
    assigned: int = 0
    unassigned: int = 0
    capacity_violations: int = 0
    first_choice_rate: float = 0.0
    top3_rate: float = 0.0
    total_rank_cost: int = 0
    mean_rank_cost: float = 0.0
    sector_tvd: float = 0.0
    land_tvd: float = 0.0
    initiative_tvd: float = 0.0
    acquaintance_pairs: int = 0
    same_org_pairs: int = 0

    def as_dict(self) -> dict[str, float]:
        """The metrics as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class Assignment:
    """Result of a workshop assignment: placements, the unplaced, metrics and reasons."""

    workshop_of: dict[Id, Id | None] = field(default_factory=dict)
    unassigned: tuple[Id, ...] = ()
    metrics: AssignmentMetrics = field(default_factory=AssignmentMetrics)
    explanations: dict[Id, str] = field(default_factory=dict, repr=False)

    def explain(self, participant_id: Id) -> str:
        """A German sentence saying why this participant got this workshop."""
        try:
            return self.explanations[participant_id]
        except KeyError:
            raise KeyError(f"Unbekannter Teilnehmer {participant_id!r}") from None


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class _Participant:
    id: Id
    preferences: tuple[Id, ...]
    sector: Any
    organisation: Any
    land: Any
    initiative: Any


@dataclass(frozen=True, slots=True)
class _Workshop:
    id: Id
    capacity: int
    title: str


_MISSING = object()


def _get(item: Any, name: str, default: Any = _MISSING) -> Any:
    value = item.get(name, default) if isinstance(item, Mapping) else getattr(item, name, default)
    if value is _MISSING:
        raise ValueError(f"Feld '{name}' fehlt in {item!r}")
    return value


def _sort_key(value: Any) -> tuple[str, Any]:
    """Canonical order for ids of mixed types (numbers numerically, strings alphabetically)."""
    if isinstance(value, int | float | str):
        return (type(value).__name__, value)
    return (type(value).__name__, repr(value))


def _each_once(items: Iterable[Any], what: str) -> Iterator[tuple[Id, Any]]:
    """Each item with its id; an id given twice is an error."""
    seen: set[Id] = set()
    for item in items:
        item_id = _get(item, "id")
        if item_id in seen:
            raise ValueError(f"{what} {item_id!r} ist doppelt angegeben")
        seen.add(item_id)
        yield item_id, item


def _read_workshops(workshops: Iterable[Any]) -> list[_Workshop]:
    result: list[_Workshop] = []
    for workshop_id, item in _each_once(workshops, "Workshop"):
        capacity = _get(item, "capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise ValueError(f"Workshop {workshop_id!r}: Kapazität {capacity!r} ist keine Zahl")
        if capacity < 0:
            raise ValueError(f"Workshop {workshop_id!r}: negative Kapazität {capacity}")
        title = _get(item, "title", None)
        result.append(_Workshop(workshop_id, capacity, title if title else str(workshop_id)))
    result.sort(key=lambda w: _sort_key(w.id))
    return result


def _read_input(
    participants: Iterable[Any], workshops: Iterable[Any]
) -> tuple[list[_Participant], list[_Workshop]]:
    """The checked participants and workshops (workshops first: wishes must name them)."""
    ws = _read_workshops(workshops)
    return _read_participants(participants, {w.id for w in ws}), ws


def _positions(items: Iterable[_Participant | _Workshop]) -> dict[Id, int]:
    """Each participant's or workshop's id → its position in `items`."""
    return {item.id: i for i, item in enumerate(items)}


def _read_participants(participants: Iterable[Any], workshop_ids: set[Id]) -> list[_Participant]:
    result: list[_Participant] = []
    for participant_id, item in _each_once(participants, "Teilnehmer"):
        preferences = tuple(_get(item, "preferences", None) or ())
        wished: set[Id] = set()
        for wish in preferences:
            if wish not in workshop_ids:
                raise ValueError(
                    f"Unbekannter Workshop {wish!r} in den Wünschen von "
                    f"Teilnehmer {participant_id!r}"
                )
            if wish in wished:
                raise ValueError(
                    f"Workshop {wish!r} steht mehrfach in den Wünschen von "
                    f"Teilnehmer {participant_id!r}"
                )
            wished.add(wish)
        result.append(
            _Participant(
                participant_id,
                preferences,
                _get(item, "sector", None),
                _get(item, "organisation", None),
                _get(item, "land", None),
                _get(item, "initiative", None),
            )
        )
    result.sort(key=lambda p: _sort_key(p.id))
    return result


def _read_mix(mix: Iterable[str] | str) -> tuple[str, ...]:
    attributes = (mix,) if isinstance(mix, str) else tuple(mix)
    for attribute in attributes:
        if attribute not in MIX_ATTRIBUTES:
            raise ValueError(
                f"Unbekanntes Mischungsmerkmal {attribute!r} (erlaubt: {', '.join(MIX_ATTRIBUTES)})"
            )
    return tuple(dict.fromkeys(attributes))


def _read_acquaintances(
    acquaintances: Iterable[tuple[Id, Id]], index_of: Mapping[Id, int]
) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for pair in acquaintances:
        first, second = pair
        for participant_id in (first, second):
            if participant_id not in index_of:
                raise ValueError(
                    f"Unbekannter Teilnehmer {participant_id!r} in den Bekanntschaften {pair!r}"
                )
        a, b = index_of[first], index_of[second]
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return pairs


def _read_fixed(
    fixed: Mapping[Id, Id] | None,
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
) -> dict[int, int]:
    if not fixed:
        return {}
    p_index, w_index = _positions(participants), _positions(workshops)
    result: dict[int, int] = {}
    for participant_id, workshop_id in fixed.items():
        if participant_id not in p_index:
            raise ValueError(f"Unbekannter Teilnehmer {participant_id!r} in den festen Zuordnungen")
        if workshop_id not in w_index:
            raise ValueError(
                f"Unbekannter Workshop {workshop_id!r} in der festen Zuordnung von "
                f"Teilnehmer {participant_id!r}"
            )
        result[p_index[participant_id]] = w_index[workshop_id]
    load = Counter(result.values())
    for w, count in sorted(load.items()):
        if count > workshops[w].capacity:
            raise ValueError(
                f"Workshop {workshops[w].id!r} hat {count} feste Zuordnungen, "
                f"aber nur {workshops[w].capacity} Plätze"
            )
    return result


def _value(participant: _Participant, attribute: str) -> Any:
    return getattr(participant, attribute)
