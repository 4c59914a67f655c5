"""Operations: health (/livez, /readyz), Prometheus metrics (/metrics), request logs, the
admin's "Betrieb" page (last backup, readiness).

`install(app)` adds the request hooks (timing, SQL statement count, one log line per
request, metrics); the blueprint in `views.py` serves the endpoints. The job layer adds
its own readiness check with `health.register_check` and its own metrics with
`metrics.register_collector`.
"""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Install the request hooks (call before any other before_request hook)."""
    from crm.ops import requestlog

    requestlog.install(app)
