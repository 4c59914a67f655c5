"""The import wizard over HTTP: upload → reading → mapping → preview → import → undo;
only staff; a big file runs as a background job with a progress page."""

from __future__ import annotations

import io
import re

from sqlalchemy import func
from sqlalchemy import select

from crm import jobs
from crm.extensions import db
from crm.models import ImportBatch
from crm.models import ImportMapping
from crm.models import Organisation
from tests.conftest import TEST_PASSWORD

CSV = (
    "Firma;PLZ;Ort;Webseite\r\n"
    "Müller-Lüdenscheidt GmbH;50667;Köln;mueller.example\r\n"
    "Stahlwerk Nord AG;47051;Duisburg;\r\n"
    ";50667;;\r\n"
).encode("cp1252")


def _orgs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Organisation)) or 0


def _upload(client, data=CSV, name="firmen.csv", kind="organisations"):
    return client.post(
        "/imports/",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _token(response) -> str:
    match = re.search(r"/imports/([0-9a-f]{32})/file", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def test_the_whole_wizard_and_undo(app, client, login_as):
    login_as("staff")
    response = _upload(client)
    assert response.status_code == 302
    token = _token(response)
    page = client.get(f"/imports/{token}/file").get_data(as_text=True)
    assert "cp1252" in page and "Müller-Lüdenscheidt GmbH" in page
    response = client.post(
        f"/imports/{token}/file", data={"encoding": "cp1252", "delimiter": ";", "header_row": "1"}
    )
    assert response.headers["Location"].endswith(f"/imports/{token}/mapping")
    page = client.get(f"/imports/{token}/mapping").get_data(as_text=True)
    assert 'value="name" selected' in page and 'value="plz" selected' in page
    response = client.post(
        f"/imports/{token}/mapping",
        data={
            "col-0": "name",
            "col-1": "plz",
            "col-2": "place",
            "col-3": "website",
            "mode": "both",
            "save_as": "Firmenliste",
        },
    )
    assert response.headers["Location"].endswith(f"/imports/{token}/preview")
    page = client.get(f"/imports/{token}/preview").get_data(as_text=True)
    assert 'data-count="new">2<' in page and 'data-count="error">1<' in page
    assert "Der Name fehlt." in page
    assert _orgs(app) == 0  # the preview wrote nothing
    response = client.post(f"/imports/{token}/confirm")
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    assert _orgs(app) == 2
    page = client.get(batch_url).get_data(as_text=True)
    assert "Import rückgängig machen" in page and "Zeile 4" in page
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.created, batch.errors) == (2, 1)
        assert db.session.scalar(select(ImportMapping.name)) == "Firmenliste"
    assert client.get(f"/imports/{token}/file").status_code == 404  # the upload is gone
    assert "Ja, Import rückgängig machen" in client.get(batch_url + "/undo").get_data(as_text=True)
    client.post(batch_url + "/undo")
    assert _orgs(app) == 0
    assert "rückgängig gemacht" in client.get(batch_url).get_data(as_text=True)


def test_bad_input_gets_a_message_and_changes_nothing(app, client, login_as):
    login_as("staff")
    response = _upload(client, data=b"PK\x03\x04kaputt", name="liste.xlsx")
    assert response.status_code == 400
    assert "Excel-Datei" in response.get_data(as_text=True)
    response = client.post("/imports/", data={"kind": "organisations"})
    assert response.status_code == 400
    token = _token(_upload(client))
    response = client.post(
        f"/imports/{token}/mapping", data={"col-0": "", "col-1": "plz", "mode": "both"}
    )
    assert response.status_code == 400 and "Pflichtfelder" in response.get_data(as_text=True)
    response = client.post(f"/imports/{token}/file", data={"header_row": "0"})
    assert response.status_code == 400
    assert client.get(f"/imports/{token}/preview").status_code == 404  # not mapped yet
    assert _orgs(app) == 0


def test_only_staff_and_only_the_uploader(app, client, login_as, make):
    login_as("staff")
    token = _token(_upload(client))
    colleague = app.test_client()
    user = make.user(role="staff", email="kollegin@example.org", password=TEST_PASSWORD)
    colleague.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert colleague.get("/imports/").status_code == 200
    assert colleague.get(f"/imports/{token}/file").status_code == 404
    editor_client = app.test_client()
    ini = make.initiative(name="A")
    editor = make.user(role="editor", initiative_id=ini.id, password=TEST_PASSWORD)
    editor_client.post("/login", data={"email": editor.email, "password": TEST_PASSWORD})
    assert editor_client.get("/imports/").status_code == 403
    assert _upload(editor_client).status_code == 403
    assert editor_client.get(f"/imports/{token}/file").status_code == 403
    assert _orgs(app) == 0


def test_a_big_file_is_previewed_and_imported_as_jobs_with_progress(app, client, login_as):
    user = login_as("staff")
    token = _token(_upload(client))
    jobs.init_app(app)
    app.config["IMPORT_JOB_ROWS"] = 1
    try:
        client.post(
            f"/imports/{token}/mapping", data={"col-0": "name", "col-1": "plz", "mode": "both"}
        )
        page = client.get(f"/imports/{token}/preview").get_data(as_text=True)
        assert '<meta http-equiv="refresh"' in page and "<progress" in page
        assert "0 von 3 Zeilen" in page
        with app.app_context():
            jobs.huey.execute(jobs.REGISTRY["preview_file"].s(token, user.id))
        page = client.get(f"/imports/{token}/preview").get_data(as_text=True)
        assert '<meta http-equiv="refresh"' not in page
        assert 'data-count="new">2<' in page and "Der Name fehlt." in page
        assert _orgs(app) == 0
        response = client.post(f"/imports/{token}/confirm")
    finally:
        app.config.pop("IMPORT_JOB_ROWS")
    batch_url = response.headers["Location"]
    page = client.get(batch_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page and "<progress" in page
    assert _orgs(app) == 0
    with app.app_context():
        batch_id = db.session.scalar(select(ImportBatch.id))
        db.session.commit()
        jobs.huey.execute(jobs.REGISTRY["import_file"].s(batch_id, token))
    page = client.get(batch_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in page and 'data-count="new">2<' in page
    assert _orgs(app) == 2
