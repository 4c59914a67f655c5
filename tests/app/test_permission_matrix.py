"""The permission matrix: every route × every principal, generated from `app.url_map`.

Principals: anonymous, editor of initiative A, editor of initiative B, staff, admin.
Every route's record arguments point at records that belong to A (A's initiative,
A's member organisation, A's contact person, …), so editor A meets an own record and
editor B a foreign one. `POLICY` names for each endpoint who may use it; a route
without an entry fails the test suite, so a new route cannot slip through unreviewed.

Allowed principals are checked with GET only (their POSTs change data and are tested
per feature); every denied principal is checked with every method, and after all the
denied requests not a single row in the database may have changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from crm.db.engine import writing
from crm.extensions import db
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import AuditEntry
from crm.models import Base
from crm.models import InvitationCampaign
from crm.models import OrgType
from tests.app.test_routes import PUBLIC_ENDPOINTS
from tests.app.test_routes import ROUTES
from tests.conftest import TEST_PASSWORD

PUBLIC = "public"  # anyone, no login
USER = "user"  # any logged-in account
STAFF = "staff"  # staff and admins
ADMIN = "admin"  # admins only
OWN = "own"  # staff and admins; an editor for records of their own initiative only
PORTAL = "portal"  # editors only, within their own initiative ("Unsere Initiative")

POLICY: dict[str, str] = {
    "static": PUBLIC,
    # accounts
    "accounts.login": PUBLIC,
    "accounts.logout": USER,
    "accounts.password": USER,
    "accounts.invitation": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.invite_representative": STAFF,
    "admin.accounts": ADMIN,
    "admin.deactivate": ADMIN,
    "admin.reactivate": ADMIN,
    "admin.send_reset": ADMIN,
    "admin.invite_account": ADMIN,
    # start page, language, search
    "main.index": USER,
    "main.set_language": PUBLIC,
    "main.favicon": PUBLIC,
    "search.results": USER,
    # directory
    "directory.initiatives": STAFF,
    "directory.initiative_detail": OWN,
    "directory.initiative_new": STAFF,
    "directory.initiative_edit": STAFF,
    "directory.initiative_delete": STAFF,
    "directory.initiatives_export": STAFF,
    "directory.organisations": STAFF,
    "directory.organisation_detail": STAFF,
    "directory.organisation_new": STAFF,
    "directory.organisation_edit": STAFF,
    "directory.organisation_delete": STAFF,
    "directory.organisations_export": STAFF,
    "directory.persons": STAFF,
    "directory.person_detail": STAFF,
    "directory.person_new": STAFF,
    "directory.person_edit": STAFF,
    "directory.person_delete": STAFF,
    "directory.persons_export": STAFF,
    "directory.plz_lookup": USER,
    "directory.organisation_lookup": STAFF,
    "directory.kreis_options": STAFF,
    # large exports (issue 22): only the account that started one sees it
    "directory.export_start": STAFF,
    "directory.export_status": STAFF,
    "directory.export_progress": STAFF,
    "directory.export_download": STAFF,
    # links between records
    "links.lookup": STAFF,
    "links.membership_new": STAFF,
    "links.membership_edit": STAFF,
    "links.membership_end": STAFF,
    "links.membership_delete": STAFF,
    "links.affiliation_new": STAFF,
    "links.affiliation_edit": STAFF,
    "links.affiliation_end": STAFF,
    "links.affiliation_delete": STAFF,
    "links.role_new": STAFF,
    "links.role_edit": STAFF,
    "links.role_end": STAFF,
    "links.role_delete": STAFF,
    "links.relationship_new": STAFF,
    "links.relationship_edit": STAFF,
    "links.relationship_delete": STAFF,
    # activity
    "activity.follow_ups": STAFF,
    "activity.follow_up_done": STAFF,
    "activity.new_interaction": STAFF,
    "activity.edit_interaction": STAFF,
    "activity.delete_interaction": STAFF,
    # events (staff) and the public registration
    "events.index": STAFF,
    "events.new": STAFF,
    "events.detail": STAFF,
    "events.edit": STAFF,
    "events.agenda_block": STAFF,
    "events.workshop": STAFF,
    "events.delete_item": STAFF,
    "events.registrations": STAFF,
    "events.export": STAFF,
    "events.mark": STAFF,
    "events.workshop_lists": STAFF,
    "events.workshop_export": STAFF,
    "events.badges": STAFF,
    "events.checkin": STAFF,
    "events.assignment": STAFF,
    "events.assignment_run": STAFF,
    "events.assignment_move": STAFF,
    "events.assignment_release": STAFF,
    "events.assignment_publish": STAFF,
    # online meeting (#18): breakout-room files and the moderators' lists
    "events.breakout_zoom": STAFF,
    "events.breakout_rooms": STAFF,
    "events.moderation_list": STAFF,
    # follow-up (#18): materials, follow-up mail, feedback results, attendance reports;
    # participants reach their page and files through their personal link
    "followup.overview": STAFF,
    "followup.material_new": STAFF,
    "followup.material_remove": STAFF,
    "followup.material_restore": STAFF,
    "followup.material_file": STAFF,
    "followup.send": STAFF,
    "followup.results_export": STAFF,
    "followup.attendance_upload": STAFF,
    "followup.attendance_preview": STAFF,
    "followup.attendance_undo": STAFF,
    "followup_public.page": PUBLIC,
    "followup_public.material": PUBLIC,
    "event_public.register": PUBLIC,
    "event_public.registered": PUBLIC,
    "event_public.by_slug": PUBLIC,
    "event_public.ics": PUBLIC,
    "event_public.personal": PUBLIC,
    # invitations (#18): the campaigns of an event (staff), the invited person's links
    "invitations.index": STAFF,
    "invitations.edit": STAFF,
    "invitations.preview": STAFF,
    "invitations.send": STAFF,
    "invitations.recipients": STAFF,
    "invitations.remind": STAFF,
    "invitation_public.invitation": PUBLIC,
    "invitation_public.unsubscribe": PUBLIC,
    "event_public.cancel": PUBLIC,
    # the plan of the 1:1 meetings (issue 25): staff plan; participants through their link
    "meeting_plan.plan": STAFF,
    "meeting_plan.compute": STAFF,
    "meeting_plan.move": STAFF,
    "meeting_plan.remove": STAFF,
    "meeting_plan.restore": STAFF,
    "meeting_plan.publish": STAFF,
    "meeting_schedule.ics": PUBLIC,
    "meeting_schedule.feedback": PUBLIC,
    # the exchange (issue 25): staff settings; participants only through their personal link
    "matchmaking.settings": STAFF,
    "matchmaking_public.page": PUBLIC,
    "matchmaking_public.opt_in": PUBLIC,
    "matchmaking_public.withdraw": PUBLIC,
    "matchmaking_public.wish": PUBLIC,
    "matchmaking_public.send_request": PUBLIC,
    "matchmaking_public.accept": PUBLIC,
    "matchmaking_public.decline": PUBLIC,
    "matchmaking_public.withdraw_request": PUBLIC,
    "mail.outbox": STAFF,
    # network
    "network.analytics": STAFF,
    "network.introductions": STAFF,
    "network.decide": STAFF,
    "network.graph": STAFF,
    "network.graph_data": STAFF,
    # history (Verlauf, restore) and the review feed of editors' changes
    "history.record_history": STAFF,
    "history.restore": STAFF,
    "history.review_feed": STAFF,
    "history.mark_seen": STAFF,
    "history.revert": STAFF,
    "history.undo": STAFF,
    # duplicates: find, merge, undo, "kein Duplikat"
    "duplicates.index": STAFF,
    "duplicates.dismiss": STAFF,
    "duplicates.merge": STAFF,
    "duplicates.undo": STAFF,
    # imports (the wizard, the result of an import and its undo)
    "imports.index": STAFF,
    "imports.file_settings": STAFF,
    "imports.mapping": STAFF,
    "imports.preview": STAFF,
    "imports.confirm": STAFF,
    "imports.batch": STAFF,
    "imports.undo_batch": STAFF,
    # reports
    "dashboard.index": STAFF,
    "dashboard.export": STAFF,
    # the public directory
    "public.index": PUBLIC,
    "public.detail": PUBLIC,
    "public.logo": PUBLIC,
    "public.events": PUBLIC,
    # Impressum and Datenschutzerklärung (from the instance configuration)
    "legal.imprint": PUBLIC,
    "legal.privacy": PUBLIC,
    "legal.accessibility": PUBLIC,
    # operations: probes and metrics (no login; /metrics only for configured scrapers)
    "ops.livez": PUBLIC,
    "ops.readyz": PUBLIC,
    "ops.metrics": PUBLIC,
    "ops.admin": ADMIN,
    # background jobs: the admin's list and retry; staff resend an uncertain mail
    "jobs.index": ADMIN,
    "jobs.retry_run": ADMIN,
    "mail.resend_mail": STAFF,
    # data-subject rights (issue 16)
    "privacy.overview": STAFF,
    "privacy.retention": ADMIN,
    "privacy.person": STAFF,
    "privacy.export_page": ADMIN,
    "privacy.export_json": ADMIN,
    "privacy.erase": ADMIN,
    "privacy.restrict": STAFF,
    "privacy.lift": STAFF,
    "privacy.objection": STAFF,
    "privacy.visitor": PUBLIC,
    "privacy.visitor_withdraw": PUBLIC,
    "privacy.visitor_delete": PUBLIC,
    # the editors' portal
    "portal.home": PORTAL,
    "portal.profile": PORTAL,
    "portal.logo": PORTAL,
    "portal.member_new": PORTAL,
    "portal.member_end": PORTAL,
    "portal.contact_new": PORTAL,
    "portal.contact_end": PORTAL,
    "portal.consents": PORTAL,
    # the JSON API (issue 19): a token opens it, never a session (tests/api/test_api_access.py
    # runs these rows with each principal's token); its description is public
    "api.initiatives": USER,
    "api.initiative": OWN,
    "api.organisations": STAFF,
    "api.organisation": STAFF,
    "api.persons": STAFF,
    "api.person": STAFF,
    "api_public.initiatives": PUBLIC,
    "api_public.initiative": PUBLIC,
    "api_docs.openapi_json": PUBLIC,
    "api_docs.docs": PUBLIC,
    "api.memberships": STAFF,
    "api.membership": STAFF,
    "api.affiliations": STAFF,
    "api.affiliation": STAFF,
    "api.initiative_roles": STAFF,
    "api.role": STAFF,
    "api.relationships": STAFF,
    "api.relationship": STAFF,
    "api.interactions": STAFF,
    "api.interaction": STAFF,
    "api.events": STAFF,
    "api.event": STAFF,
    "api.workshops": STAFF,
    "api.workshop": STAFF,
    "api.registrations": STAFF,
    "api.registration": STAFF,
    "api.laender": USER,
    "api.kreise": USER,
    "api.themes": USER,
    "api.formats": USER,
    "api.network_suggestions": STAFF,
    "api.network_analytics": STAFF,
    "api.initiative_suggestions": OWN,
    "api.organisation_suggestions": STAFF,
    "api_tokens.index": USER,
    "api_tokens.new": USER,
    "api_tokens.revoke": USER,
    # calendar feeds (issue 17): the public one, an account's private one (its token), its page
    "calendar.public_feed": PUBLIC,
    "calendar.private_feed": PUBLIC,
    "calendar.settings": STAFF,
    # address book and mail merge (issue 17): vCards and the "Serienbrief" of persons
    "addressbook.person_vcard": STAFF,
    "addressbook.persons_vcard": STAFF,
    "addressbook.mail_merge": STAFF,
}
API_PREFIX = "/api/v1/"

PRINCIPALS = ["anonymous", "editor_a", "editor_b", "staff", "admin"]
RECORD_ARGUMENTS = {
    "initiative_id",
    "organisation_id",
    "person_id",
    "membership_id",
    "affiliation_id",
    "relationship_id",
    "role_id",
    "interaction_id",
    "event_id",
    "workshop_id",
    "registration_id",
    "item_id",
    "block_id",
    "entry_id",
    "record_id",
    "source_id",
    "user_id",
}


@dataclass(frozen=True)
class World:
    """Ids of records that all belong to initiative A."""

    ids: dict[str, Any]


def allowed(policy: str, principal: str, *, names_a_record: bool) -> bool:
    """Is `principal` meant to use a route of `policy`?

    `names_a_record`: the URL carries an id of one of A's records (else the route works
    on the principal's own context, e.g. an editor's own portal page).
    """
    if policy == PUBLIC:
        return True
    if principal == "anonymous":
        return False
    return {
        USER: True,
        STAFF: principal in ("staff", "admin"),
        ADMIN: principal == "admin",
        OWN: principal in ("staff", "admin", "editor_a"),
        PORTAL: principal == "editor_a" or (principal == "editor_b" and not names_a_record),
    }[policy]


def build_world(make: Any, app: Any) -> World:
    a = make.initiative(name="Initiative A")
    b = make.initiative(name="Initiative B")
    org = make.organisation(name="Mitglied von A GmbH", type=OrgType.UNTERNEHMEN)
    membership = make.membership(org, a)
    person = make.person(first_name="Erika", last_name="Vonaa")
    affiliation = make.affiliation(person, org)
    relationship = make.relationship(a, b)
    role = make.initiative_role(person, a)
    interaction = make.interaction(initiative_id=a.id, subject="Telefonat mit A")
    event = make.event()
    workshop = make.workshop(event)
    registration = make.registration(event, person)
    campaign = make.save(
        InvitationCampaign(
            event_id=event.id, name="Einladung", filters={}, subject_de="E", subject_en="I"
        )
    )
    with app.app_context(), writing():
        block = AgendaBlock(
            event_id=event.id,
            starts_at=event.starts_at,
            ends_at=event.starts_at + dt.timedelta(hours=1),
            title="Begrüßung",
            kind=AgendaKind.PLENUM,
        )
        db.session.add(block)
        db.session.commit()
        block_id = block.id
        entry_id = db.session.scalar(select(func.max(AuditEntry.id)))
    other_user = make.user(role="staff", email="kollegin@example.org")
    return World(
        ids={
            "initiative_id": a.id,
            "foreign_initiative_id": b.id,
            "organisation_id": org.id,
            "person_id": person.id,
            "membership_id": membership.id,
            "affiliation_id": affiliation.id,
            "relationship_id": relationship.id,
            "role_id": role.id,
            "interaction_id": interaction.id,
            "event_id": event.id,
            "workshop_id": workshop.id,
            "registration_id": registration.id,
            "campaign_id": campaign.id,
            "block_id": block_id,
            "entry_id": entry_id,
            "user_id": other_user.id,
            "slug": event.slug,
        }
    )


def url_arguments(rule_path: str, arguments: set[str], world: World) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in arguments:
        if name == "slug" and rule_path.startswith("/dashboard/"):
            values[name] = "laender"  # a figure of the dashboard, not an event's slug
        elif name in world.ids:
            values[name] = world.ids[name]
        elif name == "item_id":
            values[name] = world.ids["block_id" if "/agenda/" in rule_path else "workshop_id"]
        elif name in ("source_id", "record_id"):
            values[name] = world.ids["initiative_id"]
        elif name == "target_id":
            values[name] = world.ids["foreign_initiative_id"]
        elif name == "kinds":
            values[name] = "organisations"  # the duplicates pages
        elif name in ("source_type", "target_type", "kind"):
            values[name] = "initiative"
        else:
            values[name] = {
                "fmt": "csv",
                "filename": "css/app.css",
                "plz": "50667",
                "token": "kein-gueltiges-token",
                "action": "checkin",
                "name": "0" * 32 + ".png",
                "figure": "laender",
            }.get(name, "1")
    return values


def row_counts(app: Any) -> dict[str, int]:
    with app.app_context():
        counts = {}
        for table in Base.metadata.sorted_tables:
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
        counts["__updated__"] = db.session.scalar(
            text("SELECT COALESCE(SUM(version), 0) FROM initiatives")
        )
        return counts


def test_every_route_has_a_policy():
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    missing = sorted(endpoints - POLICY.keys())
    assert not missing, f"routes without an entry in POLICY: {missing}"
    stale = sorted(POLICY.keys() - endpoints)
    assert not stale, f"POLICY entries without a route: {stale}"


def test_public_policy_matches_the_public_endpoints():
    assert {e for e, p in POLICY.items() if p == PUBLIC} == PUBLIC_ENDPOINTS


def _login(client: Any, make: Any, principal: str, world: World) -> None:
    if principal == "anonymous":
        return
    role = "editor" if principal.startswith("editor") else principal
    initiative_id = {
        "editor_a": world.ids["initiative_id"],
        "editor_b": world.ids["foreign_initiative_id"],
    }.get(principal)
    user = make.user(role=role, initiative_id=initiative_id, password=TEST_PASSWORD)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _looks_like_html(response: Any) -> bool:
    """A rendered page (a browser shows text/plain as source, and axe finds no title)."""
    return response.get_data()[:200].lstrip().lower().startswith(b"<!doctype html")


def _denied(principal: str, response: Any) -> bool:
    if response.request.path.startswith(API_PREFIX):
        return response.status_code == 401 and response.is_json
    if principal == "anonymous":
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code in (403, 404)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_permission_matrix(app, client, make, principal):
    world = build_world(make, app)
    _login(client, make, principal, world)
    app_rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    failures: list[str] = []
    before = row_counts(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        policy = POLICY.get(rule.endpoint)
        if policy is None:
            continue
        path = rule.build(
            url_arguments(rule.rule, set(rule.arguments), world), append_unknown=False
        )[1]  # type: ignore[index]
        names_a_record = bool(set(rule.arguments) & RECORD_ARGUMENTS)
        may = allowed(policy, principal, names_a_record=names_a_record)
        if path.startswith(API_PREFIX) and policy != PUBLIC:
            may = False  # the session cookie never authenticates an API request
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if may and method != "GET":
                continue  # allowed writes are tested per feature
            if rule.endpoint == "accounts.logout":
                continue  # would end the session of this very test
            response = client.open(path, method=method)
            checked += 1
            if response.status_code >= 500:
                failures.append(f"{method} {path}: {response.status_code}")
            elif may and _denied(principal, response) and rule.endpoint not in _MAY_404:
                failures.append(f"{method} {path}: {principal} refused ({response.status_code})")
            elif not may and not _denied(principal, response):
                failures.append(f"{method} {path}: {principal} got {response.status_code}")
            if _looks_like_html(response) and response.mimetype != "text/html":
                failures.append(f"{method} {path}: a page sent as {response.mimetype}")
    assert checked > 50 and app_rules
    assert not failures, "\n".join(failures)
    assert row_counts(app) == before, "a refused request changed the database"


# Allowed, yet 404 with this data set by design: a logo that was never uploaded, an
# unlisted initiative in the public directory, tokens that are not valid, a draft event.
_MAY_404 = {
    # the world's last audit entry is a staff change, not one of the review feed
    "history.revert",
    "public.detail",
    "public.logo",
    "portal.logo",
    "event_public.personal",
    "event_public.cancel",
    "invitation_public.invitation",
    "invitation_public.unsubscribe",
    "followup_public.page",
    "followup_public.material",
    # a material, a material file or an attendance import that does not exist
    "followup.material_remove",
    "followup.material_file",
    "followup.attendance_undo",
    "privacy.visitor",
    "privacy.visitor_withdraw",
    "privacy.visitor_delete",
    "accounts.invitation",
    "accounts.reset_password",
    "event_public.by_slug",
    "event_public.ics",
    "event_public.register",
    "event_public.registered",
    "static",
    # no METRICS_ALLOWED_IPS or METRICS_TOKEN configured in tests: no /metrics
    "ops.metrics",
    # no Impressum or Datenschutzerklärung configured in tests: no page
    "legal.imprint",
    "legal.privacy",
    # an export belongs to the account that started it; none was started here
    "directory.export_status",
    "directory.export_progress",
    "directory.export_download",
    # an upload belongs to the person who uploaded it; no import has been run here
    "imports.file_settings",
    "imports.mapping",
    "imports.preview",
    "imports.batch",
    "imports.undo_batch",
    # a new link is always opened from a record's page (?initiative=…); bare, it is 404
    "links.membership_new",
    "links.affiliation_new",
    "links.role_new",
    "links.relationship_new",
    # a merge of record 1 with itself, and a merge (undo) that does not exist
    "duplicates.merge",
    "duplicates.undo",
    # the world has no job run and no outbox mail (tests/jobs/test_jobs.py covers them)
    "jobs.retry_run",
    "mail.resend_mail",
    # the world has no API token (tests/api/test_tokens.py revokes one)
    "api_tokens.revoke",
    # the world's initiative A is not publicly listed
    "api_public.initiative",
    # the world has no 1:1 meeting, and its personal-link token opens nothing
    "meeting_plan.remove",
    "meeting_schedule.ics",
    # the world's personal-link token opens no exchange (tests/matchmaking/test_views.py)
    "matchmaking_public.page",
    "matchmaking_public.withdraw",
    "matchmaking_public.send_request",
    # no account has a private calendar feed here: the token opens nothing
    "calendar.private_feed",
}
