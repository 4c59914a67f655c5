"""The practitioner exchange's services: settings, opting in and out, who sees whom, the
proposed partners, wishes, requests (with caps and expiry) and the input of the planning.

Callers commit (one commit per request). Times are aware UTC; `now` can be passed for tests.
Open requests expire lazily: every read that counts or lists them first marks those past
their `expires_at` as expired (`expire_requests`), so an unanswered request frees its
place in the caps and its pair without a background job.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.extensions import db
from crm.graph import LAENDER
from crm.graph import Reason
from crm.matchmaking import proposals as ranking
from crm.matchmaking import slots as slot_math
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import Initiative
from crm.models import MatchmakingSettings
from crm.models import MeetingRequest
from crm.models import MeetingRequestStatus
from crm.models import MeetingVideoMode
from crm.models import MeetingWish
from crm.models import MeetingWishLevel
from crm.models import Organisation
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Theme
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models import initiative_laender
from crm.models import initiative_themes
from crm.models import interaction_persons
from crm.models.base import utcnow
from crm.models.events import workshop_themes

#: The version of the matchmaking consent text (templates/matchmaking/_consent.html).
CONSENT_TEXT_VERSION = "matchmaking-2026-12"
#: Registrations that take part: expected or there (not cancelled, not waitlisted).
TAKING_PART = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)

#: The weight of a pair in the plan by the two wishes (order does not matter).
WEIGHTS: dict[tuple[MeetingWishLevel | None, MeetingWishLevel | None], float] = {
    (MeetingWishLevel.MUST, MeetingWishLevel.MUST): 10.0,
    (MeetingWishLevel.MUST, MeetingWishLevel.GLADLY): 6.0,
    (MeetingWishLevel.GLADLY, MeetingWishLevel.GLADLY): 4.0,
    (MeetingWishLevel.MUST, None): 3.0,
    (MeetingWishLevel.GLADLY, None): 1.0,
}
#: The weight of an accepted request: it is fixed, and weighs like "must" on both sides.
ACCEPTED_WEIGHT = 10.0


class Problem(Exception):
    """A step of the exchange that cannot be done, with a message (or a code) for the one
    who asked: `MatchmakingProblem` for participants, `planning.PlanProblem` for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MatchmakingProblem(Problem):
    """A participant's action that cannot be done, with a message for them."""


# --------------------------------------------------------------------------- settings


def settings_of(event_id: int) -> MatchmakingSettings | None:
    """The event's settings (None: never saved)."""
    return db.session.scalar(
        select(MatchmakingSettings).where(MatchmakingSettings.event_id == event_id)
    )


def default_settings(event: Event) -> MatchmakingSettings:
    """Unsaved settings to start the form from (off; the window is the event's agenda
    block of kind "Austausch" when there is one)."""
    exchange = [b for b in event.agenda if b.kind is AgendaKind.AUSTAUSCH]
    return MatchmakingSettings(
        event_id=event.id,
        enabled=False,
        meeting_minutes=20,
        window_starts_at=exchange[0].starts_at if exchange else None,
        window_ends_at=exchange[0].ends_at if exchange else None,
        max_meetings_per_person=4,
        max_open_sent=5,
        max_open_received=8,
        request_expiry_hours=72,
        fixed_at=None,
        video_mode=MeetingVideoMode.PATTERN,
        video_pattern=DEFAULT_PATTERN,
        video_tables=None,
    )


#: The video link pattern offered first: a Jitsi room with an unguessable name.
DEFAULT_PATTERN = "https://meet.jit.si/industrienetz-{token}"

#: The settings columns the staff form writes.
SETTINGS_FIELDS = (
    "enabled",
    "meeting_minutes",
    "window_starts_at",
    "window_ends_at",
    "max_meetings_per_person",
    "max_open_sent",
    "max_open_received",
    "request_expiry_hours",
    "fixed_at",
    "video_mode",
    "video_pattern",
    "video_tables",
)


def settings_changes(settings: MatchmakingSettings, values: dict[str, Any]) -> list[str]:
    """The settings columns whose stored value differs from `values` (in form order)."""
    return [
        name
        for name in SETTINGS_FIELDS
        if name in values and getattr(settings, name) != values[name]
    ]


