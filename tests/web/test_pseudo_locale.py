"""A pseudo-locale: every message of the catalogue, translated as "⟦msgid⟧", and every page
rendered in it. Visible text outside ⟦…⟧ that is not data (values in the database,
reference names), numbers or punctuation bypassed Babel: a string that no English
reader would see translated.

The catalogue is extracted from the sources at test time (babel.cfg, as `make messages`),
so a new string is covered before anyone runs `make messages`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import String
from sqlalchemy import select

from crm.extensions import babel
from crm.extensions import db
from crm.graph import LAENDER
from crm.models import Base
from crm.network import cache
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members

ROOT = Path(__file__).resolve().parents[2]
PSEUDO = "eo"  # a real locale Babel knows, which the app never offers
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
#: Words that are the same in every language (formats, units, names of things) and the
#: spellings of stored values in the Art. 15 report (which shows the data as stored).
NEUTRAL = {"CSV", "XLSX", "ICS", "PDF", "vCard", "API", "JSON", "OpenAPI", "Industrienetz"}
NEUTRAL |= {"MB", "ms", "None", "True", "False", "origin"}
WORD = re.compile(r"[^\W\d_]{2,}")
BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")
#: Not visible, or machine text shown as such (code, preformatted output).
INVISIBLE = re.compile(
    r"<(script|style|template|code|pre)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
#: Addresses and paths are data.
ADDRESS = re.compile(r"https?://\S*|(?<!\S)/\S*|\S+@\S+")
TAG = re.compile(r"<[^>]+>")


def _pseudo_catalogue(folder: Path) -> None:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale=PSEUDO)
    for directory in ("crm", "templates"):
        for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT / directory), method_map, options_map, keywords=KEYWORDS
        ):
            if isinstance(message, tuple):
                catalog.add(message, tuple(f"⟦{part}⟧" for part in message), context=context)
            elif message:
                catalog.add(message, f"⟦{message}⟧", context=context)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pseudo")
    _pseudo_catalogue(folder)
    return folder


def _forget_translations(app: Flask) -> None:
    """Loaded catalogues (and network graphs) are cached across apps and tests."""
    with app.app_context():
        babel.domain_instance.cache.clear()
    cache.clear()


@pytest.fixture
def pseudo_app(make_app: Any, pseudo_translations: Path) -> Iterator[Flask]:
    app = make_app(
        BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations), LANGUAGES=("de", "en", PSEUDO)
    )
    _forget_translations(app)
    yield app
    _forget_translations(app)


@pytest.fixture
def records(make: Any) -> dict[str, Any]:
    initiative = make.initiative(name="Zukunft Industrie Nord", laender=["03"], public_listing=True)
    organisation = make.organisation(name="Beispiel Maschinenbau GmbH")
    other = make.initiative(name="Bündnis Brückenland", laender=["15"])
    share_members(make, initiative, (other, 2))  # suggestions, groups and brokers to show
    person = make.person(first_name="Erika", last_name="Mustermann")
    event = make.event(title="Netzwerktreffen Nord")
    workshop = make.workshop(event, title="Wasserstoff-Werkstatt")
    make.registration(event, person, token="pseudo-token")  # the visitor's personal pages
    membership = make.membership(organisation, initiative)
    affiliation = make.affiliation(person, organisation)
    role = make.initiative_role(person, initiative)
    interaction = make.interaction()
    user = make.user(role="admin", password=TEST_PASSWORD, email="admin@example.org")
    make.user(
        role="editor",
        password=TEST_PASSWORD,
        email="editor@example.org",
        initiative_id=initiative.id,
    )
    return {
        "initiative_id": initiative.id,
        "organisation_id": organisation.id,
        "person_id": person.id,
        "event_id": event.id,
        "workshop_id": workshop.id,
        "interaction_id": interaction.id,
        "user_id": user.id,
        "membership_id": membership.id,
        "affiliation_id": affiliation.id,
        "role_id": role.id,
        "token": "pseudo-token",
        "slug": event.slug,
        "kind": "initiative",
        "kinds": "persons",
        "record_id": initiative.id,
    }


def _pages(app: Flask, records: dict[str, Any]) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET page whose arguments `records` fills, API left out."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api", "/static")):
            continue
        if not set(rule.arguments) <= set(records):
            continue
        path = rule.build({name: records[name] for name in rule.arguments}, append_unknown=False)
        pages.append((rule.endpoint, path[1]))  # type: ignore[index]
    return sorted(pages)


def _data_words(app: Flask) -> set[str]:
    """Every word of every text value in the database, and the names of the Länder."""
    words: set[str] = set()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for value in row:
                    words.update(WORD.findall(str(value or "")))
    for table in Base.metadata.sorted_tables:  # field names and stored enumeration values
        for column in table.columns:
            words.update(WORD.findall(column.name))
            words.update(WORD.findall(" ".join(getattr(column.type, "enums", ()))))
    for entry in LAENDER.values():
        for part in entry if isinstance(entry, tuple) else (entry,):
            words.update(WORD.findall(str(part)))
    return words


def _untranslated(page: str, data: set[str]) -> set[str]:
    text = INVISIBLE.sub(" ", page)
    text = html_lib.unescape(TAG.sub(" ", text))
    while True:
        stripped = BRACKETED.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return set(WORD.findall(ADDRESS.sub(" ", text))) - data - NEUTRAL


def _visit(
    client: Any, pages: list[tuple[str, str]], data: set[str], seen: set[str]
) -> dict[str, set[str]]:
    """Untranslated words per page of the HTML pages `client` may open (added to `seen`)."""
    found = {}
    for endpoint, path in pages:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen.add(endpoint)
        words = _untranslated(response.get_data(as_text=True), data)
        if words:
            found[f"{endpoint} {path}"] = words
    return found


def _client(app: Flask, email: str | None) -> Any:
    """A client in the pseudo-locale, logged in as `email` (None: anonymous)."""
    client = app.test_client()
    if email is not None:
        login = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
        assert login.status_code == 302
    with client.session_transaction() as session:
        session["language"] = PSEUDO
    return client


def test_the_check_sees_only_text_outside_the_brackets():
    page = (
        "<title>⟦Personen⟧</title><p>⟦Speichern⟧ Abbrechen <script>var x;</script>"
        "Erika · 12,5 % ⟦Gruppe ⟦zwei⟧⟧ <code>flask db</code> https://example.org/x</p>"
    )
    assert _untranslated(page, {"Erika"}) == {"Abbrechen"}


def test_every_page_speaks_only_through_babel(pseudo_app: Flask, records: dict[str, Any]):
    pages = _pages(pseudo_app, records)
    data = _data_words(pseudo_app)
    found: dict[str, set[str]] = {}
    seen: set[str] = set()
    for who in ("admin@example.org", "editor@example.org", None):
        found |= _visit(_client(pseudo_app, who), pages, data, seen)
    assert len(seen) > 65  # lists, details, forms, dashboard, events, network, portal, public
    assert {"portal.home", "public.detail", "network.analytics", "dashboard.index"} <= seen
    assert {"event_public.personal", "privacy.visitor", "history.record_history"} <= seen
    assert found == {}


def _wtforms_words() -> set[str]:
    """The words of WTForms' own messages ("This field is required."): WTForms ships their
    German and English translations itself (Flask-WTF loads them)."""
    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as handle:
        catalog = read_po(handle)
    messages = (m.id if isinstance(m.id, str) else " ".join(m.id) for m in catalog if m.id)
    return {word for message in messages for word in WORD.findall(message)}


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (None, "/login"),
        ("admin@example.org", "/persons/new"),
        ("admin@example.org", "/initiatives/new"),
        ("admin@example.org", "/organisations/new"),
        ("admin@example.org", "/events/new"),
        (None, "/events/{event_id}/register"),
    ],
)
def test_form_errors_and_error_pages_speak_through_babel(
    pseudo_app: Flask, records: dict[str, Any], who: str | None, path: str
):
    client = _client(pseudo_app, who)
    data = _data_words(pseudo_app) | _wtforms_words()
    invalid = client.post(path.format(**records), data={"email": "kaputt"})
    assert invalid.status_code in (200, 400, 422)
    assert "invalid-feedback" in invalid.get_data(as_text=True) or "alert" in invalid.text
    assert _untranslated(invalid.get_data(as_text=True), data) == set()
    missing = client.get("/gibt-es-nicht")
    assert missing.status_code == 404
    assert _untranslated(missing.get_data(as_text=True), data) == set()
