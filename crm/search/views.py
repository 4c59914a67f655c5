"""The global search page: GET /search?q=… with results grouped by record type."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask_login import current_user

from crm import permissions
from crm.search import queries

bp = Blueprint("search", __name__)


@bp.get("/search")
def results() -> str:
    """Initiatives, organisations and persons matching `q`, ranked and grouped by type."""
    if not permissions.can_search(current_user):
        abort(403)
    q = queries.clean_query(request.args.get("q"))
    groups = queries.search(current_user, q)
    return render_template("search/results.html", q=q, groups=groups)
