"""Read queries of the events feature: event pages, registration lists, counts, exports.

Only whitelisted filter values reach SQL; anything else is ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.db import datastamp
from crm.directory.queries import land_choices
from crm.events.services import ACTIVE
from crm.events.services import SEATED
from crm.events.services import hash_token
from crm.extensions import db
from crm.formats.tables import ExportInfo
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import AssignmentDraft
from crm.models import Bundesland
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import Initiative
from crm.models import InitiativeStatus
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.text import fold
from crm.web.labels import label
from crm.web.pagination import Page
from crm.web.pagination import paginate

TOKEN_MAX_LENGTH = 100
CHECKIN_LIMIT = 50
REGISTRATIONS_PER_PAGE = 50


def _event_options() -> list[Any]:
    # the workshops (a handful) joined to their event's row: one statement less on every
    # page of an event
    return [
        selectinload(Event.agenda),
        joinedload(Event.workshops).selectinload(Workshop.themes),
        joinedload(Event.workshops).selectinload(Workshop.moderator),
    ]


def event_detail(event_id: int) -> Event | None:
    """An event with its agenda and workshops (themes, moderators)."""
    query = select(Event).where(Event.id == event_id).options(*_event_options())
    return db.session.scalars(query).unique().one_or_none()


class ThemeView(NamedTuple):
    """A workshop's theme as an event's pages show it."""

    id: int
    name: str


class ModeratorView(NamedTuple):
    """A workshop's moderator as an event's pages show them."""

    id: int
    full_name: str


class BlockView(NamedTuple):
    """A programme block as an event's pages show it."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    kind: AgendaKind


class WorkshopView(NamedTuple):
    """A workshop as an event's pages show it (what `Workshop` has of it)."""

    id: int
    position: int
    title: str
    description: str | None
    capacity: int
    online_url: str | None
    themes: tuple[ThemeView, ...]
    moderator: ModeratorView | None


@dataclass(frozen=True)
class EventView:
    """An event with its programme and workshops as plain values, for the staff pages that
    only show it (detail, registrations, workshop lists, assignment): the same attributes
    as `Event`, kept per data version (`event_view`)."""

    id: int
    slug: str
    title: str
    type: EventType
    mode: EventMode
    status: EventStatus
    venue: str | None
    online_url: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    description: str | None
    capacity: int | None
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    is_free: bool
    fee_note: str | None
    agenda: tuple[BlockView, ...]
    workshops: tuple[WorkshopView, ...]


def _event_view(event: Event) -> EventView:
    workshops = tuple(
        WorkshopView(
            id=w.id,
            position=w.position,
            title=w.title,
            description=w.description,
            capacity=w.capacity,
            online_url=w.online_url,
            themes=tuple(ThemeView(t.id, t.name) for t in w.themes),
            moderator=ModeratorView(w.moderator.id, w.moderator.full_name) if w.moderator else None,
        )
        for w in event.workshops
    )
    return EventView(
        id=event.id,
        slug=event.slug,
        title=event.title,
        type=event.type,
        mode=event.mode,
        status=event.status,
        venue=event.venue,
        online_url=event.online_url,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        description=event.description,
        capacity=event.capacity,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        is_free=event.is_free,
        fee_note=event.fee_note,
        agenda=tuple(
            BlockView(b.id, b.starts_at, b.ends_at, b.title, b.kind) for b in event.agenda
        ),
        workshops=workshops,
    )


def event_view(event_id: int) -> EventView | None:
    """`event_detail` as plain values, read once per data version (an event, its blocks,
    workshops, their themes and moderators are all audited records: a save of any of them
    is a new version): the pages that only show an event spend no statement on it."""

    def load() -> EventView | None:
        event = event_detail(event_id)
        return _event_view(event) if event is not None else None

    return datastamp.cached("event_view", event_id, load)


def public_event(event_id: int) -> Event | None:
    """An event the public may see: anything but a draft."""
    event = event_detail(event_id)
    return None if event is None or event.status is EventStatus.ENTWURF else event


def event_by_slug(slug: str) -> Event | None:
    """A public event by its slug."""
    event = db.session.scalar(select(Event).where(Event.slug == slug[:120]))
    return None if event is None or event.status is EventStatus.ENTWURF else event


@dataclass(frozen=True)
class EventRow:
    """An event in the staff list with its registration figures."""

    event: Event
    registered: int
    waitlisted: int


