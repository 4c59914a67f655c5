"""Parts of a page rendered once per data version and kept per process.

Some pages show a large part that is the same for everyone who may open the page and
changes only with the data: the dashboard's charts and tables, the network page's groups,
brokers and links across Länder. Rendering it costs most of the page (thousands of
template calls for a few hundred rows), so it is rendered once per version of what it
shows and pasted into the page as it was rendered.

A fragment is kept in a slot: its name, the caller's key (e.g. a graph scope), the
database, the language and the URL root of the request (a fragment holds translated words,
formatted numbers and links). With it goes its version, whatever the caller says makes it
current (the data stamp and the day; a graph's key). A request that brings another version
renders the fragment anew and replaces it: a slot holds one fragment, so memory stays flat
however often the data changes, and a save is seen on the next request.

What a fragment shows must be the same for every user who reaches the page: whatever
depends on the user (a form with its CSRF token, a button for some roles only) stays out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from typing import Any
from typing import cast

from flask import current_app
from flask import request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from markupsafe import escape

from crm.db.datastamp import data_stamp
from crm.extensions import db
from crm.web.i18n import current_translations

Slot = tuple[str, Hashable, str, str, str]

# Stands in kept HTML for the CSRF token of its forms (render it with
# `csrf_token=lambda: CSRF_STAND_IN`): `with_csrf_token` puts in the request's own.
CSRF_STAND_IN = "csrf-token-of-the-request"  # noqa: S105 - no secret: a placeholder

_fragments: dict[Slot, tuple[Hashable, Markup]] = {}
_lock = threading.Lock()


def _slot(name: str, key: Hashable) -> Slot:
    database = db.engine.url.render_as_string(hide_password=True)
    return (name, key, database, str(get_locale()), request.script_root)


def fragment(name: str, key: Hashable, version: Hashable, render: Callable[[], str]) -> Markup:
    """The HTML of `render()` for the slot `name`/`key` (and this request's language and
    URL root), rendered again only when `version` differs from the kept fragment's."""
    slot = _slot(name, key)
    with _lock:
        kept = _fragments.get(slot)
    if kept is not None and kept[0] == version:
        return kept[1]
    html = Markup(render())  # noqa: S704 - rendered by an autoescaping template
    with _lock:
        _fragments[slot] = (version, html)
    return html


def clear() -> None:
    """Forget every fragment (tests)."""
    with _lock:
        _fragments.clear()


# -- parts of a page kept by the request's address ---------------------------------------

KEPT_PER_APP = 512

_kept_lock = threading.Lock()


def _hashable(value: Any) -> Hashable:
    """`value` as a key: lists (of columns, of pairs) as tuples."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return cast(Hashable, value)


def kept(name: str, *key: Any, caller: Callable[[], str]) -> Markup:
    """Templates' `{% call kept(name, key…) %}…{% endcall %}`: the block's HTML, rendered
    once for `key` and kept per app with the data stamp, the catalogue and the URL root.

    For the parts of a directory list that the address says all about (the filter bar,
    the sort links, the pager and the download links: key `request.full_path`): the same
    for everyone who reaches the list, and a list's first pages are asked for again and
    again between two saves. Each takes a tenth of the page to render, dozens of URL builds
    and macro calls. A save (a new data stamp), another language or URL root renders them
    anew. The app keeps the KEPT_PER_APP most recently used, so memory stays flat however
    many addresses are asked for. What the block shows must depend on nothing but `key`,
    the data, the language and the URL root (no CSRF token, no user)."""
    slot = (
        name,
        _hashable(key),
        data_stamp(),
        current_translations(),
        request.script_root,
    )
    store: OrderedDict[Hashable, Markup] = current_app.extensions.setdefault(
        "crm.kept", OrderedDict()
    )
    with _kept_lock:
        html = store.get(slot)
        if html is not None:
            store.move_to_end(slot)
            return html
    html = Markup(caller())  # noqa: S704 - rendered by an autoescaping template
    with _kept_lock:
        store[slot] = html
        while len(store) > KEPT_PER_APP:
            store.popitem(last=False)
    return html


def with_csrf_token(html: str) -> Markup:
    """Kept `html` with the request's CSRF token where it has `CSRF_STAND_IN`: the token is
    the viewer's own, so kept HTML never holds one."""
    token = str(escape(generate_csrf())) if CSRF_STAND_IN in html else ""
    return Markup(html.replace(CSRF_STAND_IN, token))  # noqa: S704 - rendered autoescaped
