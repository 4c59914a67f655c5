"""Read queries of the directory: lists with search, filters and sorting, and detail pages.

Only whitelisted sort keys and filter values reach SQL; anything else is ignored.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlalchemy import Date
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.db import datastamp
from crm.directory.loading import NAMED_ONLY
from crm.directory.loading import RECORD_ID
from crm.directory.loading import RecordList
from crm.directory.loading import relationships_of
from crm.extensions import db
from crm.links.services import can_end
from crm.models import Affiliation
from crm.models import Bundesland
from crm.models import Event
from crm.models import Format
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import Interaction
from crm.models import Kreis
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import SizeClass
from crm.models import Theme
from crm.models import initiative_formats
from crm.models import initiative_kreise
from crm.models import initiative_laender
from crm.models import initiative_themes
from crm.models.base import today
from crm.models.text import fold
from crm.models.text import like_contains
from crm.web.labels import choices
from crm.web.pagination import RECORD_LIST_SIZE
from crm.web.pagination import Page


@dataclass(frozen=True)
class ListSpec:
    """What a list page may be sorted by (`default` first) and the columns its rows show:
    a page reads its rows as plain result rows of the id and these columns (`row.id`,
    `row.name`), not as ORM records, which cost a list page several times as much."""

    sorts: Mapping[str, tuple[Any, ...]]
    default: str
    shown: tuple[Any, ...] = ()


# An initiative's first Land in the official order of the Länder codes (01 Schleswig-Holstein …).
_FIRST_LAND = (
    select(func.min(initiative_laender.c.land_ags))
    .where(initiative_laender.c.initiative_id == Initiative.id)
    .correlate(Initiative)
    .scalar_subquery()
)

# An initiative's Länder codes as one text ("09,05", in no order): `land_namer` names them.
_LAND_CODES = (
    select(func.aggregate_strings(initiative_laender.c.land_ags, ","))
    .where(initiative_laender.c.initiative_id == Initiative.id)
    .correlate(Initiative)
    .scalar_subquery()
    .label("land_codes")
)

INITIATIVE_LIST = ListSpec(
    sorts={
        "name": (Initiative.sort_name, Initiative.id),
        "type": (Initiative.type, Initiative.sort_name, Initiative.id),
        "laender": (_FIRST_LAND, Initiative.sort_name, Initiative.id),
        "status": (Initiative.status, Initiative.sort_name, Initiative.id),
        "founded": (Initiative.founded_year, Initiative.id),
        "place": (Initiative.place, Initiative.id),
    },
    default="name",
    shown=(
        Initiative.name,
        Initiative.type,
        Initiative.place,
        Initiative.founded_year,
        Initiative.status,
        _LAND_CODES,
    ),
)
ORGANISATION_LIST = ListSpec(
    sorts={
        "name": (Organisation.sort_name, Organisation.id),
        "type": (Organisation.type, Organisation.sort_name, Organisation.id),
        "place": (Organisation.place, Organisation.id),
        "land": (Organisation.land_ags, Organisation.sort_name, Organisation.id),
    },
    default="name",
    shown=(Organisation.name, Organisation.type, Organisation.place, Organisation.land_ags),
)
PERSON_LIST = ListSpec(
    sorts={
        "name": (Person.sort_name, Person.id),
        "email": (Person.email, Person.id),
        "phone": (Person.phone, Person.id),
    },
    default="name",
    shown=(
        Person.last_name,
        Person.first_name,
        Person.title,
        Person.email,
        Person.phone,
        Person.restricted,
    ),
)


@dataclass
class ListParams:
    """Cleaned list parameters from the query string."""

    q: str = ""
    sort: str = "name"
    desc: bool = False
    filters: dict[str, str] = field(default_factory=dict)


def parse_list_params(
    args: Mapping[str, str], spec: ListSpec, allowed: Mapping[str, set[str]]
) -> ListParams:
    """Keep only known sort keys and filter values; drop the rest silently."""
    sort = args.get("sort", spec.default)
    if sort not in spec.sorts:
        sort = spec.default
    filters = {key: args[key] for key, values in allowed.items() if args.get(key) in values}
    if "land" in filters and not filters.get("kreis", filters["land"]).startswith(filters["land"]):
        del filters["kreis"]  # a Kreis of another Land: the Kreis select no longer offers it
    return ListParams(
        q=(args.get("q") or "").strip()[:100],
        sort=sort,
        desc=args.get("dir") == "desc",
        filters=filters,
    )


def _order(
    query: Select[Any], spec: ListSpec, params: ListParams, *, reverse: bool = False
) -> Select[Any]:
    """Order by the chosen sort key; `reverse` gives the exact opposite order (for paging)."""
    columns = spec.sorts[params.sort]
    descending = params.desc != reverse
    return query.order_by(*(c.desc() if descending else c.asc() for c in columns))


def _like(text: str) -> str:
    return like_contains(fold(text))


# Länder, Kreise, themes and formats are reference data that only `init-db` writes: read
# them once per database per process instead of on every list request (the statement
# budget of a list page is 3).
_CHOICES: dict[tuple[str, str], list[tuple[str, str]]] = {}


def _cached_choices(name: str, load: Any, complete: Any) -> list[tuple[str, str]]:
    key = (str(db.engine.url), name)
    if key not in _CHOICES:
        choices: list[tuple[str, str]] = load()
        if complete(choices):  # cache only a loaded reference set, never an empty one
            _CHOICES[key] = choices
        return choices
    return _CHOICES[key]


def clear_choice_cache() -> None:
    """Forget the cached choices (after reference data or vocabularies changed)."""
    _CHOICES.clear()
    _VALUES.clear()


# The values of cached choices as a set, for checking a list's filters: every list request
# checks its Land and Kreis against them, and a set of the 400 Kreise costs a list page
# more than looking them up.
_VALUES: dict[tuple[str, str], frozenset[str]] = {}


def _choice_values(name: str, choices: Callable[[], list[tuple[str, str]]]) -> frozenset[str]:
    """The values of `choices()` (cached as `name`), kept while the choices are."""
    key = (str(db.engine.url), name)
    values = _VALUES.get(key)
    if values is None:
        values = frozenset(value for value, _ in choices())
        if key in _CHOICES:  # only a complete, cached reference set
            _VALUES[key] = values
    return values


def land_choices() -> list[tuple[str, str]]:
    """All Länder as (ags, name), sorted by name."""
    return _cached_choices(
        "laender",
        lambda: [
            (b.ags, b.name)
            for b in db.session.scalars(select(Bundesland).order_by(Bundesland.name))
        ],
        lambda choices: len(choices) == 16,
    )


def kreis_choices() -> list[tuple[str, str]]:
    """All Kreise as (ags, "Name (Land)"), sorted by name."""

    def load() -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(Kreis.ags, Kreis.name, Bundesland.name)
            .join(Bundesland, Bundesland.ags == Kreis.land_ags)
            .order_by(Kreis.name, Kreis.ags)
        )
        return [(ags, f"{name} ({land})") for ags, name, land in rows]

    return _cached_choices("kreise", load, bool)


def kreis_choices_in(land: str | None) -> list[tuple[str, str]]:
    """The options of the Kreis filter: every Kreis as "Name (Land)", or with `land` only
    the Kreise of that Land by name (a Kreis's AGS begins with its Land's)."""
    everything = kreis_choices()
    names = dict(land_choices())
    if not land or land not in names:
        return everything
    suffix = f" ({names[land]})"
    return [(ags, label.removesuffix(suffix)) for ags, label in everything if ags[:2] == land]


def current_themes() -> list[tuple[str, str]]:
    """All themes as (id, name) in the admins' order, as of the current data version
    (admins edit them: every change is audited, so a new version reads them again)."""

    def load() -> list[tuple[str, str]]:
        rows = db.session.execute(select(Theme.id, Theme.name).order_by(Theme.position, Theme.name))
        return [(str(theme_id), name) for theme_id, name in rows]

    return list(datastamp.cached("themes", None, load))


def current_formats() -> list[tuple[str, str]]:
    """All formats as (id, name) in the admins' order, as of the current data version."""

    def load() -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(Format.id, Format.name).order_by(Format.position, Format.name)
        )
        return [(str(format_id), name) for format_id, name in rows]

    return list(datastamp.cached("formats", None, load))


