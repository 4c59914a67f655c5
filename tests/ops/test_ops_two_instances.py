"""Two app instances (gunicorn on two ports) on one PostgreSQL and one Redis, plus a worker.

Shows that nothing that matters is per process: a login on A is valid on B; a logout on
A ends the session on B (a copied cookie included); failed logins on A and B count
together (Flask-Limiter in Redis); a change saved on A shows at once in B's list, and in
its suggestions and graph once the worker has written the graph's snapshot; a mail queued
on A is delivered exactly once by the worker; two people saving the same record on A and
B get the conflict page. Skipped, with the reason printed, without PostgreSQL or Redis.
"""

from __future__ import annotations

import copy
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from crm import jobs
from crm.extensions import db
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.network import snapshots
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
LIMITS_DB, JOBS_DB = 13, 14
GRAPH = "/network/graph.json?kind=initiative&kind=organisation"


def _redis_unreachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(f"{REDIS}/{LIMITS_DB}", socket_timeout=2).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS}: {type(exc).__name__}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Form(HTMLParser):
    """The fields of the first form on a page that has a field named `marker`."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            fields = self.forms[-1]["fields"]
            fields[-1] = (self._textarea, fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def fields(self) -> list[tuple[str, str]]:
        for form in self.forms:
            if any(name == self.marker for name, _ in form["fields"]):
                return list(form["fields"])
        raise AssertionError(f"no form with {self.marker}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A cookie jar shared by both instances (cookies do not depend on the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def open(self, url: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=20) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers.get("Location", "")

    def form(self, url: str, marker: str) -> list[tuple[str, str]]:
        status, html, _ = self.open(url)
        assert status == 200, (url, status)
        parser = _Form(marker)
        parser.feed(html)
        return parser.fields()

    def login(self, base: str, email: str, password: str) -> tuple[int, str, str]:
        fields = [
            f for f in self.form(base + "/login", "email") if f[0] not in ("email", "password")
        ]
        return self.open(base + "/login", [*fields, ("email", email), ("password", password)])


def _with(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(name, values.get(name, value)) for name, value in fields]


@pytest.fixture
def sink() -> Iterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(envelope.original_content or envelope.content)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def _remove_snapshots_of(app: Any) -> None:
    """Remove the network snapshots of `app`'s database (other tests' databases keep theirs)."""
    with app.app_context():
        database = db.engine.url.render_as_string(hide_password=True)
        folder = snapshots.folder()
        for path in folder.glob("*" + snapshots.RESULTS) if folder.is_dir() else []:
            results = snapshots.read_results(path)
            if results is not None and results["key"][0] == database:
                path.unlink(missing_ok=True)
                path.with_suffix(snapshots.GRAPH).unlink(missing_ok=True)


@pytest.mark.slow
def test_two_instances_share_sessions_limits_data_and_mail(
    app, make_app, make, database_url, tmp_path, sink
):
    if not database_url.startswith("postgresql"):
        print("\nSKIP two instances: they share a PostgreSQL database (SQLite is one host)")  # noqa: T201
        pytest.skip("two instances need PostgreSQL")
    reason = _redis_unreachable()
    if reason:
        print(f"\nSKIP two instances: {reason}")  # noqa: T201
        pytest.skip(reason)
    import redis

    for number in (LIMITS_DB, JOBS_DB):
        redis.Redis.from_url(f"{REDIS}/{number}").flushdb()
    smtp_port, received = sink

    staff = make.user(role="staff", email="anna@example.org", password=TEST_PASSWORD)
    colleague = make.user(role="staff", email="ben@example.org", password=TEST_PASSWORD)
    make.user(role="staff", email="gesperrt@example.org", password=TEST_PASSWORD)
    organisation = make.organisation(name="Walzwerk Nord GmbH")
    # a member of two initiatives: each is suggested to the other for it ("Beide haben …
    # als Mitglied"), and it is a node of the graph
    hub = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    for initiative in (hub, make.initiative(name="Bündnis Brückenland", laender=["03"])):
        make.membership(organisation, initiative)
    # earlier tests on this database left snapshots of their own data: an instance would
    # show the newest of them (marked stale) until the worker has written one of this data
    _remove_snapshots_of(app)

    env = os.environ | {
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": "two-instances-" + "x" * 24,
        "RATELIMIT_STORAGE_URI": f"{REDIS}/{LIMITS_DB}",
        "JOBS_URL": f"{REDIS}/{JOBS_DB}",
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_REMEMBER_COOKIE_SECURE": "false",
        "FLASK_PUBLIC_BASE_URL": '"https://netz.example.org"',
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp_port),
        "FLASK_MAIL_FROM": "buero@example.org",
        "FLASK_BACKUP_FOLDER": str(tmp_path / "backups"),
        "GUNICORN_WORKERS": "2",
    }
    processes: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "servers.log").open("w")
    bases = []
    for name in ("a", "b"):
        port = _free_port()
        bases.append(f"http://127.0.0.1:{port}")
        processes.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                cwd=ROOT,
                env=env
                | {
                    "GUNICORN_BIND": f"127.0.0.1:{port}",
                    "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{name}"),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    worker = subprocess.Popen(
        [str(BIN / "flask"), "--app", "crm", "worker", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    processes.append(worker)
    a, b = bases
    try:
        deadline = time.monotonic() + 90
        for base in bases:
            while True:
                try:
                    if Browser().open(base + "/livez")[0] == 200:
                        break
                except OSError:
                    pass
                assert all(p.poll() is None for p in processes), (
                    tmp_path / "servers.log"
                ).read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)

        # a login on A is valid on B
        anna = Browser()
        assert anna.login(a, staff.email, TEST_PASSWORD)[0] == 302
        assert anna.open(b + "/organisations/")[0] == 200

        # a change saved on A shows at once in B's list, and in its suggestions and graph
        # as soon as the worker has computed the graph's snapshot (B's workers have kept
        # their graph before: it follows the data version)
        def suggested(base: str) -> str:
            page = anna.open(base + f"/initiatives/{hub.id}")[1]
            return page.split("Vorgeschlagene Kontakte", 1)[1]

        def graph_label(base: str) -> str:
            graph = json.loads(anna.open(base + GRAPH)[1])
            node = f"o:{organisation.id}"
            return next(n["data"]["label"] for n in graph["nodes"] if n["data"]["id"] == node)

        for _ in range(4):  # a few times: each of B's workers keeps its own cache
            assert "Beide haben Walzwerk Nord GmbH als Mitglied" in suggested(b)
            assert graph_label(b) == "Walzwerk Nord GmbH"
        edit = f"/organisations/{organisation.id}/edit"
        fields = anna.form(a + edit, "name")
        status, _, _ = anna.open(a + edit, _with(fields, name="Walzwerk Süd GmbH"))
        assert status == 302
        listing = anna.open(b + "/organisations/?q=Walzwerk")[1]
        assert "Walzwerk Süd GmbH" in listing and "Walzwerk Nord GmbH" not in listing
        # the graph follows once the worker has written its snapshot of the new data
        # version (meanwhile B's workers show the last one, without building it themselves)
        deadline = time.monotonic() + 60
        while graph_label(b) != "Walzwerk Süd GmbH":
            assert time.monotonic() < deadline, "no snapshot of the new data version"
            time.sleep(0.5)
        for _ in range(4):
            panel = suggested(b)
            assert "Beide haben Walzwerk Süd GmbH als Mitglied" in panel
            assert "Walzwerk Nord GmbH" not in panel
            assert graph_label(b) == "Walzwerk Süd GmbH"

        # two people save the same record on A and B: the second gets the conflict page
        ben = Browser()
        assert ben.login(b, colleague.email, TEST_PASSWORD)[0] == 302
        mine = anna.form(a + edit, "name")
        theirs = ben.form(b + edit, "name")
        assert anna.open(a + edit, _with(mine, name="Walzwerk West GmbH"))[0] == 302
        status, page, _ = ben.open(b + edit, _with(theirs, name="Walzwerk Ost GmbH"))
        assert status == 409 and "Walzwerk West GmbH" in page
        with app.app_context():
            db.session.expire_all()
            assert db.session.get(type(organisation), organisation.id).name == "Walzwerk West GmbH"

        # a mail queued on A is delivered exactly once by the worker
        visitor = Browser()
        forgot = visitor.form(a + "/password/forgot", "email")
        assert visitor.open(a + "/password/forgot", _with(forgot, email=staff.email))[0] == 302
        producer = make_app(JOBS_URL=f"{REDIS}/{JOBS_DB}")
        jobs.init_app(producer)
        jobs.REGISTRY["deliver_outbox"]()
        jobs.REGISTRY["deliver_outbox"]()  # twice: the second run finds nothing to send
        deadline = time.monotonic() + 30
        while not received:
            assert time.monotonic() < deadline, (tmp_path / "servers.log").read_text()
            time.sleep(0.2)
        while jobs.huey.pending_count() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        assert len(received) == 1 and b"anna@example.org" in received[0]
        with app.app_context():
            mails = list(db.session.scalars(select(OutboxMail)))
        assert [m.status for m in mails] == [OutboxStatus.SENT]

        # a logout on A ends the session on B, also for a copy of the cookie
        copied = copy.deepcopy(list(anna.jar))
        logout = [f for f in anna.form(a + "/organisations/", "csrf_token") if f[0] == "csrf_token"]
        assert anna.open(a + "/logout", logout)[0] == 302
        replay = Browser()
        for cookie in copied:
            replay.jar.set_cookie(cookie)
        status, _, location = replay.open(b + "/organisations/")
        assert status == 302 and "/login" in location

        # failed logins on A and B count together (5 per account): the sixth is refused
        mallory = Browser()
        for base in (a, a, a, b, b):
            assert mallory.login(base, "gesperrt@example.org", "falsch-falsch-falsch")[0] == 200
        assert mallory.login(a, "gesperrt@example.org", TEST_PASSWORD)[0] == 429
        assert Browser().login(b, "gesperrt@example.org", TEST_PASSWORD)[0] == 429
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        jobs.init_app(app)
