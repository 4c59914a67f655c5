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
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm.accounts.session import public
from crm.db.datastamp import data_stamp
from crm.directory.queries import land_choices
from crm.directory.queries import theme_choices
from crm.models import Initiative
from crm.models.base import today
from crm.public import queries
from crm.reference.maps import GermanyMap
from crm.reference.maps import Seat
from crm.reference.maps import germany_map
from crm.web.fragments import fragment
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
        results=results_html(params),
        land_map=map_html(params.land),
        laender=land_choices(),
        themes=theme_choices(),
    )


def map_html(selected: str | None) -> Markup:
    """The map with the Land `selected`, rendered once per data version and kept per
    language: the same for everyone (the public page) and a third of the page's cost."""
    return fragment(
        "public-map",
        selected,
        data_stamp(),
        lambda: render_template("public/_map.html", land_map=public_map(), selected=selected),
    )


def results_html(params: queries.PublicParams) -> Markup:
    """The initiatives found for `params`. Without a search text, the list of a Land and a
    theme (or all listed) is rendered once per data version and kept per language: it is
    the same for everyone and most of the page's cost (the listed initiatives with their
    Länder and themes). A search text is rendered each time (it is anyone's free text, so
    keeping its answers would not be bounded)."""

    def render() -> str:
        initiatives = queries.listed_initiatives(params)
        return render_template("public/_results.html", params=params, initiatives=initiatives)

    if params.q:
        return Markup(render())  # noqa: S704 - rendered by an autoescaping template
    return fragment("public-results", (params.land, params.theme), data_stamp(), render)


@bp.get("/<int:initiative_id>")
@public
def detail(initiative_id: int) -> str:
    """The public profile of a listed initiative (404 for any other)."""
    name = queries.listed_names().get(initiative_id) or abort(404)
    return render_template("public/detail.html", name=name, profile=profile_html(initiative_id))


def profile_html(initiative_id: int) -> Markup:
    """The profile of a listed initiative, rendered once per data version and day (the
    contacts shown are the active role holders) and kept per language: the same for
    everyone, and nine statements (the initiative, its vocabularies, its contacts with
    their consents and organisations) that would otherwise be read on every request. Any
    save changes the data version; only a logo file removed from the disk by hand is
    noticed when the data next changes."""

    def render() -> str:
        initiative = queries.listed_initiative(initiative_id) or abort(404)
        return render_template(
            "public/_profile.html",
            initiative=initiative,
            contacts=queries.public_contacts(initiative.id),
            logo=logo_file(initiative),
        )

    return fragment("public-profile", initiative_id, (data_stamp(), today()), render)


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
