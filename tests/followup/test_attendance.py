"""Attendance from a meeting tool's report (#18): the e-mail column found by its header,
matched case-insensitively; preview, "Übernehmen", the dashboard's figures, undo; bad files."""

from __future__ import annotations

import io
import os
import time

import openpyxl
import pytest
from sqlalchemy import select

from crm.dashboard.queries import event_participation
from crm.extensions import db
from crm.followup import attendance
from crm.models import AttendanceImport
from crm.models import Registration
from crm.models import RegistrationStatus

ZOOM = (
    "Meeting-ID,Thema,Startzeit,Endzeit,Benutzer-E-Mail,Dauer (Minuten),Teilnehmer\n"
    "812 3456 7890,Netzwerktreffen,16.03.2027 09:58,16.03.2027 15:02,office@example.org,304,4\n"
    "\n"
    "Name (ursprünglicher Name),Benutzer-E-Mail,Beitrittszeit,Austrittszeit,Dauer (Minuten),Gast\n"
    "Ben Baker,BEN.Baker@Example.org ,16.03.2027 10:01,16.03.2027 12:00,119,Ja\n"
    "Ben Baker,ben.baker@example.org,16.03.2027 13:02,16.03.2027 15:00,118,Ja\n"
    "Anna Arndt,anna.arndt@example.org,16.03.2027 10:00,16.03.2027 15:00,300,Nein\n"
    "Carla Conrad,carla.conrad@example.org,16.03.2027 10:05,16.03.2027 15:00,295,Ja\n"
    "Dirk Dahl,dirk.dahl@example.org,16.03.2027 10:05,16.03.2027 15:00,295,Ja\n"
    "Telefon 1,,16.03.2027 10:05,16.03.2027 15:00,295,Ja\n"
    "Gast,fremd@example.org,16.03.2027 10:05,16.03.2027 15:00,295,Ja\n"
)


def _statuses(app, meeting) -> dict[str, str]:
    with app.app_context():
        return {
            key: db.session.get_one(Registration, reg.id).status.value
            for key, reg in meeting.regs.items()
        }


def _upload(client, meeting, data: bytes, name: str = "teilnehmer.csv"):
    return client.post(
        f"/events/{meeting.event.id}/attendance",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("E-Mail", True),
        ("User Email", True),
        ("Benutzer-E-Mail", True),
        ("E-Mail-Adresse", True),
        ("Courriel", True),
        ("Name", False),
        ("Dauer (Minuten)", False),
    ],
)
def test_email_headers_are_recognised(header, expected):
    assert attendance.is_email_header(header) is expected


def test_a_zoom_report_is_previewed_then_applied_and_undone(app, client, login_as, meeting):
    login_as("staff")
    before = _statuses(app, meeting)
    response = _upload(client, meeting, ZOOM.encode("cp1252"), "zoom.csv")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/attendance/preview")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _statuses(app, meeting) == before  # the preview changes nothing
    to_mark = preview.split('id="to-mark-h"')[1].split("</section>")[0]
    assert "ben.baker@example.org" in to_mark and "carla.conrad@example.org" in to_mark
    assert "anna.arndt" not in to_mark
    assert "anna.arndt@example.org" in preview.split('id="already-h"')[1].split("</section>")[0]
    assert "dirk.dahl@example.org" in preview.split('id="not-seated-h"')[1]
    assert "fremd@example.org" in preview.split('id="unmatched-h"')[1]
    assert "Benutzer-E-Mail" in preview
    with app.app_context():
        dashboard_before = dict(event_participation())
    response = client.post(f"/events/{meeting.event.id}/attendance/preview")
    assert response.status_code == 302
    after = _statuses(app, meeting)
    assert after == before | {"b": "attended", "c": "attended"}
    with app.app_context():
        label = next(iter(dashboard_before))
        assert dict(event_participation())[label][1] == dashboard_before[label][1] + 2
        batch = db.session.scalars(select(AttendanceImport)).one()
        assert batch.filename == "zoom.csv" and len(batch.changes) == 2
        batch_id = batch.id
        assert db.session.get_one(Registration, meeting.regs["b"].id).checked_in_at is not None
    # the upload is used up: a second POST applies nothing
    again = client.post(f"/events/{meeting.event.id}/attendance/preview")
    assert again.status_code == 302 and again.headers["Location"].endswith("/attendance")
    undo = f"/events/{meeting.event.id}/attendance/{batch_id}/undo"
    page = client.get(undo).get_data(as_text=True)
    assert "wirklich rückgängig machen?" in page
    assert _statuses(app, meeting) == after
    assert client.post(undo).status_code == 302
    assert _statuses(app, meeting) == before
    with app.app_context():
        assert db.session.get_one(Registration, meeting.regs["b"].id).checked_in_at is None
        assert db.session.get_one(Registration, meeting.regs["a"].id).checked_in_at is not None
    assert client.get(undo).status_code == 404  # done once


