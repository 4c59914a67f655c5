"""The files of the online meeting (#18), from the workshop assignment: Zoom's breakout-room
pre-assignment, a plain CSV for other meeting tools, and per workshop a printable list for
its moderators. On the `events` blueprint (staff); the decision is
`permissions.can_see_room_lists`."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import render_template
from flask_login import current_user

from crm import permissions
from crm.events import queries
from crm.events import rooms
from crm.events.blueprint import bp
from crm.formats.tables import CSV_MIMETYPE
from crm.formats.tables import attachment
from crm.models import Event


def _event(event_id: int) -> Event:
    if not permissions.can_see_room_lists(current_user):  # also checked by the blueprint
        abort(403)
    return queries.event_detail(event_id) or abort(404)


def _download(filename: str, body: bytes) -> Response:
    response = attachment(Response(body, mimetype=CSV_MIMETYPE), filename)
    response.headers["Cache-Control"] = "no-store"  # e-mail addresses
    return response


@bp.get("/<int:event_id>/breakout-rooms/zoom.csv")
def breakout_zoom(event_id: int) -> Response:
    """Zoom's breakout-room pre-assignment: one row per assigned participant with an e-mail."""
    event = _event(event_id)
    body = rooms.plain_csv(rooms.ZOOM_HEADER, rooms.zoom_rows(rooms.seats(event)))
    return _download(f"zoom-breakout-{event.slug}.csv", body)


@bp.get("/<int:event_id>/breakout-rooms.csv")
def breakout_rooms(event_id: int) -> Response:
    """The assignment for other tools: room, name, e-mail, organisation."""
    event = _event(event_id)
    body = rooms.plain_csv(rooms.ROOMS_HEADER, rooms.room_rows(rooms.seats(event)))
    return _download(f"raeume-{event.slug}.csv", body)


@bp.get("/<int:event_id>/workshops/<int:workshop_id>/moderation")
def moderation_list(event_id: int, workshop_id: int) -> str:
    """A workshop's printable list for its moderators: room, participants, organisations."""
    event = _event(event_id)
    workshop = queries.workshop(event.id, workshop_id) or abort(404)
    listed = queries.workshop_list(event, workshop)
    return render_template(
        "events/moderation_list.html", event=event, workshop=workshop, listed=listed
    )
