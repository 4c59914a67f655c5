"""Workshop assignment of an event: inputs from the database, the draft, moves, publishing.

The algorithm is the pure `crm.graph.assign.assign_workshops`; this module turns the
event's seated registrations into its participants (sector = organisation type, Land of
the organisation, initiative), its workshops into workshops, and people of the same
initiative into acquaintances (same organisation counts inside the function).

The draft lives in `AssignmentDraft` (one per event); manual placements are
`Registration.assignment_fixed` plus the draft's workshop and survive a re-run; the
published state is `Registration.assigned_workshop_id`. Every refusal raises
`AssignmentProblem` with a German message before anything is changed. The caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from itertools import combinations
from typing import Any
from typing import NamedTuple
from typing import Protocol

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db import datastamp
from crm.directory.queries import land_choices
from crm.events.queries import EventView
from crm.events.queries import WorkshopView
from crm.extensions import db
from crm.graph.assign import MIX_ATTRIBUTES
from crm.graph.assign import Assignment
from crm.graph.assign import AssignmentMetrics
from crm.graph.assign import assign_workshops
from crm.graph.assign import first_come_first_served
from crm.graph.assign import metrics_of
from crm.graph.assign import random_assignment
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.models import AssignmentDraft
from crm.models import Event
from crm.models import Initiative
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.base import utcnow
from crm.models.text import fold
from crm.web.labels import label

#: Registrations that take part in the assignment: people with a seat.
PARTICIPATING = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
#: The seed of every run, so that the same input gives the same draft.
SEED = 0
MANUAL_NOTE = "Fest zugeordnet (manuell)."
MAIL_TEMPLATE = "mail/workshop_assigned.txt"


class AssignmentProblem(Exception):
    """A refused assignment step; the message is German and meant for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParticipantInput:
    """A registration as the algorithm sees it."""

    id: int
    preferences: tuple[int, ...]
    sector: str | None
    organisation: str | None
    land: str | None
    initiative: int | None


@dataclass(frozen=True)
class WorkshopInput:
    """A workshop as the algorithm sees it."""

    id: int
    capacity: int
    title: str
    themes: tuple[int, ...] = ()


@dataclass
class Inputs:
    """Everything one run needs, read from the database."""

    event: Event
    workshops: list[Workshop]
    registrations: list[Registration]
    participants: list[ParticipantInput]
    workshop_inputs: list[WorkshopInput]
    acquaintances: list[tuple[int, int]]
    draft: AssignmentDraft | None

    def placements(self) -> dict[int, int | None]:
        """The draft's placement of every current participant (None: no seat or no draft)."""
        stored = self.draft.placements if self.draft else {}
        return _placements(stored, self.registrations, {w.id for w in self.workshops})

    def fixed(self) -> dict[int, int]:
        """Manual placements: fixed registrations with their draft (else published) workshop."""
        valid = {w.id for w in self.workshops}
        return _fixed(self.registrations, self.placements(), valid)


class _Placed(Protocol):
    """What placements are read from: a registration, or a participant of the draft page."""

    @property
    def id(self) -> int: ...
    @property
    def assigned_workshop_id(self) -> int | None: ...
    @property
    def assignment_fixed(self) -> bool: ...


def _placements(
    stored: Mapping[str, Any], registrations: Sequence[_Placed], valid: set[int]
) -> dict[int, int | None]:
    """The draft's placement (`stored`) of every one of `registrations` (None: no seat)."""
    result: dict[int, int | None] = {}
    for r in registrations:
        value = stored.get(str(r.id))
        result[r.id] = value if isinstance(value, int) and value in valid else None
    return result


def _fixed(
    registrations: Sequence[_Placed], placed: Mapping[int, int | None], valid: set[int]
) -> dict[int, int]:
    """Fixed registrations with their draft (else published) workshop."""
    result: dict[int, int] = {}
    for r in registrations:
        if not r.assignment_fixed:
            continue
        workshop_id = placed.get(r.id) or r.assigned_workshop_id
        if workshop_id in valid and workshop_id is not None:
            result[r.id] = workshop_id
    return result


