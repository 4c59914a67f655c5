"""Every route requires login unless it is declared public; the list is built from url_map."""

from __future__ import annotations

import pytest

from crm import create_app
from tests.conftest import base_config

# Endpoints anyone may reach without an account. A new public route must be added here.
PUBLIC_ENDPOINTS = {
    "static",
    "accounts.login",
    "main.set_language",
    "main.favicon",
    "event_public.register",
    "event_public.by_slug",
    "event_public.registered",
    "event_public.ics",
    "event_public.personal",
    "event_public.cancel",
    "invitation_public.invitation",
    "invitation_public.unsubscribe",
    "followup_public.page",
    "followup_public.material",
    "meeting_schedule.ics",
    "meeting_schedule.feedback",
    "matchmaking_public.page",
    "matchmaking_public.opt_in",
    "matchmaking_public.withdraw",
    "matchmaking_public.wish",
    "matchmaking_public.send_request",
    "matchmaking_public.accept",
    "matchmaking_public.decline",
    "matchmaking_public.withdraw_request",
    "public.index",
    "public.detail",
    "public.logo",
    "public.events",
    "legal.imprint",
    "legal.privacy",
    "legal.accessibility",
    "ops.livez",
    "ops.readyz",
    "ops.metrics",
    "accounts.invitation",
    "accounts.forgot_password",
    "accounts.reset_password",
    "privacy.visitor",
    "privacy.visitor_withdraw",
    "privacy.visitor_delete",
    "api_docs.openapi_json",
    "api_public.initiatives",
    "api_public.initiative",
    "api_docs.docs",
    "calendar.public_feed",
    "calendar.private_feed",
}
# The JSON API answers a request without a token with 401 (JSON), never a login redirect.
API_PREFIX = "/api/v1/"


def _routes() -> list[tuple[str, str, str]]:
    app = create_app(base_config("sqlite://"))
    routes = []
    for rule in app.url_map.iter_rules():
        args = {name: 1 for name in rule.arguments}
        if rule.endpoint == "static":
            args = {"filename": "css/app.css"}
        path = rule.build(args, append_unknown=False)[1]  # type: ignore[index]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, path))
    return routes


ROUTES = _routes()


def test_public_endpoints_exist():
    assert {endpoint for endpoint, _, _ in ROUTES} >= PUBLIC_ENDPOINTS


@pytest.mark.parametrize(
    ("endpoint", "method", "path"), ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES]
)
def test_anonymous_access(client, endpoint, method, path):
    response = client.open(path, method=method)
    if endpoint in PUBLIC_ENDPOINTS:
        assert response.status_code in (200, 302, 400, 404), response.status_code
        if response.status_code == 302:
            assert not response.headers["Location"].startswith("/login")
    elif path.startswith(API_PREFIX):
        assert response.status_code == 401 and response.is_json, (endpoint, response.status_code)
    else:
        assert response.status_code == 302, (endpoint, response.status_code)
        assert response.headers["Location"].startswith("/login?next=")