def save_settings(event: Event, values: dict[str, Any]) -> bool:
    """Store the settings; True when anything changed (an unchanged save writes nothing)."""
    settings = settings_of(event.id)
    new = settings is None
    if settings is None:  # the form showed the defaults: saving them unchanged stores nothing
        settings = default_settings(event)
    wanted = {name: values[name] for name in settings_changes(settings, values)}
    if not wanted:
        return False
    for name, value in wanted.items():
        setattr(settings, name, value)
    if new:
        db.session.add(settings)
    db.session.flush()
    return True


def is_enabled(settings: MatchmakingSettings | None) -> bool:
    """True when the exchange is switched on."""
    return settings is not None and settings.enabled


def wishes_open(settings: MatchmakingSettings | None, now: dt.datetime | None = None) -> bool:
    """True while participants may wish and request: switched on, not yet fixed, not
    yet published."""
    now = now or utcnow()
    return (
        is_enabled(settings)
        and settings is not None
        and settings.published_at is None
        and (settings.fixed_at is None or now < settings.fixed_at)
    )


def slots_of(settings: MatchmakingSettings | None) -> list[dt.datetime]:
    """The slots of the window ([] while no window is set)."""
    if settings is None or settings.window_starts_at is None or settings.window_ends_at is None:
        return []
    return slot_math.meeting_slots(
        settings.window_starts_at, settings.window_ends_at, int(settings.meeting_minutes)
    )


# --------------------------------------------------------------------------- opting in


def takes_part(registration: Registration) -> bool:
    """True when the registration counts for the exchange (not cancelled or waitlisted)."""
    return registration.status in TAKING_PART


def can_opt_in(registration: Registration, settings: MatchmakingSettings | None) -> bool:
    """True when the participant may (still) opt in."""
    return (
        takes_part(registration) and wishes_open(settings) and not registration.matchmaking_opt_in
    )


def opt_in(registration: Registration, *, method: ConsentMethod = ConsentMethod.WEB_FORM) -> bool:
    """Opt the registration in and record the consent on the person; False if already in."""
    if registration.matchmaking_opt_in:
        return False
    if registration.id is None:  # a registration made in this request: give it its id
        db.session.flush()
    now = utcnow()
    registration.matchmaking_opt_in = True
    registration.matchmaking_opted_at = now
    if registration.person_id is not None:
        db.session.add(
            Consent(
                person_id=registration.person_id,
                purpose=ConsentPurpose.MATCHMAKING,
                status=ConsentStatus.CONFIRMED,
                method=method,
                text_version=CONSENT_TEXT_VERSION,
                given_at=now,
                registration_id=registration.id,
            )
        )
    db.session.flush()
    return True