def parse_mix(values: Iterable[str]) -> tuple[str, ...]:
    """The allowed mix attributes among `values`, in their canonical order (others ignored)."""
    chosen = set(values)
    return tuple(a for a in MIX_ATTRIBUTES if a in chosen)


class _Affiliated(Protocol):
    """What a participant's organisation and initiative are read from: a registration, or
    a participant of the draft page."""

    @property
    def id(self) -> int: ...
    @property
    def organisation_id(self) -> int | None: ...
    @property
    def organisation_text(self) -> str | None: ...
    @property
    def initiative_id(self) -> int | None: ...


def _organisation_key(registration: _Affiliated) -> str | None:
    if registration.organisation_id is not None:
        return f"id:{registration.organisation_id}"
    text = fold(registration.organisation_text)
    return f"text:{text}" if text else None


def initiative_pairs(registrations: Sequence[_Affiliated]) -> list[tuple[int, int]]:
    """Pairs of registrations from the same initiative: they already know each other."""
    by_initiative: dict[int, list[int]] = defaultdict(list)
    for r in registrations:
        if r.initiative_id is not None:
            by_initiative[r.initiative_id].append(r.id)
    return [pair for ids in by_initiative.values() for pair in combinations(sorted(ids), 2)]


def _workshops_of(event: Event) -> list[Workshop]:
    """The event's workshops with their themes, by position: those loaded with the event
    when they are (no statement), else read."""
    if "workshops" not in inspect(event).unloaded and all(
        "themes" not in inspect(w).unloaded for w in event.workshops
    ):
        return sorted(event.workshops, key=lambda w: (w.position, w.id))
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.event_id == event.id)
            .options(selectinload(Workshop.themes))
            .order_by(Workshop.position, Workshop.id)
        )
    )


def load_inputs(event: Event) -> Inputs:
    """The event's workshops, participating registrations and acquaintances, and its draft."""
    workshops = _workshops_of(event)
    registrations = list(
        db.session.scalars(
            select(Registration)
            .join(Person, Person.id == Registration.person_id)
            .where(Registration.event_id == event.id, Registration.status.in_(PARTICIPATING))
            .options(
                selectinload(Registration.person),
                selectinload(Registration.organisation),
                selectinload(Registration.initiative),
                selectinload(Registration.preferences),
            )
            .order_by(Registration.registered_at, Registration.id)
        )
    )
    valid = {w.id for w in workshops}
    participants = [
        ParticipantInput(
            id=r.id,
            preferences=tuple(p.workshop_id for p in r.preferences if p.workshop_id in valid),
            sector=r.organisation.type.value if r.organisation else None,
            organisation=_organisation_key(r),
            land=r.organisation.land_ags if r.organisation else None,
            initiative=r.initiative_id,
        )
        for r in registrations
    ]
    workshop_inputs = [
        WorkshopInput(w.id, w.capacity, w.title, tuple(t.id for t in w.themes)) for w in workshops
    ]
    draft = db.session.scalar(select(AssignmentDraft).where(AssignmentDraft.event_id == event.id))
    return Inputs(
        event,
        workshops,
        registrations,
        participants,
        workshop_inputs,
        initiative_pairs(registrations),
        draft,
    )


def _check_runnable(inputs: Inputs) -> None:
    if not inputs.workshops:
        raise AssignmentProblem(_("Diese Veranstaltung hat keine Workshops: nichts zuzuteilen."))
    if not inputs.registrations:
        raise AssignmentProblem(_("Es gibt keine angemeldeten Teilnehmenden: nichts zuzuteilen."))


def _assign(inputs: Inputs, mix: Sequence[str]) -> Assignment:
    try:
        return assign_workshops(
            inputs.participants,
            inputs.workshop_inputs,
            acquaintances=inputs.acquaintances,
            fixed=_fixed_argument(inputs.fixed()),
            mix=tuple(mix),
            seed=SEED,
        )
    except ValueError as exc:
        raise AssignmentProblem(
            _("Die Zuteilung ist so nicht möglich: %(reason)s", reason=_readable(inputs, exc))
        ) from exc


def _fixed_argument(fixed: Mapping[int, int]) -> dict[Hashable, Hashable]:
    return {registration: workshop for registration, workshop in fixed.items()}


