"""Invitations to an event: who is invited and who is left out (and why), the personal
mail in the person's language, sending through the outbox in batches, the reminder to
those not registered, the personal registration link and the one-click unsubscribe.

Who may be invited (the README, "Invitations", says the same):
- a person with an e-mail address, not anonymised, whose processing is not restricted;
- whose latest consent for event invitations is not revoked: revoked through the
  unsubscribe link is "abgemeldet", revoked otherwise "keine Einwilligung";
- who is on file on the basis of consent (lawful basis "Einwilligung") only with a
  confirmed consent for event invitations; contact persons on file for another basis
  (legitimate interest of the office in its B2B network, public task, contract or none
  recorded) are invited on legitimate interest unless they objected (a revocation);
- who is not registered for the event yet and not invited to it by any campaign;
- one mail per address: a second person with the same address is left out.

Sending twice mails nobody twice: a recipient row per campaign × person (unique), and each
row is claimed for the outbox by a conditional update before its mail is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask import has_request_context
from flask import render_template
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from crm.directory.queries import person_conditions
from crm.events.services import ACTIVE
from crm.events.services import hash_token
from crm.extensions import db
from crm.history import queries as history_queries
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.models import Affiliation
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import InitiativeRole
from crm.models import InvitationCampaign
from crm.models import InvitationRecipient
from crm.models import InvitationStatus
from crm.models import LawfulBasis
from crm.models import Organisation
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models.base import utcnow
from crm.web.pagination import Page

#: The text version of a revocation made through an invitation's unsubscribe link.
UNSUBSCRIBE_VERSION = "abmeldelink"
#: Why a person is left out, in the order they are checked.
NO_EMAIL = "no_email"
RESTRICTED = "restricted"
UNSUBSCRIBED = "unsubscribed"
NO_CONSENT = "no_consent"
REGISTERED = "registered"
ALREADY_INVITED = "already_invited"
DUPLICATE_EMAIL = "duplicate_email"
REASONS = {
    NO_EMAIL: _l("keine E-Mail-Adresse"),
    RESTRICTED: _l("Verarbeitung eingeschränkt"),
    UNSUBSCRIBED: _l("von Einladungen abgemeldet"),
    NO_CONSENT: _l("keine Einwilligung in Einladungen"),
    REGISTERED: _l("bereits angemeldet"),
    ALREADY_INVITED: _l("bereits eingeladen"),
    DUPLICATE_EMAIL: _l("E-Mail-Adresse einer anderen Person der Liste"),
}
STATUS_LABELS = {
    InvitationStatus.QUEUED: _l("in Warteschlange"),
    InvitationStatus.SENT: _l("versandt"),
    InvitationStatus.FAILED: _l("fehlgeschlagen"),
    InvitationStatus.REGISTERED: _l("angemeldet"),
    InvitationStatus.SKIPPED: _l("nicht versandt"),
    InvitationStatus.CANCELLED: _l("Anmeldung storniert"),
}
#: The filters a campaign keeps (those of the person list).
FILTER_KEYS = ("land", "kreis", "role", "orgtype", "theme", "event")
#: Their names, as the campaign form calls them.
FILTER_LABELS = {
    "land": _l("Bundesland"),
    "kreis": _l("Kreis"),
    "role": _l("Rolle in Initiative"),
    "orgtype": _l("Organisationstyp"),
    "theme": _l("Thema"),
    "event": _l("Teilgenommen an"),
}
#: How many entries of a campaign's history its page shows (the newest).
HISTORY_SHOWN = 50
#: Values in the links of a preview (no recipient exists yet).
PREVIEW_TOKEN = "vorschau"  # noqa: S105 - a placeholder, not a secret


# -- salutation


def _english_title(title: str | None) -> str | None:
    """ "Dr." → "Dr", "Prof. Dr." → "Professor" (the English forms of address)."""
    folded = (title or "").lower()
    if "prof" in folded:
        return "Professor"
    if "dr" in folded:
        return "Dr"
    return None


def _gender(salutation: str | None) -> str | None:
    value = (salutation or "").strip().lower().rstrip(".")
    if value in ("frau", "ms", "mrs", "miss"):
        return "f"
    if value in ("herr", "herrn", "mr"):
        return "m"
    return None


def salutation(person: Person, language: str) -> str:
    """The opening line of a letter to `person` in `language` (de or en), with a comma:
    "Sehr geehrte Frau Dr. Müller," / "Dear Dr Müller,"; "Guten Tag Kim Müller," / "Dear
    Kim Müller," where no salutation (Frau/Herr) is known."""
    gender = _gender(person.salutation)
    if language == "en":
        title = _english_title(person.title)
        if title:
            return f"Dear {title} {person.last_name},"
        if gender:
            return f"Dear {'Ms' if gender == 'f' else 'Mr'} {person.last_name},"
        return f"Dear {person.first_name} {person.last_name},"
    name = " ".join(p for p in (person.title, person.last_name) if p)
    if gender == "f":
        return f"Sehr geehrte Frau {name},"
    if gender == "m":
        return f"Sehr geehrter Herr {name},"
    return f"Guten Tag {person.full_name},"