def theme_choices() -> list[tuple[str, str]]:
    """All themes, for the list filters (see `current_themes`)."""
    return current_themes()


def format_choices() -> list[tuple[str, str]]:
    """All formats, for the list filters (see `current_formats`)."""
    return current_formats()


YES_NO = {"1", "0"}
#: Registrations that count as having taken part in an event (the person filter "event").
PARTICIPATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


def _region_filters() -> dict[str, set[str]]:
    """The allowed Land and Kreis filter values, shared by the initiative and organisation list
    (copies of the kept sets: copying one costs less than collecting it from the choices)."""
    return {
        "land": set(_choice_values("laender", land_choices)),
        "kreis": set(_choice_values("kreise", kreis_choices)),
    }


def initiative_filters() -> dict[str, set[str]]:
    """The allowed filter values of the initiative list."""
    return {
        **_region_filters(),
        "type": {t.value for t in InitiativeType},
        "status": {s.value for s in InitiativeStatus},
        "theme": {i for i, _ in theme_choices()},
        "format": {i for i, _ in format_choices()},
        "ihk": YES_NO,
    }


def _ihk_involved() -> Any:
    """An active member of the initiative is an IHK (the chamber most initiatives ask for)."""
    return exists(
        select(Membership.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.initiative_id == Initiative.id,
            Membership.is_active,
            Organisation.type == OrgType.IHK,
        )
    )


