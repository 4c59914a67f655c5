"""Language choice: the user's setting, then the session, then the browser, German by default."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: German
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
