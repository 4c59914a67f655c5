"""The follow-up of an event for staff (#18): materials, the follow-up mail, the feedback
results (chart, tables, downloads) and the attendance report of the meeting tool."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.dashboard.charts import bar_chart
from crm.events import queries as event_queries
from crm.extensions import db
from crm.followup import attendance
from crm.followup import files
from crm.followup import services
from crm.followup.forms import AttendanceForm
from crm.followup.forms import MaterialForm
from crm.followup.forms import SendForm
from crm.formats.tables import RESPONSES
from crm.formats.tables import ExportInfo
from crm.models import AttendanceImport
from crm.models import Event
from crm.web.templating import format_fixed
from crm.web.uploads import UploadError

bp = Blueprint("followup", __name__, url_prefix="/events")
UPLOAD_KEY = "followup_attendance"


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_follow_up(current_user):
        abort(403)


def _event(event_id: int) -> Event:
    return event_queries.event_detail(event_id) or abort(404)


def _overview(event: Event) -> Response:
    return redirect(url_for("followup.overview", event_id=event.id))


def _mean(value: float | None) -> str:
    return "—" if value is None else format_fixed(value, 1)


@bp.get("/<int:event_id>/nachbereitung")
def overview(event_id: int) -> str:
    """Materials, the follow-up mail, attendance imports and the feedback results."""
    event = _event(event_id)
    found = services.results(event)
    rows = [(s.label, [s.mean or 0.0]) for s in [found.overall, *found.workshops]]
    chart = bar_chart(rows, [_("Mittelwert (1–5)")], fmt=_mean)
    current, removed = services.materials_and_removed(event.id)
    return render_template(
        "followup/overview.html",
        event=event,
        materials=current,
        removed=removed,
        titles={w.id: w.title for w in event.workshops},
        settings=services.settings(event),
        mailed=len(services.already_mailed(event.id)),
        imports=attendance.imports(event.id),
        results=found,
        chart=chart,
        mean=_mean,
    )


@bp.route("/<int:event_id>/nachbereitung/materials/new", methods=["GET", "POST"])
def material_new(event_id: int) -> Response | str:
    """Add a link or upload a file, for the event or one of its workshops."""
    event = _event(event_id)
    form = MaterialForm()
    form.workshop.choices = [("", _("Ganze Veranstaltung"))] + [
        (str(w.id), w.title) for w in event.workshops
    ]
    if form.validate_on_submit():
        stored = None
        try:
            if form.has_file():
                stored = files.store(form.file.data.stream, form.file.data.filename or "")
        except UploadError as exc:
            form.file.errors = [str(exc)]
        else:
            data = services.MaterialInput(
                form.title.data or "", form.workshop_id(), url=form.url.data or None, file=stored
            )
            services.add_material(event, data)
            db.session.commit()
            flash(_("Die Unterlage wurde hinzugefügt."), "success")
            return _overview(event)
    return render_template("followup/material_form.html", event=event, form=form)


def _material(event: Event, material_id: int) -> services.Material:
    return services.material(event.id, material_id) or abort(404)


@bp.route(
    "/<int:event_id>/nachbereitung/materials/<int:material_id>/remove", methods=["GET", "POST"]
)
def material_remove(event_id: int, material_id: int) -> Response | str:
    """Ask first, then take a material away from the participants (restorable)."""
    event = _event(event_id)
    item = _material(event, material_id)
    if item.removed_at is not None:
        return _overview(event)
    if request.method == "GET":
        return render_template("followup/material_remove.html", event=event, item=item)
    services.remove_material(item)
    db.session.commit()
    flash(_("Die Unterlage wurde entfernt; sie lässt sich wiederherstellen."), "success")
    return _overview(event)


@bp.post("/<int:event_id>/nachbereitung/materials/<int:material_id>/restore")
def material_restore(event_id: int, material_id: int) -> Response:
    """Give a removed material back to the participants."""
    event = _event(event_id)
    if services.restore_material(_material(event, material_id)):
        db.session.commit()
        flash(_("Die Unterlage ist wieder sichtbar."), "success")
    return _overview(event)


@bp.get("/<int:event_id>/nachbereitung/materials/<int:material_id>/file")
def material_file(event_id: int, material_id: int) -> Response:
    """The uploaded file of a material (staff)."""
    item = _material(_event(event_id), material_id)
    return material_download(item)


def material_download(item: services.Material) -> Response:
    """A material's file as a download (never shown inline), or 404."""
    path = files.path_of(item.stored_name)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype=item.mimetype or "application/octet-stream",
        as_attachment=True,
        download_name=item.filename or path.name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:event_id>/nachbereitung/send", methods=["GET", "POST"])
