"""A NUL character in a record's text (PostgreSQL text cannot hold one) is refused as
input, by the API (422) and by the web forms (the form again, with a message), never a 500,
and nothing is saved."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Organisation
from crm.models import Person
from tests.api.conftest import bearer


def _count(app, model) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_api_refuses_a_nul_in_any_text(app, client, make, token_for):
    token = token_for(make.user(role="staff"), scope="write")
    persons, organisations = _count(app, Person), _count(app, Organisation)
    for field in ("first_name", "last_name", "notes", "phone", "title"):
        body = {"first_name": "Erika", "last_name": "Muster", field: "a\x00b"}
        response = client.post("/api/v1/persons", json=body, headers=bearer(token))
        assert response.status_code == 422, (field, response.status_code)
    for field in ("name", "legal_name", "place", "street"):
        body = {"name": "Firma", "type": "unternehmen", field: "a\x00b"}
        response = client.post("/api/v1/organisations", json=body, headers=bearer(token))
        assert response.status_code == 422, (field, response.status_code)
    assert (_count(app, Person), _count(app, Organisation)) == (persons, organisations)


def test_the_web_form_refuses_a_nul_in_a_name(app, client, login_as):
    login_as("staff")
    persons = _count(app, Person)
    response = client.post("/persons/new", data={"first_name": "Erika", "last_name": "Mus\x00ter"})
    assert response.status_code in (200, 400, 422), response.status_code
    assert _count(app, Person) == persons