def event_rows() -> list[EventRow]:
    """All events, newest first, with registered and waitlisted counts."""
    seated = func.sum(case((Registration.status.in_(SEATED), 1), else_=0))
    waiting = func.sum(case((Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0))
    rows = db.session.execute(
        select(Event, func.coalesce(seated, 0), func.coalesce(waiting, 0))
        .outerjoin(Registration, Registration.event_id == Event.id)
        .group_by(Event.id)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    return [EventRow(e, int(r), int(w)) for e, r, w in rows]


def agenda_block(event_id: int, block_id: int) -> AgendaBlock | None:
    """An agenda block of this event."""
    block = db.session.get(AgendaBlock, block_id)
    return block if block is not None and block.event_id == event_id else None


def workshop(event_id: int, workshop_id: int) -> Workshop | None:
    """A workshop of this event, with themes and moderator."""
    return db.session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop_id, Workshop.event_id == event_id)
        .options(selectinload(Workshop.themes), selectinload(Workshop.moderator))
    )


def workshop_choices(event: Event) -> list[tuple[str, str]]:
    """The event's workshops for a wish select, with an empty first option."""
    return [("", "—")] + [(str(w.id), w.title) for w in event.workshops]


def initiative_choices() -> list[tuple[str, str]]:
    """Active, publicly listed initiatives for the optional select of the public form.

    An initiative that did not agree to be listed is not named on a public page.
    """
    rows = db.session.execute(
        select(Initiative.id, Initiative.name)
        .where(Initiative.status == InitiativeStatus.AKTIV, Initiative.public_listing.is_(True))
        .order_by(Initiative.sort_name)
    )
    return [("", "—")] + [(str(i), n) for i, n in rows]


def registration_by_token(token: str) -> Registration | None:
    """The registration behind a personal link (None for an unknown or malformed one)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(
        select(Registration)
        .where(Registration.token_hash == hash_token(token))
        .options(
            selectinload(Registration.person),
            selectinload(Registration.preferences),
            selectinload(Registration.assigned_workshop),
        )
    )


def registration(event_id: int, registration_id: int) -> Registration | None:
    """A registration of this event."""
    found = db.session.get(Registration, registration_id)
    return found if found is not None and found.event_id == event_id else None


# -- staff lists


@dataclass
class RegistrationFilters:
    """Cleaned filters of the registration list."""

    q: str = ""
    values: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """As query parameters (for export links)."""
        return ({"q": self.q} if self.q else {}) | self.values


def filter_options(event: Event | EventView) -> dict[str, list[tuple[str, str]]]:
    """The allowed values of each filter, as (value, label) for the selects (the
    initiatives kept per data version, the Länder per process: no statement per request)."""

    def load_initiatives() -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(Initiative.id, Initiative.name)
            .where(
                Initiative.id.in_(
                    select(Registration.initiative_id).where(Registration.event_id == event.id)
                )
            )
            .order_by(Initiative.sort_name)
        )
        return [(str(i), n) for i, n in rows]

    return {
        "status": [(s.value, label(s)) for s in RegistrationStatus],
        "initiative": datastamp.cached("event_initiatives", event.id, load_initiatives),
        "orgtype": [(t.value, label(t)) for t in OrgType],
        "land": land_choices(),
        "workshop": [(str(w.id), w.title) for w in event.workshops],
    }


def parse_filters(
    args: Mapping[str, str], options: Mapping[str, list[tuple[str, str]]]
) -> RegistrationFilters:
    """Keep only offered filter values; drop the rest silently."""
    values = {
        key: args[key]
        for key, offered in options.items()
        if args.get(key) in {value for value, _label in offered}
    }
    return RegistrationFilters(q=(args.get("q") or "").strip()[:100], values=values)


def _like(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(query: Select[Any], q: str) -> Select[Any]:
    if not q:
        return query
    pattern = _like(q)
    return query.where(
        or_(
            Person.sort_name.like(pattern, escape="\\"),
            func.lower(Person.email).like(f"%{q.lower()}%"),
            func.lower(Registration.organisation_text).like(f"%{q.lower()}%"),
        )
    )


def registrations_query(event_id: int, filters: RegistrationFilters) -> Select[Any]:
    """Registrations of an event, filtered and searched, by name."""
    return _listed(_filtered(select(Registration), event_id, filters))


#: What the registration list shows of each registration (`registration_rows`).
REGISTRATION_COLUMNS: tuple[Any, ...] = (
    Registration.id,
    Person.last_name,
    Person.first_name,
    Person.title,
    Person.email,
    Person.restricted,
    Registration.organisation_text,
    Registration.organisation_id,
    Organisation.name.label("organisation_name"),
    Organisation.type.label("organisation_type"),
    Registration.organisation_confirmed,
    Initiative.name.label("initiative_name"),
    Registration.function,
    Registration.status,
    Registration.registered_at,
    *(
        select(WorkshopPreference.workshop_id)
        .where(
            WorkshopPreference.registration_id == Registration.id, WorkshopPreference.rank == rank
        )
        .scalar_subquery()
        .label(f"wish{rank}")
        for rank in (1, 2, 3)  # a registration has at most three wishes, ranked 1 to 3
    ),
)


def registration_rows(event_id: int, filters: RegistrationFilters, page: int) -> Page[Any]:
    """A page of an event's registrations, filtered and searched, by name, as the list shows
    them (`REGISTRATION_COLUMNS`, their wishes too) with how many there are in all (a
    window count): one statement however many registrations there are (a page beyond the
    end shows the last page, after two statements more). Not kept per data version:
    wishes are no audited records."""
    columns = (
        select(*REGISTRATION_COLUMNS, func.count().over().label("total_rows"))
        .select_from(Registration)
        .outerjoin(Initiative, Initiative.id == Registration.initiative_id)
    )
    query = _filtered(columns, event_id, filters).order_by(Person.sort_name, Registration.id)
    per_page = REGISTRATIONS_PER_PAGE
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        found = Page(list(rows), page, per_page, int(rows[0].total_rows))
    elif page == 1:
        found = Page([], 1, per_page, 0)
    else:
        found = paginate(query, page, per_page, columns=list(query.selected_columns))
    return found


def _filtered(query: Select[Any], event_id: int, filters: RegistrationFilters) -> Select[Any]:
    """`query` (of registrations) joined with their person and organisation, limited to the
    event's registrations that pass `filters`."""
    query = (
        query.join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event_id)
    )
    values = filters.values
    if status := values.get("status"):
        query = query.where(Registration.status == status)
    if initiative := values.get("initiative"):
        query = query.where(Registration.initiative_id == int(initiative))
    if orgtype := values.get("orgtype"):
        query = query.where(Organisation.type == orgtype)
    if land := values.get("land"):
        query = query.where(Organisation.land_ags == land)
    if workshop_id := values.get("workshop"):
        wid = int(workshop_id)
        query = query.where(
            or_(
                Registration.assigned_workshop_id == wid,
                Registration.id.in_(
                    select(WorkshopPreference.registration_id).where(
                        WorkshopPreference.workshop_id == wid
                    )
                ),
            )
        )
    return _search(query, filters.q)