def _readable(inputs: Inputs, exc: ValueError) -> str:
    """The function's message with workshop ids replaced by titles where it names one."""
    text = str(exc)
    for w in inputs.workshops:
        text = text.replace(f"Workshop {w.id!r}", f"Workshop „{w.title}“")
    return text


def run_draft(event: Event, mix: Sequence[str]) -> AssignmentDraft:
    """Compute a new draft (manual placements stay) and store it; nothing is published."""
    inputs = load_inputs(event)
    _check_runnable(inputs)
    chosen = parse_mix(mix)
    result = _assign(inputs, chosen)
    draft = inputs.draft or AssignmentDraft(event_id=event.id)
    draft.mix = ",".join(chosen)
    draft.placements = {str(pid): wid for pid, wid in result.workshop_of.items()}
    draft.notes = {str(pid): result.explain(pid) for pid in result.workshop_of}
    draft.published_at = None
    if inputs.draft is None:
        db.session.add(draft)
    db.session.flush()
    return draft


def _participant(inputs: Inputs, registration_id: int) -> Registration | None:
    return next((r for r in inputs.registrations if r.id == registration_id), None)


def move(event: Event, registration: Registration, workshop: Workshop) -> None:
    """Place a participant in another workshop of the same event; the placement becomes fixed.

    The caller has checked that both belong to `event`. Refused without a draft, for a
    registration that does not take part, or when the workshop's manual placements
    would exceed its capacity.
    """
    inputs = load_inputs(event)
    draft = inputs.draft
    if draft is None:
        raise AssignmentProblem(_("Bitte berechnen Sie zuerst eine Zuteilung."))
    if _participant(inputs, registration.id) is None:
        raise AssignmentProblem(_("Diese Anmeldung nimmt nicht an der Zuteilung teil."))
    fixed = inputs.fixed()
    fixed[registration.id] = workshop.id
    taken = sum(1 for w in fixed.values() if w == workshop.id)
    if taken > workshop.capacity:
        raise AssignmentProblem(
            _(
                "Workshop „%(t)s“ hat nur %(c)s Plätze, die alle fest vergeben sind. "
                "Lösen Sie zuerst eine feste Zuordnung.",
                t=workshop.title,
                c=workshop.capacity,
            )
        )
    draft.placements = {**draft.placements, str(registration.id): workshop.id}
    draft.notes = {**draft.notes, str(registration.id): MANUAL_NOTE}
    draft.published_at = None
    registration.assignment_fixed = True
    db.session.flush()


def release(event: Event, registration: Registration) -> bool:
    """Release a manual placement (the next run may move the person); False if not fixed."""
    if not registration.assignment_fixed:
        return False
    registration.assignment_fixed = False
    draft = load_inputs(event).draft
    if draft is not None:
        draft.notes = {
            **draft.notes,
            str(registration.id): "Feste Zuordnung gelöst: wird bei der nächsten Berechnung "
            "neu zugeteilt.",
        }
        draft.published_at = None
    db.session.flush()
    return True


@dataclass(frozen=True)
class PublishResult:
    """What publishing did."""

    assigned: int
    mailed: int
    unassigned: list[str]  # names of those without a seat


def overfull(inputs: Inputs) -> list[tuple[Workshop, int]]:
    """Workshops with more placements in the draft than seats, with their load."""
    load = Counter(w for w in inputs.placements().values() if w is not None)
    return [(w, load[w.id]) for w in inputs.workshops if load[w.id] > w.capacity]


