"""Suggestion reasons come from crm.graph as codes with their data; the web layer words
them in the user's language (here an English catalogue with known texts, made at test
time, so the test does not depend on the shipped translations)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import force_locale

from crm.extensions import babel
from crm.graph import Reason
from crm.network.reasons import MESSAGES
from crm.network.reasons import reason_text
from crm.network.reasons import reason_texts
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members

ENGLISH = {
    "Beide haben %(label)s als Mitglied": "Both have %(label)s as a member",
    "Gleiches Bundesland": "Same Land",
    "Ergänzende Mitglieder: %(types)s": "Complementary members: %(types)s",
    (
        "… und %(num)d weitere gemeinsame Verbindung",
        "… und %(num)d weitere gemeinsame Verbindungen",
    ): (
        "… and %(num)d more shared connection",
        "… and %(num)d more shared connections",
    ),
}


@pytest.fixture
def english_app(make_app, tmp_path: Path):
    catalog = Catalog(locale="en")
    for msgid, msgstr in ENGLISH.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    # later directories override earlier ones
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=f"translations;{tmp_path}")
    _forget_translations(app)  # loaded catalogues are cached across apps
    yield app
    _forget_translations(app)


def _forget_translations(app) -> None:
    with app.app_context():
        babel.domain_instance.cache.clear()


def test_the_suggestions_page_in_english_shows_english_reasons(english_app, make):
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"])
    share_members(make, a, (b, 2))
    pages = {}
    for language in ("en", "de"):
        user = make.user(role="staff", password=TEST_PASSWORD, language=language)
        client = english_app.test_client()
        login = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert login.status_code == 302
        pages[language] = client.get(f"/initiatives/{a.id}").get_data(as_text=True)
    assert "Both have" in pages["en"] and "as a member" in pages["en"]
    assert "Same Land" in pages["en"]
    assert "als Mitglied" not in pages["en"] and "Gleiches Bundesland" not in pages["en"]
    assert "als Mitglied" in pages["de"] and "Gleiches Bundesland" in pages["de"]


def test_reason_text_words_codes_with_their_data(english_app):
    further = Reason("further", None, 0.1, "… und 7 weitere", code="further", data={"count": 7})
    mix = Reason(
        "complementary_mix",
        None,
        0.1,
        "Ergänzende Mitglieder: hochschule",
        code="complementary_mix",
        data={"types": ["hochschule"]},
    )
    with english_app.test_request_context(), force_locale("en"):
        assert reason_text(further) == "… and 7 more shared connections"
        assert reason_text(mix).startswith("Complementary members: ")
        assert "hochschule" not in reason_text(mix)  # the type's label, not its value
    with english_app.test_request_context(), force_locale("de"):
        assert reason_text(further) == "… und 7 weitere gemeinsame Verbindungen"


def test_reason_texts_word_each_group_as_reason_text_does(english_app):
    def reason(code: str, **data: object) -> Reason:
        return Reason(code, None, 0.1, f"German {code}", code=code, data=data)

    groups = [
        [reason("shared_member", label="IHK Nord"), reason("same_region")],
        [
            reason("shared_member", label="TH Köln"),
            reason("complementary_mix", types=["hochschule", "ihk"]),
            reason("further", count=3),
            reason("further_one", count=1),
        ],
        [reason("label", label="Ein Knoten"), reason("unknown_code")],
        [],
    ]
    for language in ("en", "de"):
        with english_app.test_request_context(), force_locale(language):
            expected = [tuple(reason_text(r) for r in group) for group in groups]
            assert reason_texts(groups) == expected
            assert reason_texts(iter(groups)) == expected
    with english_app.test_request_context(), force_locale("en"):
        assert reason_texts(groups)[0] == ("Both have IHK Nord as a member", "Same Land")


def test_every_code_of_the_library_has_a_message():
    from crm.graph.suggest import WORDING

    assert set(WORDING) - set(MESSAGES) == {"further", "further_one", "label"}


def test_the_shipped_english_catalogue_words_the_reasons(client, login_as, make):
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"])
    share_members(make, a, (b, 2))
    login_as("staff")
    client.post("/language", data={"language": "en", "next": "/"})
    html = client.get(f"/initiatives/{a.id}").get_data(as_text=True)
    assert "Both have" in html and "as a member" in html and "Same federal state" in html
    assert "als Mitglied" not in html and "Gleiches Bundesland" not in html