def _listed(query: Select[Any]) -> Select[Any]:
    """Registrations (joined with their person) by name, with what the lists show."""
    return query.options(
        selectinload(Registration.person),
        selectinload(Registration.organisation),
        selectinload(Registration.initiative),
        selectinload(Registration.preferences),
    ).order_by(Person.sort_name, Registration.id)


@dataclass(frozen=True)
class Counts:
    """Figures of an event's registrations (cancelled ones left out of the breakdowns)."""

    by_status: list[tuple[str, int]]
    by_initiative: list[tuple[str, int]]
    by_land: list[tuple[str, int]]
    by_orgtype: list[tuple[str, int]]


def _breakdown(event_id: int, column: Any, *joins: Any) -> list[tuple[Any, int]]:
    query = select(column, func.count(Registration.id)).select_from(Registration)
    for target, condition in joins:
        query = query.outerjoin(target, condition)
    rows = db.session.execute(
        query.where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
        .group_by(column)
        .order_by(func.count(Registration.id).desc())
    )
    return [(key, int(n)) for key, n in rows]


def _status_counts(event_id: int) -> dict[RegistrationStatus, int]:
    """How many of the event's registrations have each status (missing ones: none); kept
    per data version."""

    def load() -> dict[RegistrationStatus, int]:
        rows = db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        )
        return {status: int(n) for status, n in rows}

    return dict(datastamp.cached("status_counts", event_id, load))


def counts(event_id: int) -> Counts:
    """Registrations by status, and active ones by initiative, Land and organisation type
    (kept per data version and language: the event's pages show them on every request)."""
    key = (event_id, str(get_locale()))
    return datastamp.cached("event_counts", key, lambda: _counts(event_id))


def _counts(event_id: int) -> Counts:
    none = "—"
    statuses = _status_counts(event_id)
    org_join = (Organisation, Organisation.id == Registration.organisation_id)
    return Counts(
        by_status=[(label(s), int(statuses.get(s, 0))) for s in RegistrationStatus],
        by_initiative=[
            (name or none, n)
            for name, n in _breakdown(
                event_id, Initiative.name, (Initiative, Initiative.id == Registration.initiative_id)
            )
        ],
        by_land=[
            (name or none, n)
            for name, n in _breakdown(
                event_id,
                Bundesland.name,
                org_join,
                (Bundesland, Bundesland.ags == Organisation.land_ags),
            )
        ],
        by_orgtype=[
            (label(OrgType(t)) if t else none, n)
            for t, n in _breakdown(event_id, Organisation.type, org_join)
        ],
    )


