"""The `events` blueprint (under /events/), staff only.

Its routes live in `crm.events.views` (events, agenda, workshops, registrations) and
`crm.events.assignment` (the workshop assignment); both import the blueprint from here,
so neither imports the other for it.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask_login import current_user

from crm import permissions

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_manage_events(current_user):
        abort(403)