def _linked_to(column: Any, value: Any) -> ColumnElement[bool]:
    """Initiatives with a row in `column`'s link table whose `column` is `value`."""
    return Initiative.id.in_(select(column.table.c.initiative_id).where(column == value))


def works_in_land(ags: str) -> ColumnElement[bool]:
    """Initiatives working in the Land `ags` (one of their Länder)."""
    return _linked_to(initiative_laender.c.land_ags, ags)


def has_theme(theme_id: int) -> ColumnElement[bool]:
    """Initiatives with the theme `theme_id`."""
    return _linked_to(initiative_themes.c.theme_id, theme_id)


def initiatives_query(user: Any, params: ListParams, *, reverse: bool = False) -> Select[Any]:
    """Initiatives visible to `user`, searched, filtered and sorted."""
    query = permissions.scope_initiatives(user, select(Initiative))
    if params.q:
        query = query.where(Initiative.sort_name.like(_like(params.q), escape="\\"))
    if land := params.filters.get("land"):
        query = query.where(works_in_land(land))
    if kreis := params.filters.get("kreis"):
        in_kreis = select(initiative_kreise.c.initiative_id).where(
            initiative_kreise.c.kreis_ags == kreis
        )
        query = query.where(or_(Initiative.id.in_(in_kreis), Initiative.kreis_ags == kreis))
    if kind := params.filters.get("type"):
        query = query.where(Initiative.type == kind)
    if status := params.filters.get("status"):
        query = query.where(Initiative.status == status)
    if theme := params.filters.get("theme"):
        query = query.where(has_theme(int(theme)))
    if format_id := params.filters.get("format"):
        query = query.where(_linked_to(initiative_formats.c.format_id, int(format_id)))
    if ihk := params.filters.get("ihk"):
        query = query.where(_ihk_involved() if ihk == "1" else ~_ihk_involved())
    return _order(
        query.options(selectinload(Initiative.laender)), INITIATIVE_LIST, params, reverse=reverse
    )


def land_namer() -> Callable[[str | None], str]:
    """Names Länder codes as `_LAND_CODES` reads them ("09,05"), in the official order of
    the codes ("Nordrhein-Westfalen, Bayern"): the Länder column of the initiative list."""
    names = dict(land_choices())

    def land_names(codes: str | None) -> str:
        return ", ".join(names.get(code, code) for code in sorted((codes or "").split(",")) if code)

    return land_names


def organisation_filters() -> dict[str, set[str]]:
    """The allowed filter values of the organisation list."""
    return {
        **_region_filters(),
        "type": {t.value for t in OrgType},
        "size": {s.value for s in SizeClass},
    }


def organisations_query(params: ListParams, *, reverse: bool = False) -> Select[Any]:
    """Organisations, searched, filtered and sorted. `ags` (only the API offers it, checked
    by `forms.clean_ags`) is the organisation's own AGS, exactly: a Kreis's five digits
    find the Kreis, not the Gemeinden in it (`kreis` finds the organisations there)."""
    query = select(Organisation)
    if params.q:
        query = query.where(Organisation.sort_name.like(_like(params.q), escape="\\"))
    if land := params.filters.get("land"):
        query = query.where(Organisation.land_ags == land)
    if kreis := params.filters.get("kreis"):
        query = query.where(Organisation.kreis_ags == kreis)
    if kind := params.filters.get("type"):
        query = query.where(Organisation.type == kind)
    if size := params.filters.get("size"):
        query = query.where(Organisation.size_class == size)
    if ags := params.filters.get("ags"):
        query = query.where(Organisation.ags == ags)
    return _order(query, ORGANISATION_LIST, params, reverse=reverse)