def mail_language(person: Person) -> str:
    """The person's preferred language when the app speaks it, else German."""
    spoken = current_app.config["LANGUAGES"]
    return person.preferred_language if person.preferred_language in spoken else "de"


# -- who is invited


@dataclass(frozen=True)
class Selection:
    """The persons a campaign's filters select: those to invite, and those left out."""

    invited: list[Person]
    left_out: list[tuple[Person, str]]

    def reasons(self) -> dict[str, int]:
        """How many are left out per reason (in the order of REASONS)."""
        counts = dict.fromkeys(REASONS, 0)
        for _person, reason in self.left_out:
            counts[reason] += 1
        return {reason: n for reason, n in counts.items() if n}


def clean_filters(filters: Mapping[str, Any], allowed: Mapping[str, set[str]]) -> dict[str, str]:
    """Only known filters with offered values (a stored filter whose value vanished, e.g.
    a deleted theme, is dropped rather than matching nothing)."""
    return {
        key: str(filters[key])
        for key in FILTER_KEYS
        if filters.get(key) and str(filters[key]) in allowed.get(key, set())
    }


def _latest_consents(person_ids: Iterable[int]) -> dict[int, Consent]:
    """The latest event-invitation consent per person."""
    ids = list(person_ids)
    latest: dict[int, Consent] = {}
    for start in range(0, len(ids), 500):
        for consent in db.session.scalars(
            select(Consent)
            .where(
                Consent.purpose == ConsentPurpose.EVENT_INVITATIONS,
                Consent.person_id.in_(ids[start : start + 500]),
            )
            .order_by(Consent.given_at, Consent.id)
        ):
            latest[consent.person_id] = consent
    return latest


def consent_problem(person: Person, latest: Consent | None) -> str | None:
    """UNSUBSCRIBED, NO_CONSENT or None (see the module's docstring)."""
    if latest is not None and latest.status == ConsentStatus.REVOKED:
        return UNSUBSCRIBED if latest.text_version == UNSUBSCRIBE_VERSION else NO_CONSENT
    if person.lawful_basis == LawfulBasis.CONSENT and (
        latest is None or latest.status != ConsentStatus.CONFIRMED
    ):
        return NO_CONSENT
    return None


def _registered_ids(event_id: int) -> set[int]:
    rows = db.session.scalars(
        select(Registration.person_id).where(
            Registration.event_id == event_id,
            Registration.status.in_(ACTIVE),
            Registration.person_id.is_not(None),
        )
    )
    return {int(i) for i in rows if i is not None}


