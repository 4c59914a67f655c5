"""The suggestions panel of a record page is rendered once per panel and kept (#23): each
request gets its own CSRF token in the kept decision forms, a viewer who may not act never
gets the forms kept for staff, and a save shows on the next request."""

from __future__ import annotations

import re

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Initiative
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members


def _panel(html: str) -> str:
    return html.split('id="suggestions-h"', 1)[1].split("</section>", 1)[0]


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', html))


def _page_token(html: str) -> str:
    """The CSRF token of the page's forms outside the panel (e.g. "Abmelden")."""
    before, rest = html.split('id="suggestions-h"', 1)
    outside = _tokens(before + rest.split("</section>", 1)[1])
    assert len(outside) == 1, outside
    return outside.pop()


def test_the_kept_panel_carries_each_sessions_token(app, client, login_as, make):
    login_as("staff")
    hub = make.initiative(name="Zukunft Industrie Nord")
    other = make.initiative(name="Bündnis Brückenland")
    share_members(make, hub, (other, 2))
    url = f"/initiatives/{hub.id}"

    first = client.get(url).get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)  # from the kept panel
    assert "Bündnis Brückenland" in _panel(again)
    assert _panel(first).count('name="decision"') == _panel(again).count('name="decision"') > 0
    assert _tokens(_panel(again)) == {_page_token(again)}

    colleague = make.user(role="staff", password=TEST_PASSWORD)
    other_client = app.test_client()
    response = other_client.post(
        "/login", data={"email": colleague.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    theirs = other_client.get(url).get_data(as_text=True)
    assert _tokens(_panel(theirs)) == {_page_token(theirs)}
    assert _page_token(theirs) != _page_token(again)
    assert "stand-in" not in theirs and "csrf-token-of-the-request" not in theirs

    editor = make.user(role="editor", initiative_id=hub.id, password=TEST_PASSWORD)
    editor_client = app.test_client()
    response = editor_client.post("/login", data={"email": editor.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    shown = editor_client.get(url).get_data(as_text=True)
    if 'id="suggestions-h"' in shown:  # an editor sees suggestions, never the staff's forms
        assert 'name="decision"' not in _panel(shown)


def test_a_save_shows_in_the_panel_on_the_next_request(app, client, login_as, make):
    login_as("staff")
    hub = make.initiative(name="Zukunft Industrie Nord")
    other = make.initiative(name="Bündnis Brückenland")
    share_members(make, hub, (other, 2))
    url = f"/initiatives/{hub.id}"
    assert "Bündnis Brückenland" in _panel(client.get(url).get_data(as_text=True))

    with app.app_context(), writing():
        renamed = db.session.get(Initiative, other.id)
        assert renamed is not None
        renamed.name = "Bündnis Neuland"
        db.session.commit()
    panel = _panel(client.get(url).get_data(as_text=True))
    assert "<strong>Bündnis Neuland</strong>" in panel
    assert "<strong>Bündnis Brückenland</strong>" not in panel
