"""Who calls the API: the account of the bearer token, never the session cookie.

Every answer that is not a success is JSON of one shape (flask-smorest's `Error`):
`{"code": 404, "status": "Not Found", "message": "...", "errors": {...}}` — `errors`
holds the field errors of a 422, by location (`json`, `query`) and field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import NoReturn

from flask import Blueprint
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import default_exceptions
from werkzeug.wrappers import Response

from crm import permissions
from crm.api import tokens
from crm.db.audit import set_actor
from crm.extensions import db
from crm.extensions import limiter
from crm.models import User

API_PREFIX = "/api/v1/"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def fail(
    code: int,
    message: str,
    headers: dict[str, str] | None = None,
    errors: dict[str, Any] | None = None,
) -> NoReturn:
    """End the request with the JSON error `code`, a message for the caller and, for a
    422, the field errors by location (`json`, `query`) and field."""
    error = default_exceptions[code]()
    error.data = {  # type: ignore[attr-defined]
        "message": message,
        "headers": headers or {},
        "errors": errors or {},
    }
    raise error


def invalid_body(errors: dict[str, Any]) -> NoReturn:
    """422 with the field errors of the body (nothing of the request is kept)."""
    db.session.rollback()
    fail(422, "Invalid input.", errors={"json": errors})


def presented_token() -> str | None:
    """The token of `Authorization: Bearer TOKEN`, if the request carries one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> None:
    """Before every API request: 401 without a usable token, 403 when its scope does not
    allow the method; otherwise the token's account acts (`api_user()`, the audit trail)."""
    if request.method == "OPTIONS":
        return  # a browser's CORS preflight carries no token; it reads nothing
    presented = presented_token()
    record = tokens.authenticate(presented) if presented else None
    if record is None:
        message = "A valid API token is required." if presented else "An API token is required."
        fail(401, message, BEARER_CHALLENGE)
    user = record.user
    if not permissions.api_scope_allows(record.scope, request.method):
        fail(403, "This token may only read.")
    tokens.touch(record)
    g.api_user = user
    set_actor(db.session, user)


def api_user() -> User:
    """The account of this request's token (set by `authenticate`)."""
    user: User = g.api_user
    return user


def error_response(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Any HTTP error of the API as JSON of the one error shape; nothing half-written."""
    db.session.rollback()
    code = error.code or 500
    payload: dict[str, Any] = {"code": code, "status": error.name}
    headers: dict[str, str] = {}
    data = getattr(error, "data", None) or {}
    payload["message"] = data.get("message") or (
        "Internal server error." if isinstance(error, InternalServerError) else error.description
    )
    errors = data.get("errors") or data.get("messages")
    if errors:
        payload["errors"] = errors
    # e.g. `Allow` of a 405, `Retry-After` of a 429
    headers.update({k: v for k, v in error.get_headers() if k.lower() != "content-type"})
    headers.update(data.get("headers") or {})
    return payload, code, headers


def routing_error() -> Response | None:
    """Before every request: an unknown URL or method under /api/v1/ answers in the API's
    error shape (the request belongs to no blueprint, so the HTML error pages would)."""
    error = request.routing_exception
    if not (isinstance(error, HTTPException) and (error.code or 0) >= 400):
        return None
    if not request.path.startswith(API_PREFIX):
        return None
    payload, code, headers = error_response(error)
    response = jsonify(payload)
    response.status_code = code
    response.headers.update(headers)
    return cors_headers(response)


def cors_headers(response: Response) -> Response:
    """Browsers may call the API only from the configured origins (API_CORS_ORIGINS)."""
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["API_CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, If-Match"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
        response.headers.add("Vary", "Origin")
    return response


def install(bp: Blueprint, rate_key: Callable[[], str]) -> None:
    """Make `bp` an API blueprint: JSON errors of the one shape (before the app's error
    pages), CORS for the configured origins, API_RATE_LIMIT counted by `rate_key`."""
    bp.after_request(cors_headers)
    bp.register_error_handler(HTTPException, error_response)
    bp.register_error_handler(InternalServerError, error_response)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(bp)
