"""Wire the API into an app: flask-smorest's `Api`, the blueprints, CSRF, CORS, login."""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api

from crm.api import auth
from crm.api import docs
from crm.api import network_views  # noqa: F401 - adds the network's lists to views.bp
from crm.api import public_views
from crm.api import resources  # noqa: F401 - adds the other lists to views.bp
from crm.api import token_views
from crm.api import views
from crm.extensions import csrf

SPEC = {
    "title": "Industrienetz API",
    "version": "1",
    "openapi_version": "3.0.3",
    "info": {
        "description": "The directory of the office as JSON. Every request carries "
        "`Authorization: Bearer TOKEN`; a token has exactly the rights of its account "
        "(a `read` token only reads). Lists page with `cursor` (the `next_cursor` of the "
        "previous page) and `limit`. Errors are JSON of one shape (`Error`)."
    },
    "security": [{"bearer": []}],
}


def schema_name(schema: Any) -> str:
    """The component name of a schema; a partial one (the body of a PATCH) is "…Changes"."""
    cls = schema if isinstance(schema, type) else type(schema)
    partial = not isinstance(schema, type) and bool(schema.partial)
    name = str(cls.__name__).removesuffix("Schema")
    return name + "Changes" if partial and not name.endswith("Changes") else name


class CrmApi(Api):
    """flask-smorest's Api without its app-wide error handler: the web pages keep their
    own error pages, the API blueprint answers JSON (`crm.api.auth.error_response`)."""

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> None:
    """Register the API, its description and the token pages on `app`."""
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    api = CrmApi(app, spec_kwargs=dict(SPEC, marshmallow_plugin=plugin))
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(views.bp)
    api.register_blueprint(public_views.bp)
    app.extensions["crm_api"] = api
    app.register_blueprint(docs.bp)
    app.register_blueprint(token_views.bp)
    # The API authenticates every request by its token, never by the session cookie: the
    # login redirect does not apply, and neither does CSRF (no cookie, nothing to forge).
    for endpoint, view in app.view_functions.items():
        if endpoint.split(".")[0] in (views.bp.name, public_views.bp.name):
            view.is_public = True  # type: ignore[union-attr]
    app.before_request(auth.routing_error)
    csrf.exempt(views.bp)
    csrf.exempt(public_views.bp)
