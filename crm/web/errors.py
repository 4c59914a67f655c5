"""Error pages: every error a user can cause gets a page in their language, never a trace.

Every request carries an id (`X-Request-ID`, generated here unless the caller sent a
well-formed one). A server error logs its traceback under that id, and the error page
shows it ("Fehlernummer"), so that a user's report leads to the log entry.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask
from flask import g
from flask import has_request_context
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Response

from crm.extensions import db

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy is honoured only if it is plainly an id: letters, digits, "-", "_",
# "." — 8 to 64 of them, starting with a letter or digit. Anything else is replaced.
_INCOMING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


def request_id() -> str:
    """The id of the current request: a sane incoming X-Request-ID, else a new random one."""
    rid: str | None = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _INCOMING_ID.fullmatch(incoming) else secrets.token_hex(8)
        g.request_id = rid
    return rid


class RequestIdFilter(logging.Filter):
    """Prefix every record logged during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request_id` and put it in front of the message."""
        if has_request_context() and not hasattr(record, "request_id"):
            rid = request_id()
            record.request_id = rid
            record.msg = f"[request {rid}] {record.msg}"
        return True


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    # `error_page`: base.html begins the title with "Fehler:", so the tab and a screen
    # reader's first words say that something went wrong (WCAG 2.4.2, 3.3.1).
    page = render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message,
        request_id=request_id(),
        error_page=True,
    )
    return page, status


def _bare_server_error_page(rid: str) -> tuple[str, int]:
    """The 500 page when even the normal page cannot be drawn (e.g. the database is down)."""
    text = escape(_("Etwas ist schiefgelaufen. Es wurde nichts gespeichert."))
    number = escape(_("Fehlernummer: %(id)s", id=rid))
    title = escape(_("Interner Fehler"))
    prefix = escape(_("Fehler:"))
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{prefix} {title}</title></head>'
        f"<body><h1>{title}</h1><p>{text}</p><p>{number}</p></body></html>",
        500,
    )


def _install_request_ids(app: Flask) -> None:
    if not any(isinstance(f, RequestIdFilter) for f in app.logger.filters):
        app.logger.addFilter(RequestIdFilter())

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response


def register(app: Flask) -> None:
    """Install the handlers on `app`."""
    _install_request_ids(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return _page(
            400,
            _("Formular abgelaufen"),
            _("Das Formular war veraltet oder unvollständig. Bitte laden Sie die Seite neu."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        db.session.rollback()
        status = error.code or 500
        titles = {
            400: _("Ungültige Anfrage"),
            403: _("Keine Berechtigung"),
            404: _("Seite nicht gefunden"),
            405: _("Methode nicht erlaubt"),
            409: _("Konflikt"),
            413: _("Datei zu groß"),
            429: _("Zu viele Anfragen"),
        }
        messages = {
            400: _("Die Anfrage konnte nicht verarbeitet werden."),
            403: _("Dafür fehlt Ihnen die Berechtigung."),
            404: _("Diese Seite oder diesen Datensatz gibt es nicht."),
            405: _("Diese Aktion ist auf diesem Weg nicht möglich."),
            409: _("Der Datensatz wurde inzwischen geändert."),
            413: _("Die hochgeladene Datei ist zu groß."),
            429: _("Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut."),
        }
        return _page(
            status,
            titles.get(status, _("Fehler")),
            messages.get(status, _("Ein Fehler ist aufgetreten.")),
        )

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        # Flask has logged the traceback already (the filter put the request id in front).
        rid = request_id()
        try:
            db.session.rollback()
            return _page(
                500,
                _("Interner Fehler"),
                _(
                    "Etwas ist schiefgelaufen. Es wurde nichts gespeichert. "
                    "Bitte versuchen Sie es erneut und nennen Sie uns bei einer Rückfrage "
                    "die Fehlernummer."
                ),
            )
        except Exception:
            app.logger.exception("Die Fehlerseite selbst schlug fehl")
            return _bare_server_error_page(rid)
