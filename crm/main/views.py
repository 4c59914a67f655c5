"""Start page and language switch."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.db.datastamp import data_stamp
from crm.main.queries import counts_per_land
from crm.main.queries import initiatives_by_land
from crm.main.queries import record_counts
from crm.models.base import today
from crm.public.queries import initiative_seats
from crm.reference.maps import GermanyMap
from crm.reference.maps import Seat
from crm.reference.maps import germany_map
from crm.web.fragments import fragment
from crm.web.urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response | str:
    """Staff see the figures of the network; editors go to "Unsere Initiative"."""
    if permissions.can_use_portal(current_user):
        return redirect(url_for("portal.home"))
    if not permissions.is_staff(current_user):
        abort(403)
    return render_template("main/index.html", figures=figures_html())


def figures_html() -> Markup:
    """The figures, the map and the initiatives by Land as HTML: all of the page but the
    admins' backup warning, the same for all staff and most of its cost (four statements
    and some thousand links), so rendered once per data version and day (memberships count
    while they are active) and kept per language. Any save changes the data version, so
    the next request renders them anew."""
    return fragment("start", None, (data_stamp(), today()), _render_figures)


def _render_figures() -> str:
    per_land = counts_per_land()
    return render_template(
        "main/_figures.html",
        counts=record_counts(),
        per_land=per_land,
        land_map=staff_map({row.ags: row.initiatives for row in per_land}),
        by_land=initiatives_by_land(),
    )


def staff_map(counts: dict[str, int]) -> GermanyMap:
    """All initiatives on the map: Länder open the filtered list, seats the internal page."""
    seats = [
        Seat(s.name, s.lat, s.lon, url_for("directory.initiative_detail", initiative_id=s.id))
        for s in initiative_seats(listed_only=False)
    ]
    return germany_map(counts, seats, lambda ags: url_for("directory.initiatives", land=ags))


@bp.get("/favicon.ico")
@public
def favicon() -> Response:
    """The icon browsers ask for at the site root (static/favicon.ico; pages link the SVG)."""
    return current_app.send_static_file("favicon.ico")


@bp.post("/language")
@public
def set_language() -> Response:
    """Remember the chosen UI language in the session."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