def withdraw(registration: Registration) -> bool:
    """Take the registration out of the exchange: no longer visible, the consent revoked,
    its open requests (sent and received) withdrawn, its wishes about it forgotten.
    False when it was not in. Its planned meetings are the planning's part:
    `planning.withdraw` does both."""
    if not registration.matchmaking_opt_in:
        return False
    now = utcnow()
    registration.matchmaking_opt_in = False
    registration.matchmaking_opted_at = None
    if registration.person_id is not None:
        db.session.add(
            Consent(
                person_id=registration.person_id,
                purpose=ConsentPurpose.MATCHMAKING,
                status=ConsentStatus.REVOKED,
                method=ConsentMethod.WEB_FORM,
                text_version=CONSENT_TEXT_VERSION,
                given_at=now,
                registration_id=registration.id,
            )
        )
    db.session.execute(
        update(MeetingRequest)
        .where(
            MeetingRequest.status == MeetingRequestStatus.OPEN,
            or_(
                MeetingRequest.sender_registration_id == registration.id,
                MeetingRequest.recipient_registration_id == registration.id,
            ),
        )
        .values(status=MeetingRequestStatus.WITHDRAWN, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return True


# --------------------------------------------------------------------------- visibility


def may_see(viewer: Registration, other: Registration) -> bool:
    """The visibility rule (`crm.permissions.may_see_matchmaking_partner`): two different
    participants of the same event who both opted in and both take part see each other."""
    return permissions.may_see_matchmaking_partner(viewer, other)


#: What the cards and the ranking read of a registration, loaded with it.
_CARD_OPTIONS = (
    selectinload(Registration.person),
    selectinload(Registration.organisation),
    selectinload(Registration.initiative),
    selectinload(Registration.preferences),
)


def participants(event_id: int) -> list[Registration]:
    """The registrations of the event that take part in the exchange, by id."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.matchmaking_opt_in.is_(True),
                Registration.status.in_(TAKING_PART),
                Registration.person_id.is_not(None),
            )
            .order_by(Registration.id)
            .options(*_CARD_OPTIONS)
        )
    )


def visible_partner(viewer: Registration, other_id: int) -> Registration | None:
    """Another participant the viewer may see, by registration id (None otherwise)."""
    other = db.session.get(Registration, other_id)
    if other is None or not may_see(viewer, other):
        return None
    return other


@dataclass(frozen=True)
class Card:
    """What one participant may see of another: name, organisation, initiative, Land,
    themes. Nothing else (no e-mail, no function, no notes)."""

    registration_id: int
    name: str
    organisation: str
    initiative: str
    land: str
    themes: tuple[str, ...]


@dataclass
class _Facts:
    """Everything the ranking and the cards need about the participants, loaded in bulk."""

    themes: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    land: dict[int, str] = field(default_factory=dict)
    org_type: dict[int, str] = field(default_factory=dict)


def _facts(people: list[Registration]) -> _Facts:
    facts = _Facts()
    ids = [r.id for r in people]
    if not ids:
        return facts
    initiative_ids = {r.initiative_id for r in people if r.initiative_id}
    themes_of_initiative: dict[int, set[str]] = defaultdict(set)
    laender_of_initiative: dict[int, list[str]] = defaultdict(list)
    if initiative_ids:
        for ini_id, name in db.session.execute(
            select(initiative_themes.c.initiative_id, Theme.name)
            .join(Theme, Theme.id == initiative_themes.c.theme_id)
            .where(initiative_themes.c.initiative_id.in_(initiative_ids))
        ):
            themes_of_initiative[ini_id].add(name)
        for ini_id, ags in db.session.execute(
            select(initiative_laender.c.initiative_id, initiative_laender.c.land_ags)
            .where(initiative_laender.c.initiative_id.in_(initiative_ids))
            .order_by(initiative_laender.c.land_ags)
        ):
            laender_of_initiative[ini_id].append(ags)
    # themes of the workshops each one wished or was given
    themes_of_workshop: dict[int, set[str]] = defaultdict(set)
    for ws_id, name in db.session.execute(
        select(workshop_themes.c.workshop_id, Theme.name)
        .join(Theme, Theme.id == workshop_themes.c.theme_id)
        .join(Workshop, Workshop.id == workshop_themes.c.workshop_id)
        .where(Workshop.event_id == people[0].event_id)
    ):
        themes_of_workshop[ws_id].add(name)
    for r in people:
        if r.initiative_id:
            facts.themes[r.id] |= themes_of_initiative[r.initiative_id]
        workshops = {p.workshop_id for p in r.preferences}
        if r.assigned_workshop_id:
            workshops.add(r.assigned_workshop_id)
        for ws in workshops:
            facts.themes[r.id] |= themes_of_workshop[ws]
        org = r.organisation
        if org is not None:
            facts.org_type[r.id] = org.type.value
            if org.land_ags:
                facts.land[r.id] = org.land_ags
        if r.id not in facts.land and r.initiative_id and laender_of_initiative[r.initiative_id]:
            facts.land[r.id] = laender_of_initiative[r.initiative_id][0]
    return facts


def _card(r: Registration, facts: _Facts) -> Card:
    land = facts.land.get(r.id)
    org: Organisation | None = r.organisation
    initiative: Initiative | None = r.initiative
    return Card(
        registration_id=r.id,
        name=r.person.full_name if r.person is not None else "",
        organisation=org.name if org is not None else (r.organisation_text or ""),
        initiative=initiative.name if initiative is not None else "",
        land=LAENDER[land][1] if land in LAENDER else "",
        themes=tuple(sorted(facts.themes.get(r.id, ()))),
    )


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class ProposedPartner:
    """A proposed partner with its card, reasons, the viewer's wish and the requests."""

    card: Card
    score: float
    linked: bool
    reasons: tuple[Reason, ...]
    wish: MeetingWishLevel | None


def _linked_pairs(people: list[Registration]) -> set[frozenset[int]]:
    """Pairs of participants (registration ids) that know each other already: the same
    organisation, or logged together in an interaction."""
    pairs: set[frozenset[int]] = set()
    by_org: dict[int, list[int]] = defaultdict(list)
    for r in people:
        if r.organisation_id:
            by_org[r.organisation_id].append(r.id)
    for group in by_org.values():
        pairs |= {frozenset((a, b)) for a in group for b in group if a < b}
    registration_of = {r.person_id: r.id for r in people if r.person_id}
    together: dict[int, list[int]] = defaultdict(list)
    for interaction_id, person_id in db.session.execute(
        select(interaction_persons.c.interaction_id, interaction_persons.c.person_id).where(
            interaction_persons.c.person_id.in_(list(registration_of))
        )
    ):
        together[interaction_id].append(registration_of[person_id])
    for group in together.values():
        pairs |= {frozenset((a, b)) for a in group for b in group if a != b}
    return pairs


def _structural(viewer: Registration, people: list[Registration]) -> dict[int, list[Reason]]:
    """The suggestion engine's reasons from the viewer's person to the others, leaving out
    the event itself and its workshops (everyone shares those), and never naming a third
    person: a contact both know is worded without a name."""
    from crm.graph import suggest_connections
    from crm.network import cache
    from crm.network.builder import node_id

    graph = cache.graph_for(("all", None))
    source = node_id("person", viewer.person_id or 0)
    if source not in graph:
        return {}
    event_node = node_id("event", viewer.event_id)
    hidden = {event_node, *(n for n in graph.adj.get(event_node, {}) if str(n).startswith("w:"))}
    view = graph.subgraph([n for n in graph.nodes if n not in hidden])
    wanted = {node_id("person", r.person_id): r.id for r in people if r.person_id}
    try:
        found = suggest_connections(view, source, target_kind="person", k=max(len(view), 1))
    except ValueError:
        return {}
    result: dict[int, list[Reason]] = {}
    for suggestion in found:
        registration_id = wanted.get(str(suggestion.node))
        if registration_id is None:
            continue
        reasons = []
        for reason in suggestion.reasons:
            if reason.via is not None and str(reason.via).startswith("p:"):
                reasons.append(
                    Reason(
                        reason.kind,
                        None,
                        reason.weight,
                        "Gemeinsame Kontaktperson",
                        ranking.SHARED_CONTACT,
                        {},
                    )
                )
            else:
                reasons.append(reason)
        result[registration_id] = reasons
    return result


def _profile(r: Registration, facts: _Facts) -> ranking.Profile:
    return ranking.Profile(
        id=r.id,
        themes=frozenset(facts.themes.get(r.id, ())),
        land=facts.land.get(r.id),
        org_type=facts.org_type.get(r.id),
    )


def proposals_for(viewer: Registration) -> list[ProposedPartner]:
    """The viewer's proposed partners, best first (empty unless the viewer opted in)."""
    people = participants(viewer.event_id)
    if not any(r.id == viewer.id for r in people):
        return []
    others = [r for r in people if r.id != viewer.id]
    facts = _facts(people)
    linked = {
        next(iter(pair - {viewer.id}))
        for pair in _linked_pairs(people)
        if viewer.id in pair and len(pair) == 2
    }
    ranked = ranking.rank_partners(
        _profile(viewer, facts),
        [_profile(r, facts) for r in others],
        structural=_structural(viewer, others),
        linked=linked,
    )
    wishes = wishes_of(viewer)
    by_id = {r.id: r for r in others}
    return [
        ProposedPartner(
            card=_card(by_id[p.id], facts),
            score=p.score,
            linked=p.linked,
            reasons=p.reasons,
            wish=wishes.get(p.id),
        )
        for p in ranked
    ]


def card_of(registration: Registration) -> Card:
    """The card of one participant."""
    loaded = db.session.scalar(
        select(Registration)
        .where(Registration.id == registration.id)
        .options(*_CARD_OPTIONS)
        .execution_options(populate_existing=True)
    )
    assert loaded is not None  # noqa: S101 - the caller holds it
    return _card(loaded, _facts([loaded]))


# --------------------------------------------------------------------------- wishes


def wishes_of(registration: Registration) -> dict[int, MeetingWishLevel]:
    """The registration's wishes: target registration id → level."""
    return {
        w.target_registration_id: w.level
        for w in db.session.scalars(
            select(MeetingWish).where(MeetingWish.registration_id == registration.id)
        )
    }


def set_wish(viewer: Registration, target: Registration, level: MeetingWishLevel | None) -> bool:
    """Mark a proposed partner "must" / "gladly" / "no" (None: forget the mark); True when
    it changed anything. Raises MatchmakingProblem when wishes are closed or the target is
    not visible."""
    _check_open(viewer)
    if not may_see(viewer, target):
        raise MatchmakingProblem("not_visible")
    wish = db.session.scalar(
        select(MeetingWish).where(
            MeetingWish.registration_id == viewer.id,
            MeetingWish.target_registration_id == target.id,
        )
    )
    if wish is None and level is None:
        return False
    if wish is not None and wish.level == level:
        return False
    if level is None:
        assert wish is not None  # noqa: S101 - handled above
        db.session.delete(wish)
    elif wish is None:
        db.session.add(
            MeetingWish(registration_id=viewer.id, target_registration_id=target.id, level=level)
        )
    else:
        wish.level = level
    db.session.flush()
    return True


def _check_open(viewer: Registration, now: dt.datetime | None = None) -> MatchmakingSettings:
    settings = settings_of(viewer.event_id)
    if not wishes_open(settings, now):
        raise MatchmakingProblem("closed")
    if not viewer.matchmaking_opt_in or not takes_part(viewer):
        raise MatchmakingProblem("not_in")
    assert settings is not None  # noqa: S101 - wishes_open checked it
    return settings


# --------------------------------------------------------------------------- requests


def expire_requests(event_id: int, now: dt.datetime | None = None) -> int:
    """Mark the event's open requests past their expiry as expired; how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(MeetingRequest)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.status == MeetingRequestStatus.OPEN,
            MeetingRequest.expires_at <= now,
        )
        .values(status=MeetingRequestStatus.EXPIRED)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        db.session.expire_all()
    return count


def _open_count(column: Any, registration_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(MeetingRequest)
            .where(column == registration_id, MeetingRequest.status == MeetingRequestStatus.OPEN)
        )
        or 0
    )


def accepted_count(registration_id: int) -> int:
    """How many accepted requests the registration has (sent or received)."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(MeetingRequest)
            .where(
                MeetingRequest.status == MeetingRequestStatus.ACCEPTED,
                or_(
                    MeetingRequest.sender_registration_id == registration_id,
                    MeetingRequest.recipient_registration_id == registration_id,
                ),
            )
        )
        or 0
    )


