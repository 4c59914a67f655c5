"""/livez, /readyz, /metrics (no login, not rate-limited) and the admin's "Betrieb" page."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.extensions import limiter

bp = Blueprint("ops", __name__)
limiter.exempt(bp)


@bp.get("/livez")
@public
def livez() -> Response:
    """The process answers. Touches nothing else (no database, no disk)."""
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
@public
def readyz() -> tuple[Response, int]:
    """Ready for traffic: every registered check passes; 503 otherwise."""
    from crm.ops.health import run_checks

    ready, checks = run_checks()
    response = jsonify(status="ok" if ready else "unavailable", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


@bp.get("/metrics")
@public
def metrics() -> Response:
    """Prometheus metrics for configured addresses or the bearer token; else 404/403."""
    from crm.ops.metrics import render

    header = request.headers.get("Authorization", "")
    bearer = header[7:].strip() if header[:7].lower() == "bearer " else None
    cfg = current_app.config
    networks = cfg.get("METRICS_ALLOWED_IPS") or ()
    if isinstance(networks, str):  # from the environment: "10.0.0.5, 10.1.0.0/16"
        networks = networks.split(",")
    allowed = permissions.can_scrape_metrics(
        request.remote_addr,
        bearer,
        [str(a).strip() for a in networks],
        str(cfg["METRICS_TOKEN"]) if cfg.get("METRICS_TOKEN") else None,
    )
    if allowed is None:
        abort(404)
    if not allowed:
        abort(403)
    body, content_type = render()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


@bp.get("/admin/betrieb")
def admin() -> str:
    """Backups (the newest, its size and age, the folder) and the readiness checks."""
    if not permissions.can_view_operations(current_user):
        abort(403)
    from crm.db.backup import backup_status
    from crm.ops.health import run_checks

    ready, checks = run_checks()
    return render_template("ops/admin.html", status=backup_status(), ready=ready, checks=checks)
