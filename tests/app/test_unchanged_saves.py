"""Opening an edit form and saving it unchanged changes nothing, on every edit form.

The edit forms are enumerated from `app.url_map`, the way the permission matrix
enumerates routes: every rule that answers GET and POST must be listed either in
`EDIT_FORMS` (a form for an existing record, with the role that uses it and how to pick
a demo record) or in `NOT_EDIT_FORMS` (with the reason). A new form without an entry
fails `test_every_form_route_has_an_entry`.

For every edit form the demo data (`seed-demo --size small`) is loaded, the form is
opened as the right role, its HTML is parsed and submitted exactly as a browser would
send it (all inputs, the selected options of every select, checked boxes, textareas,
the default submit button), and every row of every table (the record, its link rows,
the audit trail, the outbox, the search index) must be the same afterwards: no changed
column (also not `updated_at` or `version`), no history entry, no review card, no mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import desc
from sqlalchemy import func
from sqlalchemy import select

from crm import create_app
from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.events.services import hash_token
from crm.events.services import seats_taken
from crm.extensions import db
from crm.models import Affiliation
from crm.models import AgendaBlock
from crm.models import Base
from crm.models import Event
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import InvitationCampaign
from crm.models import MatchmakingSettings
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models import initiative_formats
from crm.models import initiative_themes
from tests.conftest import REFERENCE_TABLES
from tests.conftest import TEST_PASSWORD
from tests.conftest import base_config

# -- the table of forms -----------------------------------------------------------------

Pick = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class EditForm:
    """How to open one edit form: as whom, for which demo record."""

    role: str  # staff, admin, editor (of the picked initiative), public
    pick: Pick  # URL arguments of a demo record (may prepare it, e.g. a known token)


def _first(session: Any, query: Any) -> Any:
    value = session.scalar(query.limit(1))
    assert value is not None, f"the demo data have no record for {query}"
    return value


def _richest_initiative(session: Any) -> int:
    """The initiative with the most themes and formats (multi-selects to keep)."""
    themes = (
        select(func.count())
        .select_from(initiative_themes)
        .where(initiative_themes.c.initiative_id == Initiative.id)
        .scalar_subquery()
    )
    formats = (
        select(func.count())
        .select_from(initiative_formats)
        .where(initiative_formats.c.initiative_id == Initiative.id)
        .scalar_subquery()
    )
    return int(
        _first(session, select(Initiative.id).order_by(desc(themes + formats), Initiative.id))
    )


def _organisation(session: Any) -> dict[str, Any]:
    with_parent = session.scalar(
        select(Organisation.id).where(Organisation.parent_id.is_not(None)).limit(1)
    )
    return {
        "organisation_id": with_parent
        or _first(session, select(Organisation.id).order_by(Organisation.id))
    }


def _person(session: Any) -> dict[str, Any]:
    return {
        "person_id": _first(
            session, select(Person.id).where(Person.email.is_not(None)).order_by(Person.id)
        )
    }


def _event_with_waitlist(session: Any) -> dict[str, Any]:
    """An event with people on its waitlist and (as in the old demo data) free seats:
    saving it unchanged must not move anyone up nor mail them."""
    waiting = select(Registration.event_id).where(
        Registration.status == RegistrationStatus.WAITLISTED
    )
    event_id = int(_first(session, waiting))
    event = session.get_one(Event, event_id)
    event.capacity = seats_taken(event_id) + 2
    return {"event_id": event_id}


def _workshop(session: Any) -> dict[str, Any]:
    workshop = (
        session.scalars(
            select(Workshop).where(Workshop.moderator_id.is_not(None)).order_by(Workshop.id)
        ).first()
        or session.scalars(select(Workshop).order_by(Workshop.id)).first()
    )
    assert workshop is not None
    return {"event_id": workshop.event_id, "workshop_id": workshop.id}


def _agenda_block(session: Any) -> dict[str, Any]:
    block = session.scalars(select(AgendaBlock).order_by(AgendaBlock.id)).first()
    assert block is not None
    return {"event_id": block.event_id, "block_id": block.id}


PERSONAL_TOKEN = "unveraendert-speichern-token"  # noqa: S105 - a test link, not a secret


def _personal_link(session: Any) -> dict[str, Any]:
    """A registration with workshop wishes, its event in the future so wishes may change."""
    registration = session.scalars(
        select(Registration)
        .where(
            Registration.id.in_(select(WorkshopPreference.registration_id)),
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(Registration.id)
    ).first()
    assert registration is not None
    event = session.get_one(Event, registration.event_id)
    shift = dt.datetime.now(dt.UTC) + dt.timedelta(days=60) - event.starts_at.replace(tzinfo=dt.UTC)
    event.starts_at += shift
    event.ends_at += shift
    event.registration_opens_at = None
    event.registration_closes_at = None
    event.status = EventStatus.VEROEFFENTLICHT
    registration.status = RegistrationStatus.REGISTERED
    registration.assignment_fixed = False
    registration.token_hash = hash_token(PERSONAL_TOKEN)
    return {"token": PERSONAL_TOKEN}


def _exchange_event(session: Any) -> dict[str, Any]:
    """The event of the demo's practitioner exchange (any event when the demo has none)."""
    event_id = session.scalar(
        select(MatchmakingSettings.event_id).order_by(MatchmakingSettings.id).limit(1)
    )
    return {"event_id": event_id or _first(session, select(Event.id).order_by(Event.id))}


