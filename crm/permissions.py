"""THE authorization module: every decision about who may see or change what is made here.

Views ask these predicates, list queries are scoped through them, and templates use
the same predicates to hide controls. The functions are pure: they look at the user
and the record, never at the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import false
from sqlalchemy import inspect
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import object_session

from crm.models import Initiative
from crm.models import Interaction
from crm.models import Person
from crm.models import Role
from crm.models import interaction_persons
from crm.models.enums import ConsentPurpose
from crm.models.enums import ConsentStatus
from crm.models.enums import OrgType
from crm.models.enums import RegistrationStatus
from crm.models.search import SearchDocument
from crm.models.search import SearchKind

STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})
# a SELECT of any columns (SQLAlchemy 2.1 types them as a variadic tuple)
AnySelect = Select[*tuple[Any, ...]]


def _role(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role(user.role)


def is_staff(user: Any) -> bool:
    """Office staff and admins: they see and edit the whole directory."""
    return _role(user) in STAFF_ROLES


def is_admin(user: Any) -> bool:
    """Admins manage accounts, vocabularies and data-protection tasks."""
    return _role(user) is Role.ADMIN


def is_editor(user: Any) -> bool:
    """Representatives of one initiative."""
    return _role(user) is Role.EDITOR


def can_view_directory(user: Any) -> bool:
    """The internal directory lists (organisations, persons, all initiatives)."""
    return is_staff(user)


def can_view(user: Any, record: Any) -> bool:
    """May `user` see the internal view of `record`?"""
    if is_staff(user):
        return True
    if is_editor(user) and isinstance(record, Initiative):
        return bool(record.id == user.initiative_id)
    return False


def can_edit(user: Any, record: Any) -> bool:
    """May `user` change `record`?"""
    return can_view(user, record)


def can_create(user: Any, kind: str) -> bool:
    """May `user` create a directory record of `kind` (initiative, organisation, person)?"""
    return is_staff(user) and kind in {"initiative", "organisation", "person"}


def can_maintain(user: Any, record: Any) -> bool:
    """May `user` use the staff edit form of an initiative, organisation or person?

    Editing the full record (listing, host, address, data-protection facts) is office work;
    representatives of an initiative may see their own initiative but not edit it here.
    A restricted person (Art. 18 GDPR) is locked: only lifting the restriction changes it.
    """
    return is_staff(user) and can_edit(user, record) and not person_locked(record)


def can_delete(user: Any, record: Any) -> bool:
    """May `user` delete an initiative, organisation or person (with its links)?
    Not a locked person (Art. 18 GDPR): erasure on its Datenschutz tab still works."""
    return is_staff(user) and can_edit(user, record) and not person_locked(record)


#: Why a change that touches a locked person is refused (flash or form error).
PERSON_LOCKED = _l(
    "Die Verarbeitung der Daten dieser Person ist eingeschränkt (Art. 18 DSGVO): nichts an "
    "ihr und ihren Verbindungen kann geändert werden. Bitte zuerst die Einschränkung auf "
    "ihrem Reiter „Datenschutz“ aufheben."
)


def person_locked(record: Any) -> bool:
    """Does a change of `record` touch a locked person, one whose processing is restricted
    (Art. 18 GDPR)? Such a person is shown, but nothing of it or its links, interactions and
    registrations changes, except lifting the restriction (and erasure).

    `record`: a person; an interaction (its persons); or a row naming one person by
    `person_id` (an affiliation, an initiative role, a registration, a consent); else False.
    A person not loaded yet is read through the record's session.
    """
    if isinstance(record, Person):
        return bool(record.restricted)
    session = object_session(record) if record is not None else None
    if isinstance(record, Interaction):
        if "persons" not in inspect(record).unloaded:
            return any(person.restricted for person in record.persons)
        named = select(interaction_persons.c.person_id).where(
            interaction_persons.c.interaction_id == record.id
        )
        query = select(Person.id).where(Person.id.in_(named), Person.restricted.is_(True))
        return session is not None and session.scalar(query.limit(1)) is not None
    person_id = getattr(record, "person_id", None)
    if person_id is None or session is None:
        return False
    person = session.get(Person, person_id)  # from the identity map when loaded
    return person is not None and bool(person.restricted)


def can_import(user: Any) -> bool:
    """Importing files (and undoing imports) is office work: staff and admins."""
    return is_staff(user)


def can_lookup_plz(user: Any) -> bool:
    """The PLZ look-up behind address forms: staff and initiative editors."""
    return is_staff(user) or is_editor(user)


def can_use_portal(user: Any) -> bool:
    """The self-service portal "Unsere Initiative" of an initiative's representatives."""
    return is_editor(user) and getattr(user, "initiative_id", None) is not None


