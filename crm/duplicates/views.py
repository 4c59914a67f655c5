"""Duplicates pages: likely duplicates per kind, the merge (side by side, confirmation),
"kein Duplikat", and undoing a merge. Staff and admins only."""

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.duplicates import forms
from crm.duplicates import matching as m
from crm.duplicates import queries
from crm.duplicates import services
from crm.extensions import db
from crm.models import RecordMerge
from crm.web.pagination import Page
from crm.web.pagination import parse_page

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")

KIND_TITLES = {"organisation": _l("Organisationen"), "person": _l("Personen")}
DETAIL = {"organisation": "directory.organisation_detail", "person": "directory.person_detail"}
REASONS = {
    m.SAME_EMAIL: _l("gleiche E-Mail"),
    m.SAME_NAME: _l("gleicher Name"),
    m.SIMILAR_NAME: _l("ähnlicher Name"),
    m.SAME_PLZ: _l("gleiche PLZ"),
    m.SAME_PLACE: _l("gleicher Ort"),
    m.SAME_WEBSITE: _l("gleiche Website"),
    m.SAME_ORGANISATION: _l("gleiche Organisation"),
}
ResponseLike = Response | str | tuple[str, int]


def _require() -> None:
    if not permissions.can_handle_duplicates(current_user):
        abort(403)


def _kind(kinds: str) -> str:
    kind = queries.parse_kind(kinds)
    if kind is None or not kinds.endswith("s"):
        abort(404)
    return kind


def detail_url(kind: str, record_id: int) -> str:
    """The page of a record of `kind`."""
    if kind == "organisation":
        return url_for(DETAIL[kind], organisation_id=record_id)
    return url_for(DETAIL[kind], person_id=record_id)


def label(kind: str, record: Any) -> str:
    """The name a record is shown under."""
    return str(record.full_name if kind == "person" else record.name)


@bp.app_template_global("record_merges")
def record_merges(kind: str, record_id: int) -> list[RecordMerge]:
    """Merges into a record (for its Verlauf); none for kinds that cannot be merged."""
    if kind not in queries.KIND_MODELS or not permissions.can_handle_duplicates(current_user):
        return []
    return queries.merges_into(kind, record_id)


@bp.get("/<kinds>/")
def index(kinds: str) -> str:
    """Likely duplicates of one kind, best first, paged."""
    _require()
    kind = _kind(kinds)
    pairs = queries.find_pairs(kind)
    number = parse_page(request.args.get("page"))
    per_page = current_app.config["PAGE_SIZE"]
    page = Page(pairs[(number - 1) * per_page : number * per_page], number, per_page, len(pairs))
    ids = {p.a_id for p in page.items} | {p.b_id for p in page.items}
    return render_template(
        "duplicates/index.html",
        kind=kind,
        kinds=kinds,
        title=KIND_TITLES[kind],
        page=page,
        records=queries.records_by_id(kind, ids),
        reasons=REASONS,
        merges=queries.recent_merges(kind),
        detail_url=detail_url,
    )


@bp.post("/<kinds>/<int:a_id>/<int:b_id>/dismiss")
def dismiss(kinds: str, a_id: int, b_id: int) -> Response:
    """Mark a pair "kein Duplikat": it is no longer shown."""
    _require()
    kind = _kind(kinds)
    try:
        services.dismiss(kind, a_id, b_id, current_user.id)
    except services.MergeError as exc:
        abort(404, exc.message)
    db.session.commit()
    flash(_("Das Paar wird nicht mehr als mögliches Duplikat gezeigt."), "success")
    return redirect(url_for("duplicates.index", kinds=kinds, page=request.args.get("page")))


