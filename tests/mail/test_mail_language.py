"""Every mail goes out in its recipient's language: the language a visitor registered in,
an account's chosen language, German otherwise; never the language of whoever caused it."""

from __future__ import annotations

import pytest

from crm.db.engine import writing
from crm.events.services import remind
from crm.extensions import db
from crm.models import Person
from crm.models import Registration
from tests.events.helpers import form_data
from tests.events.helpers import mails
from tests.events.helpers import open_event
from tests.events.helpers import personal_path

ENGLISH = {"Accept-Language": "en"}
GERMAN = {"Accept-Language": "de"}


def _register(app, make, headers, email):
    event, workshops = open_event(make, title="Netzwerktreffen")
    client = app.test_client()
    response = client.post(
        f"/events/{event.id}/register", data=form_data(workshops, email=email), headers=headers
    )
    assert response.status_code in (200, 302)
    return event


@pytest.mark.parametrize(
    ("headers", "language", "subject", "body", "absent"),
    [
        (
            ENGLISH,
            "en",
            "Registration confirmation: Netzwerktreffen",
            "Thank you for registering. Your place is confirmed.",
            "Guten Tag",
        ),
        (
            GERMAN,
            "de",
            "Anmeldebestätigung: Netzwerktreffen",
            "vielen Dank für Ihre Anmeldung. Ihr Platz ist bestätigt.",
            "Dear",
        ),
    ],
)
def test_confirmation_in_the_language_of_the_form(
    app, make, headers, language, subject, body, absent
):
    _register(app, make, headers, "visitor@example.org")
    (mail,) = mails(app, "visitor@example.org")
    assert mail.subject == subject
    assert body in mail.body and absent not in mail.body
    with app.app_context():
        registration = db.session.query(Registration).one()
        assert registration.language == language
        person = db.session.get_one(Person, registration.person_id)
        assert person.preferred_language == language  # a new person: the form's language


def test_later_mails_follow_the_registration_not_the_request(app, make):
    # a German visitor's cancellation moves an English visitor up: the mail is English
    event, workshops = open_event(make, capacity=1, title="Netzwerktreffen")
    german, english = app.test_client(), app.test_client()
    url = f"/events/{event.id}/register"
    german.post(url, data=form_data(workshops, email="de@example.org"), headers=GERMAN)
    english.post(url, data=form_data(workshops, email="en@example.org"), headers=ENGLISH)
    (waitlisted,) = mails(app, "en@example.org")
    assert waitlisted.subject.startswith("Waiting list")
    path = personal_path(app, "de@example.org")
    german.post(f"{path}/cancel", headers=GERMAN)
    moved = mails(app, "en@example.org")[-1]
    assert moved.subject == "You have a place: Netzwerktreffen"
    assert "Guten Tag" not in moved.body
    assert mails(app, "de@example.org")[-1].subject == "Stornierung: Netzwerktreffen"


def test_reminder_from_the_worker_in_the_registrants_language(app, make):
    event, _workshops = open_event(make, title="Netzwerktreffen")
    people = {
        "en": make.person(email="en@example.org", preferred_language="de"),
        "de": make.person(email="de@example.org", preferred_language="de"),
        "old": make.person(email="old@example.org", preferred_language="en"),
    }
    ids = {
        key: make.registration(event, person, language=None if key == "old" else key).id
        for key, person in people.items()
    }
    with app.app_context(), writing():
        for registration_id in ids.values():
            assert remind(registration_id)
        db.session.commit()
    assert mails(app, "en@example.org")[0].subject == "Reminder: Netzwerktreffen is tomorrow"
    assert mails(app, "de@example.org")[0].subject == "Erinnerung: Netzwerktreffen ist morgen"
    # registered before the language was recorded: the person's preferred language
    assert mails(app, "old@example.org")[0].subject == "Reminder: Netzwerktreffen is tomorrow"


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [("en", "Reset password", "Hello,"), ("de", "Passwort zurücksetzen", "Guten Tag,")],
)
def test_account_mails_in_the_accounts_language(
    app, client, login_as, make, language, subject, greeting
):
    login_as("admin")  # the admin's German page does not decide
    user = make.user(role="staff", email="hilfe@example.org", language=language)
    assert client.post(f"/admin/accounts/{user.id}/reset", headers=GERMAN).status_code == 302
    (mail,) = mails(app, "hilfe@example.org")
    assert mail.subject == subject
    assert mail.body.startswith(greeting)
