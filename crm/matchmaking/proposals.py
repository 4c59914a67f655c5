"""Proposed partners of the practitioner exchange, ranked and explained (plain data).

No Flask, no SQLAlchemy: the services turn registrations into `Profile`s and the network
graph's suggestions into structural reasons; this module scores and orders. The reasons
are `crm.graph.Reason`s with codes, worded by the web layer (`crm.network.reasons`):

* ``shared_theme``: a theme both work on (`THEME_WEIGHT` each, at most `MAX_THEMES`);
* ``complementary_sector``: the partner's organisation is of another kind (a company and a
  municipality, a union and a chamber …): `COMPLEMENT_WEIGHT`;
* ``neighbouring_region`` / ``same_region``: Länder next to each other / the same Land;
* the suggestion engine's own reasons (a shared organisation or initiative, a contact both
  know: ``shared_contact``), together worth at most `STRUCTURE_WEIGHT`;
* ``already_linked``: the two know each other already. Such pairs come last, whatever
  their score: the exchange is for meeting new people.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from crm.graph import NEIGHBOURING_REGION
from crm.graph import SAME_REGION
from crm.graph import SHARED_THEME
from crm.graph import Reason
from crm.graph import are_neighbours

COMPLEMENTARY_SECTOR = "complementary_sector"
ALREADY_LINKED = "already_linked"
SHARED_CONTACT = "shared_contact"

THEME_WEIGHT = 1.0
MAX_THEMES = 3
COMPLEMENT_WEIGHT = 0.6
NEIGHBOUR_WEIGHT = 0.5
SAME_REGION_WEIGHT = 0.3
STRUCTURE_WEIGHT = 1.0


@dataclass(frozen=True)
class Profile:
    """What the ranking knows of a participant (`id`: their registration)."""

    id: int
    themes: frozenset[str] = frozenset()
    land: str | None = None  # the AGS code of their Land
    org_type: str | None = None  # their organisation's kind (`OrgType` value)


@dataclass(frozen=True)
class Proposal:
    """A proposed partner, its score and reasons (strongest first), and whether the two
    know each other already."""

    id: int
    score: float
    linked: bool
    reasons: tuple[Reason, ...]


def _reason(kind: str, weight: float, text: str, code: str, **data: object) -> Reason:
    return Reason(kind=kind, via=None, weight=weight, text=text, code=code, data=data)


def attribute_reasons(source: Profile, other: Profile) -> list[Reason]:
    """The reasons two profiles give by themselves: themes, kinds, regions."""
    reasons = [
        _reason(
            SHARED_THEME, THEME_WEIGHT, f"Beide arbeiten zu {theme}", "shared_theme", label=theme
        )
        for theme in sorted(source.themes & other.themes)[:MAX_THEMES]
    ]
    if source.org_type and other.org_type and source.org_type != other.org_type:
        reasons.append(
            _reason(
                COMPLEMENTARY_SECTOR,
                COMPLEMENT_WEIGHT,
                f"Ergänzende Perspektive: {other.org_type}",
                COMPLEMENTARY_SECTOR,
                types=[other.org_type],
            )
        )
    if source.land and other.land:
        if source.land == other.land:
            reasons.append(
                _reason(SAME_REGION, SAME_REGION_WEIGHT, "Gleiches Bundesland", "same_region")
            )
        elif are_neighbours(source.land, other.land):
            reasons.append(
                _reason(
                    NEIGHBOURING_REGION, NEIGHBOUR_WEIGHT, "Nachbarregion", "neighbouring_region"
                )
            )
    return reasons


def _scaled(reasons: Sequence[Reason], factor: float) -> list[Reason]:
    return [Reason(r.kind, r.via, r.weight * factor, r.text, r.code, dict(r.data)) for r in reasons]


def rank_partners(
    source: Profile,
    others: Sequence[Profile],
    *,
    structural: Mapping[int, Sequence[Reason]] | None = None,
    linked: Collection[int] = (),
) -> list[Proposal]:
    """Every other profile as a proposal, best first: pairs that know each other last, then
    by score (highest first), then by id. `structural` maps a profile id to the suggestion
    engine's reasons for the pair; their weights are scaled so that the strongest pair's
    structure is worth `STRUCTURE_WEIGHT`."""
    structural = structural or {}
    strongest = max(
        (sum(r.weight for r in reasons) for reasons in structural.values()), default=0.0
    )
    factor = STRUCTURE_WEIGHT / strongest if strongest > 0 else 0.0
    known = set(linked)
    proposals = []
    for other in others:
        if other.id == source.id:
            continue
        reasons = attribute_reasons(source, other)
        reasons += _scaled(structural.get(other.id, ()), factor)
        reasons.sort(key=lambda r: (-r.weight, r.code, r.text))
        score = sum(r.weight for r in reasons)
        is_linked = other.id in known
        if is_linked:
            reasons.insert(0, _reason(ALREADY_LINKED, 0.0, "Sie kennen sich schon", ALREADY_LINKED))
        proposals.append(Proposal(other.id, score, is_linked, tuple(reasons)))
    proposals.sort(key=lambda p: (p.linked, -p.score, p.id))
    return proposals