def _editor_role(session: Any) -> dict[str, Any]:
    return {"role_id": _first(session, select(InitiativeRole.id).order_by(InitiativeRole.id))}


def _campaign(session: Any) -> dict[str, Any]:
    """The demo's invitation campaign (crm/demo/invitations.py)."""
    campaign = session.scalars(select(InvitationCampaign).order_by(InvitationCampaign.id)).first()
    assert campaign is not None
    return {"event_id": campaign.event_id, "campaign_id": campaign.id}


EDIT_FORMS: dict[str, EditForm] = {
    "directory.initiative_edit": EditForm(
        "staff", lambda s: {"initiative_id": _richest_initiative(s)}
    ),
    "directory.organisation_edit": EditForm("staff", _organisation),
    "directory.person_edit": EditForm("staff", _person),
    "links.membership_edit": EditForm(
        "staff",
        lambda s: {
            "membership_id": _first(
                s,
                select(Membership.id).order_by(
                    Membership.since.is_(None), Membership.until.is_(None), Membership.id
                ),
            )
        },
    ),
    "links.affiliation_edit": EditForm(
        "staff",
        lambda s: {"affiliation_id": _first(s, select(Affiliation.id).order_by(Affiliation.id))},
    ),
    "links.role_edit": EditForm("staff", _editor_role),
    "links.relationship_edit": EditForm(
        "staff",
        lambda s: {"relationship_id": _first(s, select(Relationship.id).order_by(Relationship.id))},
    ),
    "activity.edit_interaction": EditForm(
        "staff",
        lambda s: {
            "interaction_id": _first(
                s,
                select(Interaction.id).order_by(
                    Interaction.follow_up_due.is_(None), Interaction.id
                ),
            )
        },
    ),
    "events.edit": EditForm("staff", _event_with_waitlist),
    "events.workshop": EditForm("staff", _workshop),
    "events.agenda_block": EditForm("staff", _agenda_block),
    "invitations.edit": EditForm("staff", _campaign),
    "event_public.personal": EditForm("public", _personal_link),
    "matchmaking.settings": EditForm("staff", _exchange_event),
    "portal.profile": EditForm("editor", lambda s: {}),
}