def _field_rows(kind: str, keep: Any, other: Any, chosen: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for spec in services.MERGE_FIELDS[kind]:
        rows.append(
            {
                "spec": spec,
                "keep": services.show(keep, spec),
                "other": services.show(other, spec),
                "choice": chosen.get(spec.name, "keep"),
                "same": services.show(keep, spec) == services.show(other, spec),
            }
        )
    return rows


def _confirm_page(kind: str, keep: Any, other: Any, chosen: dict[str, str], versions: Any) -> str:
    """ "Wirklich zusammenführen?" with the merged values; its button posts them again."""
    hidden = {f"field-{k}": v for k, v in chosen.items()}
    hidden.update(keep_version=str(versions[0]), other_version=str(versions[1]), confirmed="1")
    return render_template(
        "duplicates/confirm_merge.html",
        heading=_("Wirklich zusammenführen?"),
        rows=[
            (_("Bleibt"), f"{label(kind, keep)} (#{keep.id})"),
            (_("Wird entfernt"), f"{label(kind, other)} (#{other.id})"),
        ],
        fields=_field_rows(kind, keep, other, chosen),
        text=_(
            "Alle Verknüpfungen beider Datensätze bleiben erhalten; doppelte werden zu einer "
            "zusammengefasst. Die Zusammenführung lässt sich rückgängig machen."
        ),
        button=_("Zusammenführen"),
        back=request.path,
        back_label=_("Zurück zur Auswahl"),
        hidden=hidden,
    )


def _merge_post(kind: str, keep: Any, other: Any, chosen: dict[str, str]) -> ResponseLike:
    """The choices posted: ask first; posted again with `confirmed`, merge."""
    try:
        chosen.update(forms.parse_choices(kind, request.form))
        versions = forms.parse_versions(request.form)
        if request.form.get("confirmed") != "1":
            return _confirm_page(kind, keep, other, chosen, versions)
        record = services.merge(
            kind, keep.id, other.id, chosen, versions=versions, user_id=current_user.id
        )
    except services.MergeError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(request.path)
    db.session.commit()
    flash(
        _(
            "„%(other)s“ wurde in „%(keep)s“ zusammengeführt.",
            other=record.removed_name,
            keep=label(kind, keep),
        ),
        "success",
    )
    return redirect(detail_url(kind, record.kept_id))


@bp.route("/<kinds>/merge/<int:keep_id>/<int:other_id>", methods=["GET", "POST"])
def merge(kinds: str, keep_id: int, other_id: int) -> ResponseLike:
    """Both records side by side with a choice per field; then a confirmation page;
    then the merge."""
    _require()
    kind = _kind(kinds)
    try:
        keep, other = services.load_pair(kind, keep_id, other_id)
    except services.MergeError as exc:
        abort(404, exc.message)
    chosen = services.default_choices(kind, keep, other)
    if request.method == "POST":
        return _merge_post(kind, keep, other, chosen)
    return render_template(
        "duplicates/merge.html",
        kind=kind,
        kinds=kinds,
        keep=keep,
        other=other,
        keep_label=label(kind, keep),
        other_label=label(kind, other),
        rows=_field_rows(kind, keep, other, chosen),
        links=services.link_counts(kind, keep.id, other.id),
        back=url_for("duplicates.index", kinds=kinds),
        detail_url=detail_url,
    )


def _undo_post(record: RecordMerge, back: str) -> Response:
    try:
        services.undo(record, current_user)
    except services.MergeError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Die Zusammenführung wurde rückgängig gemacht: „%(name)s“ ist wieder da.",
            name=record.removed_name,
        ),
        "success",
    )
    return redirect(detail_url(record.kind, record.removed_id))


@bp.route("/merges/<int:merge_id>/undo", methods=["GET", "POST"])
def undo(merge_id: int) -> ResponseLike:
    """Undo a merge (after confirmation): the removed record comes back with its id."""
    _require()
    record = db.session.get(RecordMerge, merge_id)
    if record is None:
        abort(404)
    back = url_for("duplicates.index", kinds=f"{record.kind}s")
    if request.method == "POST":
        return _undo_post(record, back)
    blocked = record.undone_at is not None
    later = [] if blocked else services.changed_since(record)
    text = _("Diese Zusammenführung wurde bereits rückgängig gemacht.") if blocked else None
    if later:
        text = services.changed_since_message(later)
    return render_template(
        "confirm.html",
        heading=_("Zusammenführung wirklich rückgängig machen?"),
        rows=[
            (_("Zurück kommt"), f"{record.removed_name} (#{record.removed_id})"),
            (_("Zusammengeführt in"), f"#{record.kept_id}"),
        ],
        text=text
        or _(
            "Der entfernte Datensatz kommt mit seiner Nummer und seinen Verknüpfungen zurück; "
            "die Felder des behaltenen Datensatzes bekommen ihre früheren Werte."
        ),
        button=_("Rückgängig machen"),
        back=back,
        blocked=blocked or bool(later),
    )