def event_choices() -> list[tuple[str, str]]:
    """All events as (id, title), newest first (the person list's "participants of"), as of
    the current data version."""

    def load() -> list[tuple[str, str]]:
        rows = db.session.execute(select(Event.id, Event.title).order_by(Event.starts_at.desc()))
        return [(str(event_id), title) for event_id, title in rows]

    return list(datastamp.cached("events", None, load))


def person_filters() -> dict[str, set[str]]:
    """The allowed filter values of the person list (and of an invitation's recipients):
    Land and Kreis (of an organisation or initiative the person is active for), initiative
    role, organisation type, theme of their initiatives, participants of an event."""
    return {
        **_region_filters(),
        "role": {r.value for r in InitiativeRoleKind},
        "orgtype": {t.value for t in OrgType},
        "theme": {i for i, _ in theme_choices()},
        "event": {i for i, _ in event_choices()},
    }


def person_filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the person filters besides Land and Kreis, by template name."""
    return {
        "roles": choices(InitiativeRoleKind),
        "org_types": choices(OrgType),
        "themes": theme_choices(),
        "events": event_choices(),
    }


def _affiliated(*conditions: Any) -> ColumnElement[bool]:
    """Persons with an active affiliation to an organisation meeting `conditions`."""
    return Person.id.in_(
        select(Affiliation.person_id)
        .join(Organisation, Organisation.id == Affiliation.organisation_id)
        .where(Affiliation.is_active, *conditions)
    )


def _in_role(*conditions: Any) -> ColumnElement[bool]:
    """Persons with an active initiative role meeting `conditions` (on the initiative too)."""
    return Person.id.in_(
        select(InitiativeRole.person_id)
        .join(Initiative, Initiative.id == InitiativeRole.initiative_id)
        .where(InitiativeRole.is_active, *conditions)
    )


def person_conditions(filters: Mapping[str, str]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the person filters (values checked by `person_filters`)."""
    conditions: list[ColumnElement[bool]] = []
    if land := filters.get("land"):
        conditions.append(
            or_(_affiliated(Organisation.land_ags == land), _in_role(works_in_land(land)))
        )
    if kreis := filters.get("kreis"):
        in_kreis = select(initiative_kreise.c.initiative_id).where(
            initiative_kreise.c.kreis_ags == kreis
        )
        conditions.append(
            or_(
                _affiliated(Organisation.kreis_ags == kreis),
                _in_role(or_(Initiative.id.in_(in_kreis), Initiative.kreis_ags == kreis)),
            )
        )
    if role := filters.get("role"):
        conditions.append(_in_role(InitiativeRole.role == role))
    if org_type := filters.get("orgtype"):
        conditions.append(_affiliated(Organisation.type == org_type))
    if theme := filters.get("theme"):
        conditions.append(_in_role(has_theme(int(theme))))
    if event_id := filters.get("event"):
        conditions.append(
            Person.id.in_(
                select(Registration.person_id).where(
                    Registration.event_id == int(event_id),
                    Registration.status.in_(PARTICIPATED),
                )
            )
        )
    return conditions


def persons_query(params: ListParams, *, reverse: bool = False) -> Select[Any]:
    """Persons, searched by name or e-mail, filtered (`person_filters`), sorted."""
    query = select(Person).where(*person_conditions(params.filters))
    if params.q:
        pattern = _like(params.q)
        query = query.where(
            Person.sort_name.like(pattern, escape="\\") | Person.email.like(pattern, escape="\\")
        )
    return _order(query, PERSON_LIST, params, reverse=reverse)


# How many members of each type the initiative page lists before "alle anzeigen".
MEMBERS_PER_TYPE = 10

# The page parameters of the initiative page's paged lists (?members_page=2): the members
# of the type shown in full (?alle=<type>), the former members, contacts, relationships.
INITIATIVE_PAGES = ("members_page", "former_page", "contacts_page", "relationships_page")


class MemberOrganisation(NamedTuple):
    """The organisation of a membership on the initiative page: its id and name."""

    id: int
    name: str


