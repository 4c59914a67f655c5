"""Operations: health (/livez, /readyz), Prometheus metrics (/metrics), request logs, the
admin's "Betrieb" page (last backup, readiness).

`install(app)` adds the request hooks (timing, SQL statement count, one log line per
request, metrics); the blueprint in `views.py` serves the endpoints. The job layer adds
its own readiness check with `health.register_check` and its own metrics with
`metrics.register_collector`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def install(app: Flask) -> None:
    """Install the request hooks (call before any other before_request hook)."""
    from crm.ops import requestlog

    requestlog.install(app)
    app.jinja_env.globals["backup_warning"] = backup_warning


def backup_warning() -> Any:
    """For admins: the backup status when the newest backup is missing or older than two
    days (templates show a warning); None for everyone else or when all is well."""
    from flask_login import current_user

    from crm import permissions
    from crm.db.backup import backup_status

    if not permissions.can_view_operations(current_user):
        return None
    status = backup_status()
    return status if status.stale else None
