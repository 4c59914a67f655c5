"""Read queries of the public directory: listed initiatives, their public contacts, the
upcoming events and the seats for the map.

Only whitelisted filter values reach SQL; anything else is ignored. Who may be named
publicly is decided by the predicates in `crm.permissions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.db import datastamp
from crm.directory.loading import by_id
from crm.directory.queries import has_theme
from crm.directory.queries import land_choices
from crm.directory.queries import theme_choices
from crm.directory.queries import works_in_land
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Event
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import Person
from crm.models import Postcode
from crm.models import initiative_laender
from crm.models.base import utcnow
from crm.models.text import fold
from crm.models.text import like_contains

QUERY_MAX_LENGTH = 100


@dataclass(frozen=True)
class PublicParams:
    """Cleaned search and filter parameters of the public list."""

    q: str = ""
    land: str | None = None
    theme: str | None = None

    @property
    def active(self) -> bool:
        """Is anything searched or filtered?"""
        return bool(self.q or self.land or self.theme)


def _clean_text(text: str) -> str:
    """Printable characters only (PostgreSQL refuses NUL), trimmed and bounded."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:QUERY_MAX_LENGTH]


def parse_params(args: Mapping[str, str]) -> PublicParams:
    """Keep only a bounded search text and known Land / theme values; drop the rest."""
    land = args.get("land") or None
    theme = args.get("theme") or None
    return PublicParams(
        q=_clean_text(args.get("q") or ""),
        land=land if land in {ags for ags, _ in land_choices()} else None,
        theme=theme if theme in {tid for tid, _ in theme_choices()} else None,
    )


def listed_query(params: PublicParams) -> Select[Initiative]:
    """Listed initiatives, searched (name, description, place) and filtered (Land, theme)."""
    query = select(Initiative).where(Initiative.public_listing.is_(True))
    if params.q:
        folded = like_contains(fold(params.q))
        lowered = like_contains(params.q.lower())
        query = query.where(
            or_(
                Initiative.sort_name.like(folded, escape="\\"),
                func.lower(Initiative.description).like(lowered, escape="\\"),
                func.lower(Initiative.place).like(lowered, escape="\\"),
                func.lower(Initiative.region_label).like(lowered, escape="\\"),
            )
        )
    if params.land:
        query = query.where(works_in_land(params.land))
    if params.theme:
        query = query.where(has_theme(int(params.theme)))
    return query.order_by(Initiative.sort_name, Initiative.id)


def listed_initiatives(params: PublicParams) -> list[Initiative]:
    """The listed initiatives matching `params`, with Länder, themes and formats loaded."""
    query = listed_query(params).options(
        selectinload(Initiative.laender),
        selectinload(Initiative.themes),
        selectinload(Initiative.formats),
    )
    return list(db.session.scalars(query))


def listed_initiative(initiative_id: int) -> Initiative | None:
    """One initiative if it is publicly listed (None otherwise), with its vocabularies."""
    initiative = by_id(
        Initiative, initiative_id, Initiative.laender, Initiative.themes, Initiative.formats
    )
    if initiative is None or not permissions.is_publicly_listed(initiative):
        return None
    return initiative


def listed_names() -> dict[int, str]:
    """{id: name} of the listed initiatives, per data version: whether a profile may be
    shown, and its title, without reading the initiative."""

    def load() -> dict[int, str]:
        rows = db.session.execute(
            select(Initiative.id, Initiative.name).where(Initiative.public_listing.is_(True))
        )
        return {ini_id: name for ini_id, name in rows}

    return datastamp.cached("listed_names", None, load)


@dataclass(frozen=True)
class PublicContact:
    """A person who agreed to be named publicly, with what may be shown of them."""

    name: str
    roles: tuple[InitiativeRoleKind, ...]
    email: str | None
    phone: str | None
    affiliations: tuple[tuple[str, str | None], ...]  # (organisation name, function)


def public_contacts(initiative_id: int) -> list[PublicContact]:
    """Active role holders of the initiative who may be listed publicly (see permissions)."""
    roles = db.session.scalars(
        select(InitiativeRole)
        .where(InitiativeRole.initiative_id == initiative_id, InitiativeRole.is_active)
        .options(
            selectinload(InitiativeRole.person).selectinload(Person.consents),
            selectinload(InitiativeRole.person)
            .selectinload(Person.affiliations)
            .selectinload(Affiliation.organisation),
        )
        .order_by(InitiativeRole.id)
    ).all()
    by_person: dict[int, tuple[Person, list[InitiativeRoleKind]]] = {}
    for role in roles:
        by_person.setdefault(role.person_id, (role.person, []))[1].append(role.role)
    contacts = []
    for person, kinds in by_person.values():
        if not permissions.may_list_publicly(person, person.consents):
            continue
        shown = tuple(
            (a.organisation.name, a.function)
            for a in person.affiliations
            if a.is_active
            and permissions.may_show_affiliation_publicly(person, person.consents, a.organisation)
        )
        contacts.append(
            PublicContact(
                name=person.full_name,
                roles=tuple(dict.fromkeys(kinds)),
                email=person.email,
                phone=person.phone,
                affiliations=shown,
            )
        )
    return sorted(contacts, key=lambda c: fold(c.name))


def listed_counts_per_land() -> dict[str, int]:
    """Listed initiatives per Land they work in (AGS → number), per data version."""

    def load() -> dict[str, int]:
        rows = db.session.execute(
            select(initiative_laender.c.land_ags, func.count())
            .join(Initiative, Initiative.id == initiative_laender.c.initiative_id)
            .where(Initiative.public_listing.is_(True))
            .group_by(initiative_laender.c.land_ags)
        )
        return {ags: int(n) for ags, n in rows}

    return dict(datastamp.cached("listed_per_land", None, load))


@dataclass(frozen=True)
class SeatRow:
    """Where an initiative sits (degrees; None when neither address nor PLZ tells)."""

    id: int
    name: str
    lat: float | None
    lon: float | None


def initiative_seats(*, listed_only: bool) -> list[SeatRow]:
    """Seats of the initiatives (all, or the listed ones), falling back to the PLZ centre;
    kept per data version (the map of the start page and of the public directory)."""
    return list(datastamp.cached("seats", listed_only, lambda: _seats(listed_only)))


def _seats(listed_only: bool) -> list[SeatRow]:
    query = select(
        Initiative.id, Initiative.name, Initiative.lat, Initiative.lon, Initiative.plz
    ).order_by(Initiative.sort_name, Initiative.id)
    if listed_only:
        query = query.where(Initiative.public_listing.is_(True))
    rows = db.session.execute(query).all()
    missing = {plz for _, _, lat, lon, plz in rows if (lat is None or lon is None) and plz}
    centres: dict[str, tuple[float, float]] = {}
    if missing:
        centres = {
            plz: (float(lat), float(lon))
            for plz, lat, lon in db.session.execute(
                select(Postcode.plz, func.avg(Postcode.lat), func.avg(Postcode.lon))
                .where(Postcode.plz.in_(missing))
                .group_by(Postcode.plz)
            )
        }
    seats = []
    for ini_id, name, lat, lon, plz in rows:
        if (lat is None or lon is None) and plz in centres:
            lat, lon = centres[plz]
        seats.append(SeatRow(ini_id, name, lat, lon))
    return seats


def upcoming_events() -> list[Event]:
    """Events the public may see (not drafts, not cancelled) that have not ended yet,
    soonest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.status.not_in((EventStatus.ENTWURF, EventStatus.ABGESAGT)),
                Event.ends_at >= utcnow(),
            )
            .order_by(Event.starts_at, Event.id)
        )
    )
