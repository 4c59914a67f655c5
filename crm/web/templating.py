"""Jinja globals and filters shared by all templates."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask import current_app
from flask import has_request_context
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import format_percent as flask_format_percent
from flask_babel import get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from markupsafe import escape

from crm import permissions
from crm.web.fields import field_errors
from crm.web.fragments import kept
from crm.web.i18n import current_translations
from crm.web.i18n import day_key
from crm.web.i18n import format_clock
from crm.web.i18n import format_day
from crm.web.i18n import format_moment
from crm.web.labels import label
from crm.web.navigation import menu
from crm.web.navigation import navigation


def _date(value: dt.date | None) -> str:
    """`|date`: the day (`16.03.2027` / `16 Mar 2027`); a datetime's local day."""
    return format_day(value)


def _datetime(value: dt.datetime | None) -> str:
    """`|datetime`: day and 24-hour time (`16.03.2027 10:00` / `16 Mar 2027, 10:00`)."""
    return format_moment(value)


def _clock(value: dt.datetime | None) -> str:
    """`|clock`: the local time of day (`13:00`)."""
    return format_clock(value)


def _day(value: dt.datetime | None) -> str:
    """`|day`: the local calendar day as a key for comparisons (`2027-03-16`), never shown."""
    return day_key(value)


def _number(value: int | float | None) -> str:
    return format_decimal(value) if value is not None else ""


def url_with(_endpoint: str | None = None, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one).

    With `_endpoint`, the same query parameters on another endpoint (e.g. a list's export).
    """
    args: dict[str, Any] = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    if _endpoint is not None:
        return url_for(_endpoint, **args)
    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)


def _template_url_for(endpoint: str, /, **values: Any) -> str:
    """Templates' `url_for`. The URL of an endpoint without parameters, or of a static
    file, is the same on every request to one app under one script root, so it is built
    once per app and kept: the header, navigation and footer of every page hold some
    twenty-five of them (a twelfth of a list page's time). Everything else (parameters,
    `_external`, `.relative` endpoints, no request) is built by Flask's `url_for`."""
    if (
        endpoint.startswith(".")
        or (values and (endpoint != "static" or values.keys() != {"filename"}))
        or not has_request_context()
    ):
        return url_for(endpoint, **values)
    built: dict[tuple[str, str | None, str], str] = current_app.extensions.setdefault(
        "crm.template_urls", {}
    )
    key = (endpoint, values.get("filename"), request.script_root)
    url = built.get(key)
    if url is None:
        url = built[key] = url_for(endpoint, **values)
    return url


# A stand-in record id (the largest 32-bit integer), replaced by each row's own id in
# what is built once per page (`url_for_id`, the link controls of crm.links.views).
STAND_IN_ID = 2_147_483_647


def url_for_id(endpoint: str, argument: str, **values: Any) -> Callable[[int], str]:
    """`url_for_id('directory.person_detail', 'person_id')(7)` is
    `url_for('directory.person_detail', person_id=7)`, but the URL is built once, with a
    stand-in id, and each call only fills in its id: for the 50 rows of a list page,
    `url_for` per row costs a tenth of the page. `values` are the same for every id."""
    values[argument] = STAND_IN_ID
    before, after = url_for(endpoint, **values).split(str(STAND_IN_ID), 1)

    def url(record_id: int) -> str:
        return f"{before}{int(record_id)}{after}"

    return url


def option_tags(options: Iterable[tuple[Any, Any]], current: Any) -> Markup:
    """`<option>` elements for a select, the current value selected.

    Built in Python rather than a Jinja loop, and kept for the same options and choice:
    the Kreis filter alone has 400 options, and list pages render it on every request.
    `options` are (value, label) pairs of strings, or of values that equal each other only
    when their text is the same (not 1 and True).
    """
    chosen = "" if current is None else str(current)
    return _option_tags(tuple(options), chosen)


@functools.lru_cache(maxsize=256)
def _option_tags(options: tuple[tuple[Any, Any], ...], chosen: str) -> Markup:
    tags = []
    for value, text in options:
        value = str(value)
        selected = " selected" if value == chosen else ""
        tags.append(f'<option value="{escape(value)}"{selected}>{escape(str(text))}</option>')
    return Markup("\n".join(tags))  # noqa: S704 - every value and label is escaped above


@pass_context
def form_errors(context: Context) -> list[tuple[str, str, str]]:
    """`form_errors()`: (label, field id, message) of the errors of every form the page
    was rendered with; base.html shows them as a summary and says "Fehler:" in the title."""
    return field_errors(context.get_all().values())


# Jinja's gettext functions, as the i18n extension's "newstyle" ones behave (autoescaped,
# always %-formatted with their keyword arguments, `num` and `context` preset), but with the
# catalogue from `current_translations()`: Flask-Babel's own lambdas look up its request
# state several times per string, and Jinja wraps them twice more.


def _formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
    """A translated message filled in; the message itself is markup (our own catalogue, as
    Jinja treats it), its arguments are escaped when the template autoescapes."""
    if context.eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704 - catalogue text; arguments escaped
    return text % variables


@pass_context
def _gettext(context: Context, string: str, /, **variables: Any) -> str:
    text = current_translations().ugettext(string)
    return _formatted(context, text, variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = current_translations().ungettext(singular, plural, num)
    return _formatted(context, text, variables)


@pass_context
def _pgettext(context: Context, message_context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", message_context)
    text = current_translations().upgettext(message_context, string)
    return _formatted(context, text, variables)


@pass_context
def _npgettext(
    context: Context,
    message_context: str,
    singular: str,
    plural: str,
    num: int,
    /,
    **variables: Any,
) -> str:
    variables.setdefault("context", message_context)
    variables.setdefault("num", num)
    text = current_translations().unpgettext(message_context, singular, plural, num)
    return _formatted(context, text, variables)


def register(app: Flask) -> None:
    """Install globals and filters (after Flask-Babel, whose gettext globals are replaced)."""
    app.jinja_env.filters.update(
        date=_date,
        datetime=_datetime,
        clock=_clock,
        day=_day,
        number=_number,
        decimal=format_fixed,
        percent=format_share,
        label=label,
        # Flask-Babel's own filters use the locale's formats: route them through ours too.
        dateformat=lambda value, *_args: _date(value),
        datetimeformat=lambda value, *_args: _datetime(value),
        timeformat=lambda value, *_args: _clock(value),
    )
    app.jinja_env.globals.update(
        permissions=permissions,
        url_for=_template_url_for,
        url_with=url_with,
        url_for_id=url_for_id,
        option_tags=option_tags,
        form_errors=form_errors,
        navigation=navigation,
        kept=kept,
        menu=menu,
        current_locale=lambda: str(get_locale()),
        _=_gettext,
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def format_fixed(value: float | None, digits: int = 1) -> str:
    """`|decimal(3)`: a number with exactly `digits` decimals in the current locale
    (`0,073` / `0.073`); "" for None."""
    if value is None:
        return ""
    return str(format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0"))


def format_share(value: float | None, digits: int = 0) -> str:
    """`|percent(1)`: a share (0.125) as a percentage in the current locale's pattern
    (`12,5 %` / `12.5%`) with `digits` decimals; "" for None."""
    if value is None:
        return ""
    locale = get_locale()
    pattern = str(locale.percent_formats[None].pattern) if locale else "#,##0%"
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return str(flask_format_percent(value, format=pattern))
