"""Dashboard pages: the figures as charts and tables, each figure as CSV/XLSX download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm import permissions
from crm.dashboard import queries
from crm.dashboard.charts import bar_chart
from crm.db.datastamp import data_stamp
from crm.formats.tables import RESPONSES
from crm.formats.tables import ExportInfo
from crm.models.base import today
from crm.web.fragments import fragment
from crm.web.templating import format_share

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_view_dashboard(current_user):
        abort(403)


def _number(value: float) -> str:
    return str(format_decimal(value))


def _percent(value: float | None) -> str:
    """A percentage (66.7) in the locale's pattern: `66,7 %` (German), `66.7%` (English)."""
    return "" if value is None else format_share(value / 100, 1)


@bp.get("/")
def index() -> str:
    """All figures: a bar chart, the numbers as a table and download links for each."""
    return render_template("dashboard/index.html", figures=figures_html())


def figures_html() -> Markup:
    """The figures as HTML, rendered once per data version and day (memberships count while
    they are active) and kept per language: the same for everyone who may see the page, and
    most of its cost (seven aggregate queries and some thousand chart elements). Any save
    changes the data version, so the next request renders them anew."""
    return fragment("dashboard", None, (data_stamp(), today()), _render_figures)


def _render_figures() -> str:
    panels = []
    for item in queries.all_figures():
        chart = bar_chart(
            [(name, values) for name, values in item.rows],
            [str(s) for s in item.series],
            fmt=_number,
        )
        panels.append((item, chart))
    return render_template("dashboard/_figures.html", panels=panels, percent=_percent)


def export_header(item: queries.Figure) -> list[str]:
    """The header row of a figure's download."""
    header = [str(item.category), *(str(s) for s in item.series)]
    return [*header, _("Anteil in %")] if item.with_share else header


def export_rows(item: queries.Figure) -> list[list[Any]]:
    """The data rows of a figure's download (numbers typed, shares with one decimal)."""
    rows: list[list[Any]] = []
    for name, values in item.rows:
        row: list[Any] = [name, *values]
        if item.with_share:
            row.append(item.share(values))
        rows.append(row)
    for name, values in item.extra_rows or []:
        rows.append([name, *values, *([None] if item.with_share else [])])
    return rows


@bp.get("/<slug>.<fmt>")
def export(slug: str, fmt: str) -> Response:
    """One figure's numbers as CSV or XLSX; unknown figures and formats are 404."""
    writer = RESPONSES.get(fmt) or abort(404)
    item = queries.figure(slug) or abort(404)
    about = ExportInfo(title=str(item.title), exported_by=current_user.email)
    filename = _("auswertung") + f"-{slug}.{fmt}"
    return writer(filename, export_header(item), export_rows(item), about)
