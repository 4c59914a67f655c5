"""The import wizard: upload → how the file is read → mapping → preview → import →
result (with "Import rückgängig machen"). Staff only."""

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
from sqlalchemy import select
from werkzeug.wrappers import Response

from crm import permissions
from crm.db.engine import writing
from crm.extensions import db
from crm.formats.readers import DELIMITERS
from crm.formats.readers import ENCODINGS
from crm.formats.readers import FileSettings
from crm.imports import mapping as m
from crm.imports import storage
from crm.imports.forms import MappingForm
from crm.imports.forms import SettingsForm
from crm.imports.forms import UploadForm
from crm.imports.services import ImportRefused
from crm.imports.services import Outcome
from crm.imports.services import count_rows
from crm.imports.services import inspect_file
from crm.imports.services import new_batch
from crm.imports.services import read_headers
from crm.imports.services import run_import
from crm.imports.services import spec_from_state
from crm.imports.tasks import import_file
from crm.imports.tasks import preview_file
from crm.imports.tasks import preview_key
from crm.imports.undo import UndoRefused
from crm.imports.undo import undo
from crm.models import ImportBatch
from crm.models import ImportMapping

bp = Blueprint("imports", __name__, url_prefix="/imports")
UPLOAD_LIMIT = 64 * 1024 * 1024
JOB_ROWS = 2000  # files with more rows run as a background job (IMPORT_JOB_ROWS)


@bp.before_request
def _staff_only() -> None:
    if not permissions.can_import(current_user):
        abort(403)


def _state(token: str) -> dict[str, Any]:
    state = storage.load_state(token, current_user.id)
    if state is None:
        abort(404)
    return state


def _refused(message: str, token: str | None = None) -> Response:
    flash(message, "danger")
    return redirect(url_for(".index") if token is None else url_for(".file_settings", upload=token))


@bp.route("/", methods=["GET", "POST"])
def index() -> Any:
    """Step 1: upload a file; below it, the imports so far."""
    request.max_content_length = UPLOAD_LIMIT
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        kind = form.kind.data
        token = storage.save_upload(
            upload.stream,
            upload.filename or "import.csv",
            {"user_id": current_user.id, "kind": kind},
        )
        state = _state(token)
        path = storage.data_path(token, state)
        try:
            settings = inspect_file(path, state["filename"], kind)
        except ImportRefused as exc:
            storage.delete(token)
            flash(str(exc), "danger")
            return render_template(
                "imports/index.html", form=form, batches=_batches(), kind_labels=m.KIND_LABELS
            ), 400
        state["settings"] = settings.as_dict()
        storage.save_state(token, state)
        return redirect(url_for(".file_settings", upload=token))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "imports/index.html", form=form, batches=_batches(), kind_labels=m.KIND_LABELS
    ), status


def _batches() -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(20)))


@bp.route("/<upload>/file", methods=["GET", "POST"])
def file_settings(upload: str) -> Any:
    """Step 2: encoding, delimiter and header row as detected, correctable."""
    token = upload
    state = _state(token)
    settings = FileSettings(**state["settings"])
    form = SettingsForm(data=settings.as_dict() if request.method == "GET" else None)
    if form.validate_on_submit():
        if settings.fmt == "csv":
            if form.encoding.data in ENCODINGS:
                settings.encoding = form.encoding.data
            if form.delimiter.data in DELIMITERS:
                settings.delimiter = form.delimiter.data
        settings.header_row = int(form.header_row.data or 1)
        state["settings"] = settings.as_dict()
        state.pop("columns", None)
        storage.save_state(token, state)
        return redirect(url_for(".mapping", upload=token))
    try:
        sheet = read_headers(storage.data_path(token, state), settings)
    except ImportRefused as exc:
        flash(str(exc), "danger")
        sheet = None
    return render_template(
        "imports/file.html",
        form=form,
        state=state,
        settings=settings,
        sheet=sheet,
        token=token,
        kind_label=m.KIND_LABELS[state["kind"]],
    ), (400 if request.method == "POST" else 200)


