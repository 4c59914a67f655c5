"""Every field of every form: a blank and a whitespace-only input get the same answer.

The event form answered 500 for `starts_at=" "`: WTForms' InputRequired let the space
through, the date field held None past validation, and the view read it. The check runs
over every form class of every feature, so a new required field is covered by itself.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

import crm
from tests.events.test_events_staff import EVENT_FORM

FORM_MODULES = [
    name
    for _finder, name, _pkg in pkgutil.walk_packages(crm.__path__, "crm.")
    if name.endswith(".forms")
]


def _form_classes() -> list[type[FlaskForm]]:
    found: dict[str, type[FlaskForm]] = {}
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _attr, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, FlaskForm) and obj is not FlaskForm and obj.__module__ == name:
                found[f"{name}.{obj.__name__}"] = obj
    return [found[k] for k in sorted(found)]


FORMS = _form_classes()


def _errors(form_cls: type[FlaskForm], field: str, value: str) -> dict[str, Any]:
    form = form_cls(formdata=MultiDict([(field, value)]), meta={"csrf": False})
    form.validate()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_every_form_uses_the_shared_base():
    """crm.web.fields.Form reads whitespace as blank; a form on FlaskForm directly would not."""
    from crm.web.fields import Form

    others = [f"{cls.__module__}.{cls.__name__}" for cls in FORMS if not issubclass(cls, Form)]
    assert not others, f"subclass crm.web.fields.Form (and use crm.web.fields.required): {others}"


def test_the_forms_are_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"EventForm", "AgendaBlockForm", "InteractionForm", "RegistrationForm"} <= names
    assert len(FORMS) > 20


@pytest.mark.parametrize("form_cls", FORMS, ids=[cls.__name__ for cls in FORMS])
@pytest.mark.parametrize("blank", [" ", "   ", "\t", "\u00a0", " \r\n "])
def test_whitespace_is_blank_in_every_field(app, form_cls, blank):
    with app.test_request_context("/", method="POST"):
        for name in form_cls(meta={"csrf": False})._fields:
            if name == "csrf_token":
                continue
            assert _errors(form_cls, name, blank) == _errors(form_cls, name, ""), (
                form_cls.__name__,
                name,
            )


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_event_form_blank_time_gets_the_fields_message(app, field):
    from crm.events.forms import AgendaBlockForm
    from crm.events.forms import EventForm

    messages = {"starts_at": "Bitte den Beginn angeben.", "ends_at": "Bitte das Ende angeben."}
    with app.test_request_context("/", method="POST"):
        for form_cls in (EventForm, AgendaBlockForm):
            for blank in ("", " "):
                errors = _errors(form_cls, field, blank)
                assert [str(e) for e in errors[field]] == [messages[field]], (form_cls, blank)


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize("blank", ["", " "])
def test_event_create_and_edit_with_a_blank_time_rerender(
    app, client, login_as, make, field, blank
):
    from sqlalchemy import select

    from crm.extensions import db
    from crm.models import Event

    login_as("staff")
    event = make.event(title="Netzwerktreffen")
    data = EVENT_FORM | {field: blank}
    with app.app_context():
        before = [(e.id, e.title, e.version) for e in db.session.scalars(select(Event))]
    for path in ("/events/new", f"/events/{event.id}/edit"):
        response = client.post(path, data=data)
        assert response.status_code in (200, 400, 422), (path, response.status_code)
        html = response.get_data(as_text=True)
        expected = (
            "Bitte den Beginn angeben." if field == "starts_at" else "Bitte das Ende angeben."
        )
        assert expected in html, path
    with app.app_context():
        assert [(e.id, e.title, e.version) for e in db.session.scalars(select(Event))] == before


ENGLISH = ("not a valid", "This field", "Invalid", "must be", "Field must", "is required")


@pytest.mark.parametrize("form_cls", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_every_message_of_every_field_is_german(app, form_cls):
    odd = ["", " ", "zz", "-1", "9" * 30, "x" * 300, "2027-13-45", "ä", "1.5"]
    with app.test_request_context("/", method="POST", headers={"Accept-Language": "de"}):
        for name in form_cls(meta={"csrf": False})._fields:
            for value in odd:
                for messages in _errors(form_cls, name, value).values():
                    for message in messages:
                        assert not any(e in message for e in ENGLISH), (form_cls, name, message)


def test_a_blank_entry_of_a_multiple_select_is_not_an_offered_value(app):
    """Found by the probe: themes="" passed the check and the view read int("")."""
    from crm.directory.forms import InitiativeForm
    from crm.portal.forms import ProfileForm

    with app.test_request_context("/", method="POST"):
        for form_cls in (ProfileForm, InitiativeForm):
            form = form_cls(formdata=MultiDict([("themes", "")]), meta={"csrf": False})
            form.themes.choices = [("1", "Wasserstoff")]
            form.validate()
            assert form.themes.errors, form_cls


def test_the_portal_profile_with_a_blank_theme_is_refused(client, login_as, make):
    initiative = make.initiative()
    login_as("editor", initiative=initiative)
    response = client.post(
        "/unsere-initiative/profil", data={"version": str(initiative.version), "themes": ""}
    )
    assert response.status_code in (200, 400)
    assert "Bitte einen Eintrag aus der Liste wählen." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["9" * 400, "2147483648", "-2147483649", "1" * 12])
def test_a_huge_number_is_refused_with_a_message(app, value):
    """Found by the probe: NumberRange overflowed (math.isnan) on a 400-digit position."""
    from crm.events.forms import WorkshopForm

    with app.test_request_context("/", method="POST"):
        for name in ("capacity", "position"):
            errors = _errors(WorkshopForm, name, value)
            assert errors[name][0] == "Diese Zahl ist zu groß.", (name, errors)


def test_the_workshop_form_with_a_huge_position_is_refused(client, login_as, make):
    login_as("staff")
    event = make.event()
    response = client.post(
        f"/events/{event.id}/workshops/new",
        data={"title": "Wasserstoff", "capacity": "20", "position": "9" * 400},
    )
    assert response.status_code in (200, 400)
    assert "Diese Zahl ist zu groß." in response.get_data(as_text=True)
