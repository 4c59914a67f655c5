"""The start page's figures are rendered once per data version and day and kept per
language (`crm.main.views.figures_html`): asked again, the kept HTML; after a save, the new
figures on the next request; the admins' backup warning stays outside what is kept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.main import views
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every rendering of the figures (a kept one renders nothing)."""
    made: list[str] = []
    render = views._render_figures

    def counting() -> str:
        html = render()
        made.append(html)
        return html

    monkeypatch.setattr(views, "_render_figures", counting)
    return made


def counts(response: Any) -> dict[str, str]:
    html = response.get_data(as_text=True)
    return dict(re.findall(r'data-count="(\w+)">([^<]*)<', html))


def test_the_figures_are_kept_until_a_save(client, login_as, make, renders):
    login_as("staff")
    nord = make.initiative(name="Zukunft Nord", laender=["03"])
    first = counts(client.get("/"))
    assert first["initiatives"] == "1" and first["organisations"] == "0"
    assert counts(client.get("/")) == first and len(renders) == 1
    werft = make.organisation(name="Neue Werft GmbH", land_ags="03")  # a save
    make.membership(werft, nord)
    after = client.get("/")
    assert len(renders) == 2
    assert counts(after)["organisations"] == "1" and counts(after)["memberships"] == "1"
    assert "Zukunft Nord" in after.get_data(as_text=True)  # the map's list, kept with them


def test_each_language_gets_its_own_figures(client, login_as, make, renders):
    login_as("staff")
    make.initiative(name="Zukunft Nord", laender=["03"])
    german = client.get("/").get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get("/").get_data(as_text=True)
    assert "Nach Bundesland" in german and "Nach Bundesland" not in english
    assert len(renders) == 2


def test_the_backup_warning_is_the_admins_only(app, make, renders):
    make.initiative(name="Zukunft Nord", laender=["03"])
    clients = {}
    for role in ("admin", "staff"):  # both logged in first: a login is a save
        user = make.user(role=role, password=TEST_PASSWORD)
        clients[role] = app.test_client()
        clients[role].post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    shown = {role: c.get("/").get_data(as_text=True) for role, c in clients.items()}
    assert "data-backup-warning" in shown["admin"]
    assert "data-backup-warning" not in shown["staff"]
    assert len(renders) == 1  # the same figures for both