class Member(NamedTuple):
    """A membership as the initiative page lists it (a plain row, not an ORM record: the
    page lists up to a hundred and ten of them, and loading records cost twice the rows)."""

    id: int
    role: MembershipRole
    since: dt.date | None
    until: dt.date | None
    organisation: MemberOrganisation
    can_end: bool  # running today and not ending today: the page offers "Beenden …"


@dataclass(frozen=True)
class MemberGroup:
    """The active members of one organisation type: the count and the ones listed (the
    first MEMBERS_PER_TYPE, or a page of RECORD_LIST_SIZE when `expanded`)."""

    type: OrgType
    count: int
    members: list[Member]
    expanded: bool = False
    page: int = 1

    @property
    def hidden(self) -> int:
        """How many members of this type the page does not list."""
        return self.count - len(self.members)

    @property
    def paged(self) -> Page[Member]:
        """The listed members as a page of all of this type (for the pager)."""
        return Page(self.members, self.page, RECORD_LIST_SIZE, self.count)


@dataclass(frozen=True)
class InitiativeDetail:
    """Everything the initiative page shows, loaded in a fixed number of queries: its long
    lists a page at a time.

    The profile's vocabularies, the contacts, the relationships and the interactions are
    read when the page first asks for them: their sections are kept per address, day and
    data version (`kept` in crm.web.fragments), and a page whose sections are kept reads
    none of them."""

    initiative: Initiative
    member_groups: list[MemberGroup]
    former_members: Page[Member]
    contacts_page: int
    relationships_page: int
    day: dt.date  # the day the members were read for (who is a member changes with it)

    @functools.cached_property
    def roles(self) -> Page[InitiativeRole]:
        """The page of the initiative's contacts that the address asks for."""
        return _CONTACTS.page(self.initiative.id, self.contacts_page)

    @functools.cached_property
    def relationships(self) -> Page[Relationship]:
        """The page of the initiative's relationships that the address asks for."""
        return _RELATIONSHIPS.page(self.initiative.id, self.relationships_page)

    @functools.cached_property
    def interactions(self) -> list[Interaction]:
        """The initiative's ten newest interactions with their authors."""
        return list(db.session.scalars(_INTERACTIONS, {"record_id": self.initiative.id}))

    @functools.cached_property
    def vocabularies(self) -> dict[str, list[Named]]:
        """Themes, formats, Länder and Kreise (see `initiative_vocabularies`)."""
        return initiative_vocabularies(self.initiative.id)

    @property
    def members_per_type(self) -> int:
        """How many members of a type the page lists before "alle anzeigen"."""
        return MEMBERS_PER_TYPE

    @property
    def member_count(self) -> int:
        """All active members, listed or not."""
        return sum(group.count for group in self.member_groups)


def parse_org_type(value: str | None) -> OrgType | None:
    """An organisation type from the query string (None for anything unknown)."""
    try:
        return OrgType(value) if value else None
    except ValueError:
        return None


class Named(NamedTuple):
    """A vocabulary entry (theme, format, Land, Kreis) as the record pages show it."""

    key: str
    name: str


def _page_of(rank: Any, total: Any, skip: Any) -> ColumnElement[bool]:
    """SQL: `rank` (1, 2, …) lies on the page of RECORD_LIST_SIZE rows out of `total` that
    starts after `skip` rows (a parameter), or on the last page when that lies beyond it."""
    last = (total - 1) // RECORD_LIST_SIZE * RECORD_LIST_SIZE
    first = case((last < skip, last), else_=skip)
    return (rank > first) & (rank <= first + RECORD_LIST_SIZE)


def _page_number(total: int, page: int) -> int:
    """`page`, or the last page of `total` rows when it lies beyond it (as `_page_of`)."""
    return min(page, Page([], page, RECORD_LIST_SIZE, total).pages)