def publish(event: Event) -> PublishResult:
    """Make the draft the assignment: set assigned workshops, mail everyone whose changed.

    Refused without a draft or while a workshop is over capacity; then nothing changes.
    """
    inputs = load_inputs(event)
    if inputs.draft is None:
        raise AssignmentProblem(_("Bitte berechnen Sie zuerst eine Zuteilung."))
    if not inputs.registrations:
        raise AssignmentProblem(_("Es gibt keine angemeldeten Teilnehmenden: nichts zuzuteilen."))
    too_full = overfull(inputs)
    if too_full:
        names = ", ".join(
            _("„%(t)s“ (%(n)s von %(c)s)", t=w.title, n=n, c=w.capacity) for w, n in too_full
        )
        raise AssignmentProblem(
            _(
                "Nicht veröffentlicht: überbelegt sind %(names)s. Bitte neu berechnen "
                "oder Personen verschieben.",
                names=names,
            )
        )
    titles = {w.id: w for w in inputs.workshops}
    placements = inputs.placements()
    assigned = mailed = 0
    unassigned: list[str] = []
    for registration in inputs.registrations:
        workshop_id = placements[registration.id]
        if workshop_id is None:
            unassigned.append(registration.person.full_name)
        else:
            assigned += 1
        if registration.assigned_workshop_id == workshop_id:
            continue
        registration.assigned_workshop_id = workshop_id
        person = registration.person
        if workshop_id is not None and person.email:
            with in_language(registration.language, person.preferred_language):
                body = render_template(
                    MAIL_TEMPLATE, event=event, person=person, workshop=titles[workshop_id]
                )
                queue_mail(person.email, _("Ihr Workshop: %(t)s", t=event.title), body)
            mailed += 1
    inputs.draft.published_at = utcnow()
    db.session.flush()
    return PublishResult(assigned, mailed, unassigned)


# --------------------------------------------------------------------------- the draft page


@dataclass(frozen=True)
class Member:
    """A participant in the draft page (plain values: the page is kept per data version)."""

    id: int  # the registration's
    last_name: str
    first_name: str
    move_label: Markup  # the label of the workshop select: "Workshop für <full name>"
    organisation: str  # the directory's organisation, else the one given, else "—"
    workshop_id: int | None
    wish_rank: int | None  # 1-based position of the workshop in the wishes, None if unlisted
    wishes: list[str]
    sector: str
    land: str
    initiative: str
    note: str
    fixed: bool
    published: bool  # the draft placement equals the published one


@dataclass(frozen=True)
class Share:
    """One category of a composition: its label, count, share and colour index."""

    label: str
    count: int
    share: float
    colour: int
    offset: float  # where its bar starts (0..1), for the stacked chart


@dataclass
class WorkshopDraft:
    """One workshop in the draft page: members and sector composition."""

    workshop: WorkshopView
    members: list[Member] = field(default_factory=list)
    composition: list[Share] = field(default_factory=list)

    @property
    def load(self) -> int:
        """Participants placed here."""
        return len(self.members)

    @property
    def overfull(self) -> bool:
        """More participants than seats."""
        return self.load > self.workshop.capacity


@dataclass(frozen=True)
class MetricRow:
    """One metric across the compared assignments (draft, preferences only, FCFS, random)."""

    key: str
    label: Any  # a lazy translated string
    values: list[float]
    kind: str  # "rate", "number", "count"
    lower_is_better: bool


METRICS: tuple[tuple[str, Any, str, bool], ...] = (
    ("first_choice_rate", _l("Erstwunsch erhalten"), "rate", False),
    ("top3_rate", _l("Einer der drei Wünsche"), "rate", False),
    ("mean_rank_cost", _l("Mittlere Rangkosten"), "number", True),
    ("sector_tvd", _l("Abweichung Organisationstyp-Mischung (TVD)"), "number", True),
    ("land_tvd", _l("Abweichung Länder-Mischung (TVD)"), "number", True),
    ("initiative_tvd", _l("Abweichung Initiativen-Mischung (TVD)"), "number", True),
    ("acquaintance_pairs", _l("Bekannte Paare im selben Workshop"), "count", True),
    ("same_org_pairs", _l("davon aus derselben Organisation"), "count", True),
    ("unassigned", _l("Ohne Platz"), "count", True),
    ("capacity_violations", _l("Überbelegte Plätze"), "count", True),
)
COLUMNS = (_l("Entwurf"), _l("Nur Wünsche (optimal)"), _l("Wer zuerst kommt"), _l("Zufall"))


@dataclass
class DraftPage:
    """Everything the assignment page shows; kept per data version and language and shared
    by the requests that show it (`draft_page`): not to be changed."""

    has_draft: bool
    participants: int
    capacity: int  # the seats of all workshops
    mix: tuple[str, ...]
    workshops: list[WorkshopDraft]
    unassigned: list[Member]
    event_composition: list[Share]
    metrics: list[MetricRow]
    columns: tuple[Any, ...]
    fixed_count: int
    published_at: Any


