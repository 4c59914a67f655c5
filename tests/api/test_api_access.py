"""The API through the web routes' role matrix: each principal calls every /api/v1/ route
with a token of their own account (anonymous: none) and gets exactly what POLICY in
tests/app/test_permission_matrix.py grants; a session cookie opens nothing."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.app.test_permission_matrix import _MAY_404
from tests.app.test_permission_matrix import API_PREFIX
from tests.app.test_permission_matrix import POLICY
from tests.app.test_permission_matrix import PRINCIPALS
from tests.app.test_permission_matrix import PUBLIC
from tests.app.test_permission_matrix import RECORD_ARGUMENTS
from tests.app.test_permission_matrix import allowed
from tests.app.test_permission_matrix import build_world
from tests.app.test_permission_matrix import row_counts
from tests.app.test_permission_matrix import url_arguments
from tests.conftest import TEST_PASSWORD


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX)]


def _headers(make, token_for, principal, world):
    if principal == "anonymous":
        return {}
    role = "editor" if principal.startswith("editor") else principal
    initiative_id = {
        "editor_a": world.ids["initiative_id"],
        "editor_b": world.ids["foreign_initiative_id"],
    }.get(principal)
    user = make.user(role=role, initiative_id=initiative_id)
    return bearer(token_for(user, scope="write"))


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_api_permission_matrix(app, client, make, token_for, principal):
    world = build_world(make, app)
    headers = _headers(make, token_for, principal, world)
    failures: list[str] = []
    before = row_counts(app)
    rules = _api_rules(app)
    assert rules
    for rule in rules:
        path = rule.build(
            url_arguments(rule.rule, set(rule.arguments), world), append_unknown=False
        )[1]
        names_a_record = bool(set(rule.arguments) & RECORD_ARGUMENTS)
        may = allowed(POLICY[rule.endpoint], principal, names_a_record=names_a_record)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if may and method != "GET":
                continue  # allowed writes are tested per resource
            response = client.open(path, method=method, headers=headers, json={})
            if not response.is_json:
                failures.append(f"{method} {path}: not JSON ({response.status_code})")
            elif response.status_code >= 500:
                failures.append(f"{method} {path}: {response.status_code}")
            elif may and response.status_code != 200 and rule.endpoint not in _MAY_404:
                failures.append(f"{method} {path}: {principal} refused ({response.status_code})")
            elif not may and response.status_code not in (401, 403, 404):
                failures.append(f"{method} {path}: {principal} got {response.status_code}")
            elif not may and set(response.json) - {"code", "status", "message", "errors"}:
                failures.append(f"{method} {path}: not the error shape: {response.json}")
    assert not failures, "\n".join(failures)
    assert row_counts(app) == before, "a refused request changed the database"


def test_a_session_cookie_opens_nothing(app, client, make, login_as):
    login_as("admin")
    for rule in _api_rules(app):
        if POLICY[rule.endpoint] == PUBLIC:
            continue
        path = rule.build({name: 1 for name in rule.arguments}, append_unknown=False)[1]
        response = client.get(path)
        assert response.status_code == 401 and response.is_json, path


def test_a_representatives_token_sees_only_their_initiative(app, client, make, token_for):
    own = make.initiative(name="Eigene Initiative")
    other = make.initiative(name="Andere Initiative", public_listing=True)
    editor = make.user(role="editor", initiative_id=own.id, password=TEST_PASSWORD)
    headers = bearer(token_for(editor))
    listing = client.get("/api/v1/initiatives", headers=headers).json
    assert [item["name"] for item in listing["items"]] == ["Eigene Initiative"]
    assert client.get(f"/api/v1/initiatives/{own.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/initiatives/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/persons", headers=headers).status_code == 403
    assert client.get("/api/v1/organisations", headers=headers).status_code == 403
