"""Per request: time it, count its SQL statements, log one line, feed the metrics.

LOG_FORMAT "json" writes one JSON object per line (production: log collectors read it);
"plain" a readable line (development, tests). Either way the line holds only the method,
the route rule (never the raw URL, which may carry search terms), status, duration,
statement count, request id and account id — no e-mail addresses, names or form values.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from sqlalchemy import event
from werkzeug.wrappers import Response

from crm.extensions import db

LOGGER_NAME = "crm.requests"
UNMATCHED = "unmatched"

logger = logging.getLogger(LOGGER_NAME)


def log_format(app: Flask) -> str:
    """The configured LOG_FORMAT, or json in production and plain in debug/testing."""
    configured = app.config.get("LOG_FORMAT")
    if configured in ("json", "plain"):
        return str(configured)
    return "plain" if app.debug or app.testing else "json"


def install(app: Flask) -> None:
    """Hooks on `app` and a statement counter on its engine."""
    logger.setLevel(logging.INFO)
    if not app.testing and not logger.handlers:  # tests read the records from the root
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_statement)
    # first of all before_request hooks, so that the time includes the session checks
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    # registered early, so it runs last of the after_request hooks: final status
    app.after_request(_finish)
    app.extensions["crm_log_format"] = log_format(app)


def _count_statement(*_args: Any, **_kwargs: Any) -> None:
    if has_request_context():
        g.ops_statements = g.get("ops_statements", 0) + 1


def _start() -> None:
    g.ops_started = time.perf_counter()


def route_label() -> str:
    """The route rule of the request ("/persons/<int:person_id>"), "unmatched" without."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _finish(response: Response) -> Response:
    from flask import current_app

    from crm.ops import metrics
    from crm.web.errors import request_id

    started = g.get("ops_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    statements = int(g.get("ops_statements", 0))
    route = route_label()
    metrics.observe(request.method, route, response.status_code, seconds, statements)
    user = g.get("_login_user")  # only if Flask-Login loaded it already: no extra query
    account = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    fields = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id(),
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "statements": statements,
        "account_id": account,
    }
    if current_app.extensions.get("crm_log_format") == "json":
        logger.info(json.dumps(fields, ensure_ascii=False))
    else:
        logger.info(
            "%s %s %s %.1f ms %d SQL request=%s account=%s",
            fields["method"],
            route,
            fields["status"],
            fields["duration_ms"],
            statements,
            fields["request_id"],
            account if account is not None else "-",
        )
    return response
