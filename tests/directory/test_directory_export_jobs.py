"""Large directory exports run as a job: the offer page, the progress page (JSON status
for the script, a refresh without it), the download equal to the direct one, only for
the account that started it, and files removed after a day. Small ones stay direct."""

from __future__ import annotations

import io
import os
import re
import time

import pytest
from openpyxl import load_workbook

from crm import jobs
from crm.directory import export_jobs
from crm.jobs import files
from tests.conftest import TEST_PASSWORD
from tests.helpers import csv_rows

TOKEN_URL = re.compile(r"/exports/([0-9a-f]{32})$")


@pytest.fixture
def big_lists(app, login_as, make, monkeypatch):
    """A staff member and six organisations (five in Köln); lists above 3 rows are big."""
    user = login_as("staff")
    for i in range(5):
        make.organisation(name=f"Kölner Werk {i}", plz="50667", place="Köln")
    make.organisation(name="Hamburger Werft", plz="20095", place="Hamburg")
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 3)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    jobs.init_app(app)
    return user


def _start(client, path: str) -> str:
    """Open the export link of a big list, take the offer: the token of the export."""
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'action="/exports/"' in html and "Datei erstellen" in html
    fields = dict(re.findall(r'name="(kind|fmt|args)" value="([^"]*)"', html))
    response = client.post(
        "/exports/", data={k: v.replace("&amp;", "&") for k, v in fields.items()}
    )
    assert response.status_code == 302
    match = TOKEN_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _run_job(app, token: str) -> None:
    with app.app_context():
        jobs.huey.execute(jobs.REGISTRY["export_list"].s(token))


def test_small_lists_stay_direct_downloads(app, client, big_lists):
    app.config["EXPORT_JOB_ROWS"] = 10
    response = client.get("/organisations/export.csv?q=Kölner")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    html = client.get("/organisations/").get_data(as_text=True)
    assert re.search(r'export\.csv"[^>]* download>', html)


def test_a_big_export_runs_as_a_job_with_progress_then_downloads(app, client, big_lists):
    list_page = client.get("/organisations/?q=Kölner").get_data(as_text=True)
    assert re.search(r'export\.csv\?q=[^"]*">', list_page)  # no download attribute: a page
    token = _start(client, "/organisations/export.csv?q=K%C3%B6lner&sort=name")
    status = client.get(f"/exports/{token}").get_data(as_text=True)
    assert "<progress" in status and "js/export-progress.js" in status
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in status
    assert 'href="/organisations/?q=K%C3%B6lner&amp;sort=name">Zurück zur Liste' in status
    progress = client.get(f"/exports/{token}/progress").get_json()
    assert progress == {
        "status": "queued",
        "done": 0,
        "total": 5,
        "text": "0 von 5 Zeilen",
        "download": None,
    }
    assert client.get(f"/exports/{token}/download").status_code == 302  # not ready yet
    _run_job(app, token)
    progress = client.get(f"/exports/{token}/progress").get_json()
    assert progress["status"] == "done" and progress["done"] == 5
    assert progress["download"] == f"/exports/{token}/download"
    done = client.get(f"/exports/{token}").get_data(as_text=True)
    assert "<progress" not in done and "refresh" not in done
    assert f'href="/exports/{token}/download"' in done
    download = client.get(f"/exports/{token}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "organisationen.csv" in download.headers["Content-Disposition"]
    app.config["EXPORT_JOB_ROWS"] = 100  # the same list, directly: the same file
    direct_rows = csv_rows(client.get("/organisations/export.csv?q=K%C3%B6lner&sort=name").data)
    assert csv_rows(download.get_data()) == direct_rows
    assert [row[1] for row in direct_rows[1:]] == [f"Kölner Werk {i}" for i in range(5)]


def test_a_big_xlsx_export(app, client, big_lists):
    token = _start(client, "/organisations/export.xlsx")
    _run_job(app, token)
    download = client.get(f"/exports/{token}/download")
    assert download.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(download.get_data())).active
    assert sheet.max_row == 7 and sheet["B1"].value == "Name"


def test_only_the_account_that_started_it_sees_the_export(app, client, big_lists, make):
    token = _start(client, "/organisations/export.csv")
    _run_job(app, token)
    colleague = app.test_client()
    other = make.user(role="staff", email="kollegin@example.org", password=TEST_PASSWORD)
    colleague.post("/login", data={"email": other.email, "password": TEST_PASSWORD})
    for path in ("", "/progress", "/download"):
        assert colleague.get(f"/exports/{token}{path}").status_code == 404
        assert client.get(f"/exports/{token}{path}").status_code == 200
    editor = app.test_client()
    ini = make.initiative(name="A")
    user = make.user(role="editor", initiative_id=ini.id, password=TEST_PASSWORD)
    editor.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert editor.get(f"/exports/{token}").status_code == 403
    assert editor.post("/exports/", data={"kind": "persons", "fmt": "csv"}).status_code == 403


def test_unknown_kind_or_format_is_refused(client, big_lists):
    assert client.post("/exports/", data={"kind": "accounts", "fmt": "csv"}).status_code == 400
    assert client.post("/exports/", data={"kind": "persons", "fmt": "pdf"}).status_code == 400
    assert client.get("/exports/" + "0" * 32).status_code == 404


def test_an_interrupted_export_shows_as_failed(app, client, big_lists):
    token = _start(client, "/organisations/export.csv")
    with app.test_request_context():
        files.update(token, status=files.RUNNING)
        state = files.load(token)
        assert state is not None and state["status"] == files.RUNNING
        path = files.folder() / token / "state.json"
        content = path.read_text().replace(state["updated_at"], "2000-01-01T00:00:00+00:00")
        path.write_text(content)
    page = client.get(f"/exports/{token}").get_data(as_text=True)
    assert "Die Datei konnte nicht erstellt werden." in page and "<progress" not in page


def test_prepared_files_are_removed_after_a_day(app, client, big_lists):
    old = _start(client, "/organisations/export.csv")
    new = _start(client, "/organisations/export.xlsx")
    with app.app_context():
        day_ago = time.time() - files.MAX_AGE_SECONDS - 60
        os.utime(files.folder() / old, (day_ago, day_ago))
        result = jobs.REGISTRY["prune_job_runs"].call_local()
        assert result.endswith("1 Dateien entfernt")
        assert files.load(old) is None and files.load(new) is not None
    assert client.get(f"/exports/{old}").status_code == 404
