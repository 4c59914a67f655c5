"""Public pages (no login): the directory of listed initiatives with the map of Germany,
one initiative's public profile, its logo, and the upcoming events."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from werkzeug.wrappers import Response

from crm.accounts.session import public
from crm.directory.queries import land_choices
from crm.directory.queries import theme_choices
from crm.models import Initiative
from crm.public import queries
from crm.reference.maps import GermanyMap
from crm.reference.maps import Seat
from crm.reference.maps import germany_map
from crm.web.uploads import logo_path

bp = Blueprint("public", __name__, url_prefix="/verzeichnis")


def logo_file(initiative: Initiative) -> Path | None:
    """The stored logo of the initiative (see `crm.web.uploads`), None if it has none on disk."""
    name = initiative.logo_filename
    return logo_path(name) if name else None


def public_map() -> GermanyMap:
    """The map of the listed initiatives: Länder link to the filtered list, seats to profiles."""
    seats = [
        Seat(s.name, s.lat, s.lon, url_for("public.detail", initiative_id=s.id))
        for s in queries.initiative_seats(listed_only=True)
    ]
    return germany_map(
        queries.listed_counts_per_land(),
        seats,
        lambda ags: url_for("public.index", land=ags, _anchor="ergebnisse"),
    )


@bp.get("/")
@public
def index() -> str:
    """Search and filter the listed initiatives; the map shows where they are."""
    params = queries.parse_params(request.args)
    return render_template(
        "public/index.html",
        params=params,
        initiatives=queries.listed_initiatives(params),
        land_map=public_map(),
        laender=land_choices(),
        themes=theme_choices(),
    )


@bp.get("/<int:initiative_id>")
@public
def detail(initiative_id: int) -> str:
    """The public profile of a listed initiative (404 for any other)."""
    initiative = queries.listed_initiative(initiative_id) or abort(404)
    return render_template(
        "public/detail.html",
        initiative=initiative,
        contacts=queries.public_contacts(initiative.id),
        logo=logo_file(initiative),
    )


@bp.get("/<int:initiative_id>/logo")
@public
def logo(initiative_id: int) -> Response:
    """The logo of a listed initiative (404 if unlisted or there is none)."""
    initiative = queries.listed_initiative(initiative_id) or abort(404)
    path = logo_file(initiative) or abort(404)
    return send_file(path, mimetype="image/png", max_age=3600)


@bp.get("/veranstaltungen")
@public
def events() -> str:
    """Upcoming public events with links to their registration."""
    return render_template("public/events.html", events=queries.upcoming_events())
