"""Directory pages: lists of initiatives, organisations and persons; initiative details."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from crm import permissions
from crm.directory import queries
from crm.labels import choices
from crm.models import InitiativeStatus, InitiativeType, OrgType
from crm.pagination import paginate, parse_page

bp = Blueprint("directory", __name__)


def _require_directory() -> None:
    if not permissions.can_view_directory(current_user):
        abort(403)


@bp.get("/initiatives/")
def initiatives() -> str:
    """All initiatives (staff)."""
    _require_directory()
    params = queries.parse_list_params(
        request.args, queries.INITIATIVE_LIST, queries.initiative_filters()
    )
    page = paginate(
        queries.initiatives_query(current_user, params),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "directory/initiatives.html",
        page=page,
        params=params,
        laender=queries.land_choices(),
        types=choices(InitiativeType),
        statuses=choices(InitiativeStatus),
    )


@bp.get("/organisations/")
def organisations() -> str:
    """All organisations (staff)."""
    _require_directory()
    params = queries.parse_list_params(
        request.args, queries.ORGANISATION_LIST, queries.organisation_filters()
    )
    page = paginate(
        queries.organisations_query(params),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "directory/organisations.html",
        page=page,
        params=params,
        laender=queries.land_choices(),
        types=choices(OrgType),
    )


@bp.get("/persons/")
def persons() -> str:
    """All persons (staff)."""
    _require_directory()
    params = queries.parse_list_params(request.args, queries.PERSON_LIST, {})
    page = paginate(
        queries.persons_query(params),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template("directory/persons.html", page=page, params=params)


@bp.get("/initiatives/<int:initiative_id>")
def initiative_detail(initiative_id: int) -> str:
    """One initiative with its members, contacts, relationships and interactions."""
    detail = queries.initiative_detail(initiative_id)
    if detail is None or not permissions.can_view(current_user, detail.initiative):
        abort(404)
    return render_template("directory/initiative_detail.html", d=detail)