def _invited_ids(event_id: int) -> set[int]:
    """Persons any campaign of the event has invited (or is inviting)."""
    rows = db.session.scalars(
        select(InvitationRecipient.person_id)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .where(InvitationCampaign.event_id == event_id)
    )
    return set(rows)


def select_recipients(campaign: InvitationCampaign, allowed: Mapping[str, set[str]]) -> Selection:
    """Apply the campaign's person filters and the rules of who may be invited."""
    filters = clean_filters(campaign.filters or {}, allowed)
    persons = list(
        db.session.scalars(
            select(Person)
            .where(*person_conditions(filters), Person.anonymised_at.is_(None))
            .order_by(Person.sort_name, Person.id)
        )
    )
    consents = _latest_consents(p.id for p in persons)
    registered = _registered_ids(campaign.event_id)
    invited_before = _invited_ids(campaign.event_id)
    addresses = {
        p.email
        for p in persons
        if p.id in invited_before or p.id in registered  # their address has its mail
    }
    invited: list[Person] = []
    left_out: list[tuple[Person, str]] = []
    for person in persons:
        reason = exclusion(person, consents.get(person.id), registered, invited_before)
        if reason is None and person.email in addresses:
            reason = DUPLICATE_EMAIL
        if reason is None:
            invited.append(person)
            addresses.add(person.email)
        else:
            left_out.append((person, reason))
    return Selection(invited, left_out)


def exclusion(
    person: Person, latest: Consent | None, registered: set[int], invited: set[int]
) -> str | None:
    """Why `person` is left out (a key of REASONS), None when they may be invited."""
    if not person.email:
        return NO_EMAIL
    if person.restricted:
        return RESTRICTED
    problem = consent_problem(person, latest)
    if problem:
        return problem
    if person.id in registered:
        return REGISTERED
    if person.id in invited:
        return ALREADY_INVITED
    return None


# -- tokens and links


def recipient_token(recipient_id: int) -> str:
    """The personal token of a recipient: an HMAC of its id under the secret key, so the
    reminder can carry the same links; only its hash is stored."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(key, f"invitation:{recipient_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def recipient_by_token(token: str) -> InvitationRecipient | None:
    """The recipient of a personal token (None for anything else)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(InvitationRecipient).where(InvitationRecipient.token_hash == hash_token(token))
    )


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail: on PUBLIC_BASE_URL when configured (never a forged
    Host header), else on the request's host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


@contextmanager
def link_context() -> Iterator[None]:
    """Outside a request (the worker), a request context on PUBLIC_BASE_URL for url_for."""
    if has_request_context():
        yield
        return
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "http://localhost")
    with current_app.test_request_context("/", base_url=base):
        yield


def invitation_url(token: str) -> str:
    """The personal registration link of an invitation."""
    return _link("invitation_public.invitation", token=token)


def unsubscribe_url(token: str) -> str:
    """The one-click unsubscribe link of an invitation (RFC 8058 POST target too)."""
    return _link("invitation_public.unsubscribe", token=token)