def can_see_person(user: Any, person: Any) -> bool:
    """May `user` see `person` at all? Staff see everyone (a restricted person marked);
    an initiative's representatives never see a person whose processing is restricted
    (Art. 18 GDPR), not even as their own initiative's contact."""
    return is_staff(user) or not getattr(person, "restricted", False)


def can_log_interaction(user: Any) -> bool:
    """Logging contacts and follow-ups is office work: staff and admins only."""
    return is_staff(user)


def can_edit_interaction(user: Any, interaction: Any) -> bool:
    """Staff may edit, delete and close any interaction or follow-up (a shared office log)."""
    return is_staff(user)


def can_edit_links(user: Any) -> bool:
    """Creating, changing, ending and deleting memberships, affiliations, initiative roles
    and relationships (and the record look-up behind their forms) is office work: staff."""
    return is_staff(user)


def graph_scope(user: Any) -> tuple[str, int | None]:
    """Which persons the network graph for `user` may contain (a hashable cache key).

    ("all", None) for staff; ("initiative", id) for editors: only persons with a role
    in their own initiative; ("none", None) for everyone else: no persons at all.
    """
    if is_staff(user):
        return ("all", None)
    if is_editor(user):
        return ("initiative", int(user.initiative_id))
    return ("none", None)


def can_act_on_suggestions(user: Any) -> bool:
    """Accepting, dismissing or postponing network suggestions is office work (staff)."""
    return is_staff(user)


def can_handle_duplicates(user: Any) -> bool:
    """Finding duplicates, merging two records, undoing a merge and declaring a pair
    "kein Duplikat" cover the whole directory: staff and admins."""
    return is_staff(user)


def can_view_network(user: Any) -> bool:
    """The network analytics and the list of introductions cover everyone: staff only."""
    return is_staff(user)


def can_manage_events(user: Any) -> bool:
    """Events, their registrations, check-in and participant lists are office work: staff."""
    return is_staff(user)


def can_manage_invitations(user: Any) -> bool:
    """Invitations to events (recipient lists from the person filters, mails to many
    people): office work, staff."""
    return is_staff(user)


def can_plan_meetings(user: Any) -> bool:
    """ "Treffen planen" of the practitioner exchange (compute, move, remove, publish the
    1:1 meetings of an event): office work, staff, like the events. Participants see their
    own meetings only through their personal link."""
    return can_manage_events(user)


def can_configure_matchmaking(user: Any) -> bool:
    """The settings of an event's practitioner exchange (on or off, slots, caps, video
    links): office work, staff, like the events."""
    return can_manage_events(user)


def may_see_matchmaking_partner(viewer: Any, other: Any) -> bool:
    """The exchange's visibility rule, between two registrations: only two different
    participants of the same event who both opted in and both take part (registered or
    attended) see each other, and only their card (name, organisation, initiative, Land,
    themes). Whoever did not opt in sees nobody and is seen by nobody."""
    taking_part = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
    return (
        viewer.id != other.id
        and viewer.event_id == other.event_id
        and bool(viewer.matchmaking_opt_in)
        and bool(other.matchmaking_opt_in)
        and viewer.status in taking_part
        and other.status in taking_part
        and other.person_id is not None
    )


def can_view_dashboard(user: Any) -> bool:
    """The report dashboard (figures over the whole network and their downloads): staff."""
    return is_staff(user)


def can_view_outbox(user: Any) -> bool:
    """The mail outbox holds personal links of participants: staff only."""
    return is_staff(user)


def can_invite(user: Any, initiative: Any) -> bool:
    """Inviting a representative (editor account) of `initiative` is office work: staff."""
    return is_staff(user) and initiative is not None