@bp.route("/<upload>/mapping", methods=["GET", "POST"])
def mapping(upload: str) -> Any:
    """Step 3: which column is which field; the mode; save the mapping by name."""
    token = upload
    state = _state(token)
    kind = state["kind"]
    settings = FileSettings(**state["settings"])
    try:
        sheet = read_headers(storage.data_path(token, state), settings)
    except ImportRefused as exc:
        return _refused(str(exc), token)
    saved = list(
        db.session.scalars(
            select(ImportMapping).where(ImportMapping.kind == kind).order_by(ImportMapping.name)
        )
    )
    columns = {int(k): v for k, v in (state.get("columns") or {}).items()}
    if not columns:
        columns = m.auto_mapping(kind, sheet.headers)
    chosen = request.args.get("saved", type=int)
    if chosen is not None:
        saved_mapping = next((s for s in saved if s.id == chosen), None)
        if saved_mapping is not None:
            columns = m.apply_saved(kind, sheet.headers, saved_mapping.columns)
    form = MappingForm(
        data={"mode": state.get("mode", "both")} if request.method == "GET" else None
    )
    problems: list[str] = []
    if form.validate_on_submit():
        columns = {}
        for index in range(len(sheet.headers)):
            value = request.form.get(f"col-{index}", "")
            if value in m.FIELDS[kind] and value not in columns.values():
                columns[index] = value
        missing = m.missing_required(kind, columns)
        if not columns:
            problems.append(_("Keine Spalte ist einem Feld zugeordnet."))
        elif missing:
            problems.append(_("Diese Pflichtfelder fehlen: %(fields)s", fields=", ".join(missing)))
        if not problems:
            state.update(
                columns={str(k): v for k, v in columns.items()},
                headers=sheet.headers,
                mode=form.mode.data,
                decisions={},
            )
            if form.save_as.data:
                _save_mapping(kind, form.save_as.data.strip(), m.as_saved(sheet.headers, columns))
            try:
                state["rows"] = count_rows(_spec(token, state))
            except ImportRefused as exc:
                return _refused(str(exc), token)
            storage.save_state(token, state)
            if state["rows"] > _job_rows():
                _queue_preview(token, state)
            return redirect(url_for(".preview", upload=token))
    return render_template(
        "imports/mapping.html",
        form=form,
        sheet=sheet,
        columns=columns,
        kind=kind,
        fields=m.FIELDS[kind],
        saved=saved,
        token=token,
        problems=problems,
        kind_label=m.KIND_LABELS[kind],
    ), (400 if request.method == "POST" else 200)


def _save_mapping(kind: str, name: str, columns: dict[str, str]) -> None:
    with writing():
        existing = db.session.scalar(
            select(ImportMapping).where(ImportMapping.kind == kind, ImportMapping.name == name)
        )
        if existing is None:
            db.session.add(ImportMapping(kind=kind, name=name, columns=columns))
        elif existing.columns != columns:
            existing.columns = columns
        db.session.commit()
    flash(_("Zuordnung „%(name)s“ gespeichert.", name=name), "success")


def _spec(token: str, state: dict[str, Any]) -> Any:
    if "columns" not in state:
        abort(404)
    return spec_from_state(state, storage.data_path(token, state))


def _job_rows() -> int:
    return int(current_app.config.get("IMPORT_JOB_ROWS", JOB_ROWS))


def _queue_preview(token: str, state: dict[str, Any]) -> None:
    """A big file's dry run runs as a background job (progress kept with the upload)."""
    state.pop("preview", None)
    state.update(preview_queued=preview_key(state), preview_progress=0)
    storage.save_state(token, state)
    preview_file(token, current_user.id)


