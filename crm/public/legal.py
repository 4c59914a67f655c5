"""Impressum and Datenschutzerklärung (no login): what the instance configuration says.

Each is configured either as an address (IMPRINT_URL, PRIVACY_URL: the office's own pages)
or as a text (IMPRINT_TEXT, PRIVACY_TEXT) that is served on /impressum and /datenschutz;
an address wins over a text. The footer of every page links to both; without either
setting the link is left out and the page is 404.
"""

from __future__ import annotations

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