def can_view_history(user: Any, record: Any = None) -> bool:
    """The Verlauf (audit history) of a record, also of a deleted one: staff only.

    Editors never see history, not even of their own initiative.
    """
    return is_staff(user)


def can_view_deleted_history(user: Any) -> bool:
    """The Verlauf of a deleted record ("Verlauf eines gelöschten Datensatzes"), and
    bringing the record back from it: admins only (it may hold a person's data)."""
    return is_admin(user)


def can_restore_history(user: Any, record: Any = None) -> bool:
    """Setting a field of `record` back to an earlier value from its history: staff."""
    return is_staff(user)


def can_review_changes(user: Any) -> bool:
    """The review feed of editors' changes (mark seen, revert): staff only."""
    return is_staff(user)


def can_manage_accounts(user: Any) -> bool:
    """The accounts page (list, invite, deactivate, reset): admins only."""
    return is_admin(user)


def can_view_operations(user: Any) -> bool:
    """The "Betrieb" page (backups, readiness) and the stale-backup warning: admins only."""
    return is_admin(user)


def can_manage_jobs(user: Any) -> bool:
    """The background jobs page (/admin/jobs, retry) and the stale-worker banner: admins."""
    return is_admin(user)


def can_resend_mail(user: Any) -> bool:
    """Queue an uncertain or failed outbox mail again (after confirming): staff."""
    return can_view_outbox(user)


# -- data-subject rights (GDPR): crm.privacy


def can_view_privacy(user: Any) -> bool:
    """The "Datenschutz" page (retention rules, what is due, the erasure log) and a
    person's "Datenschutz" tab: staff (they answer requests and see what is due)."""
    return is_staff(user)


def can_restrict_person(user: Any) -> bool:
    """Restrict processing (Art. 18), lift it, record an objection (Art. 21): staff."""
    return is_staff(user)


def can_export_person_data(user: Any) -> bool:
    """Everything stored about a person (Art. 15/20), as a page or JSON: admins only."""
    return is_admin(user)


def can_erase_person(user: Any) -> bool:
    """Erase a person's data without residue (Art. 17): admins only."""
    return is_admin(user)


def can_apply_retention(user: Any) -> bool:
    """Apply the retention rules (anonymise, erase, delete) in bulk: admins only."""
    return is_admin(user)


def can_scrape_metrics(
    client_address: str | None,
    bearer_token: str | None,
    allowed_networks: Iterable[str],
    metrics_token: str | None,
) -> bool | None:
    """/metrics: True for a configured client address or the configured bearer token;
    False when a rule is configured but not met; None when none is configured (the
    endpoint then does not exist for anyone)."""
    import hmac
    import ipaddress

    networks = [n for n in allowed_networks if n]
    if not networks and not metrics_token:
        return None
    if metrics_token and bearer_token and hmac.compare_digest(bearer_token, metrics_token):
        return True
    try:
        address = ipaddress.ip_address(client_address or "")
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


# -- the public directory (no login): what an anonymous visitor may see


def is_publicly_listed(initiative: Any) -> bool:
    """Does the initiative appear in the public directory (it agreed to be listed)?"""
    return bool(getattr(initiative, "public_listing", False))


def has_active_consent(consents: Iterable[Any], purpose: ConsentPurpose) -> bool:
    """Is the person's latest consent for `purpose` a confirmed one (not requested, revoked)?"""
    latest = max(
        (c for c in consents if c.purpose == purpose),
        key=lambda c: (c.given_at, c.id or 0),
        default=None,
    )
    return latest is not None and latest.status == ConsentStatus.CONFIRMED


def may_list_publicly(person: Any, consents: Iterable[Any]) -> bool:
    """May `person` be named as a public contact? Only with an active public-listing consent,
    and never while processing is restricted or after anonymisation."""
    if getattr(person, "restricted", False) or getattr(person, "anonymised_at", None):
        return False
    return has_active_consent(consents, ConsentPurpose.PUBLIC_LISTING)


def may_show_affiliation_publicly(person: Any, consents: Iterable[Any], organisation: Any) -> bool:
    """May the link of a publicly listed `person` to `organisation` be shown publicly?

    A trade-union link is special-category data (Art. 9 GDPR): it needs its own explicit
    consent on top of the public-listing consent.
    """
    consents = list(consents)
    if not may_list_publicly(person, consents):
        return False
    if organisation.type == OrgType.GEWERKSCHAFT:
        return has_active_consent(consents, ConsentPurpose.UNION_AFFILIATION)
    return True