def _pair_request(a: int, b: int) -> MeetingRequest | None:
    """An open or accepted request between the two, in either direction."""
    return db.session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.status.in_((MeetingRequestStatus.OPEN, MeetingRequestStatus.ACCEPTED)),
            or_(
                and_(
                    MeetingRequest.sender_registration_id == a,
                    MeetingRequest.recipient_registration_id == b,
                ),
                and_(
                    MeetingRequest.sender_registration_id == b,
                    MeetingRequest.recipient_registration_id == a,
                ),
            ),
        )
    )


def _meeting_room(settings: MatchmakingSettings, registration: Registration) -> int:
    """How many more fixed meetings the registration can take: its cap and its free slots."""
    blocked = unavailable_of(settings, [registration]).get(registration.id, set())
    free = len(slots_of(settings)) - len(blocked)
    return min(int(settings.max_meetings_per_person), free) - accepted_count(registration.id)


def send_request(
    sender: Registration,
    recipient: Registration,
    message: str | None,
    now: dt.datetime | None = None,
) -> MeetingRequest:
    """Send a request with a short message. Raises MatchmakingProblem with a code:
    closed, not_in, not_visible, pending (a request between the two is open or accepted),
    no_wish (the recipient said "no"), sent_cap, received_cap, full."""
    now = now or utcnow()
    settings = _check_open(sender, now)
    if not may_see(sender, recipient):
        raise MatchmakingProblem("not_visible")
    expire_requests(sender.event_id, now)
    if _pair_request(sender.id, recipient.id) is not None:
        raise MatchmakingProblem("pending")
    if wishes_of(recipient).get(sender.id) is MeetingWishLevel.NO:
        raise MatchmakingProblem("no_wish")
    if _open_count(MeetingRequest.sender_registration_id, sender.id) >= settings.max_open_sent:
        raise MatchmakingProblem("sent_cap")
    if (
        _open_count(MeetingRequest.recipient_registration_id, recipient.id)
        >= settings.max_open_received
    ):
        raise MatchmakingProblem("received_cap")
    if _meeting_room(settings, sender) <= 0 or _meeting_room(settings, recipient) <= 0:
        raise MatchmakingProblem("full")
    request = MeetingRequest(
        event_id=sender.event_id,
        sender_registration_id=sender.id,
        recipient_registration_id=recipient.id,
        message=(message or "").strip()[:300] or None,
        status=MeetingRequestStatus.OPEN,
        created_at=now,
        expires_at=now + dt.timedelta(hours=int(settings.request_expiry_hours)),
    )
    db.session.add(request)
    db.session.flush()
    return request