def unsubscribe_headers(token: str) -> dict[str, str]:
    """List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) of an invitation mail."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# -- the mail


@dataclass(frozen=True)
class Mail:
    """A rendered invitation: language, subject, body and extra headers."""

    language: str
    subject: str
    body: str
    headers: dict[str, str]


def _event_with_programme(event_id: int) -> Event:
    return db.session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.agenda), selectinload(Event.workshops))
    ).one()


def render_mail(
    campaign: InvitationCampaign,
    event: Event,
    person: Person,
    token: str,
    *,
    language: str | None = None,
    reminder: bool = False,
) -> Mail:
    """The invitation (or its reminder) to `person`, in `language` (default: theirs)."""
    with in_language(language or mail_language(person)) as spoken:
        subject = campaign.subject_en if spoken == "en" else campaign.subject_de
        if reminder:
            subject = str(_l("Erinnerung: %(s)s", s=subject))
        body = render_template(
            "invitations/mail.txt",
            campaign=campaign,
            event=event,
            person=person,
            greeting=salutation(person, spoken),
            intro=(campaign.intro_en if spoken == "en" else campaign.intro_de) or "",
            register_link=invitation_url(token),
            unsubscribe_link=unsubscribe_url(token),
            reminder=reminder,
        )
        return Mail(spoken, subject, body, unsubscribe_headers(token))


def samples(campaign: InvitationCampaign, person: Person | None) -> dict[str, Mail]:
    """The mail to `person` (or a made-up one) in German and in English, for the preview."""
    if person is None:
        person = Person(first_name="Kim", last_name="Beispiel", salutation=None)
    event = _event_with_programme(campaign.event_id)
    return {
        lang: render_mail(campaign, event, person, PREVIEW_TOKEN, language=lang)
        for lang in current_app.config["LANGUAGES"]
    }


# -- sending


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> None:
    """Insert recipient rows; a row whose campaign × person exists already is skipped
    (also when a concurrent send inserted it a moment ago)."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(InvitationRecipient).on_conflict_do_nothing(
        index_elements=["campaign_id", "person_id"]
    )
    now = utcnow()
    for start in range(0, len(rows), 500):
        chunk = [{**row, "created_at": now, "updated_at": now} for row in rows[start : start + 500]]
        db.session.execute(statement, chunk)


def fix_recipients(campaign: InvitationCampaign, allowed: Mapping[str, set[str]]) -> int:
    """Add everyone the filters now select and who may be invited (and is not yet a
    recipient) to the campaign's recipients, queued. Returns how many were added.
    Safe to run twice and concurrently. The caller commits."""
    # concurrent sends of one campaign wait for each other here (PostgreSQL: row lock;
    # SQLite: the write transaction already serialises them)
    db.session.scalar(
        select(InvitationCampaign)
        .where(InvitationCampaign.id == campaign.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    before = _count(campaign.id)
    selection = select_recipients(campaign, allowed)
    _insert_ignoring_duplicates(
        [
            {
                "campaign_id": campaign.id,
                "person_id": person.id,
                "status": InvitationStatus.QUEUED,
                "language": mail_language(person),
            }
            for person in selection.invited
        ]
    )
    for recipient_id in db.session.scalars(
        select(InvitationRecipient.id).where(
            InvitationRecipient.campaign_id == campaign.id,
            InvitationRecipient.token_hash.is_(None),
        )
    ):
        db.session.execute(
            update(InvitationRecipient)
            .where(InvitationRecipient.id == recipient_id)
            .values(token_hash=hash_token(recipient_token(recipient_id)))
        )
    if campaign.sent_at is None:
        campaign.sent_at = utcnow()
    return _count(campaign.id) - before


def _count(campaign_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(InvitationRecipient.id)).where(
                InvitationRecipient.campaign_id == campaign_id
            )
        )
        or 0
    )