def _composition(values: Iterable[str], colours: Mapping[str, int]) -> list[Share]:
    counts = Counter(values)
    total = sum(counts.values())
    shares: list[Share] = []
    offset = 0.0
    for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        share = n / total if total else 0.0
        shares.append(Share(name, n, share, colours[name], offset))
        offset += share
    return shares


def comparison(inputs: Inputs, placements: Mapping[int, int | None]) -> list[AssignmentMetrics]:
    """`compare` for the inputs of a run."""
    args = (inputs.participants, inputs.workshop_inputs, inputs.acquaintances, inputs.fixed())
    return compare(*args, placements)


def compare(
    participants: Sequence[ParticipantInput],
    workshops: Sequence[WorkshopInput],
    acquaintances: Sequence[tuple[int, int]],
    fixed: Mapping[int, int],
    placements: Mapping[int, int | None],
) -> list[AssignmentMetrics]:
    """Metrics of the draft, the preferences-only optimum, first-come-first-served and random."""
    args = (participants, workshops)
    pairs = acquaintances
    try:
        optimum = assign_workshops(
            *args, acquaintances=pairs, fixed=_fixed_argument(fixed), mix=(), seed=SEED
        ).workshop_of
    except ValueError:
        optimum = assign_workshops(*args, acquaintances=pairs, mix=(), seed=SEED).workshop_of
    placements_list: list[Mapping[Any, Any]] = [
        placements,
        optimum,
        first_come_first_served(*args),  # participants are in registration order
        random_assignment(*args, seed=SEED),
    ]
    return [metrics_of(*args, p, pairs) for p in placements_list]


class PageParticipant(NamedTuple):
    """A participating registration as the draft page reads it (`_page_participants`)."""

    id: int
    last_name: str
    first_name: str
    title: str | None
    sort_name: str
    organisation_id: int | None
    organisation_text: str | None
    organisation_name: str | None
    organisation_type: OrgType | None
    land_ags: str | None
    initiative_id: int | None
    initiative_name: str | None
    assigned_workshop_id: int | None
    assignment_fixed: bool


def _participating(event_id: int) -> Any:
    return and_(Registration.event_id == event_id, Registration.status.in_(PARTICIPATING))


def _page_participants(event_id: int) -> list[PageParticipant]:
    """The event's participants (people with a seat) with what the page shows and the
    algorithm reads of them, in registration order, in one statement."""
    rows = db.session.execute(
        select(
            Registration.id,
            Person.last_name,
            Person.first_name,
            Person.title,
            Person.sort_name,
            Registration.organisation_id,
            Registration.organisation_text,
            Organisation.name,
            Organisation.type,
            Organisation.land_ags,
            Registration.initiative_id,
            Initiative.name,
            Registration.assigned_workshop_id,
            Registration.assignment_fixed,
        )
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(Initiative, Initiative.id == Registration.initiative_id)
        .where(_participating(event_id))
        .order_by(Registration.registered_at, Registration.id)
    )
    return [PageParticipant._make(row) for row in rows]


def _page_wishes(event_id: int) -> dict[int, list[int]]:
    """The ranked wishes (workshop ids) of the event's participants, in one statement."""
    wishes: dict[int, list[int]] = {}
    rows = db.session.execute(
        select(WorkshopPreference.registration_id, WorkshopPreference.workshop_id)
        .join(Registration, Registration.id == WorkshopPreference.registration_id)
        .where(_participating(event_id))
        .order_by(WorkshopPreference.registration_id, WorkshopPreference.rank)
    )
    for registration_id, workshop_id in rows:
        wishes.setdefault(registration_id, []).append(workshop_id)
    return wishes


def draft_page(event: EventView, version: Hashable) -> DraftPage:
    """The draft of `event` arranged for its page (works without a draft, too), computed
    once per data version, `version` of the event's registrations and draft
    (`queries.registrations_version`: the draft is no audited record) and language: the comparison
    with the other methods runs the algorithm twice, and the page is the same for every
    member of staff."""
    key = (event.id, str(get_locale()), version)
    return datastamp.cached("assignment_page", key, lambda: _draft_page(event))