def received_request(recipient: Registration, request_id: int) -> MeetingRequest | None:
    """A request the registration received (None: not theirs or unknown)."""
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.recipient_registration_id != recipient.id:
        return None
    return request


def answer_request(
    recipient: Registration, request: MeetingRequest, accept: bool, now: dt.datetime | None = None
) -> MeetingRequest:
    """Accept or decline an open request the registration received. Raises
    MatchmakingProblem: closed, not_in, not_open (answered, expired or withdrawn),
    not_visible (the sender left), full (accepting would exceed a cap or the free slots)."""
    now = now or utcnow()
    settings = _check_open(recipient, now)
    expire_requests(recipient.event_id, now)
    db.session.refresh(request)
    if request.recipient_registration_id != recipient.id:
        raise MatchmakingProblem("not_visible")
    if request.status is not MeetingRequestStatus.OPEN:
        raise MatchmakingProblem("not_open")
    sender = db.session.get_one(Registration, request.sender_registration_id)
    if accept:
        if not may_see(recipient, sender):
            raise MatchmakingProblem("not_visible")
        if _meeting_room(settings, recipient) <= 0 or _meeting_room(settings, sender) <= 0:
            raise MatchmakingProblem("full")
    request.status = MeetingRequestStatus.ACCEPTED if accept else MeetingRequestStatus.DECLINED
    request.answered_at = now
    db.session.flush()
    return request


