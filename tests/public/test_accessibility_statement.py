"""The Erklärung zur Barrierefreiheit (/barrierefreiheit): public, linked from the footer of
every page, honest about the state of compliance, with the configured feedback contact and
the way to the Schlichtungsstelle nach § 16 BGG."""

from __future__ import annotations

import re

from tests.events.helpers import open_event

FOOTER = re.compile(r"<footer.*?</footer>", re.S)
LINK = '<a href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a>'


def footer(html: str) -> str:
    match = FOOTER.search(html)
    assert match, "page without footer"
    return match.group(0)


def test_statement_is_public_and_says_what_the_law_asks(client):
    response = client.get("/barrierefreiheit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Erklärung zur Barrierefreiheit – Industrienetz</title>" in html
    assert "teilweise barrierefrei" in html
    assert 'data-compliance="partial"' in html
    assert "Nicht barrierefreie Inhalte" in html
    assert "Netzwerkgraph" in html  # a known gap is named
    assert "Schlichtungsstelle nach § 16 des Behindertengleichstellungsgesetzes" in html
    assert "https://www.schlichtungsstelle-bgg.de" in html


def test_linked_from_public_and_logged_in_pages(client, make, login_as):
    event, _ws = open_event(make)
    for path in ["/verzeichnis/", f"/events/{event.id}/register", "/login", "/barrierefreiheit"]:
        assert LINK in footer(client.get(path).get_data(as_text=True)), path
    assert client.get("/gibt-es-nicht").status_code == 404
    assert LINK in footer(client.get("/gibt-es-nicht").get_data(as_text=True))
    login_as("staff")
    for path in ["/", "/persons/"]:
        assert LINK in footer(client.get(path).get_data(as_text=True)), path


def test_feedback_contact_comes_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "barrierefrei@example.org")
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert '<a href="mailto:barrierefrei@example.org">barrierefrei@example.org</a>' in html

    monkeypatch.setitem(
        app.config, "ACCESSIBILITY_CONTACT", "Beratungsstelle\nMusterweg 2\n\nTel. <0301>"
    )
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "Beratungsstelle<br>Musterweg 2</p>" in html
    assert "Tel. &lt;0301&gt;" in html  # a text, never HTML


def test_without_contact_the_statement_points_to_the_imprint(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", None)
    monkeypatch.setitem(app.config, "IMPRINT_URL", None)
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", None)
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "die Beratungsstelle, die diese Anwendung betreibt" in html
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", "Beispielstelle\nMusterstraße 1")
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert '<a href="/impressum">Impressum</a>' in html


def test_statement_in_english(client):
    client.post("/language", data={"language": "en"})
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert '<html lang="en">' in html