def checkin_list(event_id: int, q: str) -> tuple[list[Registration], int]:
    """Seated and waitlisted registrations matching `q` (at most 50), and how many match."""
    query = (
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
    )
    query = _search(query, q.strip()[:100])
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    items = list(
        db.session.scalars(
            query.options(
                selectinload(Registration.person), selectinload(Registration.organisation)
            )
            .order_by(Person.sort_name, Registration.id)
            .limit(CHECKIN_LIMIT)
        )
    )
    return items, total


def attendance(event_id: int) -> tuple[int, int]:
    """(checked in, expected) of an event."""
    rows = _status_counts(event_id)
    attended = int(rows.get(RegistrationStatus.ATTENDED, 0))
    expected = attended + int(rows.get(RegistrationStatus.REGISTERED, 0))
    return attended, expected


def participants(event_id: int) -> list[Registration]:
    """People with a seat (registered or attended), by name: badges and lists."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Person, Person.id == Registration.person_id)
            .where(
                Registration.event_id == event_id,
                Registration.status.in_(
                    (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
                ),
            )
            .options(
                selectinload(Registration.person),
                selectinload(Registration.organisation),
                selectinload(Registration.initiative),
            )
            .order_by(Person.sort_name, Registration.id)
        )
    )


@dataclass(frozen=True)
class WorkshopList:
    """The participants of one workshop: assigned ones, or first wishes before assignment."""

    workshop: Workshop
    by_assignment: bool
    registrations: list[Registration]


def workshop_list(event: Event, workshop: Workshop) -> WorkshopList:
    """Assigned participants once the event has assignments, else those who wished it first."""
    assigned_any = _any_assigned(event.id)
    query = (
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE))
    )
    if assigned_any:
        query = query.where(Registration.assigned_workshop_id == workshop.id)
    else:
        query = query.join(
            WorkshopPreference,
            and_(
                WorkshopPreference.registration_id == Registration.id,
                WorkshopPreference.rank == 1,
            ),
        ).where(WorkshopPreference.workshop_id == workshop.id)
    items = db.session.scalars(_listed(query))
    return WorkshopList(workshop, bool(assigned_any), list(items))


@dataclass(frozen=True)
class WorkshopRows:
    """The list of one workshop on the workshop lists page: plain rows of what it shows
    (`WORKSHOP_LIST_COLUMNS`), assigned participants or first wishes before assignment."""

    workshop: WorkshopView
    by_assignment: bool
    registrations: list[Any]


#: What the workshop lists show of each participant.
WORKSHOP_LIST_COLUMNS = (
    Person.last_name,
    Person.first_name,
    Organisation.name.label("organisation_name"),
    Registration.organisation_text,
    Initiative.name.label("initiative_name"),
    Registration.status,
)


# What tells the pages of an event's registrations apart beyond the data version (every
# audited save): the newest change of a registration (a change of wishes alone is no
# audited record, but touches its registration) and of the assignment's draft (none).
# Built once, with the event's id as a parameter.
_EVENT_VERSION = select(
    select(func.max(Registration.updated_at))
    .where(Registration.event_id == bindparam("event_id"))
    .scalar_subquery(),
    select(AssignmentDraft.updated_at)
    .where(AssignmentDraft.event_id == bindparam("event_id"))
    .scalar_subquery(),
)


def registrations_version(event_id: int) -> tuple[Any, ...]:
    """Together with the data version, the version of what an event's registrations and
    its assignment's draft show (one statement): what is kept of them per data version
    is kept per this version too."""
    return tuple(db.session.execute(_EVENT_VERSION, {"event_id": event_id}).one())


def _any_assigned(event_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == event_id, Registration.assigned_workshop_id.is_not(None)
            )
        )
    )


def workshop_lists(event: EventView) -> list[WorkshopRows]:
    """`workshop_list` of every workshop of `event` as plain rows, in two statements
    however many workshops and participants there are."""
    assigned_any = _any_assigned(event.id)
    if assigned_any:
        workshop_id: Any = Registration.assigned_workshop_id
        query = select(workshop_id, *WORKSHOP_LIST_COLUMNS).select_from(Registration)
    else:
        workshop_id = WorkshopPreference.workshop_id
        query = (
            select(workshop_id, *WORKSHOP_LIST_COLUMNS)
            .select_from(Registration)
            .join(
                WorkshopPreference,
                and_(
                    WorkshopPreference.registration_id == Registration.id,
                    WorkshopPreference.rank == 1,
                ),
            )
        )
    query = (
        query.join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(Initiative, Initiative.id == Registration.initiative_id)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(ACTIVE),
            workshop_id.in_([w.id for w in event.workshops]),
        )
        .order_by(Person.sort_name, Registration.id)
    )
    grouped: dict[int, list[Any]] = {w.id: [] for w in event.workshops}
    for row in db.session.execute(query):
        grouped[row[0]].append(row)
    return [WorkshopRows(w, assigned_any, grouped[w.id]) for w in event.workshops]


EXPORT_HEADER = [
    _l("Nachname"),
    _l("Vorname"),
    _l("E-Mail"),
    _l("Organisation"),
    _l("Organisation (Verzeichnis)"),
    _l("Organisationstyp"),
    _l("Land"),
    _l("Initiative"),
    _l("Funktion"),
    _l("Status"),
    _l("1. Wunsch"),
    _l("2. Wunsch"),
    _l("3. Wunsch"),
    _l("Workshop (zugeteilt)"),
    _l("Angemeldet am"),
    _l("Eingecheckt um"),
]
# The consents a participant list carries, one yes/no column each (after EXPORT_HEADER).
EXPORT_CONSENTS = (ConsentPurpose.PARTICIPANT_LIST, ConsentPurpose.PHOTOS)
FILTER_NAMES = {
    "status": _l("Status"),
    "initiative": _l("Initiative"),
    "orgtype": _l("Organisationstyp"),
    "land": _l("Land"),
    "workshop": _l("Workshop"),
}


def export_header() -> list[str]:
    """The header row of a participant list, in the user's language."""
    consents = [_("Einwilligung: %(purpose)s", purpose=label(p)) for p in EXPORT_CONSENTS]
    return [str(name) for name in EXPORT_HEADER] + consents


