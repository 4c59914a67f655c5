"""Jinja globals and filters shared by all templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from markupsafe import Markup, escape

from crm import permissions
from crm.labels import label


def _date(value: dt.date | None) -> str:
    return format_date(value, "medium") if value else ""


def _datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "short") if value else ""


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


def option_tags(options: Iterable[tuple[Any, Any]], current: Any) -> Markup:
    """`<option>` elements for a select, the current value selected.

    Built in Python rather than a Jinja loop: the Kreis filter alone has 400 options,
    and list pages render it on every request.
    """
    chosen = "" if current is None else str(current)
    tags = []
    for value, text in options:
        value = str(value)
        selected = " selected" if value == chosen else ""
        tags.append(f'<option value="{escape(value)}"{selected}>{escape(str(text))}</option>')
    return Markup("\n".join(tags))  # noqa: S704 - every value and label is escaped above


def register(app: Flask) -> None:
    """Install globals and filters."""
    app.jinja_env.filters.update(date=_date, datetime=_datetime, number=_number, label=label)
    app.jinja_env.globals.update(
        permissions=permissions,
        url_with=url_with,
        option_tags=option_tags,
        current_locale=lambda: str(get_locale()),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
