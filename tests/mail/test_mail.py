"""The outbox: queueing, the staff page, and delivery over SMTP by `send-mail`."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from email.policy import default

import pytest
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.mail.services import links_in
from crm.mail.services import queue_mail
from crm.models import OutboxMail


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive a message (no TLS, no auth)."""

    def _send(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._send("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._send("250 test")
            elif command == "DATA":
                self._send("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(data)  # type: ignore[attr-defined]
                self._send("250 queued")
            elif command == "QUIT":
                self._send("221 bye")
                return
            else:
                self._send("250 ok")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[bytes]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.messages  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _queue(app, **kw) -> None:
    with app.app_context(), writing():
        queue_mail(
            kw.get("to", "erika@example.org"),
            kw.get("subject", "Anmeldebestätigung"),
            kw.get("body", "Ihr Link: https://crm.example.org/anmeldung/abc123\nBis bald."),
            ics=kw.get("ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"),
        )
        db.session.commit()


def test_links_in_finds_each_link_once():
    body = "Link: https://a.example.org/x. Noch einmal: https://a.example.org/x und http://b.example.org/y)"
    assert links_in(body) == ["https://a.example.org/x", "http://b.example.org/y"]


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("editor", 403), ("staff", 200), ("admin", 200)]
)
def test_outbox_page_is_for_staff(client, login_as, make, who, status):
    if who != "anonymous":
        login_as(who, initiative=make.initiative() if who == "editor" else None)
    response = client.get("/outbox")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


def test_outbox_lists_mails_with_links(app, client, login_as):
    _queue(app)
    login_as("staff")
    html = client.get("/outbox").get_data(as_text=True)
    assert "Anmeldebestätigung" in html and "erika@example.org" in html
    assert 'href="https://crm.example.org/anmeldung/abc123"' in html
    assert "kein SMTP-Server" in html
    assert "Anmeldebestätigung" in client.get("/outbox?show=pending").get_data(as_text=True)
    assert client.get("/outbox?page=abc&show=<x>").status_code == 200


def test_send_mail_without_smtp_says_so(app, runner):
    _queue(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "Kein SMTP-Server konfiguriert" in result.output
    with app.app_context():
        assert db.session.scalars(select(OutboxMail)).one().sent_at is None


def test_send_mail_delivers_with_ics_attachment(app, runner, smtp_server, monkeypatch):
    port, messages = smtp_server
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_FROM": "buero@example.org",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    _queue(app)
    _queue(app, to="jorg@example.org", ics=None, body="Ohne Anhang. Grüße aus Köln")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 Mails gesendet, 0 fehlgeschlagen." in result.output
    assert len(messages) == 2
    first = email.message_from_bytes(messages[0], policy=default)
    assert first["To"] == "erika@example.org" and first["From"] == "buero@example.org"
    parts = list(first.iter_attachments())
    assert [p.get_content_type() for p in parts] == ["text/calendar"]
    assert parts[0].get_filename() == "einladung.ics"
    assert "BEGIN:VCALENDAR" in parts[0].get_content()
    second = email.message_from_bytes(messages[1], policy=default)
    assert "Grüße aus Köln" in second.get_body().get_content()
    with app.app_context():
        assert all(m.sent_at is not None for m in db.session.scalars(select(OutboxMail)))
    again = runner.invoke(args=["send-mail"])
    assert "0 Mails gesendet" in again.output and len(messages) == 2


def test_send_mail_unreachable_server_fails_cleanly(app, runner, monkeypatch):
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,
        "MAIL_FROM": "buero@example.org",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    _queue(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code != 0
    assert "SMTP-Server nicht erreichbar" in result.output
