"""Logging an interaction through the API: the web form's checks (`InteractionForm`), the
Art. 18 lock, and `crm.activity.services.log_interaction` (audit trail, the author is the
token's account)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from crm import permissions
from crm.activity import queries
from crm.activity import services
from crm.activity.forms import InteractionForm
from crm.api import writes
from crm.api.auth import api_user
from crm.api.auth import fail
from crm.api.auth import invalid_body
from crm.api.schemas import INTEGER_LIMIT
from crm.extensions import db
from crm.models import Initiative
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Organisation
from crm.web.labels import choices

BERLIN = ZoneInfo("Europe/Berlin")
# web form field → API field
API_NAMES = {"persons": "person_ids", "follow_up_owner": "follow_up_owner_id"}


def _ref(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(1, INTEGER_LIMIT), **kwargs)


class InteractionIn(ma.Schema):
    """A call, meeting, e-mail, visit or note to log, against an initiative, an
    organisation and/or persons."""

    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in InteractionKind]))
    occurred_at = fields.AwareDateTime(required=True)
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    initiative_id = _ref(allow_none=True)
    organisation_id = _ref(allow_none=True)
    person_ids = fields.List(_ref(), validate=validate.Length(max=100))
    follow_up_due = fields.Date(allow_none=True)
    follow_up_owner_id = _ref(allow_none=True, metadata={"description": "a staff account"})


class InteractionChanges(InteractionIn):
    """The fields of an interaction to change (its initiative and organisation stay)."""

    class Meta:
        exclude = ("initiative_id", "organisation_id")


def _checked(
    body: dict[str, Any], *, without_context: bool, owner: int | None = None
) -> services.InteractionData:
    """The body passed through the web form's checks and the Art. 18 lock (422 otherwise)."""
    wanted = sorted(set(body.get("person_ids") or []))
    found = queries.persons(wanted)
    if len(found) != len(wanted):
        invalid_body({"person_ids": ["Unknown person."]})
    if without_context and not found:
        invalid_body({"initiative_id": ["Name an initiative, an organisation or persons."]})
    form = InteractionForm(formdata=_posted(body, wanted), meta={"csrf": False})
    form.kind.choices = choices(InteractionKind)
    form.persons.choices = [(str(p.id), p.full_name) for p in found]
    form.follow_up_owner.choices = queries.staff_choices(owner)  # + the stored owner
    if not form.validate():
        invalid_body(
            {
                API_NAMES.get(name, name): [str(message) for message in messages]
                for name, messages in form.errors.items()
            }
        )
    if any(map(permissions.person_locked, found)):
        invalid_body({"person_ids": [str(permissions.PERSON_LOCKED)]})
    return services.InteractionData(
        kind=InteractionKind(form.kind.data),
        occurred_local=form.occurred_local(),  # type: ignore[arg-type]  # required
        subject=form.subject.data or "",
        notes=form.notes.data,
        person_ids=form.person_ids(),
        follow_up_due=form.follow_up_due.data,
        follow_up_owner_id=form.owner_id(),
    )


def _loaded(interaction_id: int) -> Interaction:
    return db.session.scalars(
        select(Interaction)
        .where(Interaction.id == interaction_id)
        .options(selectinload(Interaction.persons))
    ).one()


def log(body: dict[str, Any]) -> Interaction:
    """Log the interaction of `body` (committed); 422 with the form's messages otherwise."""
    context = queries.Context(
        initiative=_record(Initiative, body, "initiative_id"),
        organisation=_record(Organisation, body, "organisation_id"),
    )
    data = _checked(body, without_context=context.empty)
    interaction_id = services.log_interaction(context, data, api_user()).id
    db.session.commit()
    return _loaded(interaction_id)


def change(interaction: Interaction, changes: dict[str, Any]) -> Interaction:
    """Change the fields sent of the version named by If-Match (its context stays)."""
    if not permissions.can_edit_interaction(api_user(), interaction):
        fail(403, "This account may not change this interaction.")
    if permissions.person_locked(interaction):
        fail(403, "A person of this interaction is restricted (Art. 18 GDPR).")
    # the row stays locked until the commit (PostgreSQL; SQLite's writes queue anyway), so
    # no other change can slip in between this check and the save
    db.session.refresh(interaction, ["updated_at"], with_for_update=True)
    writes.require_current_version(interaction)
    current = {
        "kind": interaction.kind.value,
        "occurred_at": interaction.occurred_at,
        "subject": interaction.subject,
        "notes": interaction.notes,
        "person_ids": [person.id for person in interaction.persons],
        "follow_up_due": interaction.follow_up_due,
        "follow_up_owner_id": interaction.follow_up_owner_id,
    }
    data = _checked(  # its context stays
        current | changes, without_context=False, owner=interaction.follow_up_owner_id
    )
    services.update_interaction(interaction, data, api_user())
    db.session.commit()
    return _loaded(interaction.id)


def _record(model: Any, body: dict[str, Any], key: str) -> Any:
    if body.get(key) is None:
        return None
    record = db.session.get(model, body[key])
    if record is None:
        invalid_body({key: ["Unknown record."]})
    return record


def _posted(body: dict[str, Any], person_ids: list[int]) -> MultiDict[str, str]:
    """The body as the web form is posted (the time as Berlin wall-clock time)."""
    local = body["occurred_at"].astimezone(BERLIN)
    data: MultiDict[str, str] = MultiDict(
        {
            "kind": body["kind"],
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "subject": body["subject"],
            "notes": body.get("notes") or "",
        }
    )
    for person_id in person_ids:
        data.add("persons", str(person_id))
    if body.get("follow_up_due") is not None:
        data["follow_up_due"] = body["follow_up_due"].isoformat()
    if body.get("follow_up_owner_id") is not None:
        data["follow_up_owner"] = str(body["follow_up_owner_id"])
    return data
