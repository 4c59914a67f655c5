"""The plan of the 1:1 meetings as plain data: the grid, free slots, moves, video links
and the figures of a plan.

Pure: no Flask, no SQLAlchemy. The services (crm/matchmaking/planning.py) turn the
meeting rows into `Planned` values and back; the web layer words the codes below.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

Slot = Hashable

# Why a meeting cannot go to a slot (`move_problem`).
UNKNOWN_SLOT = "unknown_slot"
"""The slot is not one of the event's slots."""
SAME_SLOT = "same_slot"
"""The meeting is already in that slot."""
PERSON_BUSY = "person_busy"
"""One of the two has another meeting in that slot."""
PERSON_BLOCKED = "person_blocked"
"""One of the two is blocked in that slot (their workshop, say)."""

#: The placeholder of a video-link pattern that becomes the meeting's token.
TOKEN_PLACEHOLDER = "{token}"  # noqa: S105 - a placeholder, not a secret


@dataclass(frozen=True)
class Planned:
    """A planned meeting: its id, slot and the two people (registration ids)."""

    id: int
    slot: Slot
    a: int
    b: int

    def has(self, person: int) -> bool:
        """Does `person` take part?"""
        return person in (self.a, self.b)


def busy_slots(
    meetings: Iterable[Planned], person: int, *, besides: int | None = None
) -> set[Slot]:
    """The slots in which `person` has a meeting (other than the meeting `besides`)."""
    return {m.slot for m in meetings if m.has(person) and m.id != besides}


def busy_map(meetings: Iterable[Planned]) -> dict[int, dict[Slot, int]]:
    """For each person, their meetings by slot (meeting ids): computed once for a page."""
    found: dict[int, dict[Slot, int]] = {}
    for meeting in meetings:
        for person in (meeting.a, meeting.b):
            found.setdefault(person, {})[meeting.slot] = meeting.id
    return found


def move_problem(
    meeting: Planned,
    target: Slot,
    slots: Sequence[Slot],
    meetings: Iterable[Planned],
    unavailable: Mapping[int, Iterable[Slot]] | None = None,
    *,
    busy: Mapping[int, Mapping[Slot, int]] | None = None,
) -> str | None:
    """Why `meeting` cannot move to `target` (a code), or None when it can. `busy`: the
    `busy_map` of `meetings`, when the caller has it already."""
    if target not in slots:
        return UNKNOWN_SLOT
    if target == meeting.slot:
        return SAME_SLOT
    blocked = unavailable or {}
    taken = busy if busy is not None else busy_map(meetings)
    for person in (meeting.a, meeting.b):
        if target in blocked.get(person, ()):
            return PERSON_BLOCKED
        other = taken.get(person, {}).get(target)
        if other is not None and other != meeting.id:
            return PERSON_BUSY
    return None


def free_slots(
    meeting: Planned,
    slots: Sequence[Slot],
    meetings: Iterable[Planned],
    unavailable: Mapping[int, Iterable[Slot]] | None = None,
    *,
    busy: Mapping[int, Mapping[Slot, int]] | None = None,
) -> list[Slot]:
    """The slots (in order) `meeting` could move to."""
    taken = busy if busy is not None else busy_map(meetings)
    return [
        s for s in slots if move_problem(meeting, s, slots, (), unavailable, busy=taken) is None
    ]


def grid(slots: Sequence[Slot], meetings: Iterable[Planned]) -> list[tuple[Slot, list[Planned]]]:
    """The meetings per slot, in slot order (every slot, empty ones too); meetings of an
    unknown slot are left out."""
    rows: dict[Slot, list[Planned]] = {s: [] for s in slots}
    for meeting in meetings:
        if meeting.slot in rows:
            rows[meeting.slot].append(meeting)
    return [(s, sorted(rows[s], key=lambda m: m.id)) for s in slots]


def new_video_token() -> str:
    """An unguessable room name part (about 128 bits, letters and digits only)."""
    return secrets.token_hex(16)


def pattern_link(pattern: str, token: str) -> str:
    """The room link of a pattern: `{token}` replaced, else the token appended as a path."""
    pattern = pattern.strip()
    if TOKEN_PLACEHOLDER in pattern:
        return pattern.replace(TOKEN_PLACEHOLDER, token)
    return f"{pattern.rstrip('/')}/{token}"


def table_lines(text: str | None) -> list[str]:
    """The table links of the settings: one per line, blank lines and doubles dropped."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            seen.setdefault(line, None)
    return list(seen)


def table_link(tables: Sequence[str], taken: Iterable[str | None]) -> str | None:
    """The first table link not taken in the slot (None: all tables are in use)."""
    used = {t for t in taken if t}
    return next((t for t in tables if t not in used), None)


def assign_video_links(
    meetings: Sequence[Planned],
    *,
    mode: str,
    pattern: str | None,
    tables: Sequence[str],
    current: Mapping[int, str | None] | None = None,
    token: Callable[[], str] = new_video_token,
) -> dict[int, str | None]:
    """The video link of each meeting.

    ``mode`` "pattern": each meeting keeps its link, a meeting without one gets the
    pattern with a fresh token. ``mode`` "tables": within each slot the meetings take the
    tables in turn (a meeting keeps its table when it is still free in its slot); a slot
    with more meetings than tables leaves the rest without a link (None). Any other mode,
    or a pattern mode without pattern: no links.
    """
    current = current or {}
    links: dict[int, str | None] = {}
    if mode == "pattern":
        for meeting in meetings:
            kept = current.get(meeting.id)
            links[meeting.id] = kept or (pattern_link(pattern, token()) if pattern else None)
        return links
    if mode != "tables":
        return dict.fromkeys((m.id for m in meetings), None)
    by_slot: dict[Slot, list[Planned]] = {}
    for meeting in meetings:
        by_slot.setdefault(meeting.slot, []).append(meeting)
    for group in by_slot.values():
        group.sort(key=lambda m: m.id)
        taken: list[str] = []
        later: list[Planned] = []
        for meeting in group:  # first: those whose table is still free keep it
            kept = current.get(meeting.id)
            if kept is not None and kept in tables and kept not in taken:
                links[meeting.id] = kept
                taken.append(kept)
            else:
                later.append(meeting)
        for meeting in later:
            link = table_link(tables, taken)
            links[meeting.id] = link
            if link:
                taken.append(link)
    return links


@dataclass(frozen=True)
class Figures:
    """What a plan achieves."""

    meetings: int
    people: int  # participants who could be planned (opted in)
    without: list[int]  # of them, those with no meeting
    total_weight: float  # the summed weights of the pairs that meet
    possible_weight: float  # the summed weights of all wished pairs
    per_person: dict[int, int]


def figures(
    meetings: Iterable[Planned],
    people: Iterable[int],
    weights: Mapping[frozenset[int], float],
) -> Figures:
    """Count the meetings, who has none, and the weight of the wishes met."""
    everyone = sorted(set(people))
    per_person = dict.fromkeys(everyone, 0)
    total = 0.0
    listed = list(meetings)
    for meeting in listed:
        for person in (meeting.a, meeting.b):
            per_person[person] = per_person.get(person, 0) + 1
        total += weights.get(frozenset((meeting.a, meeting.b)), 0.0)
    return Figures(
        meetings=len(listed),
        people=len(everyone),
        without=[p for p in everyone if per_person.get(p, 0) == 0],
        total_weight=total,
        possible_weight=float(sum(weights.values())),
        per_person=per_person,
    )
