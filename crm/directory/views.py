"""Directory pages: lists of initiatives, organisations and persons; initiative details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask_login import current_user
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import Select

from crm import permissions
from crm.directory import export_jobs
from crm.directory import queries
from crm.directory import rows
from crm.formats.tables import RESPONSES
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import MembershipRole
from crm.models import OrgType
from crm.models import SizeClass
from crm.web.labels import choices
from crm.web.labels import label
from crm.web.pagination import Page
from crm.web.pagination import paginate
from crm.web.pagination import parse_page
from crm.web.templating import url_with

bp = Blueprint("directory", __name__)


def _require_directory() -> None:
    if not permissions.can_view_directory(current_user):
        abort(403)


def _initiative_params() -> queries.ListParams:
    return queries.parse_list_params(
        request.args, queries.INITIATIVE_LIST, queries.initiative_filters()
    )


def _organisation_params() -> queries.ListParams:
    return queries.parse_list_params(
        request.args, queries.ORGANISATION_LIST, queries.organisation_filters()
    )


def _person_params() -> queries.ListParams:
    return queries.parse_list_params(request.args, queries.PERSON_LIST, queries.person_filters())


def _page(
    query: Select[Any],
    reverse: Callable[[], Select[Any]],
    spec: queries.ListSpec,
    params: queries.ListParams,
) -> Page[Any]:
    page_size = current_app.config["PAGE_SIZE"]
    key = query.column_descriptions[0]["entity"].id  # every list's sort ends in the id
    return paginate(
        query,
        parse_page(request.args.get("page")),
        page_size,
        reverse=reverse,
        key=key,
        columns=(key, *spec.shown),
        sort=spec.sorts[params.sort],
        descending=params.desc,
    )


def _download(fmt: str, kind: str) -> Response | str:
    """The list `kind` with its current search, filters and sort as CSV or XLSX; a list
    longer than EXPORT_JOB_ROWS is offered to be prepared by the worker instead."""
    _require_directory()
    if fmt not in RESPONSES:
        abort(404)
    listing = export_jobs.LISTS[kind]
    query = listing.query(current_user, request.args)
    rows = export_jobs.count(query)
    if rows > export_jobs.job_rows():
        return render_template(
            "directory/export_offer.html",
            kind=kind,
            fmt=fmt,
            rows=rows,
            args=request.query_string.decode("ascii", "replace"),
            back=url_with(listing.endpoint),
        )
    header, table = listing.table(query)
    about = export_jobs.info(kind, current_user, request.args, query)
    return RESPONSES[fmt](f"{listing.name()}.{fmt}", header, table, about)


@bp.get("/initiatives/")
def initiatives() -> str:
    """All initiatives (staff)."""
    _require_directory()
    params = _initiative_params()
    page = _page(
        queries.initiatives_query(current_user, params),
        lambda: queries.initiatives_query(current_user, params, reverse=True),
        queries.INITIATIVE_LIST,
        params,
    )
    types, statuses = choices(InitiativeType), choices(InitiativeStatus)
    return render_template(
        "directory/initiatives.html",
        page=page,
        rows=rows.initiative_rows(page.items, types, statuses),
        params=params,
        laender=queries.land_choices(),
        kreise=queries.kreis_choices_in(params.filters.get("land")),
        types=types,
        statuses=statuses,
        themes=queries.theme_choices(),
        formats=queries.format_choices(),
    )


@bp.get("/initiatives/export.<fmt>")
def initiatives_export(fmt: str) -> Response | str:
    """The initiative list with its current search, filters and sort as CSV or XLSX."""
    return _download(fmt, "initiatives")


@bp.get("/kreise.json")
def kreis_options() -> Response:
    """The Kreis filter's options for ?land= (all Kreise without one), for the list pages."""
    _require_directory()
    options = queries.kreis_choices_in(request.args.get("land"))
    return jsonify(kreise=[{"ags": ags, "label": label} for ags, label in options])


@bp.get("/organisations/")
def organisations() -> str:
    """All organisations (staff)."""
    _require_directory()
    params = _organisation_params()
    page = _page(
        queries.organisations_query(params),
        lambda: queries.organisations_query(params, reverse=True),
        queries.ORGANISATION_LIST,
        params,
    )
    types = choices(OrgType)
    return render_template(
        "directory/organisations.html",
        page=page,
        rows=rows.organisation_rows(page.items, types),
        params=params,
        laender=queries.land_choices(),
        kreise=queries.kreis_choices_in(params.filters.get("land")),
        types=types,
        sizes=choices(SizeClass),
    )


@bp.get("/organisations/export.<fmt>")
def organisations_export(fmt: str) -> Response | str:
    """The organisation list as CSV or XLSX."""
    return _download(fmt, "organisations")


@bp.get("/persons/")
def persons() -> str:
    """All persons (staff)."""
    _require_directory()
    params = _person_params()
    page = _page(
        queries.persons_query(params),
        lambda: queries.persons_query(params, reverse=True),
        queries.PERSON_LIST,
        params,
    )
    return render_template(
        "directory/persons.html",
        page=page,
        rows=rows.person_rows(page.items),
        params=params,
        laender=queries.land_choices(),
        kreise=queries.kreis_choices_in(params.filters.get("land")),
        **queries.person_filter_choices(),
    )


@bp.get("/persons/export.<fmt>")
def persons_export(fmt: str) -> Response | str:
    """The person list as CSV or XLSX."""
    return _download(fmt, "persons")


@bp.get("/initiatives/<int:initiative_id>")
def initiative_detail(initiative_id: int) -> str:
    """One initiative with its members, contacts, relationships and interactions (each long
    list a page at a time)."""
    show_all = queries.parse_org_type(request.args.get("alle"))
    pages = {name: parse_page(request.args.get(name)) for name in queries.INITIATIVE_PAGES}
    detail = queries.initiative_detail(initiative_id, show_all, **pages)
    if detail is None or not permissions.can_view(current_user, detail.initiative):
        abort(404)
    return render_template("directory/initiative_detail.html", d=detail)


@bp.app_template_global()
def member_items(
    members: list[queries.Member],
    organisation_url: Callable[[int], str] | None,
    link_control: Callable[..., Markup] | None,
) -> Markup:
    """The `<li>` of each listed member of an initiative: its organisation (linked with
    `organisation_url` when given), its role unless a plain member, and the link controls
    (`link_control`, the page's `LinkControls`, when given). Built here rather than in a
    Jinja loop: the largest initiative lists some hundred members, and the loop's two calls
    and filters per member cost a sixth of its page."""
    items = []
    for member in members:
        name = escape(member.organisation.name)
        if organisation_url is not None:
            url = escape(organisation_url(member.organisation.id))
            name = Markup(f'<a href="{url}">{name}</a>')  # noqa: S704 - escaped above
        role = ""
        if member.role != MembershipRole.MITGLIED:
            role = f' <span class="text-muted">· {escape(label(member.role))}</span>'
        controls = ""
        if link_control is not None:
            controls = link_control("membership", member.id, member.can_end)
        items.append(f"<li>{name}{role}{controls}</li>")
    return Markup("".join(items))  # noqa: S704 - every value is escaped above