# Forms that do not edit a stored record, and why.
NOT_EDIT_FORMS: dict[str, str] = {
    "privacy.erase": "erases a person's data (asks for a reason and a confirmation)",
    "privacy.lift": "lifts a restriction (a confirmation page)",
    "privacy.objection": "records an objection: a revocation (tests/privacy/test_privacy.py)",
    "privacy.restrict": "restricts processing; unchanged it writes nothing (tests/privacy)",
    "privacy.retention": "applies the retention rules (asks first)",
    "privacy.visitor_delete": "deletes a registration from the personal link (asks first)",
    "privacy.visitor_withdraw": "withdraws one consent from the personal link",
    "imports.index": "uploads a file (kept under instance/, nothing in the database)",
    "imports.file_settings": "how an uploaded file is read (kept with the upload)",
    "imports.mapping": "the column mapping of an upload; a mapping saved by name is new",
    "imports.preview": "computes the preview of a big upload (a background job)",
    "imports.undo_batch": "undoes an import (asks first; tests/imports/test_imports_wizard.py)",
    "accounts.login": "signs in",
    "accounts.password": "changes the own password; needs the current one",
    "accounts.invitation": "sets a first password from a one-time link",
    "accounts.forgot_password": "asks for a reset link",
    "accounts.reset_password": "sets a new password from a one-time link",
    "accounts.invite_representative": "creates an account",
    "directory.initiative_new": "creates a record",
    "directory.organisation_new": "creates a record",
    "directory.person_new": "creates a record",
    "links.membership_new": "creates a link",
    "links.affiliation_new": "creates a link",
    "links.role_new": "creates a link",
    "links.relationship_new": "creates a link",
    "activity.new_interaction": "creates a record",
    "events.new": "creates a record",
    "event_public.register": "creates a registration",
    "portal.member_new": "creates a link",
    "portal.contact_new": "creates a record",
    "portal.consents": "adds a consent entry (earlier entries stay as history)",
    "api_tokens.new": "creates an API token",
    "calendar.settings": "creates, renews or revokes the private calendar address (buttons)",
    "api.organisations": "JSON API: creates a record (tests/api/test_api_writes.py)",
    "api.persons": "JSON API: creates a record (tests/api/test_api_writes.py)",
    "api.interactions": "JSON API: logs an interaction (tests/api/test_api_writes.py)",
    "api.registrations": "JSON API: registers a person (tests/api/test_api_writes.py)",
    # confirmation pages: GET asks, POST does it (tests/app/test_confirmations.py)
    "directory.initiative_delete": "confirmation page",
    "directory.organisation_delete": "confirmation page",
    "directory.person_delete": "confirmation page",
    "links.membership_delete": "confirmation page",
    "links.membership_end": "confirmation page",
    "links.affiliation_delete": "confirmation page",
    "links.affiliation_end": "confirmation page",
    "links.role_delete": "confirmation page",
    "links.role_end": "confirmation page",
    "links.relationship_delete": "confirmation page",
    "activity.delete_interaction": "confirmation page",
    "events.delete_item": "confirmation page",
    "event_public.cancel": "confirmation page",
    "invitations.send": "sends the invitation; the page is the asking step (tests/invitations)",
    "invitations.remind": "sends the reminder; the page is the asking step (tests/invitations)",
    "invitation_public.unsubscribe": "the unsubscribe link: GET asks, POST (also one-click, "
    "RFC 8058) revokes the consent (tests/invitations)",
    "followup.material_new": "creates a record",
    "followup.material_remove": "confirmation page",
    "followup.attendance_undo": "confirmation page",
    "followup.send": "queues mails; the page is the asking step (tests/followup)",
    "followup.attendance_upload": "uploads a report; nothing changes before the preview",
    "followup.attendance_preview": "the preview of an upload; 'Übernehmen' applies it "
    "(tests/followup/test_attendance.py)",
    "followup_public.page": "the feedback form behind a personal link after the event; saved "
    "unchanged it writes nothing (tests/followup/test_followup.py)",
    "portal.member_end": "confirmation page",
    "portal.contact_end": "confirmation page",
    "admin.deactivate": "confirmation page",
    "jobs.retry_run": "confirmation page",
    "mail.resend_mail": "confirmation page",
    "meeting_plan.remove": "confirmation page",
    "meeting_plan.publish": "confirmation page",
    "matchmaking_public.withdraw": "confirmation page",
    "matchmaking_public.send_request": "creates a meeting request",
    "history.revert": "confirmation page",
    "history.undo": "confirmation page",
    "duplicates.merge": "confirmation page",
    "duplicates.undo": "confirmation page",
    "api_tokens.revoke": "confirmation page",
}
# Both the create and the edit form of these endpoints: the edit rule carries this argument.
EDIT_ARGUMENT = {
    "events.workshop": "workshop_id",
    "events.agenda_block": "block_id",
    "invitations.edit": "campaign_id",
}


def _form_rules() -> list[Any]:
    app = create_app(base_config("sqlite://"))
    return [
        rule
        for rule in app.url_map.iter_rules()
        if {"GET", "POST"} <= (rule.methods or set())
        and (rule.endpoint not in EDIT_ARGUMENT or EDIT_ARGUMENT[rule.endpoint] in rule.arguments)
    ]


FORM_RULES = _form_rules()


def test_every_form_route_has_an_entry():
    endpoints = {rule.endpoint for rule in FORM_RULES}
    missing = sorted(endpoints - EDIT_FORMS.keys() - NOT_EDIT_FORMS.keys())
    assert not missing, f"forms without an entry in EDIT_FORMS or NOT_EDIT_FORMS: {missing}"
    stale = sorted((EDIT_FORMS.keys() | NOT_EDIT_FORMS.keys()) - endpoints)
    assert not stale, f"entries without a form route: {stale}"
    assert not EDIT_FORMS.keys() & NOT_EDIT_FORMS.keys()


