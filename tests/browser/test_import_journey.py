"""Browser journey of the import: staff uploads a Windows-1252 CSV of organisations, sees
what was detected, corrects the mapping, reads the preview (a similar existing record to
decide on, an error row), imports, and takes the import back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Organisation
from tests.browser.axe import check_accessibility
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _orgs(app: Any) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Organisation.name)))


def test_staff_imports_organisations_and_undoes_the_import(
    app, page, make, screenshot, tmp_path: Path
):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    make.organisation(name="Stahlwerk Nordhafen AG", plz="47051")
    path = tmp_path / "Firmenliste.csv"
    path.write_bytes(
        (
            "Firma;PLZ;Bemerkung;Homepage\r\n"
            "Müller-Lüdenscheidt GmbH;50667;Kunde seit 2019;mueller.example\r\n"
            "Stahlwerk Nordhafen;47051;;\r\n"
            "Weiß & Söhne KG;12345x;;\r\n"
        ).encode("cp1252")
    )

    log_in(page, user.email)
    page.get_by_role("button", name="Verwaltung").click()
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Was wird importiert?").select_option(label="Organisationen")
    page.get_by_label("Datei (CSV, XLSX oder ODS)").set_input_files(str(path))
    check_accessibility(page, context_name="Import: Datei")
    page.get_by_role("button", name="Hochladen und prüfen").click()

    # what was detected is shown and can be corrected
    expect(page.get_by_label("Zeichenkodierung")).to_have_value("cp1252")
    expect(page.get_by_label("Trennzeichen")).to_have_value(";")
    expect(page.locator("[data-table=sample]")).to_contain_text("Müller-Lüdenscheidt GmbH")
    check_accessibility(page, context_name="Import: Lesart")
    page.get_by_role("button", name="Weiter zur Zuordnung").click()

    # mapping: Firma → Name, PLZ → PLZ, Homepage → Webseite are found; Bemerkung is not
    expect(page.get_by_label("Feld für Spalte „Firma“")).to_have_value("name")
    expect(page.get_by_label("Feld für Spalte „Homepage“")).to_have_value("website")
    expect(page.get_by_label("Feld für Spalte „Bemerkung“")).to_have_value("")
    page.get_by_label("Feld für Spalte „Bemerkung“").select_option(label="Andere Namen")
    page.get_by_label("Feld für Spalte „Bemerkung“").select_option(value="")
    page.get_by_label("Zuordnung speichern als (optional)").fill("Firmenliste Köln")
    check_accessibility(page, context_name="Import: Zuordnung")
    page.get_by_role("button", name="Vorschau anzeigen").click()

    # preview: counts, one new, one to decide, one error; nothing written yet
    expect(page.locator("[data-count=new]")).to_have_text("1")
    expect(page.locator("[data-count=review]")).to_have_text("1")
    expect(page.locator("[data-count=error]")).to_have_text("1")
    expect(page.locator("[data-row='4']")).to_contain_text("keine Postleitzahl")
    assert _orgs(app) == ["Stahlwerk Nordhafen AG"]
    check_accessibility(page, context_name="Import: Vorschau")
    screenshot("import-preview")
    page.get_by_label("Entscheidung für Zeile 3").select_option(value="match")
    page.get_by_role("button", name="Jetzt importieren").click()

    expect(page.locator("[data-count=new]")).to_have_text("1")
    # the chosen similar record keeps its name; the place, Kreis and Land of its PLZ fill in
    expect(page.locator("[data-count=update]")).to_have_text("1")
    assert _orgs(app) == ["Müller-Lüdenscheidt GmbH", "Stahlwerk Nordhafen AG"]
    check_accessibility(page, context_name="Import: Ergebnis")
    screenshot("import-result")

    page.get_by_role("link", name="Import rückgängig machen").click()
    page.get_by_role("button", name="Ja, Import rückgängig machen").click()
    expect(page.get_by_text("Import rückgängig gemacht")).to_be_visible()
    assert _orgs(app) == ["Stahlwerk Nordhafen AG"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
        nordhafen = db.session.scalar(select(Organisation))
        assert nordhafen.place is None  # the update was taken back too
