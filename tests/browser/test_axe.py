"""The axe-core helper itself: it finds violations, passes clean pages, works under a strict CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.axe import axe_violations
from tests.browser.axe import check_accessibility

pytestmark = pytest.mark.browser

STRICT_CSP = "<meta http-equiv='Content-Security-Policy' content=\"default-src 'self'\">"
CLEAN = f"""<!doctype html><html lang="de"><head><meta charset="utf-8">{STRICT_CSP}
<title>Sauber</title></head><body><main><h1>Sauber</h1>
<form><label for="q">Suche</label><input id="q" name="q"></form>
<img src="data:," alt="Logo"></main></body></html>"""
BROKEN = f"""<!doctype html><html><head><meta charset="utf-8">{STRICT_CSP}
<title>Kaputt</title></head><body><main><h1>Kaputt</h1>
<input id="q" name="q"><img src="data:,">
<p class="pale">blass</p></main></body></html>"""


@pytest.fixture
def bare_page(browser) -> Iterator[object]:
    """A page without the app: the helper needs no server and no database."""
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    yield page
    context.close()


def test_clean_page_passes(bare_page):
    bare_page.set_content(CLEAN)
    assert check_accessibility(bare_page, context_name="sauber") == []


def test_violations_are_listed_and_fail_the_test(bare_page):
    bare_page.set_content(BROKEN)
    ids = {v["id"] for v in axe_violations(bare_page)}
    assert {"html-has-lang", "image-alt", "label"} <= ids
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(bare_page, context_name="kaputte Seite")
    message = str(failure.value)
    assert "kaputte Seite" in message
    assert "image-alt (critical)" in message
    assert "label (critical)" in message
    assert "img" in message  # the offending node's selector


def test_injection_survives_the_app_csp(page):
    """The login page sends the app's real CSP header; axe still runs (and finds nothing)."""
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    check_accessibility(page, context_name="Anmeldung")
    assert page.evaluate("() => typeof window.axe") == "object"