# -- a browser's view of a form ---------------------------------------------------------


class _FormParser(HTMLParser):
    """The post forms of a page and what a browser would submit for each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "enctype": a.get("enctype", ""),
                "fields": [],  # (name, value) in document order
                "files": [],
                "submit": None,
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name or "disabled" in a:
                if kind == "submit" and form["submit"] is None:
                    form["submit"] = ("", "")
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            elif kind == "file":
                form["files"].append(name)
            elif kind in ("submit", "image"):
                if form["submit"] is None:
                    form["submit"] = (name, a.get("value", ""))
            elif kind not in ("button", "reset"):
                form["fields"].append((name, a.get("value", "")))
        elif tag == "button":
            kind = a.get("type", "submit").lower()
            if kind == "submit" and form["submit"] is None:
                form["submit"] = (a.get("name", ""), a.get("value", ""))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": a.get("value"),
                "selected": "selected" in a,
                "text": "",
                "disabled": "disabled" in a,
            }
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and form is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self._select["multiple"]:
                enabled = [o for o in options if not o["disabled"]]
                chosen = enabled[:1]
            if not self._select["multiple"]:
                chosen = chosen[-1:]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            text = self._textarea["text"]
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            form["fields"].append((self._textarea["name"], text.replace("\r\n", "\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def edit_form_of(html: str, path: str) -> dict[str, Any]:
    """The one post form of the page that posts back to `path` (the edit form)."""
    parser = _FormParser()
    parser.feed(html)
    own = [
        f
        for f in parser.forms
        if f["method"] == "post" and urlsplit(f["action"]).path in ("", path)
    ]
    assert len(own) == 1, f"{path}: expected one post form to itself, found {len(own)}"
    return own[0]


def submitted(form: dict[str, Any]) -> dict[str, Any]:
    """The form data a browser sends for `form` (a MultiDict-like list of pairs)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.datastructures import MultiDict

    data: MultiDict[str, Any] = MultiDict(form["fields"])
    if form["submit"] and form["submit"][0]:
        data.add(*form["submit"])
    for name in form["files"]:  # a file input left empty: a part without a file
        data.add(
            name,
            FileStorage(
                stream=__import__("io").BytesIO(b""),
                filename="",
                content_type="application/octet-stream",
            ),
        )
    return {"data": data, "multipart": bool(form["files"])}


# -- the whole database, row by row -----------------------------------------------------