def _members_statement(expanded: bool) -> Select[Any]:
    """SQL: an initiative's active members by organisation type, each type's count and its
    first MEMBERS_PER_TYPE by name, and a page of its former members by name, in one
    statement: the ranks and counts are windows over the members of each type that are
    active on the day and over the former ones, and the listed rows are read from the same
    subquery (only the columns the page shows). With `expanded`, one type is listed a page
    at a time instead. Parameters: the initiative (`record_id`), the day (`day`), the rows
    before the page of former members (`former_skip`), and with `expanded` the type
    (`show_all`) and the rows before its page (`members_skip`)."""
    day = bindparam("day", type_=Date())
    # Membership.is_active, but on the day given as a parameter, not the day of composing
    active = Membership.active_on(day)
    grouped = (
        select(
            Membership.id,
            Membership.role,
            Membership.since,
            Membership.until,
            Organisation.id.label("organisation_id"),
            Organisation.name.label("organisation_name"),
            Organisation.sort_name,
            case((active, Organisation.type)).label("org_type"),  # NULL: a former member
        )
        .join(Membership.organisation)
        .where(Membership.initiative_id == RECORD_ID)
        .subquery()
    )
    ranked = select(
        grouped,
        func.row_number()
        .over(partition_by=grouped.c.org_type, order_by=(grouped.c.sort_name, grouped.c.id))
        .label("rank"),
        func.count().over(partition_by=grouped.c.org_type).label("total"),
    ).subquery()
    former = ranked.c.org_type.is_(None)
    first_of_type = ~former & (ranked.c.rank <= MEMBERS_PER_TYPE)
    listed = former & _page_of(ranked.c.rank, ranked.c.total, bindparam("former_skip"))
    if not expanded:
        listed = listed | first_of_type
    else:
        shown = ranked.c.org_type == bindparam("show_all", type_=Organisation.__table__.c.type.type)
        listed = (
            listed
            | (~shown & first_of_type)
            | (shown & _page_of(ranked.c.rank, ranked.c.total, bindparam("members_skip")))
        )
    return (
        select(
            ranked.c.id,
            ranked.c.role,
            ranked.c.since,
            ranked.c.until,
            ranked.c.organisation_id,
            ranked.c.organisation_name,
            ranked.c.org_type,
            ranked.c.total,
        )
        .where(listed)
        .order_by(ranked.c.sort_name, ranked.c.id)
    )


# Built once per variant (one type shown in full or none), with the day and the pages as
# parameters: composing the statement and its cache key cost the initiative page more
# than reading its rows.
_MEMBERS = {False: _members_statement(False), True: _members_statement(True)}


def _skip(page: int) -> int:
    """The rows of a record's list before its page `page`."""
    return (page - 1) * RECORD_LIST_SIZE


def _members_and_former(
    initiative_id: int,
    show_all: OrgType | None,
    members_page: int = 1,
    former_page: int = 1,
    day: dt.date | None = None,
) -> tuple[list[MemberGroup], Page[Member]]:
    """Active members by organisation type (in the order of the types), each with its
    count and its first MEMBERS_PER_TYPE by name (a page of RECORD_LIST_SIZE of
    `show_all`), and a page of the former members by name, on `day` (today): one
    statement (see `_members_statement`), kept per data version and day. The rows are
    plain values and the same for every viewer; the largest initiative's statement, with
    its windows over all memberships, costs its page more than anything else it reads."""
    on = day or today()
    key = (initiative_id, show_all, members_page, former_page, on)
    return datastamp.cached(
        "initiative-members",
        key,
        lambda: _read_members_and_former(initiative_id, show_all, members_page, former_page, on),
    )


def _read_members_and_former(
    initiative_id: int,
    show_all: OrgType | None,
    members_page: int,
    former_page: int,
    day: dt.date,
) -> tuple[list[MemberGroup], Page[Member]]:
    """`_members_and_former` read from the database."""
    values: dict[str, Any] = {
        "record_id": initiative_id,
        "day": day,
        "former_skip": _skip(former_page),
    }
    if show_all is not None:
        values.update(show_all=show_all, members_skip=_skip(members_page))
    rows = db.session.execute(_MEMBERS[show_all is not None], values).all()
    counts: dict[OrgType, int] = {}
    by_type: dict[OrgType, list[Member]] = {}
    former_members: list[Member] = []
    former_total = 0
    for row in rows:
        member = Member(
            row.id,
            row.role,
            row.since,
            row.until,
            MemberOrganisation(row.organisation_id, row.organisation_name),
            can_end(row, day),
        )
        if row.org_type is None:
            former_members.append(member)
            former_total = int(row.total)
            continue
        counts[row.org_type] = int(row.total)
        by_type.setdefault(row.org_type, []).append(member)
    groups = [
        MemberGroup(
            org_type,
            counts[org_type],
            by_type[org_type],
            expanded=org_type == show_all,
            page=_page_number(counts[org_type], members_page) if org_type == show_all else 1,
        )
        for org_type in OrgType
        if org_type in counts
    ]
    page = _page_number(former_total, former_page)
    return groups, Page(former_members, page, RECORD_LIST_SIZE, former_total)


