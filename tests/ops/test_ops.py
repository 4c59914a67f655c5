"""Health probes, Prometheus metrics, request logs and the admin's "Betrieb" page."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from crm import permissions
from crm.db.backup import create_backup
from crm.db.engine import writing
from crm.extensions import db
from crm.extensions import limiter
from crm.mail.services import queue_mail
from crm.ops import health
from crm.ops.requestlog import LOGGER_NAME
from tests.conftest import TEST_PASSWORD


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]


def test_livez_answers_without_login_and_touches_nothing(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    (line,) = [line for line in _request_lines(caplog) if "/livez" in line]
    assert " 0 SQL " in line  # not one statement


def test_readyz_reports_each_check_without_personal_data(client, make):
    make.person(first_name="Erika", last_name="Musterfrau", email="erika@example.org")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "migrations", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    text = response.get_data(as_text=True)
    assert "@" not in text and "Musterfrau" not in text


def test_readyz_is_503_when_a_check_fails(make_app):
    low_disk = make_app(READY_MIN_FREE_BYTES=10**18)
    response = low_disk.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["disk"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_runs_checks_registered_by_other_parts(client):
    def queue_down() -> tuple[bool, str]:
        raise ConnectionError("redis://geheim@host")

    health.register_check("queue", queue_down)
    try:
        response = client.get("/readyz")
    finally:
        health.CHECKS.pop("queue")
    assert response.status_code == 503
    assert response.get_json()["checks"]["queue"] == {"ok": False, "detail": "ConnectionError"}
    assert "geheim" not in response.get_data(as_text=True)


def test_readyz_is_503_when_migrations_are_behind(client, app):
    with app.app_context():
        current = db.session.scalar(db.text("SELECT version_num FROM alembic_version"))
        db.session.execute(db.text("UPDATE alembic_version SET version_num = '0005'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        with app.app_context():  # back to the revision the session's database is at
            db.session.execute(
                db.text("UPDATE alembic_version SET version_num = :v"), {"v": current}
            )
            db.session.commit()
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"]["ok"] is False


def test_probes_are_not_rate_limited(make_app):
    # RATELIMIT_DEFAULT becomes the default of the one shared limiter: undone afterwards
    limited = make_app(RATELIMIT_DEFAULT="2 per minute")
    try:
        client = limited.test_client()
        assert [client.get("/livez").status_code for _ in range(5)] == [200] * 5
        assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
        # the default limit is real: another public page is throttled after two requests
        assert [client.get("/login").status_code for _ in range(3)][-1] == 429
    finally:
        limiter.limit_manager.set_default_limits([])
        with limited.app_context():
            limiter.reset()


def test_metrics_are_404_unless_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


def test_metrics_need_the_token_or_an_allowed_address(make_app):
    app = make_app(METRICS_TOKEN="s3cret-token-for-tests")
    client = app.test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer falsch"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-tests"})
    assert ok.status_code == 200
    assert ok.content_type.startswith("text/plain")

    by_address = make_app(METRICS_ALLOWED_IPS=("127.0.0.0/8",)).test_client()
    assert by_address.get("/metrics").status_code == 200
    elsewhere = make_app(METRICS_ALLOWED_IPS=("10.0.0.0/8",)).test_client()
    assert elsewhere.get("/metrics").status_code == 403
    from_environment = make_app(METRICS_ALLOWED_IPS="10.0.0.1, 127.0.0.1").test_client()
    assert from_environment.get("/metrics").status_code == 200


def test_can_scrape_metrics():
    assert permissions.can_scrape_metrics("1.2.3.4", None, (), None) is None
    assert permissions.can_scrape_metrics("1.2.3.4", None, ("1.2.3.0/24",), None) is True
    assert permissions.can_scrape_metrics("1.2.4.4", None, ("1.2.3.0/24",), None) is False
    assert permissions.can_scrape_metrics("::1", None, ("::1", "kaputt"), None) is True
    assert permissions.can_scrape_metrics(None, "t", (), "t") is True
    assert permissions.can_scrape_metrics("1.2.3.4", "u", (), "t") is False
    assert permissions.can_scrape_metrics("kein-ip", None, ("1.2.3.0/24",), None) is False


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if not match:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(1) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(2))
    return None


def test_metrics_count_routes_by_rule_statements_outbox_and_backup(make_app, make, tmp_path):
    app = make_app(METRICS_TOKEN="tok-123", BACKUP_FOLDER=str(tmp_path / "b"))
    person = make.person(last_name="Geheimname", email="geheim@example.org")
    make.user(role="staff", email="metrik@example.org", password=TEST_PASSWORD)
    client = app.test_client()
    client.post("/login", data={"email": "metrik@example.org", "password": TEST_PASSWORD})
    auth = {"Authorization": "Bearer tok-123"}
    before = client.get("/metrics", headers=auth).get_data(as_text=True)
    rule = "/persons/<int:person_id>"
    requests = "industrienetz_http_requests_total"
    count_before = _metric(before, requests, route=rule, status="200") or 0
    assert client.get(f"/persons/{person.id}").status_code == 200
    assert client.get("/gibt-es-nicht/123").status_code == 404
    with app.app_context(), writing():
        queue_mail("empfaenger@example.org", "Betreff", "Text")
        db.session.commit()
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert _metric(text, "industrienetz_http_requests_total", route=rule, status="200") == (
        count_before + 1
    )
    assert _metric(text, "industrienetz_http_requests_total", route="unmatched", status="404")
    assert f"/persons/{person.id}" not in text and "Geheimname" not in text
    assert "geheim@example.org" not in text
    assert _metric(text, "industrienetz_http_request_duration_seconds_count", route=rule)
    statements = _metric(text, "industrienetz_sql_statements_per_request_sum", route=rule)
    assert statements is not None and statements > 0
    assert _metric(text, "industrienetz_outbox_unsent") == 1
    assert _metric(text, "industrienetz_backup_age_seconds") == float("inf")
    with app.app_context():
        create_backup(db.engine)
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    age = _metric(text, "industrienetz_backup_age_seconds")
    assert age is not None and 0 <= age < 120
    assert (_metric(text, "industrienetz_backup_size_bytes") or 0) > 0


def test_a_request_logs_one_json_line_without_personal_data(make_app, make, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    app = make_app(LOG_FORMAT="json")
    user = make.user(role="staff", email="erika.log@example.org", password=TEST_PASSWORD)
    person = make.person(first_name="Lisbeth", last_name="Protokollfrei")
    client = app.test_client()
    client.post("/login", data={"email": "erika.log@example.org", "password": TEST_PASSWORD})
    caplog.clear()
    response = client.get(f"/persons/{person.id}?q=Protokollfrei")
    assert response.status_code == 200
    (line,) = _request_lines(caplog)
    entry = json.loads(line)
    assert entry["method"] == "GET"
    assert entry["route"] == "/persons/<int:person_id>"
    assert entry["status"] == 200
    assert entry["account_id"] == user.id
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["statements"] > 0 and entry["duration_ms"] >= 0
    assert "erika.log@example.org" not in line
    assert "Protokollfrei" not in line and "Lisbeth" not in line

    caplog.clear()
    client.post(
        f"/persons/{person.id}/edit",
        data={"first_name": "Formularwert", "email": "form@example.org"},
    )
    (line,) = _request_lines(caplog)
    assert "Formularwert" not in line and "form@example.org" not in line
    assert json.loads(line)["method"] == "POST"


def test_tests_and_development_log_plain_lines(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    client.get("/livez")
    (line,) = _request_lines(caplog)
    assert line.startswith("GET /livez 200 ")
    assert "request=" in line


def test_admin_page_shows_the_last_backup(make_app, make, tmp_path):
    app = make_app(BACKUP_FOLDER=str(tmp_path / "backups"))
    make.user(role="admin", email="chefin@example.org", password=TEST_PASSWORD)
    client = app.test_client()
    client.post("/login", data={"email": "chefin@example.org", "password": TEST_PASSWORD})
    page = client.get("/admin/betrieb").get_data(as_text=True)
    assert "Es gibt noch keine Sicherung" in page
    with app.app_context():
        result = create_backup(db.engine)
    page = client.get("/admin/betrieb").get_data(as_text=True)
    assert result.path.name in page
    assert "data-backup-warning" not in page
    assert "Bereitschaft" in page


@pytest.mark.parametrize("role", ["staff", "editor"])
def test_only_admins_see_the_operations_page(client, login_as, make, role):
    initiative = make.initiative() if role == "editor" else None
    login_as(role, initiative=initiative)
    assert client.get("/admin/betrieb").status_code == 403


def test_backup_folder_default_is_in_the_instance_folder(app):
    from crm.db.backup import backup_folder

    with app.app_context():
        folder = backup_folder()
    assert folder == Path(app.instance_path) / "backups"


@pytest.mark.parametrize("page", ["/", "/dashboard/"])
def test_admins_are_warned_on_the_start_page_and_dashboard_without_a_fresh_backup(
    make_app, make, tmp_path, page
):
    app = make_app(BACKUP_FOLDER=str(tmp_path / "backups"))
    make.user(role="admin", email="warnung@example.org", password=TEST_PASSWORD)
    make.user(role="staff", email="kollege@example.org", password=TEST_PASSWORD)
    admin = app.test_client()
    admin.post("/login", data={"email": "warnung@example.org", "password": TEST_PASSWORD})
    staff = app.test_client()
    staff.post("/login", data={"email": "kollege@example.org", "password": TEST_PASSWORD})
    html = admin.get(page).get_data(as_text=True)
    assert "data-backup-warning" in html and "noch keine Sicherung" in html
    assert "data-backup-warning" not in staff.get(page).get_data(as_text=True)
    with app.app_context():
        create_backup(db.engine)
    assert "data-backup-warning" not in admin.get(page).get_data(as_text=True)