def send(event_id: int) -> Response | str:
    """Ask first (who, how many, until when), then queue the follow-up mails."""
    event = _event(event_id)
    current = services.settings(event)
    form = SendForm(
        data={"include_absent": current.include_absent, "closes_on": current.feedback_closes_on}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit() and form.closes_on.data is not None:
        mailed, before = services.send(
            event.id, bool(form.include_absent.data), form.closes_on.data
        )
        db.session.commit()
        flash(
            ngettext(
                "Die Nachbereitungsmail geht an %(num)s Person.",
                "Die Nachbereitungsmail geht an %(num)s Personen.",
                mailed,
            )
            + (" " + _("%(n)s hatten sie schon erhalten.", n=before) if before else ""),
            "success",
        )
        return _overview(event)
    include = bool(form.include_absent.data) if request.method == "POST" else current.include_absent
    return render_template(
        "followup/send.html",
        event=event,
        form=form,
        attended=services.plan(event, False),
        everyone=services.plan(event, True),
        include=include,
        begun=services.has_begun(event),
    )


@bp.get("/<int:event_id>/feedback.<fmt>")
def results_export(event_id: int, fmt: str) -> Response:
    """The answers (anonymous) as CSV or XLSX."""
    if fmt not in RESPONSES:
        abort(404)
    event = _event(event_id)
    header = [_("Workshop"), _("Bewertung gesamt"), _("Bewertung Workshop"), _("Anmerkungen")]
    header.append(_("Geändert am"))
    rows = services.export_rows(event, services.results(event))
    info = ExportInfo(
        title=_("Rückmeldungen"),
        exported_by=str(getattr(current_user, "email", "")),
        filters=[(_("Veranstaltung"), event.title)],
    )
    return RESPONSES[fmt](f"rueckmeldungen-{event.slug}.{fmt}", header, rows, info)


@bp.route("/<int:event_id>/attendance", methods=["GET", "POST"])
def attendance_upload(event_id: int) -> Response | str:
    """Upload the meeting tool's attendance report (then: the preview)."""
    event = _event(event_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "bericht.csv")[:200]
        name = attendance.save_upload(upload.stream, filename)
        try:
            attendance.read_report(attendance.folder() / name, filename)
        except attendance.ReportError as exc:
            attendance.remove_upload(name)
            form.file.errors = [str(exc)]
        else:
            attendance.remove_upload((session.get(UPLOAD_KEY) or {}).get("name"))
            session[UPLOAD_KEY] = {"event_id": event.id, "name": name, "filename": filename}
            return redirect(url_for("followup.attendance_preview", event_id=event.id))
    return render_template(
        "followup/attendance.html", event=event, form=form, imports=attendance.imports(event.id)
    )


@bp.route("/<int:event_id>/attendance/preview", methods=["GET", "POST"])
def attendance_preview(event_id: int) -> Response | str:
    """Matched, unmatched and already checked-in rows; "Übernehmen" marks the matched."""
    event = _event(event_id)
    upload = session.get(UPLOAD_KEY) or {}
    path = (
        attendance.upload_path(upload.get("name")) if upload.get("event_id") == event.id else None
    )
    if path is None:
        flash(_("Bitte zuerst einen Teilnahmebericht hochladen."), "info")
        return redirect(url_for("followup.attendance_upload", event_id=event.id))
    filename = str(upload.get("filename") or "")
    try:
        report = attendance.read_report(path, filename)
    except attendance.ReportError as exc:
        flash(str(exc), "error")
        return redirect(url_for("followup.attendance_upload", event_id=event.id))
    found = attendance.preview(event.id, report)
    if request.method == "POST":
        batch = attendance.apply(event.id, found, filename, getattr(current_user, "id", None))
        db.session.commit()
        attendance.remove_upload(upload.get("name"))
        session.pop(UPLOAD_KEY, None)
        flash(
            ngettext(
                "%(num)s Anmeldung als teilgenommen markiert.",
                "%(num)s Anmeldungen als teilgenommen markiert.",
                len(batch.changes),
            ),
            "success",
        )
        return redirect(url_for("followup.attendance_upload", event_id=event.id))
    return render_template(
        "followup/attendance_preview.html", event=event, report=report, found=found
    )


@bp.route("/<int:event_id>/attendance/<int:import_id>/undo", methods=["GET", "POST"])
def attendance_undo(event_id: int, import_id: int) -> Response | str:
    """Ask first, then put the registrations of an attendance import back."""
    event = _event(event_id)
    batch = db.session.get(AttendanceImport, import_id)
    if batch is None or batch.event_id != event.id or batch.undone_at is not None:
        abort(404)
    if request.method == "GET":
        return render_template("followup/attendance_undo.html", event=event, batch=batch)
    restored = attendance.undo(batch)
    db.session.commit()
    flash(
        ngettext(
            "Die Teilnahme von %(num)s Anmeldung wurde zurückgesetzt.",
            "Die Teilnahme von %(num)s Anmeldungen wurde zurückgesetzt.",
            restored,
        ),
        "success",
    )
    return redirect(url_for("followup.attendance_upload", event_id=event.id))
