"""The header's menu, rendered once per kind of account, language and URL root.

Every page shows the menu, and what it shows depends on the account only through a dozen
permission answers: some twenty URLs, twenty translated words and as many permission checks
that cost a list page as much as the rest of base.html together. So the answers are asked
per request (`navigation()`, cheap) and the menu's HTML is kept per app for those answers,
the catalogue and the URL root (`menu()`). What differs between accounts with the same
answers, the counts of due follow-ups and unseen changes, is rendered per request by
base.html and pasted in; everything else in the header (the search box, the language and
logout forms with their CSRF tokens, the e-mail address) stays in base.html.

A role change is seen on the next request (the answers differ, so does the key), a
language switch too (another catalogue). Nothing in the menu depends on the data.
"""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from flask import current_app
from flask import request
from flask_login import current_user
from markupsafe import Markup

from crm import permissions
from crm.web.i18n import current_translations

MENU_TEMPLATE = "_menu.html"
# Where base.html's per-request badges go in the kept menu (never shown: always replaced).
DUE_BADGE = "\x00due-badge\x00"
UNSEEN_BADGE = "\x00unseen-badge\x00"


class Navigation(NamedTuple):
    """The permission answers the header's menu depends on (see `_menu.html`)."""

    signed_in: bool
    directory: bool
    editor: bool
    events: bool
    network: bool
    dashboard: bool
    review: bool
    imports: bool
    privacy: bool
    outbox: bool
    accounts: bool
    jobs: bool
    api_tokens: bool
    search: bool


def navigation_of(user: Any) -> Navigation:
    """The menu's answers for `user` (an account or the anonymous user)."""
    signed_in = bool(user.is_authenticated)
    return Navigation(
        signed_in=signed_in,
        directory=permissions.can_view_directory(user),
        editor=permissions.is_editor(user),
        events=permissions.can_manage_events(user),
        network=permissions.can_view_network(user),
        dashboard=permissions.can_view_dashboard(user),
        review=permissions.can_review_changes(user),
        imports=permissions.can_import(user),
        privacy=permissions.can_view_privacy(user),
        outbox=permissions.can_view_outbox(user),
        accounts=permissions.can_manage_accounts(user),
        jobs=permissions.can_manage_jobs(user),
        api_tokens=permissions.can_use_api_tokens(user),
        search=signed_in and permissions.can_search(user),
    )


def navigation() -> Navigation:
    """Templates' `navigation()`: the menu's answers for the current user (the account
    itself, not its proxy: a dozen predicates read its role through it)."""
    return navigation_of(current_user._get_current_object())


def menu(nav: Navigation, due_badge: str = "", unseen_badge: str = "") -> Markup:
    """Templates' `menu(nav, due_badge, unseen_badge)`: the header's `<ul>` of links for
    `nav`, with the badges base.html rendered for this request."""
    kept: dict[tuple[Navigation, Any, str], str] = current_app.extensions.setdefault(
        "crm.menus", {}
    )
    key = (nav, current_translations(), request.script_root)
    html = kept.get(key)
    if html is None:
        template = current_app.jinja_env.get_template(MENU_TEMPLATE)
        marks = {"due_badge": Markup(DUE_BADGE), "unseen_badge": Markup(UNSEEN_BADGE)}  # noqa: S704
        html = kept[key] = template.render(nav=nav, **marks)
    filled = html.replace(DUE_BADGE, str(due_badge)).replace(UNSEEN_BADGE, str(unseen_badge))
    return Markup(filled)  # noqa: S704 - rendered by an autoescaping template; badges too
