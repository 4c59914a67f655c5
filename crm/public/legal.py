"""Impressum, Datenschutzerklärung and the Erklärung zur Barrierefreiheit (no login).

The accessibility statement (BITV 2.0 § 7) is always served on /barrierefreiheit and linked
from every page's footer; its feedback contact is ACCESSIBILITY_CONTACT (without it, the
page points to the Impressum).

Each is configured either as an address (IMPRINT_URL, PRIVACY_URL: the office's own pages)
or as a text (IMPRINT_TEXT, PRIVACY_TEXT) that is served on /impressum and /datenschutz;
an address wins over a text. The footer of every page links to both; without either
setting the link is left out and the page is 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from crm.accounts.session import public

bp = Blueprint("legal", __name__)


@dataclass(frozen=True)
class LegalPage:
    """One legal page: its endpoint, its title and its configuration keys."""

    endpoint: str
    title: str
    url_key: str
    text_key: str

    def configured_url(self) -> str | None:
        """The configured address of the office's own page, if any."""
        value = str(current_app.config.get(self.url_key) or "").strip()
        return value or None

    def text(self) -> str | None:
        """The configured text, if any."""
        value = str(current_app.config.get(self.text_key) or "").strip()
        return value or None

    def href(self) -> str | None:
        """Where the footer link points: the address, else this app's page, else nowhere."""
        url = self.configured_url()
        if url:
            return url
        return url_for(self.endpoint) if self.text() else None


PAGES = (
    LegalPage("legal.imprint", _l("Impressum"), "IMPRINT_URL", "IMPRINT_TEXT"),
    LegalPage("legal.privacy", _l("Datenschutzerklärung"), "PRIVACY_URL", "PRIVACY_TEXT"),
)


def legal_links() -> list[tuple[str, str]]:
    """(title, address) of the configured legal pages, for the footer."""
    links = []
    for page in PAGES:
        href = page.href()
        if href:
            links.append((str(page.title), href))
    return links


@bp.app_context_processor
def _footer_links() -> dict[str, object]:
    return {"legal_links": legal_links}


def paragraphs(text: str) -> list[list[str]]:
    """A plain text as paragraphs (split at blank lines) of lines."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [[line.strip() for line in block.splitlines()] for block in blocks if block]


def _show(page: LegalPage) -> Response | str:
    text = page.text()
    url = page.configured_url()
    if url:
        return redirect(url)
    if text is None:
        abort(404)
    return render_template("public/legal.html", title=page.title, paragraphs=paragraphs(text))


# When the statement was last reviewed against the app (a self-assessment with axe-core on
# every page and the keyboard journeys, issue #24). Update it with the known gaps below.
STATEMENT_REVIEWED = dt.date(2026, 12, 6)


def accessibility_contact() -> tuple[str | None, list[list[str]]]:
    """The feedback contact of the statement: (e-mail address or None, other text as
    paragraphs). A value that is one address becomes a mailto link; any other text
    (a postal address, a phone number) is shown as written."""
    value = str(current_app.config.get("ACCESSIBILITY_CONTACT") or "").strip()
    if value and "@" in value and not any(c.isspace() for c in value):
        return value, []
    return None, paragraphs(value)


@bp.get("/barrierefreiheit")
@public
def accessibility() -> str:
    """The Erklärung zur Barrierefreiheit: state of compliance, known gaps, feedback
    contact and the way to the Schlichtungsstelle nach § 16 BGG."""
    email, contact = accessibility_contact()
    return render_template(
        "public/accessibility.html",
        email=email,
        contact=contact,
        imprint=PAGES[0].href(),
        reviewed=STATEMENT_REVIEWED,
    )


@bp.get("/impressum")
@public
def imprint() -> Response | str:
    """The Impressum (legal notice) of this installation."""
    return _show(PAGES[0])


@bp.get("/datenschutz")
@public
def privacy() -> Response | str:
    """The Datenschutzerklärung (privacy notice) of this installation."""
    return _show(PAGES[1])
