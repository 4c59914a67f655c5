"""Read-only figures for the start page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Bundesland
from crm.models import Event
from crm.models import Initiative
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import initiative_laender


def record_counts() -> dict[str, int]:
    """How many records of each main type there are."""
    row = db.session.execute(
        select(
            select(func.count(Initiative.id)).scalar_subquery(),
            select(func.count(Organisation.id)).scalar_subquery(),
            select(func.count(Person.id)).scalar_subquery(),
            select(func.count(Membership.id)).where(Membership.is_active).scalar_subquery(),
            select(func.count(Event.id)).scalar_subquery(),
        )
    ).one()
    keys = ("initiatives", "organisations", "persons", "memberships", "events")
    return dict(zip(keys, (int(v or 0) for v in row), strict=True))


@dataclass(frozen=True)
class LandCount:
    """Figures of one Land."""

    ags: str
    name: str
    initiatives: int
    organisations: int


def counts_per_land() -> list[LandCount]:
    """Initiatives (active in the Land) and organisations (seated there) per Land."""
    ini = (
        select(initiative_laender.c.land_ags, func.count().label("n"))
        .group_by(initiative_laender.c.land_ags)
        .subquery()
    )
    org = (
        select(Organisation.land_ags, func.count().label("n"))
        .group_by(Organisation.land_ags)
        .subquery()
    )
    rows = db.session.execute(
        select(Bundesland.ags, Bundesland.name, ini.c.n, org.c.n)
        .outerjoin(ini, ini.c.land_ags == Bundesland.ags)
        .outerjoin(org, org.c.land_ags == Bundesland.ags)
        .order_by(Bundesland.ags)
    )
    return [LandCount(a, n, int(i or 0), int(o or 0)) for a, n, i, o in rows]


@dataclass(frozen=True)
class LandInitiatives:
    """A Land and the initiatives active in it (by name): the map as a list."""

    ags: str
    name: str
    initiatives: list[tuple[int, str]]


def initiatives_by_land() -> list[LandInitiatives]:
    """Every Land with at least one initiative, and those initiatives (id, name) by name;
    an initiative active in several Länder is listed under each (as the map counts it)."""
    rows = db.session.execute(
        select(Bundesland.ags, Bundesland.name, Initiative.id, Initiative.name)
        .join(initiative_laender, initiative_laender.c.land_ags == Bundesland.ags)
        .join(Initiative, Initiative.id == initiative_laender.c.initiative_id)
        .order_by(Bundesland.ags, Initiative.sort_name, Initiative.id)
    )
    groups: dict[str, LandInitiatives] = {}
    for ags, land, ini_id, name in rows:
        group = groups.setdefault(ags, LandInitiatives(ags, land, []))
        group.initiatives.append((ini_id, name))
    return list(groups.values())