def withdraw_request(
    sender: Registration, request_id: int, now: dt.datetime | None = None
) -> MeetingRequest:
    """Withdraw an open request the registration sent. Raises MatchmakingProblem:
    not_visible (not theirs), not_open."""
    now = now or utcnow()
    expire_requests(sender.event_id, now)
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.sender_registration_id != sender.id:
        raise MatchmakingProblem("not_visible")
    if request.status is not MeetingRequestStatus.OPEN:
        raise MatchmakingProblem("not_open")
    request.status = MeetingRequestStatus.WITHDRAWN
    request.answered_at = now
    db.session.flush()
    return request


@dataclass(frozen=True)
class RequestRow:
    """A request as a participant sees it: the other side's card and the request."""

    request: MeetingRequest
    other: Card
    incoming: bool


def requests_of(registration: Registration, now: dt.datetime | None = None) -> list[RequestRow]:
    """The registration's requests, sent and received, newest first (expired ones marked)."""
    expire_requests(registration.event_id, now)
    rows = list(
        db.session.scalars(
            select(MeetingRequest)
            .where(
                or_(
                    MeetingRequest.sender_registration_id == registration.id,
                    MeetingRequest.recipient_registration_id == registration.id,
                )
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
    )
    others = {r.id: r for r in participants(registration.event_id) if r.id != registration.id}
    facts = _facts(list(others.values()))
    result = []
    for request in rows:
        incoming = request.recipient_registration_id == registration.id
        other_id = request.sender_registration_id if incoming else request.recipient_registration_id
        other = others.get(other_id)
        if other is None:
            continue  # the other side left the exchange: nothing of them is shown any more
        result.append(RequestRow(request, _card(other, facts), incoming))
    return result


# --------------------------------------------------------------------------- planning input


@dataclass(frozen=True)
class PlanningInput:
    """What `crm.graph.meetings.schedule_meetings` takes, for one event.

    `pairs`: (a, b, weight, reasons) with registration ids a < b; `fixed`: the pairs of
    accepted requests (also in `pairs`); `slots`: the slot start times; `unavailable`:
    registration id → blocked slots; `max_per_person`: the cap; `participants`: every
    registration taking part, with or without a pair."""

    pairs: list[tuple[int, int, float, tuple[Reason, ...]]]
    fixed: list[tuple[int, int]]
    slots: list[dt.datetime]
    unavailable: dict[int, set[dt.datetime]]
    max_per_person: int | None
    participants: list[int]


def pair_weight(a_wish: MeetingWishLevel | None, b_wish: MeetingWishLevel | None) -> float:
    """The weight of a pair from the two wishes; 0 when either said "no" or neither wished."""
    if MeetingWishLevel.NO in (a_wish, b_wish):
        return 0.0
    key = (a_wish, b_wish)
    if key not in WEIGHTS:
        key = (b_wish, a_wish)
    return WEIGHTS.get(key, 0.0)


def unavailable_of(
    settings: MatchmakingSettings, people: Iterable[Registration]
) -> dict[int, set[dt.datetime]]:
    """The slots each participant cannot meet in: the workshop blocks of the agenda, for
    everyone with an assigned workshop or with workshop wishes."""
    slots = slots_of(settings)
    blocks = list(
        db.session.execute(
            select(AgendaBlock.starts_at, AgendaBlock.ends_at).where(
                AgendaBlock.event_id == settings.event_id,
                AgendaBlock.kind == AgendaKind.WORKSHOPS,
            )
        )
    )
    if not slots or not blocks:
        return {}
    people = list(people)
    with_wishes = set(
        db.session.scalars(
            select(WorkshopPreference.registration_id).where(
                WorkshopPreference.registration_id.in_([r.id for r in people])
            )
        )
    )
    busy = {
        r.id: [(block.starts_at, block.ends_at) for block in blocks]
        for r in people
        if r.assigned_workshop_id is not None or r.id in with_wishes
    }
    return slot_math.unavailable_slots(slots, int(settings.meeting_minutes), busy)


def _all_wishes(event_id: int) -> dict[tuple[int, int], MeetingWishLevel]:
    source = Registration.__table__.alias("source")
    return {
        (w.registration_id, w.target_registration_id): w.level
        for w in db.session.scalars(
            select(MeetingWish)
            .join(source, source.c.id == MeetingWish.registration_id)
            .where(source.c.event_id == event_id)
        )
    }


def _pair_reasons(
    people: list[Registration], facts: _Facts, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], tuple[Reason, ...]]:
    """The reasons of each pair (from the first one's view): themes, kinds, regions."""
    profiles = {r.id: _profile(r, facts) for r in people}
    return {(a, b): tuple(ranking.attribute_reasons(profiles[a], profiles[b])) for a, b in pairs}


def planning_input(event: Event, now: dt.datetime | None = None) -> PlanningInput:
    """The pairs with their weights, the fixed pairs, the slots, the blocked slots and the
    cap of the event's exchange, for `schedule_meetings`. Expired requests are marked first."""
    settings = settings_of(event.id) or default_settings(event)
    expire_requests(event.id, now)
    people = participants(event.id)
    ids = {r.id for r in people}
    wishes = {k: v for k, v in _all_wishes(event.id).items() if k[0] in ids and k[1] in ids}
    weights: dict[tuple[int, int], float] = {}
    for a, b in {tuple(sorted(pair)) for pair in wishes}:
        weight = pair_weight(wishes.get((a, b)), wishes.get((b, a)))
        if weight > 0:
            weights[(a, b)] = weight
    fixed: list[tuple[int, int]] = []
    for request in db.session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == MeetingRequestStatus.ACCEPTED,
        )
    ):
        a, b = sorted((request.sender_registration_id, request.recipient_registration_id))
        if a in ids and b in ids and (a, b) not in fixed:
            fixed.append((a, b))
            weights[(a, b)] = max(weights.get((a, b), 0.0), ACCEPTED_WEIGHT)
    facts = _facts(people)
    reasons = _pair_reasons(people, facts, weights)
    slots = slots_of(settings)
    return PlanningInput(
        pairs=[(a, b, w, reasons[(a, b)]) for (a, b), w in sorted(weights.items())],
        fixed=sorted(fixed),
        slots=slots,
        unavailable=unavailable_of(settings, people) if slots else {},
        max_per_person=int(settings.max_meetings_per_person),
        participants=sorted(ids),
    )