def _consents_of(person_ids: set[int]) -> dict[int, list[Consent]]:
    found: dict[int, list[Consent]] = {}
    for consent in db.session.scalars(
        select(Consent).where(
            Consent.person_id.in_(person_ids), Consent.purpose.in_(EXPORT_CONSENTS)
        )
    ):
        found.setdefault(consent.person_id, []).append(consent)
    return found


def export_rows(event: Event, registrations: list[Registration]) -> list[list[Any]]:
    """One row per registration, in the order of export_header(): the registration and
    whether the participant's latest consent to each of EXPORT_CONSENTS is confirmed.
    Anonymous and restricted (Art. 18) persons are left out."""
    titles = {w.id: w.title for w in event.workshops}
    laender = dict(land_choices())  # kept per process: no statement
    consents = _consents_of({r.person_id for r in registrations if r.person_id})
    rows = []
    for r in registrations:
        if r.person is None or r.person.restricted:  # anonymous, or restricted (Art. 18)
            continue
        wishes = [titles.get(p.workshop_id, "") for p in r.preferences] + ["", "", ""]
        org = r.organisation
        given = consents.get(r.person.id, [])
        rows.append(
            [
                r.person.last_name,
                r.person.first_name,
                r.person.email,
                r.organisation_text,
                org.name if org else None,
                org.type if org else None,
                laender.get(org.land_ags) if org and org.land_ags else None,
                r.initiative.name if r.initiative else None,
                r.function,
                r.status,
                *wishes[:3],
                titles.get(r.assigned_workshop_id) if r.assigned_workshop_id else None,
                r.registered_at,
                r.checked_in_at,
                *(permissions.has_active_consent(given, p) for p in EXPORT_CONSENTS),
            ]
        )
    return rows


def export_info(
    title: str,
    registrations: list[Registration],
    user: Any,
    filters: RegistrationFilters | None = None,
    options: Mapping[str, list[tuple[str, str]]] | None = None,
) -> ExportInfo:
    """What a participant list is (its info sheet): `title`, the registration list's
    filters (`options` words their values), who exports it, how many restricted persons
    export_rows leaves out."""
    described = [(_("Suche"), filters.q)] if filters and filters.q else []
    for key, value in (filters.values if filters else {}).items():
        words = dict((options or {}).get(key, []))
        described.append((str(FILTER_NAMES.get(key, key)), words.get(value, value)))
    return ExportInfo(
        title=title,
        exported_by=user.email,
        filters=described,
        sort=_("Name") + " ↑",
        left_out=sum(1 for r in registrations if r.person is not None and r.person.restricted),
    )