def scope_initiatives(user: Any, query: Select[Any]) -> Select[Any]:
    """Restrict an initiative query to what `user` may see internally."""
    if is_staff(user):
        return query
    if is_editor(user):
        return query.where(Initiative.id == user.initiative_id)
    return query.where(false())


def searchable_kinds(user: Any) -> tuple[SearchKind, ...]:
    """What the global search may show `user`: staff all record types, editors initiatives."""
    if is_staff(user):
        return tuple(SearchKind)
    if is_editor(user):
        return (SearchKind.INITIATIVE,)
    return ()


def can_search(user: Any) -> bool:
    """May `user` use the global search box?"""
    return bool(searchable_kinds(user))


def scope_search(user: Any, query: AnySelect) -> AnySelect:
    """Restrict a SearchDocument query: staff find all; editors only listed or own initiatives."""
    if is_staff(user):
        return query
    if is_editor(user):
        listed_or_own = or_(
            Initiative.public_listing.is_(True), Initiative.id == user.initiative_id
        )
        return query.where(
            SearchDocument.kind == SearchKind.INITIATIVE,
            SearchDocument.record_id.in_(select(Initiative.id).where(listed_or_own)),
        )
    return query.where(false())


def can_open_search_hit(user: Any, kind: SearchKind, record_id: int) -> bool:
    """May `user` open the internal page of a found record (without loading it)?"""
    if is_staff(user):
        return True
    return is_editor(user) and kind is SearchKind.INITIATIVE and record_id == user.initiative_id


def search_hit_page(user: Any, kind: SearchKind, record_id: int, listed: bool) -> str | None:
    """Which page of a found record `user` may open: "internal" (the staff page, or an
    editor's own initiative), "public" (the public profile of a listed initiative) or
    None (the hit is shown without a link). `listed`: the initiative is publicly listed."""
    if can_open_search_hit(user, kind, record_id):
        return "internal"
    if kind is SearchKind.INITIATIVE and listed and can_search(user):
        return "public"
    return None


# -- the JSON API (issue #19): tokens, and what a token may do. A token acts with exactly
# the rights of its account (every predicate above); its scope can only narrow them.


def can_use_api_tokens(user: Any) -> bool:
    """Every account may create, see and revoke its own API tokens."""
    return _role(user) is not None


def can_see_all_api_tokens(user: Any) -> bool:
    """Admins see (and may revoke) the tokens of every account."""
    return is_admin(user)


def can_revoke_api_token(user: Any, token: Any) -> bool:
    """Revoking a token: its own account, or an admin."""
    return can_use_api_tokens(user) and (token.user_id == user.id or is_admin(user))


def api_scope_allows(scope: str, method: str) -> bool:
    """A `read` token may only read (GET, HEAD, OPTIONS); a `write` token may also change
    what its account may change."""
    return method in {"GET", "HEAD", "OPTIONS"} or scope == "write"


def can_use_calendar_feed(user: Any) -> bool:
    """A private calendar feed (all events, own follow-ups): active staff accounts."""
    return is_staff(user) and bool(getattr(user, "active", True))


def can_export_contacts(user: Any) -> bool:
    """Address cards (vCard) and mail-merge lists of persons: staff."""
    return is_staff(user)


def can_see_export(user: Any, owner_id: Any) -> bool:
    """A large export prepared by the worker: only the account that started it, while it
    may still see the directory."""
    return can_view_directory(user) and owner_id is not None and user.id == owner_id


def can_see_room_lists(user: Any) -> bool:
    """The online meeting's room files (Zoom breakout pre-assignment, the rooms CSV with
    e-mail addresses) and the moderators' printable lists: staff, like the events."""
    return can_manage_events(user)


def can_follow_up(user: Any) -> bool:
    """An event's follow-up (#18): materials, the follow-up mail, feedback results and
    the attendance report: staff, like the events. Participants reach their own materials
    and feedback only through their personal link."""
    return can_manage_events(user)
