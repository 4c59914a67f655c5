"""The invited person's side (no login): the personal link opens the event's registration
form filled in, and the unsubscribe link (GET: a page with a button; POST: one click, also
the RFC 8058 POST of a mail program, without a CSRF token) revokes the consent."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from crm.accounts.session import public
from crm.extensions import csrf
from crm.extensions import db
from crm.extensions import limiter
from crm.invitations import services
from crm.models import InvitationRecipient

bp = Blueprint("invitation_public", __name__)


def _recipient(token: str) -> InvitationRecipient:
    recipient = services.recipient_by_token(token)
    if recipient is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    return recipient


@bp.get("/einladung/<token>")
@public
def invitation(token: str) -> Response:
    """The personal link of an invitation: the event's registration form, filled in."""
    recipient = _recipient(token)
    return redirect(
        url_for(
            "event_public.register",
            event_id=services.campaign_event_id(recipient),
            einladung=token,
        )
    )


@bp.route("/einladung/<token>/abmelden", methods=["GET", "POST"])
@public
@csrf.exempt
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token: str) -> str:
    """GET: confirm with a button. POST (the button, or a mail program's one-click POST
    with `List-Unsubscribe=One-Click`): revoke the consent to event invitations."""
    recipient = _recipient(token)
    if request.method == "GET":
        return render_template(
            "invitations/unsubscribe.html",
            token=token,
            done=services.unsubscribed(recipient),
        )
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    services.unsubscribe(recipient, one_click=one_click)
    db.session.commit()
    return render_template("invitations/unsubscribe.html", token=token, done=True)
