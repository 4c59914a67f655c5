"""Language choice, the translations of a request, and the one way dates and times are shown.

Language: the user's setting, then the session, then the browser, German by default.

Translations: `current_translations()` is Flask-Babel's catalogue for the current locale,
kept beside Flask-Babel's own per-request state, so that the 50-odd `_()` of a page do not
each walk Flask-Babel's context lookups (about a tenth of a list page's time).

Dates and times: every visible date goes through `format_day`, `format_clock` or
`format_moment`, with one explicit Babel pattern per language (never the locale's
"short" formats, whose two-digit years and AM/PM differ between languages):

    de  16.03.2027   10:00   16.03.2027 10:00
    en  16 Mar 2027  10:00   16 Mar 2027, 10:00

Aware datetimes are shown as Europe/Berlin wall-clock time (the office's time zone,
`BABEL_DEFAULT_TIMEZONE`); naive ones are taken as already local.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.support import NullTranslations
from flask import current_app
from flask import g
from flask import has_app_context
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import get_locale
from flask_babel import get_translations
from flask_login import current_user

DEFAULT_LANGUAGE = "de"
DEFAULT_TIMEZONE = "Europe/Berlin"
DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
TIME_PATTERNS = {"de": "HH:mm", "en": "HH:mm"}
DATETIME_PATTERNS = {"de": "dd.MM.yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


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


def current_translations() -> NullTranslations:
    """The translations of the current locale, as `flask_babel.get_translations()` gives them.

    Flask-Babel keeps the request's locale in `g._flask_babel.babel_locale`; the catalogue
    found for that locale object is kept next to it. `force_locale` and `refresh()` put in
    another locale object (or none), so the catalogue is looked up again.
    """
    state = g.get("_flask_babel") if has_app_context() else None
    if state is not None:
        kept = getattr(state, "crm_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
    translations = get_translations()
    state = g.get("_flask_babel") if has_app_context() else None
    if state is not None and getattr(state, "babel_locale", None) is not None:
        state.crm_translations = (state.babel_locale, translations)
    return translations


def _language(language: str | None) -> str:
    """`language`, else the current one; a language without patterns falls back to German."""
    if language is None:
        current = get_locale() if has_app_context() else None
        language = current.language if current is not None else DEFAULT_LANGUAGE
    return language if language in DATE_PATTERNS else DEFAULT_LANGUAGE


def _zone() -> ZoneInfo:
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = str(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE)
    return ZoneInfo(name)


def local_time(value: dt.datetime) -> dt.datetime:
    """An aware datetime as naive wall-clock time of the office; naive ones unchanged."""
    return value.astimezone(_zone()).replace(tzinfo=None) if value.tzinfo else value


def format_day(value: dt.date | None, language: str | None = None) -> str:
    """The calendar day: `16.03.2027` / `16 Mar 2027` ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    lang = _language(language)
    return str(babel_dates.format_date(value, DATE_PATTERNS[lang], locale=lang))


def format_clock(value: dt.datetime | dt.time | None, language: str | None = None) -> str:
    """The time of day, 24 hours: `10:00` ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_time(value).time()
    lang = _language(language)
    return str(babel_dates.format_time(value, TIME_PATTERNS[lang], locale=lang))


def format_moment(value: dt.datetime | dt.date | None, language: str | None = None) -> str:
    """Day and time: `16.03.2027 10:00` / `16 Mar 2027, 10:00`; a plain date as a day."""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return format_day(value, language)
    lang = _language(language)
    local = local_time(value)
    return str(babel_dates.format_datetime(local, DATETIME_PATTERNS[lang], locale=lang))


def day_key(value: dt.datetime | dt.date | None) -> str:
    """The local calendar day as `2027-03-16`, for comparing days; never shown."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    return value.isoformat()
