"""Writes of the API: the same form checks and services as the web forms.

A request's fields are laid over the record's current values (a new record: the forms'
defaults), posted to the web form of the kind as a browser would post them, checked by
the form and its database checks (`crm.directory.checks`), and saved by
`crm.directory.services` (audit trail, search index). A refused field comes back as a
422 with the form's own message under the API's field name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask import request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from crm.api.auth import fail
from crm.api.auth import invalid_body
from crm.directory import checks
from crm.directory import forms
from crm.directory import services
from crm.directory.queries import kreis_choices
from crm.directory.queries import land_choices
from crm.extensions import db
from crm.models import OrgType

# API field → web form field (everything else is called the same)
FORM_NAMES = {"kreis_ags": "kreis", "land_ags": "land", "parent_id": "parent"}
API_NAMES = {form: api for api, form in FORM_NAMES.items()}
DEFAULTS: dict[str, dict[str, Any]] = {
    "organisation": {"type": OrgType.UNTERNEHMEN.value},
    "person": {"preferred_language": "de"},
}
FORMS: dict[str, tuple[type[forms.RecordForm], Callable[[Any], dict[str, Any]]]] = {
    "organisation": (forms.OrganisationForm, forms.organisation_values),
    "person": (forms.PersonForm, forms.person_values),
}


def _posted(values: dict[str, Any]) -> MultiDict[str, str]:
    """Form values as a browser posts them: no unticked boxes, organisations as "(#id)"."""
    data: MultiDict[str, str] = MultiDict()
    for name, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            data.add(name, "y")
        elif name == "parent":
            data.add(name, f"(#{value})")
        else:
            data.add(name, str(value))
    return data


def _form(kind: str, values: dict[str, Any]) -> Any:
    cls, _values_of = FORMS[kind]
    form = cls(formdata=_posted(values), meta={"csrf": False})
    if kind == "person":
        form.preferred_language.choices = list(forms.LANGUAGES)
    else:
        form.kreis.choices = [("", ""), *kreis_choices()]
        form.land.choices = [("", ""), *land_choices()]
    return form


def checked_values(kind: str, record: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The values to save: `changes` over the current ones, passed by the web form's checks
    (422 with the form's messages otherwise)."""
    _cls, values_of = FORMS[kind]
    values = dict(values_of(record)) if record is not None else dict(DEFAULTS[kind])
    for name, value in changes.items():
        values[FORM_NAMES.get(name, name)] = value
    form = _form(kind, values)
    if not checks.validate_record_form(form, record):
        errors = {
            API_NAMES.get(name, name): [str(message) for message in messages]
            for name, messages in form.errors.items()
        }
        invalid_body(errors)
    return dict(form.values())


def etag(record: Any) -> str:
    """The entity tag of a record's current version (its version counter; for a record
    without one, the time of its last change)."""
    return f'"{_version_tag(record)}"'


def _version_tag(record: Any) -> str:
    version = getattr(record, "version", None)
    if version is not None:
        return str(version)
    return str(int(record.updated_at.timestamp() * 1_000_000))


def with_etag(response: Response, record: Any) -> Response:
    """Send the record's version as its ETag (a client echoes it in If-Match)."""
    response.headers["ETag"] = etag(record)
    return response


def require_current_version(record: Any) -> None:
    """428 without If-Match, 412 when it names another version than the stored one."""
    wanted = request.if_match
    if not wanted or wanted.star_tag:
        fail(428, "Send If-Match with the ETag of the version you read.")
    if not wanted.contains(_version_tag(record)):
        fail(412, "The record has changed since you read it; read it again.")


def create(kind: str, changes: dict[str, Any]) -> Any:
    """A new record of `kind` from checked values (committed)."""
    record = services.create(kind, checked_values(kind, None, changes))
    db.session.commit()
    return record


def update(kind: str, record: Any, changes: dict[str, Any]) -> Any:
    """Change `record` if it is still the version the client read (committed); a change
    that meets a newer version on the way is a 412 too, never a lost update."""
    require_current_version(record)
    values = checked_values(kind, record, changes)
    try:
        services.update(kind, record, values)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        fail(412, "The record has changed since you read it; read it again.")
    return record
