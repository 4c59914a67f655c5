"""API tokens: stored as a hash, shown once; expiry, revocation, inactive accounts, scopes;
the command line; the pages where an account manages its tokens (admins see all)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm import permissions
from crm.db.engine import writing
from crm.extensions import db
from crm.models import ApiToken
from crm.models.base import utcnow
from tests.api.conftest import bearer
from tests.conftest import TEST_PASSWORD
from tests.helpers import csrf_client


def _stored(app, **where) -> ApiToken:
    with app.app_context():
        record = db.session.scalars(select(ApiToken).filter_by(**where)).one()
        db.session.expunge(record)
        return record


def test_only_the_hash_is_stored(app, make, token_for):
    user = make.user(role="staff")
    token = token_for(user, name="Website")
    record = _stored(app, name="Website")
    assert token.startswith("inz_") and len(token) > 40
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (record.token_hash, record.hint) and token.startswith(record.hint)


def test_a_token_opens_the_api_and_its_last_use_is_noted(app, client, make, token_for):
    user = make.user(role="staff")
    token = token_for(user, name="Abgleich")
    assert _stored(app, name="Abgleich").last_used_at is None
    assert client.get("/api/v1/persons", headers=bearer(token)).status_code == 200
    assert _stored(app, name="Abgleich").last_used_at is not None


def test_refused_tokens_get_401_as_json(app, client, make, token_for):
    user = make.user(role="staff")
    expired = token_for(user, expires_at=utcnow() - dt.timedelta(minutes=1))
    revoked = token_for(user, name="Widerrufen")
    with app.app_context(), writing():
        record = db.session.scalars(select(ApiToken).filter_by(name="Widerrufen")).one()
        record.revoked_at = utcnow()
        db.session.commit()
    inactive_user = make.user(role="staff", active=False)
    of_inactive = token_for(inactive_user)
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        bearer("inz_falsch"),
        bearer(expired),
        bearer(revoked),
        bearer(of_inactive),
    ):
        response = client.get("/api/v1/initiatives", headers=headers)
        assert response.status_code == 401, headers
        assert response.json["code"] == 401 and response.json["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_valid_until_tomorrow_works(client, make, token_for):
    user = make.user(role="staff")
    token = token_for(user, expires_at=utcnow() + dt.timedelta(days=1))
    assert client.get("/api/v1/initiatives", headers=bearer(token)).status_code == 200


def test_scopes():
    assert permissions.api_scope_allows("read", "GET")
    assert permissions.api_scope_allows("write", "GET")
    assert permissions.api_scope_allows("write", "POST")
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        assert not permissions.api_scope_allows("read", method)


def test_create_token_command_prints_a_working_token(app, client, make, runner):
    user = make.user(role="staff", email="cli@example.org")
    result = runner.invoke(args=["create-token", "CLI@example.org", "--name", "Skript"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    record = _stored(app, name="Skript")
    assert record.user_id == user.id and record.scope == "read"
    assert client.get("/api/v1/persons", headers=bearer(token)).status_code == 200
    refused = runner.invoke(args=["create-token", "niemand@example.org", "--name", "X"])
    assert refused.exit_code != 0 and "Kein aktives Konto" in refused.output
    wrong_scope = runner.invoke(
        args=["create-token", "cli@example.org", "--name", "X", "--scope", "admin"]
    )
    assert wrong_scope.exit_code != 0


def test_an_account_creates_sees_and_revokes_its_token(app, client, login_as):
    user = login_as("staff")
    page = client.get("/api-tokens/new")
    assert page.status_code == 200
    created = client.post(
        "/api-tokens/new", data={"name": "Newsletter", "scope": "write", "valid_until": ""}
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    assert created.mimetype == "text/html"
    token = re.search(r"<code data-token-value>([^<]+)</code>", created.get_data(as_text=True))[1]
    assert client.get("/api/v1/persons", headers=bearer(token)).status_code == 200
    record = _stored(app, name="Newsletter")
    assert record.user_id == user.id and record.scope == "write" and record.expires_at is None
    listing = client.get("/api-tokens/").get_data(as_text=True)
    assert "Newsletter" in listing and record.hint in listing and token not in listing

    path = f"/api-tokens/{record.id}/revoke"
    question = client.get(path).get_data(as_text=True)
    assert "API-Token wirklich widerrufen?" in question and "Newsletter" in question
    assert _stored(app, name="Newsletter").revoked_at is None  # asking changes nothing
    assert client.post(path).status_code == 302
    assert _stored(app, name="Newsletter").revoked_at is not None
    assert client.get("/api/v1/persons", headers=bearer(token)).status_code == 401


def test_the_new_token_form_refuses_bad_input(app, client, login_as):
    login_as("staff")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for data in (
        {"name": " ", "scope": "read"},
        {"name": "x" * 101, "scope": "read"},
        {"name": "Gut", "scope": "admin"},
        {"name": "Gut", "scope": "read", "valid_until": yesterday},
        {"name": "Gut", "scope": "read", "valid_until": "kein Datum"},
    ):
        response = client.post("/api-tokens/new", data=data)
        assert response.status_code == 400, data
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_valid_until_is_the_last_day_in_berlin(app, client, login_as):
    login_as("staff")
    day = dt.date.today() + dt.timedelta(days=3)
    client.post("/api-tokens/new", data={"name": "Bis", "scope": "read", "valid_until": str(day)})
    expires = _stored(app, name="Bis").expires_at
    assert expires is not None
    local = expires.astimezone(ZoneInfo("Europe/Berlin"))
    assert local.date() == day + dt.timedelta(days=1) and local.hour == 0


def test_others_tokens_stay_hidden_but_admins_see_and_revoke_all(
    app, client, make, login_as, token_for
):
    owner = make.user(role="staff", email="owner@example.org")
    token_for(owner, name="Fremder Token")
    record = _stored(app, name="Fremder Token")
    login_as("editor", initiative=make.initiative(name="Eigene"))
    assert "Fremder Token" not in client.get("/api-tokens/").get_data(as_text=True)
    assert client.get(f"/api-tokens/{record.id}/revoke").status_code == 404
    assert client.post(f"/api-tokens/{record.id}/revoke").status_code == 404
    assert _stored(app, name="Fremder Token").revoked_at is None
    client.post("/logout")
    login_as("admin")
    listing = client.get("/api-tokens/").get_data(as_text=True)
    assert "Fremder Token" in listing and "owner@example.org" in listing
    assert client.post(f"/api-tokens/{record.id}/revoke").status_code == 302
    assert _stored(app, name="Fremder Token").revoked_at is not None


def test_the_token_pages_keep_csrf(make_app, make):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_client(csrf_app, make.user(role="staff", password=TEST_PASSWORD))
    response = client.post("/api-tokens/new", data={"name": "Ohne CSRF", "scope": "read"})
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None