def member_groups(initiative_id: int, show_all: OrgType | None = None) -> list[MemberGroup]:
    """Active members by organisation type (see `_members_and_former`)."""
    return _members_and_former(initiative_id, show_all)[0]


def kreis_names() -> dict[str, str]:
    """Every Kreis's name by AGS, as of the current data version."""

    def load() -> dict[str, str]:
        return {ags: name for ags, name in db.session.execute(select(Kreis.ags, Kreis.name))}

    return dict(datastamp.cached("kreis_names", None, load))


def _vocabulary_links() -> Any:
    """SQL: the keys of an initiative's themes, formats, Länder and Kreise, by kind."""
    return union_all(
        *(
            select(literal(kind).label("kind"), cast(column, String).label("key")).where(
                table.c.initiative_id == RECORD_ID
            )
            for kind, (table, column) in _VOCABULARY_TABLES.items()
        )
    )


_VOCABULARY_TABLES = {
    "themes": (initiative_themes, initiative_themes.c.theme_id),
    "formats": (initiative_formats, initiative_formats.c.format_id),
    "laender": (initiative_laender, initiative_laender.c.land_ags),
    "kreise": (initiative_kreise, initiative_kreise.c.kreis_ags),
}
_VOCABULARY_LINKS = _vocabulary_links()


def initiative_vocabularies(initiative_id: int) -> dict[str, list[Named]]:
    """The initiative's themes and formats (in the admins' order), Länder and Kreise (by
    name): the links in one statement, the names from the vocabularies cached by data
    version."""
    keys: dict[str, set[str]] = {kind: set() for kind in _VOCABULARY_TABLES}
    for kind, key in db.session.execute(_VOCABULARY_LINKS, {"record_id": initiative_id}):
        keys[kind].add(str(key))
    kreise = kreis_names()  # by name: only the initiative's few, not all 400
    vocabularies = {
        "themes": current_themes(),
        "formats": current_formats(),
        "laender": land_choices(),
        "kreise": sorted(
            ((ags, kreise[ags]) for ags in keys["kreise"] if ags in kreise),
            key=lambda item: (item[1], item[0]),
        ),
    }
    return {
        kind: [Named(key, name) for key, name in vocabularies[kind] if key in keys[kind]]
        for kind in _VOCABULARY_TABLES
    }


# The initiative page's other statements, built once with the initiative's id (and a
# list's limit and offset) as parameters, like the members'.
_INITIATIVE = (
    select(Initiative)
    .where(Initiative.id == RECORD_ID)
    .options(joinedload(Initiative.host_organisation).load_only(*NAMED_ONLY[Organisation]))
)
_CONTACTS = RecordList(
    select(InitiativeRole)
    .join(InitiativeRole.person)
    .where(InitiativeRole.initiative_id == RECORD_ID)
    .options(contains_eager(InitiativeRole.person))
    .order_by(InitiativeRole.role, Person.sort_name, InitiativeRole.id)
)
_RELATIONSHIPS = RecordList(
    select(Relationship)
    .where(relationships_of("initiative", RECORD_ID))
    .options(
        joinedload(Relationship.initiative_a).load_only(*NAMED_ONLY[Initiative]),
        joinedload(Relationship.initiative_b).load_only(*NAMED_ONLY[Initiative]),
    )
    .order_by(Relationship.id)
)
_INTERACTIONS = (
    select(Interaction)
    .where(Interaction.initiative_id == RECORD_ID)
    .options(joinedload(Interaction.author))
    .order_by(Interaction.occurred_at.desc())
    .limit(10)
)


def initiative_detail(
    initiative_id: int,
    show_all: OrgType | None = None,
    *,
    members_page: int = 1,
    former_page: int = 1,
    contacts_page: int = 1,
    relationships_page: int = 1,
) -> InitiativeDetail | None:
    """Load one initiative with a page of each of its long lists (members, former members,
    contacts, relationships) and its recent interactions."""
    initiative = db.session.scalar(_INITIATIVE, {"record_id": initiative_id})
    if initiative is None:
        return None
    day = today()
    groups, former = _members_and_former(initiative_id, show_all, members_page, former_page, day)
    return InitiativeDetail(
        initiative,
        groups,
        former,
        contacts_page,
        relationships_page,
        day,
    )