def test_undo_keeps_a_later_manual_check_in(app, client, login_as, meeting):
    login_as("staff")
    _upload(client, meeting, b"Name;E-Mail\nBen;ben.baker@example.org\n")
    client.post(f"/events/{meeting.event.id}/attendance/preview")
    with app.app_context():
        batch_id = db.session.scalars(select(AttendanceImport.id)).one()
        reg = db.session.get_one(Registration, meeting.regs["b"].id)
        reg.status = RegistrationStatus.NO_SHOW  # staff changed it since
        reg.checked_in_at = None
        db.session.commit()
    client.post(f"/events/{meeting.event.id}/attendance/{batch_id}/undo")
    assert _statuses(app, meeting)["b"] == "no_show"


def test_an_xlsx_report_without_an_email_header(app, client, login_as, meeting):
    login_as("staff")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Teilnehmer", "Kontakt", "Minuten"])
    sheet.append(["Ben Baker", "Ben.Baker@example.org", 120])
    sheet.append(["Carla Conrad", "carla.conrad@example.org", 90])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(client, meeting, buffer.getvalue(), "bbb.xlsx")
    assert response.status_code == 302
    client.post(f"/events/{meeting.event.id}/attendance/preview")
    assert _statuses(app, meeting)["b"] == "attended"
    assert _statuses(app, meeting)["c"] == "attended"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "leer.csv", "leer"),
        (b"Name;Minuten\nBen;12\nCarla;30\n", "ohne.csv", "keine Spalte mit E-Mail"),
        (b"E-Mail;Name\n;Ben\n", "ohne-adressen.csv", "keine E-Mail-Adressen"),
        (b"PK\x03\x04kaputt", "kaputt.xlsx", "Excel"),
        (b"\x00\x01\x02binary", "bild.csv", "keine Textdatei"),
    ],
)
def test_bad_reports_say_why_and_change_nothing(
    app, client, login_as, meeting, data, name, message
):
    login_as("staff")
    before = _statuses(app, meeting)
    response = _upload(client, meeting, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get(f"/events/{meeting.event.id}/attendance/preview").status_code == 302
    assert _statuses(app, meeting) == before
    with app.app_context():
        assert db.session.scalars(select(AttendanceImport)).first() is None


def test_no_file_and_no_upload(app, client, login_as, meeting):
    login_as("staff")
    response = client.post(f"/events/{meeting.event.id}/attendance", data={})
    assert response.status_code == 200
    assert "Bitte eine Datei wählen." in response.get_data(as_text=True)
    response = client.post(f"/events/{meeting.event.id}/attendance/preview")
    assert response.status_code == 302
    assert client.get(f"/events/{meeting.event.id}/attendance/999/undo").status_code == 404


def test_another_events_upload_is_not_used(app, client, make, login_as, meeting):
    login_as("staff")
    other = make.event(title="Anderes Treffen")
    _upload(client, meeting, b"E-Mail\nben.baker@example.org\n")
    response = client.post(f"/events/{other.id}/attendance/preview")
    assert response.status_code == 302
    assert _statuses(app, meeting)["b"] == "registered"


def test_reports_left_behind_are_removed_after_a_day(app):
    with app.app_context():
        old = attendance.folder() / ("a" * 32 + ".csv")
        old.write_text("E-Mail\n")
        os.utime(old, (time.time() - 2 * 24 * 3600,) * 2)
        fresh = attendance.save_upload(io.BytesIO(b"E-Mail\n"), "neu.csv")
        assert not old.exists()
        assert attendance.upload_path(fresh) is not None
        attendance.remove_upload(fresh)