def snapshot(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the reference data, in primary-key order."""
    with app.app_context():
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            if table.name in REFERENCE_TABLES:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            result = db.session.execute(select(table).order_by(*order))
            rows[table.name] = [tuple(row) for row in result]
        db.session.rollback()
        return rows


def differences(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    """Readable changes between two snapshots."""
    found: list[str] = []
    for name, old_rows in before.items():
        new_rows = after[name]
        if old_rows == new_rows:
            continue
        old_set, new_set = set(map(repr, old_rows)), set(map(repr, new_rows))
        gone = [r for r in map(repr, old_rows) if r not in new_set]
        came = [r for r in map(repr, new_rows) if r not in old_set]
        found.append(f"{name}: was {gone[:3]} now {came[:3]}")
    return found


def seed(app: Any) -> None:
    with app.app_context(), writing():
        seed_demo(size="small", seed=7)
        db.session.commit()


def open_as(app: Any, client: Any, make: Any, case: EditForm) -> dict[str, Any]:
    """Pick the record, log in as the case's role; returns the URL arguments."""
    with app.app_context(), writing():
        arguments = case.pick(db.session)
        initiative_id = _richest_initiative(db.session)
        db.session.commit()
    if case.role != "public":
        user = make.user(
            role=case.role,
            initiative_id=initiative_id if case.role == "editor" else None,
            password=TEST_PASSWORD,
        )
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302
    return arguments


def save_unchanged(
    app: Any, client: Any, endpoint: str, arguments: dict[str, Any], language: str = "de"
) -> str:
    """Open the form, submit it as a browser would, unchanged; returns its path."""
    with app.test_request_context():
        path = url_for(endpoint, **arguments)
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    assert f'<html lang="{language}"' in page.get_data(as_text=True)
    body = submitted(edit_form_of(page.get_data(as_text=True), path))
    response = client.post(
        path,
        data=body["data"],
        content_type="multipart/form-data" if body["multipart"] else None,
    )
    assert response.status_code in (200, 302, 303), (path, response.status_code)
    if response.status_code == 200:  # a form shown again: it must not show an error
        text = response.get_data(as_text=True)
        assert "is-invalid" not in text, f"{path}: the unchanged form was refused"
    return path


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("endpoint", sorted(EDIT_FORMS))
def test_saving_unchanged_changes_nothing(app, client, make, endpoint, language):
    seed(app)
    case = EDIT_FORMS[endpoint]
    arguments = open_as(app, client, make, case)
    client.post("/language", data={"language": language})  # dates, numbers as shown in it
    before = snapshot(app)
    save_unchanged(app, client, endpoint, arguments, language)
    changes = differences(before, snapshot(app))
    assert not changes, f"{endpoint}: saving unchanged changed\n" + "\n".join(changes)


# Every demo record of a kind, for the staff forms: odd values (no Kreis, no parent, an
# open follow-up, an ended membership, …) must survive an unchanged save too.
def _every(model: Any, argument: str) -> Callable[[Any], list[dict[str, Any]]]:
    """The URL arguments of every record of `model`: {argument: its id}."""
    return lambda s: [{argument: i} for i in s.scalars(select(model.id))]


def _every_of_event(model: Any, argument: str) -> Callable[[Any], list[dict[str, Any]]]:
    """The URL arguments of every record of `model` that belongs to an event."""
    return lambda s: [
        {"event_id": e, argument: i} for i, e in s.execute(select(model.id, model.event_id))
    ]


EVERY_RECORD: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "directory.initiative_edit": _every(Initiative, "initiative_id"),
    "directory.organisation_edit": _every(Organisation, "organisation_id"),
    "directory.person_edit": _every(Person, "person_id"),
    "links.membership_edit": _every(Membership, "membership_id"),
    "links.affiliation_edit": _every(Affiliation, "affiliation_id"),
    "links.role_edit": _every(InitiativeRole, "role_id"),
    "links.relationship_edit": _every(Relationship, "relationship_id"),
    "activity.edit_interaction": _every(Interaction, "interaction_id"),
    "events.edit": _every(Event, "event_id"),
    "events.workshop": _every_of_event(Workshop, "workshop_id"),
    "events.agenda_block": _every_of_event(AgendaBlock, "block_id"),
    "matchmaking.settings": _every(Event, "event_id"),
    "invitations.edit": _every_of_event(InvitationCampaign, "campaign_id"),
}


@pytest.mark.parametrize("endpoint", sorted(EVERY_RECORD))
def test_saving_every_demo_record_unchanged_changes_nothing(app, client, make, endpoint):
    seed(app)
    open_as(app, client, make, EditForm("staff", lambda s: {}))
    with app.app_context():
        every = EVERY_RECORD[endpoint](db.session)
        db.session.rollback()
    assert every
    before = snapshot(app)
    for arguments in every:
        save_unchanged(app, client, endpoint, arguments)
    changes = differences(before, snapshot(app))
    assert not changes, f"{endpoint}: saving unchanged changed\n" + "\n".join(changes)


def test_every_staff_edit_form_is_tried_on_every_record():
    staff = {e for e, case in EDIT_FORMS.items() if case.role == "staff"}
    assert staff == EVERY_RECORD.keys()


def test_every_demo_initiative_saves_its_profile_unchanged(app, make):
    """The portal profile of each demo initiative, as its representative (addresses whose
    PLZ spans several Kreise, missing places, no themes, …)."""
    seed(app)
    with app.app_context():
        initiative_ids = list(db.session.scalars(select(Initiative.id).order_by(Initiative.id)))
        db.session.rollback()
    clients = []
    for initiative_id in initiative_ids:  # all signed in first: a login is not a save
        editor = make.user(role="editor", initiative_id=initiative_id, password=TEST_PASSWORD)
        client = app.test_client()
        login = client.post("/login", data={"email": editor.email, "password": TEST_PASSWORD})
        assert login.status_code == 302
        clients.append(client)
    before = snapshot(app)
    for client in clients:
        save_unchanged(app, client, "portal.profile", {})
    changes = differences(before, snapshot(app))
    assert not changes, "portal.profile: saving unchanged changed\n" + "\n".join(changes)
