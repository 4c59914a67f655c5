"""Impressum and Datenschutzerklärung: links in the footer of the public pages, addresses or
texts from the instance configuration; `make run` writes demo texts."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from tests.events.helpers import open_event

ROOT = Path(__file__).resolve().parents[2]
FOOTER = re.compile(r"<footer.*?</footer>", re.S)


def footer(html: str) -> str:
    match = FOOTER.search(html)
    assert match, "page without footer"
    return match.group(0)


def public_pages(make) -> list[str]:
    event, _ws = open_event(make)
    return ["/verzeichnis/", f"/events/{event.id}/register", "/login"]


def test_without_configuration_no_links_and_no_pages(client, make):
    for path in public_pages(make):
        html = client.get(path).get_data(as_text=True)
        assert "Impressum" not in footer(html)
        assert "Datenschutzerklärung" not in footer(html)
    assert client.get("/impressum").status_code == 404
    assert client.get("/datenschutz").status_code == 404


def test_texts_are_served_and_linked_from_every_public_page(app, client, make, monkeypatch):
    monkeypatch.setitem(
        app.config, "IMPRINT_TEXT", "Beispielstelle\nMusterstraße 1\n\n<b>Verantwortlich</b>: E. B."
    )
    monkeypatch.setitem(app.config, "PRIVACY_TEXT", "Wir verarbeiten nur das Nötige.")
    for path in public_pages(make):
        html = footer(client.get(path).get_data(as_text=True))
        assert '<a href="/impressum">Impressum</a>' in html, path
        assert '<a href="/datenschutz">Datenschutzerklärung</a>' in html, path
    page = client.get("/impressum")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<h1 class="h3">Impressum</h1>' in html
    assert "Beispielstelle<br>Musterstraße 1</p>" in html  # lines and paragraphs kept
    assert "&lt;b&gt;Verantwortlich&lt;/b&gt;" in html  # a text, never HTML
    privacy = client.get("/datenschutz").get_data(as_text=True)
    assert "Wir verarbeiten nur das Nötige." in privacy


def test_addresses_win_over_texts(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "IMPRINT_URL", "https://beratungsstelle.example.org/impressum")
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", "wird nicht gezeigt")
    monkeypatch.setitem(
        app.config, "PRIVACY_URL", "https://beratungsstelle.example.org/datenschutz"
    )
    for path in public_pages(make):
        html = footer(client.get(path).get_data(as_text=True))
        assert 'href="https://beratungsstelle.example.org/impressum">Impressum<' in html
        assert 'href="https://beratungsstelle.example.org/datenschutz">Datenschutz' in html
    response = client.get("/impressum")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://beratungsstelle.example.org/impressum"
    assert client.get("/datenschutz").headers["Location"].endswith("/datenschutz")


def test_links_also_for_logged_in_users(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_TEXT", "Text")
    login_as("staff")
    html = footer(client.get("/").get_data(as_text=True))
    assert '<a href="/datenschutz">Datenschutzerklärung</a>' in html
    assert "Impressum" not in html  # only what is configured


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_settings_count_as_missing(app, client, monkeypatch, blank):
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", blank)
    monkeypatch.setitem(app.config, "IMPRINT_URL", blank)
    assert client.get("/impressum").status_code == 404
    assert "Impressum" not in footer(client.get("/verzeichnis/").get_data(as_text=True))


def test_make_run_writes_demo_texts_that_the_app_serves(app, client, monkeypatch, tmp_path):
    target = tmp_path / "instance" / "config.py"
    subprocess.run(  # noqa: S603 - our own script with a path we chose
        [sys.executable, str(ROOT / "scripts" / "make_instance_config.py"), str(target)],
        check=True,
        capture_output=True,
    )
    written = runpy.run_path(str(target))
    assert "example.org" in written["IMPRINT_TEXT"] and "Demo" in written["IMPRINT_TEXT"]
    assert "DSGVO" in written["PRIVACY_TEXT"]
    for key in ("IMPRINT_TEXT", "PRIVACY_TEXT"):
        monkeypatch.setitem(app.config, key, written[key])
    assert "Musterstraße 1" in client.get("/impressum").get_data(as_text=True)
    assert "Art. 6 Abs. 1" in client.get("/datenschutz").get_data(as_text=True)
