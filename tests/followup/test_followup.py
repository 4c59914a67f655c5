"""Follow-up (#18): materials, the follow-up mail (once, in each participant's language),
the feedback form behind the personal link, the results with their downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Feedback
from crm.models import FollowupMail
from crm.models import Material
from crm.models import OutboxMail
from tests.events.helpers import mails
from tests.helpers import assert_turned_away

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    return buffer.getvalue()


def _count(app, model) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _staff_paths(m, item: int) -> list[tuple[str, bool]]:
    """(path, answers POST too) of every staff route of the follow-up."""
    e = m.event.id
    return [
        (f"/events/{e}/nachbereitung", False),
        (f"/events/{e}/nachbereitung/materials/new", True),
        (f"/events/{e}/nachbereitung/materials/{item}/remove", True),
        (f"/events/{e}/nachbereitung/materials/{item}/file", False),
        (f"/events/{e}/nachbereitung/send", True),
        (f"/events/{e}/feedback.csv", False),
        (f"/events/{e}/feedback.xlsx", False),
        (f"/events/{e}/attendance", True),
        (f"/events/{e}/attendance/preview", True),
        (f"/events/{e}/attendance/1/undo", True),
    ]


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_staff_pages_turn_away_others(app, client, make, login_as, meeting, who):
    if who == "editor":
        login_as("editor", initiative=make.initiative())
    item = _add_link(app, meeting)
    for path, posts in _staff_paths(meeting, item):
        assert_turned_away(client.get(path), who)
        if posts:
            assert_turned_away(client.post(path, data={}), who)
    assert_turned_away(
        client.post(f"/events/{meeting.event.id}/nachbereitung/materials/{item}/restore"), who
    )
    assert _count(app, FollowupMail) == 0
    assert _count(app, OutboxMail) == 0


def _add_link(app, meeting, workshop=None, title="Folien Plenum") -> int:
    with app.app_context():
        item = Material(
            event_id=meeting.event.id,
            workshop_id=workshop,
            title=title,
            url="https://example.org/folien.pdf",
        )
        db.session.add(item)
        db.session.commit()
        return item.id


def _upload(client, meeting, data: bytes, name: str, **fields):
    form = {"title": "Präsentation", "workshop": "", "url": "", **fields}
    form["file"] = (io.BytesIO(data), name)
    return client.post(
        f"/events/{meeting.event.id}/nachbereitung/materials/new",
        data=form,
        content_type="multipart/form-data",
    )


def test_staff_add_a_link_and_files(app, client, login_as, meeting):
    login_as("staff")
    response = client.post(
        f"/events/{meeting.event.id}/nachbereitung/materials/new",
        data={"title": "Programm", "workshop": "", "url": "https://example.org/programm"},
    )
    assert response.status_code == 302
    assert _upload(client, meeting, PDF, "../../etc/Ergebnis Workshop.pdf").status_code == 302
    ws = str(meeting.workshops[0].id)
    assert _upload(client, meeting, _pptx(), "Folien.PPTX", workshop=ws).status_code == 302
    with app.app_context():
        items = list(db.session.scalars(select(Material).order_by(Material.id)))
        assert [i.title for i in items] == ["Programm", "Präsentation", "Präsentation"]
        assert items[1].filename == "Ergebnis Workshop.pdf"
        assert items[1].mimetype == "application/pdf"
        assert items[2].filename == "Folien.pptx"
        assert items[2].workshop_id == meeting.workshops[0].id
        pdf_id = items[1].id
    page = client.get(f"/events/{meeting.event.id}/nachbereitung").get_data(as_text=True)
    assert "Ergebnis Workshop.pdf" in page
    download = client.get(f"/events/{meeting.event.id}/nachbereitung/materials/{pdf_id}/file")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 not a document", "virus.pdf", "PDF-, PowerPoint-"),
        (b"<script>alert(1)</script>", "bild.png", "PDF-, PowerPoint-"),
        (b"PK\x03\x04 broken zip", "folien.pptx", "PDF-, PowerPoint-"),
        (b"", "leer.pdf", "leer"),
        (b"%PDF-" + b"x" * (4 * 1024 * 1024), "gross.pdf", "höchstens"),
    ],
)
def test_bad_uploads_are_refused(app, client, login_as, meeting, data, name, message):
    login_as("staff")
    response = _upload(client, meeting, data, name)
    if response.status_code == 413:  # over the request limit: the error page, nothing stored
        assert _count(app, Material) == 0
        return
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(app, Material) == 0


def test_a_material_needs_a_link_or_a_file_not_both(app, client, login_as, meeting):
    login_as("staff")
    base = f"/events/{meeting.event.id}/nachbereitung/materials/new"
    for data in ({"title": "X", "workshop": "", "url": ""}, {"title": "X", "url": "javascript:x"}):
        response = client.post(base, data=data)
        assert response.status_code == 200
    response = _upload(client, meeting, PDF, "a.pdf", url="https://example.org/a")
    assert "Link oder eine Datei" in response.get_data(as_text=True)
    response = client.post(base, data={"title": "X", "workshop": "999", "url": "https://e.org"})
    assert "aus der Liste" in response.get_data(as_text=True)
    assert _count(app, Material) == 0


def test_remove_asks_first_and_restore_gives_it_back(app, client, login_as, meeting):
    login_as("staff")
    item = _add_link(app, meeting)
    path = f"/events/{meeting.event.id}/nachbereitung/materials/{item}/remove"
    page = client.get(path).get_data(as_text=True)
    assert "wirklich entfernen?" in page
    with app.app_context():
        assert db.session.get_one(Material, item).removed_at is None
    assert client.post(path).status_code == 302
    personal = f"/anmeldung/{meeting.tokens['a']}/nachbereitung"
    assert "Folien Plenum" not in client.get(personal).get_data(as_text=True)
    restore = f"/events/{meeting.event.id}/nachbereitung/materials/{item}/restore"
    assert client.post(restore).status_code == 302
    assert "Folien Plenum" in client.get(personal).get_data(as_text=True)


def test_participants_get_only_their_materials(app, client, login_as, meeting):
    login_as("staff")
    _upload(client, meeting, PDF, "alle.pdf", title="Für alle")
    _upload(client, meeting, PDF, "a.pdf", title="Nur A", workshop=str(meeting.workshops[0].id))
    _upload(client, meeting, PDF, "b.pdf", title="Nur B", workshop=str(meeting.workshops[1].id))
    client.get("/logout")
    client.post("/logout")
    with app.app_context():
        ids = {m.title: m.id for m in db.session.scalars(select(Material))}
    a = meeting.tokens["a"]
    page = client.get(f"/anmeldung/{a}/nachbereitung").get_data(as_text=True)
    assert "Für alle" in page and "Nur A" in page and "Nur B" not in page
    assert client.get(f"/anmeldung/{a}/unterlagen/{ids['Nur A']}").data == PDF
    assert client.get(f"/anmeldung/{a}/unterlagen/{ids['Nur B']}").status_code == 404
    b = meeting.tokens["b"]
    assert client.get(f"/anmeldung/{b}/unterlagen/{ids['Nur A']}").status_code == 404
    assert client.get(f"/anmeldung/{b}/unterlagen/{ids['Nur B']}").status_code == 200
    for key in ("d", "e"):  # cancelled, waitlisted: nothing
        token = meeting.tokens[key]
        assert client.get(f"/anmeldung/{token}/unterlagen/{ids['Für alle']}").status_code == 404
        assert client.get(f"/anmeldung/{token}/nachbereitung").status_code == 302
    assert client.get(f"/anmeldung/falsch/unterlagen/{ids['Für alle']}").status_code == 404
    assert client.get("/anmeldung/falsch/nachbereitung").status_code == 404


def test_before_the_event_there_is_no_follow_up_page(app, client, make):
    event = make.event(starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    make.registration(event, make.person(), token="vorher")
    response = client.get("/anmeldung/vorher/nachbereitung")
    assert response.status_code == 302
    assert response.headers["Location"] == "/anmeldung/vorher"


# -- the follow-up mail


def _send(client, meeting, include_absent=False, closes="2099-01-31"):
    data = {"closes_on": closes}
    if include_absent:
        data["include_absent"] = "y"
    return client.post(f"/events/{meeting.event.id}/nachbereitung/send", data=data)


def test_send_asks_first_then_mails_the_attended_once(app, client, login_as, meeting):
    login_as("staff")
    _add_link(app, meeting, title="Folien Plenum")
    _add_link(app, meeting, workshop=meeting.workshops[1].id, title="Ergebnisse Wasserstoff")
    page = client.get(f"/events/{meeting.event.id}/nachbereitung/send")
    assert "wirklich senden?" in page.get_data(as_text=True)
    assert _count(app, OutboxMail) == 0
    assert _send(client, meeting).status_code == 302
    sent = mails(app)
    assert [m.to_address for m in sent] == ["anna.arndt@example.org"]
    body = sent[0].body
    assert sent[0].subject == "Nach der Veranstaltung: Netzwerktreffen Industrie"
    assert "Guten Tag Anna Arndt," in body
    assert "Folien Plenum: https://example.org/folien.pdf" in body
    assert "Ergebnisse Wasserstoff" not in body  # another workshop's
    assert "31.01.2099" in body
    assert "/nachbereitung" in body
    assert _send(client, meeting).status_code == 302  # again: nobody twice
    assert len(mails(app)) == 1
    assert _send(client, meeting, include_absent=True).status_code == 302
    addresses = sorted(m.to_address for m in mails(app))
    assert addresses == [
        "anna.arndt@example.org",
        "ben.baker@example.org",
        "carla.conrad@example.org",
    ]
    assert _send(client, meeting, include_absent=True).status_code == 302
    assert len(mails(app)) == 3  # cancelled and waitlisted never


def test_the_mail_is_in_the_participants_language(app, client, login_as, meeting):
    login_as("staff")
    _add_link(app, meeting, workshop=meeting.workshops[1].id, title="Ergebnisse Wasserstoff")
    _send(client, meeting, include_absent=True, closes="2099-01-31")
    german = mails(app, "anna.arndt@example.org")[0].body
    english = mails(app, "ben.baker@example.org")[0].body
    assert "Mit freundlichen Grüßen" in german and "Guten Tag" in german
    assert "Kind regards" in english and "Dear Ben Baker," in english
    assert "Ergebnisse Wasserstoff" in english
    assert "31.01.2099" not in english  # the English date format


def test_the_mailed_link_opens_the_feedback_page(app, client, login_as, meeting):
    login_as("staff")
    _send(client, meeting)
    client.post("/logout")
    body = mails(app, "anna.arndt@example.org")[0].body
    link = next(line for line in body.splitlines() if "/nachbereitung" in line)
    path = link[link.index("/anmeldung/") :]
    page = client.get(path)
    assert page.status_code == 200
    assert "Ihre Rückmeldung" in page.get_data(as_text=True)
    # the earlier link is replaced (only hashes are stored)
    assert client.get(f"/anmeldung/{meeting.tokens['a']}/nachbereitung").status_code == 404


def test_bad_send_input_changes_nothing(app, client, login_as, meeting):
    login_as("staff")
    response = _send(client, meeting, closes="31.02.kein Datum")
    assert response.status_code == 200
    assert _count(app, OutboxMail) == 0


# -- feedback


def _feedback(client, token, **data):
    return client.post(f"/anmeldung/{token}/nachbereitung", data=data)


def _answers(app) -> list[tuple]:
    with app.app_context():
        return [
            (f.registration_id, f.overall, f.workshop_rating, f.comment, f.workshop_id)
            for f in db.session.scalars(select(Feedback).order_by(Feedback.id))
        ]


def test_a_participant_answers_and_edits_their_feedback(app, client, meeting):
    token = meeting.tokens["a"]
    page = client.get(f"/anmeldung/{token}/nachbereitung").get_data(as_text=True)
    assert "Fachkräfte" in page and "Rückmeldung senden" in page
    response = _feedback(client, token, overall="4", workshop_rating="5", comment="Gut!")
    assert response.status_code == 302
    ws = meeting.workshops[0].id
    assert _answers(app) == [(meeting.regs["a"].id, 4, 5, "Gut!", ws)]
    page = client.get(f"/anmeldung/{token}/nachbereitung").get_data(as_text=True)
    assert "Rückmeldung ändern" in page
    assert re.search(r'<input checked[^>]*name="overall"[^>]*value="4"', page)
    with app.app_context():
        before = db.session.scalar(select(Feedback.updated_at))
    response = _feedback(client, token, overall="4", workshop_rating="5", comment="Gut!")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Feedback.updated_at)) == before  # unchanged: no write
    _feedback(client, token, overall="2", workshop_rating="3", comment="")
    assert _answers(app) == [(meeting.regs["a"].id, 2, 3, None, ws)]


@pytest.mark.parametrize(
    "data",
    [
        {"overall": "6"},
        {"overall": "0", "workshop_rating": "1"},
        {"overall": "", "comment": "ohne Bewertung"},
        {"overall": "3", "workshop_rating": "drei"},
        {"overall": "3", "comment": "x" * 2001},
    ],
)
def test_bad_feedback_changes_nothing(app, client, meeting, data):
    response = _feedback(client, meeting.tokens["a"], **data)
    assert response.status_code == 200
    assert _answers(app) == []


def test_feedback_closes_on_its_date(app, client, login_as, meeting):
    login_as("staff")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    _send(client, meeting, closes=yesterday)
    client.post("/logout")
    token = next(
        line[line.index("/anmeldung/") :]
        for line in mails(app, "anna.arndt@example.org")[0].body.splitlines()
        if "/nachbereitung" in line
    )
    page = client.get(token).get_data(as_text=True)
    assert "nicht mehr möglich" in page
    assert client.post(token, data={"overall": "5"}).status_code == 302
    assert _answers(app) == []


def test_a_token_sees_only_its_own_answer(app, client, meeting):
    _feedback(client, meeting.tokens["a"], overall="5", workshop_rating="4", comment="Geheim A")
    page = client.get(f"/anmeldung/{meeting.tokens['c']}/nachbereitung").get_data(as_text=True)
    assert "Geheim A" not in page
    _feedback(client, meeting.tokens["c"], overall="1", comment="Von C")
    assert len(_answers(app)) == 2


# -- results


def test_results_table_chart_and_downloads(app, client, login_as, meeting):
    _feedback(client, meeting.tokens["a"], overall="5", workshop_rating="4", comment="Sehr gut")
    _feedback(client, meeting.tokens["b"], overall="3", workshop_rating="2", comment="=SUMME(A1)")
    _feedback(client, meeting.tokens["c"], overall="4")
    login_as("staff")
    page = client.get(f"/events/{meeting.event.id}/nachbereitung").get_data(as_text=True)
    assert 'class="bar-chart"' in page and "<title" in page
    assert "Veranstaltung insgesamt" in page
    assert "4,0" in page  # overall mean of 5, 3, 4
    assert "Sehr gut" in page and "=SUMME(A1)" in page
    assert "Anna" not in page.split('id="results"')[1]  # anonymous
    response = client.get(f"/events/{meeting.event.id}/feedback.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Workshop", "Bewertung gesamt", "Bewertung Workshop", "Anmerkungen"]
    assert rows[1][:4] == ["Fachkräfte", "5", "4", "Sehr gut"]
    assert rows[2][3] == "'=SUMME(A1)"  # no formula in Excel
    xlsx = client.get(f"/events/{meeting.event.id}/feedback.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert sheet.cell(2, 1).value == "Fachkräfte"
    assert sheet.cell(4, 3).value is None  # C has no workshop rating


def test_personal_page_links_the_follow_up(app, client, meeting):
    page = client.get(f"/anmeldung/{meeting.tokens['a']}").get_data(as_text=True)
    assert "Unterlagen und Rückmeldung" in page
    page = client.get(f"/anmeldung/{meeting.tokens['d']}").get_data(as_text=True)
    assert "Unterlagen und Rückmeldung" not in page