@bp.route("/<upload>/preview", methods=["GET", "POST"])
def preview(upload: str) -> Any:
    """Step 4: the dry run: what each row would do, with counts on top (for a big file
    computed by a background job, with a progress page until it is there)."""
    token = upload
    state = _state(token)
    spec = _spec(token, state)
    try:
        rows = state.get("rows") or count_rows(spec)
    except ImportRefused as exc:
        return _refused(str(exc), token)
    labels = {"kind_label": m.KIND_LABELS[spec.kind], "mode_label": m.MODE_LABELS[spec.mode]}
    if rows <= _job_rows():
        try:
            outcome = run_import(spec, dry_run=True)
        except ImportRefused as exc:
            return _refused(str(exc), token)
        return render_template(
            "imports/preview.html", outcome=outcome, state=state, token=token, **labels
        )
    if request.method == "POST":
        _queue_preview(token, state)
        return redirect(url_for(".preview", upload=token))
    key = preview_key(state)
    stored = state.get("preview")
    if stored and stored.get("key") == key:
        if "error" in stored:
            return _refused(str(stored["error"]), token)
        return render_template(
            "imports/preview.html",
            outcome=Outcome.from_dict(stored["outcome"]),
            state=state,
            token=token,
            **labels,
        )
    return render_template(
        "imports/preview_progress.html",
        state=state,
        token=token,
        total=rows,
        done=state.get("preview_progress", 0),
        queued=state.get("preview_queued") == key,
        **labels,
    )


@bp.route("/<upload>/confirm", methods=["POST"])
def confirm(upload: str) -> Response:
    """Step 5: import (decisions on similar records taken from the preview form)."""
    token = upload
    state = _state(token)
    spec = _spec(token, state)
    spec.decisions = {
        int(key.removeprefix("decision-")): value
        for key, value in request.form.items()
        if key.startswith("decision-")
        and key[9:].isascii()
        and key[9:].isdigit()
        and value in ("new", "match", "skip")
    }
    state["decisions"] = {str(k): v for k, v in spec.decisions.items()}
    storage.save_state(token, state)
    rows = state.get("rows") or count_rows(spec)
    if rows > _job_rows():
        batch_id = new_batch(spec, current_user, status="queued", rows_total=rows)
        import_file(batch_id, token)
        return redirect(url_for(".batch", batch_id=batch_id))
    try:
        outcome = run_import(spec, dry_run=False, user=current_user)
    except ImportRefused as exc:
        return _refused(str(exc), token)
    finally:
        storage.delete(token)
    flash(_("Import abgeschlossen."), "success")
    return redirect(url_for(".batch", batch_id=outcome.batch_id))


def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>")
def batch(batch_id: int) -> str:
    """Step 6: the result (with progress while a background import runs)."""
    record = _batch(batch_id)
    return render_template(
        "imports/batch.html", batch=record, kind_label=m.KIND_LABELS.get(record.kind, record.kind)
    )


@bp.route("/batches/<int:batch_id>/undo", methods=["GET", "POST"])
def undo_batch(batch_id: int) -> Any:
    """Ask first (GET), then take the import back (POST)."""
    record = _batch(batch_id)
    if record.undone_at is not None or record.status not in ("done", "failed"):
        flash(_("Dieser Import lässt sich nicht (mehr) rückgängig machen."), "warning")
        return redirect(url_for(".batch", batch_id=batch_id))
    if request.method == "GET":
        return render_template(
            "imports/undo.html",
            batch=record,
            kind_label=m.KIND_LABELS.get(record.kind, record.kind),
        )
    try:
        report = undo(batch_id)
    except UndoRefused as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".batch", batch_id=batch_id))
    flash(
        _(
            "Import rückgängig gemacht: %(removed)s entfernt, %(restored)s wiederhergestellt.",
            removed=report.removed,
            restored=report.restored,
        ),
        "success",
    )
    if report.left_alone:
        flash(
            _(
                "%(count)s Datensätze wurden nach dem Import geändert und blieben unangetastet.",
                count=len(report.left_alone),
            ),
            "warning",
        )
    return redirect(url_for(".batch", batch_id=batch_id))
