"""The Verlauf of a record (with one-click restore of a field) and the staff review feed
"Änderungen durch Initiativen" (mark seen, revert)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.extensions import db
from crm.history import fields
from crm.history import queries
from crm.history import services
from crm.models import AuditEntry
from crm.web.fields import parse_version
from crm.web.pagination import parse_page
from crm.web.urls import safe_next

bp = Blueprint("history", __name__, url_prefix="/history")

DETAIL_ENDPOINTS = {
    "initiative": ("directory.initiative_detail", "initiative_id"),
    "organisation": ("directory.organisation_detail", "organisation_id"),
    "person": ("directory.person_detail", "person_id"),
}


def detail_url(kind: str, record_id: int) -> str:
    """The detail page of an initiative, organisation or person."""
    endpoint, arg = DETAIL_ENDPOINTS[kind]
    values: dict[str, Any] = {arg: record_id}
    return url_for(endpoint, **values)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


@bp.app_template_global()
def history_kind(record: Any) -> str | None:
    """'initiative', 'organisation' or 'person' for a record with a Verlauf (for templates)."""
    return queries.record_kind(record)


@bp.app_template_global()
def recent_history(record: Any, limit: int = 3) -> list[queries.EntryView]:
    """The last changes of a record, for its detail page (one query; staff only)."""
    kind = queries.record_kind(record)
    if kind is None or record.id is None or not permissions.can_view_history(current_user, record):
        return []
    entries = queries.recent_entries(kind, record.id, limit)
    return [
        queries.EntryView(
            entry=e,
            table_label=fields.table_label(e.record_type),
            changes=[
                queries.FieldChange(key=k, label=fields.field_label(k), old="", new="")
                for k in sorted(e.changes or {})
                if k != "id"
            ],
        )
        for e in entries
    ]


@bp.app_template_global()
def unseen_changes_count() -> int:
    """Editor changes not yet marked seen (staff only; once per request)."""
    if not permissions.can_review_changes(current_user):
        return 0
    if "unseen_changes" not in g:
        g.unseen_changes = queries.unseen_count(current_user.id)
    return int(g.unseen_changes)


def _history_url(entry: AuditEntry) -> str | None:
    kind = fields.KIND_OF_TABLE.get(entry.record_type)
    if kind is None:
        return None
    return url_for("history.record_history", kind=kind, record_id=entry.record_id)


@bp.get("/<kind>/<int:record_id>")
def record_history(kind: str, record_id: int) -> str:
    """The Verlauf of an initiative, organisation or person (and of its links), newest first.

    A deleted record keeps its history under its own id (ids are never reused): admins
    see it as the Verlauf of a deleted record; a record the trail has never heard of is a
    404.
    """
    _require(permissions.can_view_history(current_user))
    if kind not in fields.KINDS:
        abort(404)
    record = queries.load_record(kind, record_id)
    _model, table = fields.KINDS[kind]
    if record is None and not queries.has_entries(table, record_id):
        abort(404)
    if record is None:
        _require(permissions.can_view_deleted_history(current_user))
    _require(permissions.can_view_history(current_user, record))
    page = queries.record_history(
        kind, record_id, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"]
    )
    rows = queries.entry_views(page.items)
    name = queries.display_name(record) if record is not None else None
    if name is None:
        name = next((r.record_name for r in rows if r.is_main and r.record_name), f"#{record_id}")
    return render_template(
        "history/record.html",
        kind=kind,
        record=record,
        record_id=record_id,
        name=name,
        page=page,
        rows=rows,
        can_restore=record is not None and permissions.can_restore_history(current_user, record),
        can_undo=lambda entry: _can_undo(entry),
        detail_url=detail_url(kind, record_id) if record is not None else None,
    )


def _can_undo(entry: AuditEntry) -> bool:
    """May I undo this entry from the Verlauf (and can it be undone at all)?"""
    if not permissions.can_restore_history(current_user) or not services.undoable(entry):
        return False
    if entry.record_type in fields.KIND_OF_TABLE:  # a deleted record: admins
        return permissions.can_view_deleted_history(current_user)
    return True


def _undo_back(entry: AuditEntry) -> str:
    """The Verlauf the undo was asked from (the record's, or the linked record's)."""
    return safe_next(
        request.values.get("next"), _history_url(entry) or url_for("history.review_feed")
    )


@bp.route("/<int:entry_id>/undo", methods=["GET", "POST"])
def undo(entry_id: int) -> Response | str | tuple[str, int]:
    """Undo a destructive change from the Verlauf: a deleted record or link is created
    again with its id, a changed link (an ended membership, …) set back. GET asks first
    (naming what will change), POST does it (audited)."""
    _require(permissions.can_restore_history(current_user))
    entry = db.session.get(AuditEntry, entry_id) or abort(404)
    if entry.record_type in fields.KIND_OF_TABLE and entry.action.value == "delete":
        _require(permissions.can_view_deleted_history(current_user))
    back = _undo_back(entry)
    if not services.undoable(entry):
        message = (
            _("Dieser Eintrag wurde bereits rückgängig gemacht.")
            if entry.reverted_at is not None
            else _("Dieser Eintrag lässt sich nicht rückgängig machen.")
        )
        return render_template("history/refused.html", message=message, back=back), 409
    if request.method == "GET":
        row = queries.entry_views([entry])[0]
        return render_template("history/undo.html", row=row, back=back)
    try:
        message = services.undo_entry(entry, current_user._get_current_object())
    except services.HistoryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


@bp.post("/<int:entry_id>/restore")
def restore(entry_id: int) -> Response | tuple[str, int]:
    """Set one field of the entry's record back to its old value (itself audited)."""
    _require(permissions.can_restore_history(current_user))
    entry = services.restorable_entry(entry_id) or abort(404)
    back = safe_next(request.form.get("next"), _history_url(entry) or url_for("main.index"))
    key = request.form.get("field", "")
    try:
        record, changed = services.restore_field(
            entry, key, parse_version(request.form.get("version"))
        )
    except services.BadRequest as exc:
        return render_template("history/refused.html", message=exc.message, back=back), 400
    except services.HistoryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    if not changed:
        flash(_("„%(field)s“ hat diesen Wert bereits.", field=fields.field_label(key)), "info")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "„%(field)s“ von „%(name)s“ wurde wiederhergestellt.",
            field=fields.field_label(key),
            name=queries.display_name(record),
        ),
        "success",
    )
    return redirect(back)


