"""Error pages: every error a user can cause gets a page in their language, never a trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from crm.extensions import db


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Install the handlers on `app`."""

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
        db.session.rollback()
        return _page(
            500,
            _("Interner Fehler"),
            _(
                "Etwas ist schiefgelaufen. Es wurde nichts gespeichert. "
                "Bitte versuchen Sie es erneut."
            ),
        )
