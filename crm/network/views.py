"""Network pages: decisions on suggestions, the introductions list and the analytics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from crm import permissions
from crm.db import datastamp
from crm.extensions import db
from crm.models import SuggestionDecision
from crm.network import graph as graph_queries
from crm.network import queries
from crm.network import services
from crm.network.forms import DecisionForm
from crm.web.fragments import CSRF_STAND_IN
from crm.web.fragments import fragment
from crm.web.fragments import with_csrf_token
from crm.web.pagination import paginate
from crm.web.pagination import parse_page
from crm.web.templating import url_with
from crm.web.urls import safe_next

bp = Blueprint("network", __name__, url_prefix="/network")

_RECORD = "<{0}_type>/<int:{0}_id>"  # the types are checked by services.load_pair


@bp.app_template_global()
def suggestions_for(record: Any) -> queries.SuggestionPanel | None:
    """The "Vorgeschlagene Kontakte" panel of an initiative or organisation page."""
    return queries.panel(current_user, record)


@bp.app_template_global()
def suggestion_panel_html(panel: queries.SuggestionPanel, heading: str, heading_id: str) -> Markup:
    """The suggestions panel (network/_suggestion_panel.html), rendered once per panel (its
    items' key: scope, record, day, language, graph version; and the data version) and
    what the viewer may do, and kept: ten suggestions with their reasons and decision
    forms cost a record page as much as the rest of its lists. The kept HTML has a
    stand-in for the CSRF token, replaced by the request's own."""
    key = (
        panel.key,
        heading_id,
        str(heading),
        panel.can_act,
        permissions.can_view_network(current_user),
        request.script_root,
    )

    def render() -> str:
        return render_template(
            "network/_suggestion_panel.html",
            panel=panel,
            heading=heading,
            heading_id=heading_id,
            csrf_token=lambda: CSRF_STAND_IN,
        )

    html = datastamp.cached("suggestion_panel_html", key, render)
    return with_csrf_token(html)


def _messages(decided: services.Decided) -> tuple[str, str]:
    names = {"a": decided.source.name, "b": decided.target.name}
    return {
        "accepted": (
            _("Vorschlag angenommen: %(a)s ↔ %(b)s sind jetzt verbunden.", **names),
            "success",
        ),
        "dismissed": (
            _("Vorschlag verworfen: %(b)s wird nicht mehr vorgeschlagen.", **names),
            "success",
        ),
        "later": (_("Für später vorgemerkt: %(b)s.", **names), "success"),
        "already_accepted": (
            _("Dieser Vorschlag wurde bereits angenommen; nichts geändert."),
            "info",
        ),
        "already_linked": (
            _("%(a)s und %(b)s sind bereits verbunden; nichts geändert.", **names),
            "info",
        ),
        "conflict": (_("Jemand hat diesen Vorschlag gerade entschieden; nichts geändert."), "info"),
    }[decided.outcome]


@bp.post(f"/suggestions/{_RECORD.format('source')}/{_RECORD.format('target')}")
def decide(source_type: str, source_id: int, target_type: str, target_id: int) -> Response:
    """Accept, dismiss or postpone a suggestion; back to the record page."""
    if not permissions.can_act_on_suggestions(current_user):
        abort(403)
    try:
        pair = services.load_pair(source_type, source_id, target_type, target_id)
    except services.UnknownPair:
        abort(404)
    if not all(permissions.can_view(current_user, record) for record in pair):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    decided = services.decide(current_user, pair, SuggestionDecision(form.decision.data))
    db.session.commit()
    flash(*_messages(decided))
    return redirect(safe_next(request.form.get("next"), network_record_url(source_type, source_id)))


@bp.app_template_global()
def network_record_url(kind: str, record_id: int) -> str:
    """The page of an initiative or organisation (by path while the latter has no endpoint)."""
    if kind == "initiative":
        return url_for("directory.initiative_detail", initiative_id=record_id)
    try:
        return url_for("directory.organisation_detail", organisation_id=record_id)
    except BuildError:
        return f"{url_for('main.index')}organisations/{record_id}"


@bp.get("/introductions")
def introductions() -> str:
    """Open ("später") and accepted introductions, newest first."""
    if not permissions.can_view_network(current_user):
        abort(403)
    status = request.args.get("status", "")
    decision = queries.INTRODUCTION_DECISIONS.get(status)
    page = paginate(
        queries.introductions_query(decision),
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "network/introductions.html",
        page=page,
        rows=queries.with_names(page.items),
        status=decision.value if decision else "",
    )


@bp.get("/")
def analytics() -> str:
    """The strongest suggestions of the whole network, then communities, brokers,
    isolated initiatives and links across Länder (staff)."""
    if not permissions.can_view_network(current_user):
        abort(403)
    page = queries.analytics_page(current_user)
    return render_template(
        "network/analytics.html",
        a=page.analytics,
        top=page.top,
        can_act=permissions.can_act_on_suggestions(current_user),
        open_introductions=page.open_introductions,
        computed_at=page.computed_at,
        sections=_analytics_sections(page),
    )


def _analytics_sections(page: queries.AnalyticsPage) -> Markup:
    """The groups, brokers, isolated initiatives and links across Länder as HTML: most of
    the page and the same for everyone who sees this graph, so rendered once per graph
    version (its key holds the data version, the day and the scope) and language."""
    scope = page.graph_key[4]
    return fragment(
        "network-analytics",
        scope,
        page.graph_key,
        lambda: render_template("network/_analytics_sections.html", a=page.analytics),
    )


@bp.get("/graph")
def graph() -> str:
    """The interactive network graph (staff): filters in the URL, elements from graph.json."""
    page = _graph_page()
    return render_template(
        "network/graph.html",
        g=page,
        gq=graph_queries,
        computed_at=graph_queries.computed_at(page),
        body=_graph_body(page),
    )


def _graph_body(page: graph_queries.GraphPage) -> Markup:
    """The filters, the drawing's frame, its legend and the table: all of the page but its
    heading and the note on an older graph, and the same for everyone who sees this view.
    Rendered once per view and query string (the form shows the filters as asked, the
    drawing's data address repeats them) and language."""
    return graph_queries.page_html(
        page,
        "body",
        lambda: render_template(
            "network/_graph_body.html", g=page, gq=graph_queries, table=_graph_table(page)
        ),
        asked=url_with("network.graph_data"),
    )


def _graph_table(page: graph_queries.GraphPage) -> Markup:
    """The shown nodes as a table (the text alternative of the drawing): most of the page's
    cost (a row per node, 600 at most) and the same for everyone who sees this view, so
    rendered once per graph version, view and language."""
    return graph_queries.page_html(
        page,
        "table",
        lambda: render_template("network/_graph_table.html", g=page, gq=graph_queries),
    )


@bp.get("/graph.json")
def graph_data() -> Response:
    """The Cytoscape elements of the graph for the filters in the query string (staff):
    made once per graph version and view, then sent as made (and 304 for its ETag)."""
    if not permissions.can_view_network(current_user):
        abort(403)
    body = graph_queries.graph_json(current_user, request.args)
    if body is None:
        abort(404)
    response = current_app.response_class(body.data, mimetype=body.mimetype)
    response.set_etag(body.etag)
    return response.make_conditional(request)


def _graph_page() -> graph_queries.GraphPage:
    """The graph for the filters in the query string: staff only, 404 for a lost focus."""
    if not permissions.can_view_network(current_user):
        abort(403)
    page = graph_queries.graph_page(current_user, request.args)
    if page.missing_focus:
        abort(404)
    return page
