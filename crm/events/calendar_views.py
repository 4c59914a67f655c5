"""Calendar feeds: /events.ics (public), /kalender/<token>.ics (an account's private feed)
and /kalender, where a staff account creates, renews or revokes its private address."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.events import calendar
from crm.extensions import db
from crm.formats.ics import feed
from crm.models import Event
from crm.models import Interaction
from crm.models import User

bp = Blueprint("calendar", __name__)


def _ics(body: str, filename: str, *, private: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


def _event_url(event: Event, *, internal: bool) -> str | None:
    if internal:
        return url_for("events.detail", event_id=event.id, _external=True)
    return url_for("event_public.register", event_id=event.id, _external=True)


@bp.get("/events.ics")
@public
def public_feed() -> Response:
    """All published events (of the last year and the future) to subscribe to."""
    events = calendar.feed_events(internal=False)
    body = feed(
        _("Industrienetz – Veranstaltungen"),
        [(event, _event_url(event, internal=False)) for event in events],
    )
    return _ics(body, "veranstaltungen.ics", private=False)


def _follow_up_summary(item: Interaction) -> str:
    return _("Wiedervorlage: %(s)s", s=item.subject)


def _follow_up_url(item: Interaction) -> str | None:
    return url_for("activity.follow_ups", _external=True)


def _private_body(user: User) -> str:
    events = calendar.feed_events(internal=True)
    return feed(
        _("Industrienetz – mein Kalender"),
        [(event, _event_url(event, internal=True)) for event in events],
        calendar.follow_up_entries(user, _follow_up_summary, _follow_up_url),
        rooms=True,
    )


@bp.get("/kalender/<token>.ics")
@public
def private_feed(token: str) -> Response:
    """An account's private feed: all events (drafts too) and its open follow-ups."""
    user = calendar.feed_owner(token) or abort(404)
    return _ics(_private_body(user), "kalender.ics", private=True)


@bp.route("/kalender", methods=["GET", "POST"])
def settings() -> Response | str:
    """Create or renew (the old address stops working) or revoke the private feed address."""
    if not permissions.can_use_calendar_feed(current_user):
        abort(403)
    user = db.session.get_one(User, current_user.id)
    feed_url = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            if calendar.revoke_feed_token(user):
                flash(_("Die private Kalenderadresse wurde widerrufen."), "success")
        else:
            token = calendar.new_feed_token(user)
            feed_url = url_for("calendar.private_feed", token=token, _external=True)
        db.session.commit()
    response = make_response(
        render_template(
            "calendar/settings.html",
            has_feed=user.calendar_token_hash is not None,
            feed_url=feed_url,
            public_url=url_for("calendar.public_feed", _external=True),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
