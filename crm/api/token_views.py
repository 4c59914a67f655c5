"""The pages where an account manages its API tokens: list, create (shown once), revoke.

Admins see and may revoke every account's tokens. Tokens are not audit-trail records
(they are not directory data); creating and revoking them shows in the list itself.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.api import tokens
from crm.api.forms import TokenForm
from crm.extensions import db
from crm.models import ApiToken
from crm.models.base import utcnow

bp = Blueprint("api_tokens", __name__, url_prefix="/api-tokens")


@bp.before_request
def _require_account() -> None:
    if not permissions.can_use_api_tokens(current_user):
        abort(403)


@bp.get("/")
def index() -> str:
    """The account's tokens (an admin's list: everyone's) with last use and state."""
    return render_template(
        "api/tokens.html",
        tokens=tokens.visible_tokens(current_user),
        all_accounts=permissions.can_see_all_api_tokens(current_user),
        now=utcnow(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response | tuple[str, int]:
    """Create a token; its value is shown once on the answer, never again."""
    form = TokenForm()
    if form.validate_on_submit():
        record, token = tokens.issue(
            current_user, form.name.data or "", form.scope.data or "", form.expires_at()
        )
        db.session.commit()
        response = make_response(
            render_template("api/token_created.html", record=record, token=token)
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    status = 400 if form.is_submitted() else 200
    return render_template("api/token_new.html", form=form, heading=_("Neuer API-Token")), status


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int) -> Response | str:
    """Ask first (GET), then revoke a token (POST): requests with it get 401 at once."""
    record = db.session.get(ApiToken, token_id)
    if record is None or not permissions.can_revoke_api_token(current_user, record):
        abort(404)
    if record.revoked_at is not None:
        flash(_("Der Token „%(name)s“ ist bereits widerrufen.", name=record.name), "info")
        return redirect(url_for("api_tokens.index"))
    if request.method == "GET":
        return render_template(
            "confirm.html",
            heading=_("API-Token wirklich widerrufen?"),
            rows=[(_("Name"), record.name), (_("Beginnt mit"), record.hint + "…")],
            text=_(
                "Anfragen mit diesem Token werden sofort abgewiesen. Ein widerrufener Token "
                "lässt sich nicht wieder aktivieren; legen Sie bei Bedarf einen neuen an."
            ),
            button=_("Widerrufen"),
            back=url_for("api_tokens.index"),
            audited=False,
        )
    tokens.revoke(record)
    db.session.commit()
    flash(_("Der Token „%(name)s“ ist widerrufen.", name=record.name), "success")
    return redirect(url_for("api_tokens.index"))
