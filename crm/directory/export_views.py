"""The pages of a large export (`crm.directory.export_jobs`): start it, watch its
progress (a progress bar kept current by js/export-progress.js from a JSON status; without
JavaScript the page refreshes itself) and download the file. Only for the account that
started it (`permissions.can_see_export`); anyone else gets 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode

from flask import Response
from flask import abort
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from crm import permissions
from crm.directory import export_jobs
from crm.directory.views import bp
from crm.formats.tables import download
from crm.jobs import files


def _own(token: str) -> dict[str, Any]:
    if not permissions.can_view_directory(current_user):
        abort(403)
    state = files.load(token)
    if state is None or not export_jobs.may_see(current_user, state):
        abort(404)
    return state


def progress_of(token: str, state: dict[str, Any]) -> dict[str, Any]:
    """What the progress bar shows (the page and its JSON status alike)."""
    done, total = int(state.get("rows_done") or 0), int(state.get("rows_total") or 0)
    return {
        "status": state["status"],
        "done": done,
        "total": total,
        "text": _("%(done)s von %(total)s Zeilen", done=done, total=total or "?"),
        "download": url_for(".export_download", token=token)
        if state["status"] == files.DONE
        else None,
    }


@bp.post("/exports/")
def export_start() -> BaseResponse:
    """Start preparing a large list (the offer page's button)."""
    if not permissions.can_view_directory(current_user):
        abort(403)
    kind, fmt = request.form.get("kind", ""), request.form.get("fmt", "")
    if kind not in export_jobs.LISTS or fmt not in export_jobs.FORMATS:
        abort(400)
    args = MultiDict(parse_qsl(request.form.get("args", ""), keep_blank_values=True))
    token = export_jobs.start(current_user, kind, fmt, args)
    return redirect(url_for(".export_status", token=token))


@bp.get("/exports/<token>")
def export_status(token: str) -> str:
    """The progress of an export, then its download."""
    state = _own(token)
    query = urlencode([(key, value) for key, value in state.get("args") or []])
    return render_template(
        "directory/export_status.html",
        state=state,
        token=token,
        progress=progress_of(token, state),
        back=url_for(export_jobs.LISTS[state["kind"]].endpoint) + (f"?{query}" if query else ""),
    )


@bp.get("/exports/<token>/progress")
def export_progress(token: str) -> Response:
    """The progress of an export as JSON (for js/export-progress.js)."""
    return jsonify(progress_of(token, _own(token)))


@bp.get("/exports/<token>/download")
def export_download(token: str) -> BaseResponse:
    """The prepared file."""
    state = _own(token)
    if state["status"] != files.DONE:
        return redirect(url_for(".export_status", token=token))
    return download(files.data_path(token), state["filename"])