@bp.get("/changes-by-initiatives")
def review_feed() -> str:
    """The review feed "Änderungen durch Initiativen": one card per save by an editor,
    those I have not seen first (seen state is per staff account)."""
    _require(permissions.can_review_changes(current_user))
    show = queries.parse_show(request.args.get("show"))
    page = queries.review_page(
        show, current_user.id, parse_page(request.args.get("page")), current_app.config["PAGE_SIZE"]
    )
    cards = queries.review_cards(page.items, current_user.id)
    entries = [row.entry for card in cards for row in card.rows]
    return render_template(
        "history/review.html",
        show=show,
        page=page,
        cards=cards,
        unseen=queries.unseen_count(current_user.id),
        history_url=_history_url,
        versions=queries.current_versions(entries),
    )


def _feed_back() -> str:
    return safe_next(request.values.get("next"), url_for("history.review_feed"))


@bp.post("/<int:entry_id>/seen")
def mark_seen(entry_id: int) -> Response:
    """Mark an editor's save (the card of the entry) as seen by me, now."""
    _require(permissions.can_review_changes(current_user))
    entry = queries.editor_entry(entry_id) or abort(404)
    if services.mark_seen(queries.card_entries(entry), current_user._get_current_object()):
        db.session.commit()
        flash(_("Als gesehen markiert."), "success")
    else:
        flash(_("Diese Änderung war bereits als gesehen markiert."), "info")
    return redirect(_feed_back())


@bp.route("/<int:entry_id>/revert", methods=["GET", "POST"])
def revert(entry_id: int) -> Response | str:
    """Undo an editor's save as a whole (audited) and mark it seen; GET asks first."""
    _require(permissions.can_review_changes(current_user))
    entry = queries.editor_entry(entry_id) or abort(404)
    if request.method == "GET":
        cards = queries.review_cards([queries.card_of(entry)], current_user.id)
        return render_template(
            "history/revert.html", card=cards[0], back=_feed_back(), history_url=_history_url
        )
    try:
        message = services.revert_card(
            queries.card_entries(entry), current_user._get_current_object()
        )
    except services.HistoryError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_feed_back())
    db.session.commit()
    flash(message, "success")
    return redirect(_feed_back())