def unmailed(campaign_id: int, limit: int | None = None) -> list[int]:
    """Recipients (ids) still to be written into the outbox, oldest first."""
    query = (
        select(InvitationRecipient.id)
        .where(
            InvitationRecipient.campaign_id == campaign_id,
            InvitationRecipient.mailed_at.is_(None),
            InvitationRecipient.status == InvitationStatus.QUEUED,
        )
        .order_by(InvitationRecipient.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def mail_recipient(recipient_id: int) -> bool:
    """Write the invitation of one recipient into the outbox, once: the row is claimed by a
    conditional update first, so a second (or concurrent) run writes nothing. A person who
    may no longer be invited (unsubscribed, restricted, registered meanwhile) is skipped.
    The caller commits (claim and mail together). True when a mail was queued."""
    claimed = db.session.execute(
        update(InvitationRecipient)
        .where(InvitationRecipient.id == recipient_id, InvitationRecipient.mailed_at.is_(None))
        .values(mailed_at=utcnow())
    )
    if not getattr(claimed, "rowcount", 0):
        return False
    recipient = db.session.get_one(InvitationRecipient, recipient_id)
    campaign = db.session.get_one(InvitationCampaign, recipient.campaign_id)
    person = db.session.get_one(Person, recipient.person_id)
    reason = exclusion(
        person,
        _latest_consents([person.id]).get(person.id),
        _registered_ids(campaign.event_id),
        set(),
    )
    if reason is not None:
        recipient.status = (
            InvitationStatus.REGISTERED if reason == REGISTERED else InvitationStatus.SKIPPED
        )
        recipient.reason = reason
        return False
    if cancelled_since_invited(recipient.id):  # registered and cancelled before this mail
        recipient.status = InvitationStatus.CANCELLED
        return False
    event = _event_with_programme(campaign.event_id)
    mail = render_mail(campaign, event, person, recipient_token(recipient.id))
    outbox = queue_mail(person.email or "", mail.subject, mail.body, headers=mail.headers)
    db.session.flush()
    recipient.outbox_mail_id = outbox.id
    recipient.language = mail.language
    return True


def cancelled_since_invited(recipient_id: int) -> bool:
    """Did the recipient register and cancel their registration after being invited?"""
    found = db.session.scalar(
        select(InvitationRecipient.id)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .where(InvitationRecipient.id == recipient_id, _cancelled_since_invited())
    )
    return found is not None


def batch_size() -> int:
    """Invitations written into the outbox per minute (config INVITATIONS_PER_MINUTE)."""
    return max(1, int(current_app.config.get("INVITATIONS_PER_MINUTE") or 60))


# -- status


def _registered_for_event() -> ColumnElement[bool]:
    return exists(
        select(Registration.id).where(
            Registration.event_id == InvitationCampaign.event_id,
            Registration.person_id == InvitationRecipient.person_id,
            Registration.status.in_(ACTIVE),
        )
    )


def _cancelled_since_invited() -> ColumnElement[bool]:
    """The person's registration for the event (there is at most one) was cancelled after
    they were invited: they chose not to come. A registration cancelled before the
    invitation does not count (the invitation is a new offer)."""
    return exists(
        select(Registration.id).where(
            Registration.event_id == InvitationCampaign.event_id,
            Registration.person_id == InvitationRecipient.person_id,
            Registration.status == RegistrationStatus.CANCELLED,
            Registration.cancelled_at.is_(None)
            | (Registration.cancelled_at >= InvitationRecipient.created_at),
        )
    )


def _counts_as_registered() -> ColumnElement[bool]:
    """Registered for the event now, or seen registered (through the link) and not
    cancelled since (a registration whose person was erased keeps counting)."""
    return _registered_for_event() | (
        (InvitationRecipient.status == InvitationStatus.REGISTERED) & ~_cancelled_since_invited()
    )


def effective_status() -> Any:
    """The status of a recipient as it is now: registered for the event (through the link
    or otherwise); "cancelled" when they registered and cancelled since; else what became
    of its mail in the outbox. Needs InvitationCampaign and OutboxMail (outer) joined."""
    return case(
        (InvitationRecipient.status == InvitationStatus.SKIPPED, InvitationStatus.SKIPPED.value),
        (_counts_as_registered(), InvitationStatus.REGISTERED.value),
        (
            (InvitationRecipient.status == InvitationStatus.CANCELLED) | _cancelled_since_invited(),
            InvitationStatus.CANCELLED.value,
        ),
        (OutboxMail.status == OutboxStatus.SENT, InvitationStatus.SENT.value),
        (
            OutboxMail.status.in_((OutboxStatus.FAILED, OutboxStatus.UNCERTAIN)),
            InvitationStatus.FAILED.value,
        ),
        else_=InvitationStatus.QUEUED.value,
    )


def recipients_query(campaign_id: int) -> Any:
    """Recipients of a campaign with their person and current status, by name."""
    return (
        select(InvitationRecipient, Person, effective_status().label("current"))
        .join(Person, Person.id == InvitationRecipient.person_id)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .outerjoin(OutboxMail, OutboxMail.id == InvitationRecipient.outbox_mail_id)
        .where(InvitationRecipient.campaign_id == campaign_id)
        .order_by(Person.sort_name, InvitationRecipient.id)
    )


def status_counts(campaign_id: int) -> dict[str, int]:
    """Recipients per current status."""
    current = effective_status()
    rows = db.session.execute(
        select(current, func.count(InvitationRecipient.id))
        .select_from(InvitationRecipient)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .outerjoin(OutboxMail, OutboxMail.id == InvitationRecipient.outbox_mail_id)
        .where(InvitationRecipient.campaign_id == campaign_id)
        .group_by(current)
    )
    return {str(status): int(n) for status, n in rows}


def refresh_statuses(campaign_id: int) -> None:
    """Store the current status of every recipient (the job does it after each batch)."""
    rows = db.session.execute(
        select(InvitationRecipient.id, effective_status(), InvitationRecipient.status)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .outerjoin(OutboxMail, OutboxMail.id == InvitationRecipient.outbox_mail_id)
        .where(InvitationRecipient.campaign_id == campaign_id)
    ).all()
    for recipient_id, current, stored in rows:
        if current != stored:
            db.session.execute(
                update(InvitationRecipient)
                .where(InvitationRecipient.id == recipient_id)
                .values(status=InvitationStatus(current))
            )


# -- the reminder to those not registered


def reminder_due(campaign_id: int) -> list[int]:
    """Recipients (ids) who got the invitation, have not registered, were not reminded."""
    current = effective_status()
    return list(
        db.session.scalars(
            select(InvitationRecipient.id)
            .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
            .outerjoin(OutboxMail, OutboxMail.id == InvitationRecipient.outbox_mail_id)
            .where(
                InvitationRecipient.campaign_id == campaign_id,
                InvitationRecipient.mailed_at.is_not(None),
                InvitationRecipient.outbox_mail_id.is_not(None),
                InvitationRecipient.reminded_at.is_(None),
                current.in_((InvitationStatus.SENT.value, InvitationStatus.QUEUED.value)),
            )
            .order_by(InvitationRecipient.id)
        )
    )


def remind(campaign: InvitationCampaign) -> int:
    """Queue the reminder to every invited person who has not registered (once each; one
    who unsubscribed or is restricted meanwhile gets none). A second run reaches only those
    not reminded yet (e.g. invited by a later batch): nobody is reminded twice, a reminder
    to the same people again would be one mail too many. The caller commits."""
    event = _event_with_programme(campaign.event_id)
    registered = _registered_ids(campaign.event_id)
    queued = 0
    for recipient_id in reminder_due(campaign.id):
        claimed = db.session.execute(
            update(InvitationRecipient)
            .where(
                InvitationRecipient.id == recipient_id, InvitationRecipient.reminded_at.is_(None)
            )
            .values(reminded_at=utcnow())
        )
        if not getattr(claimed, "rowcount", 0):
            continue
        recipient = db.session.get_one(InvitationRecipient, recipient_id)
        person = db.session.get_one(Person, recipient.person_id)
        latest = _latest_consents([person.id]).get(person.id)
        if exclusion(person, latest, registered, set()) is not None:
            continue
        mail = render_mail(campaign, event, person, recipient_token(recipient.id), reminder=True)
        outbox = queue_mail(person.email or "", mail.subject, mail.body, headers=mail.headers)
        db.session.flush()
        recipient.reminder_mail_id = outbox.id
        queued += 1
    if queued:  # the campaign's last reminder (a run that mailed nobody is none)
        campaign.reminded_at = utcnow()
    return queued


def reminded_count(campaign_id: int) -> int:
    """How many recipients of the campaign have had their (one) reminder."""
    return int(
        db.session.scalar(
            select(func.count(InvitationRecipient.id)).where(
                InvitationRecipient.campaign_id == campaign_id,
                InvitationRecipient.reminded_at.is_not(None),
            )
        )
        or 0
    )


# -- the recipient's side: registration link and unsubscribe


@dataclass(frozen=True)
class Prefill:
    """What the personal link fills into the public registration form."""

    first_name: str
    last_name: str
    email: str
    organisation: str | None
    initiative_id: int | None


def prefill(recipient: InvitationRecipient) -> Prefill:
    """Name, e-mail, organisation (first active affiliation) and initiative (first active
    role) of the invited person."""
    person = db.session.get_one(Person, recipient.person_id)
    organisation = db.session.scalar(
        select(Organisation.name)
        .join(Affiliation, Affiliation.organisation_id == Organisation.id)
        .where(Affiliation.person_id == person.id, Affiliation.is_active)
        .order_by(Affiliation.id)
        .limit(1)
    )
    initiative_id = db.session.scalar(
        select(InitiativeRole.initiative_id)
        .where(InitiativeRole.person_id == person.id, InitiativeRole.is_active)
        .order_by(InitiativeRole.id)
        .limit(1)
    )
    return Prefill(
        person.first_name, person.last_name, person.email or "", organisation, initiative_id
    )


def campaign_event_id(recipient: InvitationRecipient) -> int:
    """The event a recipient is invited to."""
    return db.session.get_one(InvitationCampaign, recipient.campaign_id).event_id


def mark_registered(recipient: InvitationRecipient, registration: Registration) -> None:
    """The invited person registered through their link. The caller commits."""
    recipient.status = InvitationStatus.REGISTERED
    recipient.registration_id = registration.id
    recipient.registered_at = utcnow()


def unsubscribe(recipient: InvitationRecipient, *, one_click: bool) -> bool:
    """Revoke the person's consent to event invitations: a new consent row (the old ones
    stay as proof, the audit trail records it). False when already revoked. No commit."""
    latest = _latest_consents([recipient.person_id]).get(recipient.person_id)
    if latest is not None and latest.status == ConsentStatus.REVOKED:
        return False
    db.session.add(
        Consent(
            person_id=recipient.person_id,
            purpose=ConsentPurpose.EVENT_INVITATIONS,
            status=ConsentStatus.REVOKED,
            method=ConsentMethod.EMAIL if one_click else ConsentMethod.WEB_FORM,
            text_version=UNSUBSCRIBE_VERSION,
            given_at=utcnow(),
        )
    )
    return True


def unsubscribed(recipient: InvitationRecipient) -> bool:
    """Is the person's latest event-invitation consent revoked?"""
    latest = _latest_consents([recipient.person_id]).get(recipient.person_id)
    return latest is not None and latest.status == ConsentStatus.REVOKED


# -- campaigns (staff)


@dataclass(frozen=True)
class CampaignData:
    """Validated input of the campaign form."""

    name: str
    filters: dict[str, str]
    subject_de: str
    subject_en: str
    intro_de: str | None
    intro_en: str | None


def save_campaign(campaign: InvitationCampaign, data: CampaignData) -> bool:
    """Create or change a campaign; False when nothing changed (nothing is written)."""
    values = {
        "name": data.name.strip(),
        "filters": dict(sorted(data.filters.items())),
        "subject_de": data.subject_de.strip(),
        "subject_en": data.subject_en.strip(),
        "intro_de": (data.intro_de or "").strip() or None,
        "intro_en": (data.intro_en or "").strip() or None,
    }
    stored = {key: getattr(campaign, key) for key in values}
    stored["filters"] = dict(sorted((stored["filters"] or {}).items()))
    if campaign.id is not None and stored == values:
        return False
    for key, value in values.items():
        setattr(campaign, key, value)
    db.session.add(campaign)
    db.session.flush()
    return True


def default_texts(event: Event) -> dict[str, str]:
    """Subject lines a new campaign starts with."""
    return {
        "subject_de": f"Einladung: {event.title}"[:200],
        "subject_en": f"Invitation: {event.title}"[:200],
    }


def campaigns_of(event_id: int) -> list[tuple[InvitationCampaign, int, int]]:
    """The event's campaigns with their recipient and registered counts, newest first."""
    registered = (
        select(func.count(InvitationRecipient.id))
        .where(
            InvitationRecipient.campaign_id == InvitationCampaign.id,
            _counts_as_registered(),
        )
        .correlate(InvitationCampaign)
        .scalar_subquery()
    )
    total = (
        select(func.count(InvitationRecipient.id))
        .where(InvitationRecipient.campaign_id == InvitationCampaign.id)
        .correlate(InvitationCampaign)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(InvitationCampaign, total, registered)
        .where(InvitationCampaign.event_id == event_id)
        .order_by(InvitationCampaign.id.desc())
    )
    return [(c, int(t or 0), int(r or 0)) for c, t, r in rows]


@dataclass(frozen=True)
class RecipientRow:
    """One line of the recipient table."""

    recipient: InvitationRecipient
    person: Person
    status: InvitationStatus


def recipient_page(campaign_id: int, page: int, per_page: int) -> Page[RecipientRow]:
    """One page of the campaign's recipients (by name) with their current status."""
    total = _count(campaign_id)
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    rows = db.session.execute(
        recipients_query(campaign_id).limit(per_page).offset((page - 1) * per_page)
    )
    items = [RecipientRow(r, p, InvitationStatus(s)) for r, p, s in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


def recipient_for_event(token: str | None, event_id: int) -> InvitationRecipient | None:
    """The recipient of an invitation's token when it invites to `event_id`."""
    recipient = recipient_by_token(token or "")
    if recipient is None or campaign_event_id(recipient) != event_id:
        return None
    return recipient


def fill_in(form: Any, recipient: InvitationRecipient) -> None:
    """Fill the public registration form with what we know of the invited person (the
    initiative only when the form offers it)."""
    known = prefill(recipient)
    form.first_name.data = known.first_name
    form.last_name.data = known.last_name
    form.email.data = known.email
    form.organisation.data = known.organisation
    offered = {value for value, _label in form.initiative.choices or []}
    if known.initiative_id is not None and str(known.initiative_id) in offered:
        form.initiative.data = str(known.initiative_id)


# -- the campaign's history


def describe_filters(filters: Any, options: Mapping[str, list[tuple[str, str]]]) -> str:
    """Stored filters as a reader sees them: "Bundesland: Nordrhein-Westfalen; Thema: …"
    (a value no longer offered, e.g. a deleted theme, as it was stored)."""
    if not isinstance(filters, dict) or not filters:
        return str(_l("keine (alle Personen)"))
    parts = []
    for key in sorted(filters, key=lambda k: (FILTER_KEYS + (k,)).index(k)):
        value = str(filters[key])
        shown = dict(options.get(key, [])).get(value, value)
        parts.append(f"{FILTER_LABELS.get(key, key)}: {shown}")
    return "; ".join(parts)


def history(
    campaign_id: int, options: Mapping[str, list[tuple[str, str]]]
) -> list[history_queries.EntryView]:
    """The newest entries of the campaign's history (created, changed, sent, reminded:
    who and when), its filters by name."""
    entries = history_queries.entries_of("invitation_campaigns", campaign_id, HISTORY_SHOWN)
    rows = history_queries.entry_views(entries)
    for row in rows:
        pair = (row.entry.changes or {}).get("filters")
        for change in row.changes:
            if change.key == "filters" and isinstance(pair, list) and len(pair) == 2:
                change.old = describe_filters(pair[0], options)
                change.new = describe_filters(pair[1], options)
    return rows
