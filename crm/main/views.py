"""Start page and language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.main.queries import counts_per_land, record_counts
from crm.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response | str:
    """Staff see the figures of the network; editors go to their initiative."""
    if permissions.is_editor(current_user):
        return redirect(
            url_for("directory.initiative_detail", initiative_id=current_user.initiative_id)
        )
    if not permissions.is_staff(current_user):
        abort(403)
    return render_template("main/index.html", counts=record_counts(), per_land=counts_per_land())


@bp.post("/language")
@public
def set_language() -> Response:
    """Remember the chosen UI language in the session."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