def _draft_page(event: EventView) -> DraftPage:
    workshops = sorted(event.workshops, key=lambda w: (w.position, w.id))
    registrations = _page_participants(event.id)
    wishes = _page_wishes(event.id)
    draft = db.session.execute(
        select(
            AssignmentDraft.mix,
            AssignmentDraft.placements,
            AssignmentDraft.notes,
            AssignmentDraft.published_at,
        ).where(AssignmentDraft.event_id == event.id)
    ).one_or_none()
    valid = {w.id for w in workshops}
    placements = _placements(draft.placements if draft else {}, registrations, valid)
    fixed = _fixed(registrations, placements, valid)
    notes = draft.notes if draft else {}
    titles = {w.id: w.title for w in workshops}
    laender = dict(land_choices())  # kept per process: no statement
    unknown = _("unbekannt")
    # as the template's _() would fill it in: the catalogue's text, the name escaped
    move_for = Markup(_("Workshop für %(n)s"))  # noqa: S704 - our own catalogue's text

    def sector_of(r: PageParticipant) -> str:
        return label(r.organisation_type) if r.organisation_type is not None else unknown

    sectors = [sector_of(r) for r in registrations]
    colours = {
        name: i
        for i, (name, _n) in enumerate(
            sorted(Counter(sectors).items(), key=lambda item: (-item[1], item[0]))
        )
    }
    by_workshop = {w.id: WorkshopDraft(w) for w in workshops}
    unassigned: list[Member] = []
    sort_names = {r.id: r.sort_name for r in registrations}
    for r, sector in zip(registrations, sectors, strict=True):
        workshop_id = placements[r.id]
        wish_ids = wishes.get(r.id, [])
        has_organisation = r.organisation_id is not None
        member = Member(
            id=r.id,
            last_name=r.last_name,
            first_name=r.first_name,
            move_label=move_for
            % {"n": " ".join(p for p in (r.title, r.first_name, r.last_name) if p)},
            organisation=r.organisation_name
            if r.organisation_name is not None
            else (r.organisation_text or "—"),
            workshop_id=workshop_id,
            wish_rank=wish_ids.index(workshop_id) + 1 if workshop_id in wish_ids else None,
            wishes=[titles.get(w, "?") for w in wish_ids],
            sector=sector,
            land=laender.get(r.land_ags or "", "—") if has_organisation else "—",
            initiative=r.initiative_name if r.initiative_name is not None else "—",
            note=str(notes.get(str(r.id)) or _("Noch nicht berechnet.")),
            fixed=r.id in fixed,
            published=draft is not None and r.assigned_workshop_id == workshop_id,
        )
        if workshop_id is None:
            unassigned.append(member)
        else:
            by_workshop[workshop_id].members.append(member)
    for item in by_workshop.values():
        item.members.sort(key=lambda m: (sort_names[m.id], m.id))
        item.composition = _composition((m.sector for m in item.members), colours)
    metrics: list[MetricRow] = []
    if draft is not None and registrations and workshops:
        participants = [
            ParticipantInput(
                id=r.id,
                preferences=tuple(w for w in wishes.get(r.id, []) if w in valid),
                sector=r.organisation_type.value if r.organisation_type is not None else None,
                organisation=_organisation_key(r),
                land=r.land_ags if r.organisation_id is not None else None,
                initiative=r.initiative_id,
            )
            for r in registrations
        ]
        workshop_inputs = [
            WorkshopInput(w.id, w.capacity, w.title, tuple(t.id for t in w.themes))
            for w in workshops
        ]
        pairs = initiative_pairs(registrations)
        figures = [
            m.as_dict() for m in compare(participants, workshop_inputs, pairs, fixed, placements)
        ]
        metrics = [
            MetricRow(key, label_, [f[key] for f in figures], kind, lower)
            for key, label_, kind, lower in METRICS
        ]
    return DraftPage(
        has_draft=draft is not None,
        participants=len(registrations),
        capacity=sum(w.capacity for w in workshops),
        mix=tuple(a for a in (draft.mix.split(",") if draft else ["sector"]) if a),
        workshops=list(by_workshop.values()),
        unassigned=unassigned,
        event_composition=_composition(sectors, colours),
        metrics=metrics,
        columns=COLUMNS,
        fixed_count=len(fixed),
        published_at=draft.published_at if draft else None,
    )
