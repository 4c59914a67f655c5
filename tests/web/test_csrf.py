"""CSRF: every state-changing route (from app.url_map) refuses a request without a valid
token with 400 and leaves the database exactly as it was.

The only module with CSRF enabled. The client is logged in as an admin, so it is the CSRF
check, not the login requirement or a permission, that refuses the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.routing import Rule

from crm import create_app
from crm.extensions import db
from crm.models import Base
from tests import factories
from tests.conftest import REFERENCE_TABLES
from tests.conftest import TEST_PASSWORD
from tests.conftest import base_config
from tests.conftest import empty_tables
from tests.helpers import CSRF_INPUT
from tests.helpers import csrf_client

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# A plausible, complete-looking submission: the token is the only thing missing.
FORM = {
    "email": "neu@example.org",
    "name": "Neue Initiative",
    "title": "Neu",
    "subject": "Neu",
    "first_name": "Erika",
    "last_name": "Muster",
    "language": "en",
    "role": "staff",
    "new": "ein-ganz-neues-passwort",
    "confirm": "ein-ganz-neues-passwort",
    "password": TEST_PASSWORD,
}


#: POSTs that must work without a session's token: a mail program's one-click
#: unsubscribe (RFC 8058) carries none; it needs the recipient's unguessable link
#: and only revokes a consent (tests/invitations).
CSRF_EXEMPT = {"invitation_public.unsubscribe"}


def _state_changing_rules() -> list[tuple[str, str, Rule]]:
    app = create_app(base_config("sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            continue  # bearer tokens, no cookie to forge: tests/api/test_api_writes.py
        if rule.endpoint in CSRF_EXEMPT:
            continue
        for method in sorted((rule.methods or set()) & UNSAFE_METHODS):
            found.append((rule.endpoint, method, rule))
    return found


RULES = _state_changing_rules()


def _path(rule: Rule, ids: dict[str, Any]) -> str:
    values = {name: ids.get(name, 1) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _snapshot(app: Flask) -> dict[str, Any]:
    """Row counts of every table and the full contents of every non-reference table."""
    state: dict[str, Any] = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            state[f"#{table.name}"] = db.session.scalar(select(func.count()).select_from(table))
            if table.name not in REFERENCE_TABLES:
                order = list(table.primary_key.columns) or list(table.columns)
                state[table.name] = [
                    tuple(row) for row in db.session.execute(select(table).order_by(*order))
                ]
        db.session.rollback()
    return state


@pytest.fixture(scope="module")
def csrf_app(database_url: str, _session_app: Flask) -> Iterator[Flask]:
    """An app with CSRF protection on, on the test database of this backend."""
    app = create_app(base_config(database_url) | {"WTF_CSRF_ENABLED": True})
    yield app
    with app.app_context():
        db.engine.dispose()
    empty_tables(_session_app)


@pytest.fixture(scope="module")
def ids(csrf_app: Flask, _session_app: Flask) -> dict[str, Any]:
    """One record of each kind a route can address, keyed by the URL argument names."""
    make = factories.Factories(_session_app)
    ini = make.initiative()
    org = make.organisation()
    person = make.person()
    membership = make.membership(org, ini)
    role = make.initiative_role(person, ini)
    interaction = make.interaction(initiative_id=ini.id)
    event = make.event()
    workshop = make.workshop(event)
    registration = make.registration(event, person)
    other = make.user(role="staff", password=TEST_PASSWORD)
    return {
        "initiative_id": ini.id,
        "organisation_id": org.id,
        "person_id": person.id,
        "membership_id": membership.id,
        "role_id": role.id,
        "interaction_id": interaction.id,
        "event_id": event.id,
        "workshop_id": workshop.id,
        "item_id": workshop.id,
        "registration_id": registration.id,
        "user_id": other.id,
        "source_type": "initiative",
        "source_id": ini.id,
        "target_type": "organisation",
        "target_id": org.id,
        "token": "x",
        "action": "attended",
    }


@pytest.fixture(scope="module")
def admin(csrf_app: Flask, ids: dict[str, Any], _session_app: Flask) -> FlaskClient:
    """A client logged in as an admin (through the login form, with its CSRF token)."""
    user = factories.Factories(_session_app).user(role="admin", password=TEST_PASSWORD)
    client = csrf_client(csrf_app, user)
    assert client.get("/").status_code == 200
    return client


def test_the_client_and_token_work_when_the_token_is_there(admin: FlaskClient):
    """Control: the same client with the page's token gets through."""
    token = CSRF_INPUT.search(admin.get("/").get_data(as_text=True))
    assert token
    response = admin.post("/language", data={"language": "de", "csrf_token": token.group(1)})
    assert response.status_code == 302


def test_there_are_state_changing_routes():
    assert len(RULES) >= 10
    assert {endpoint for endpoint, _, _ in RULES} >= {"accounts.logout", "accounts.login"}


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
@pytest.mark.parametrize(
    ("endpoint", "method", "rule"), RULES, ids=[f"{m} {r.rule}" for _, m, r in RULES]
)
def test_state_changing_route_refuses_request_without_token(
    csrf_app: Flask,
    admin: FlaskClient,
    ids: dict[str, Any],
    endpoint: str,
    method: str,
    rule: Rule,
    token: str | None,
):
    before = _snapshot(csrf_app)
    data = FORM if token is None else FORM | {"csrf_token": token}
    response = admin.open(_path(rule, ids), method=method, data=data)
    assert response.status_code == 400, (endpoint, response.status_code)
    assert "Formular abgelaufen" in response.get_data(as_text=True)
    assert _snapshot(csrf_app) == before, endpoint
    assert admin.get("/").status_code == 200  # still logged in: the refusal was CSRF's
