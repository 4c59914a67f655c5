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
from collections.abc import Callable
from collections.abc import Hashable

from flask import request
from flask_babel import get_locale
from markupsafe import Markup

from crm.extensions import db

Slot = tuple[str, Hashable, str, str, str]

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
