"""The public directory keeps what it shows the same to everyone per data version
(`crm.public.views`): the map, the list without a search text and an initiative's profile
are rendered once and kept per language; a save is shown on the next request."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.extensions import db
from crm.models import Initiative
from crm.public import queries
from tests.public.helpers import public_initiatives


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """Every read of the listed initiatives and of a profile (a kept part reads none)."""
    made: list[str] = []
    listed, one = queries.listed_initiatives, queries.listed_initiative

    def listed_initiatives(params: Any) -> Any:
        made.append("list")
        return listed(params)

    def listed_initiative(initiative_id: int) -> Any:
        made.append("profile")
        return one(initiative_id)

    monkeypatch.setattr(queries, "listed_initiatives", listed_initiatives)
    monkeypatch.setattr(queries, "listed_initiative", listed_initiative)
    return made


def change(app: Any, initiative_id: int, **values: Any) -> None:
    """A save of the initiative (audited, so a new data version)."""
    with app.app_context():
        initiative = db.session.get_one(Initiative, initiative_id)
        for name, value in values.items():
            setattr(initiative, name, value)
        db.session.commit()


# The language form's CSRF token carries the second it was made: two requests may differ.
CSRF = re.compile(r'(name="csrf_token" value=")[^"]+')


def page(client: Any, path: str) -> str:
    """The page at `path`, its CSRF tokens masked."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return CSRF.sub(r"\1", response.get_data(as_text=True))


def test_the_list_is_kept_until_a_save(app, client, make, loads):
    listed, other, _hidden = public_initiatives(make)
    first = page(client, "/verzeichnis/")
    assert page(client, "/verzeichnis/") == first and loads == ["list"]
    change(app, other.id, public_listing=False)
    after = page(client, "/verzeichnis/")
    assert loads == ["list", "list"]
    assert "Zukunft durch Industrie Köln e.V." in after
    assert "Industrieallianz Oberbayern" in first and "Industrieallianz Oberbayern" not in after


def found(html: str) -> list[int]:
    """The ids of the initiatives in the list (the map shows them all)."""
    return [int(n) for n in re.findall(r'data-initiative="(\d+)"', html)]


def test_a_filter_keeps_its_own_list_and_map_a_search_none(app, client, make, loads):
    listed, other, _hidden = public_initiatives(make)
    nrw = page(client, "/verzeichnis/?land=05")
    bayern = page(client, "/verzeichnis/?land=09")
    assert found(nrw) == [listed.id] and found(bayern) == [other.id]
    assert page(client, "/verzeichnis/?land=05") == nrw and loads == ["list", "list"]
    for _ in range(2):
        assert found(page(client, "/verzeichnis/?q=allianz")) == [other.id]
    assert loads == ["list"] * 4  # a search text is read each time


def test_each_language_gets_its_own_list(client, make, loads):
    public_initiatives(make)
    german = page(client, "/verzeichnis/")
    client.post("/language", data={"language": "en", "next": "/"})
    english = page(client, "/verzeichnis/")
    assert "2 Initiativen gefunden" in german and "2 initiatives found" in english
    assert loads == ["list", "list"]


def test_a_profile_is_kept_until_a_save(app, client, make, loads):
    listed, _other, hidden = public_initiatives(make)
    path = f"/verzeichnis/{listed.id}"
    first = page(client, path)
    assert page(client, path) == first and loads == ["profile"]
    change(app, listed.id, description="Neu: Ausbildung und Wasserstoff.", name="ZDI Köln")
    after = page(client, path)
    assert "Neu: Ausbildung und Wasserstoff." in after and "<title>ZDI Köln" in after
    assert loads == ["profile", "profile"]
    assert client.get(f"/verzeichnis/{hidden.id}").status_code == 404
    change(app, listed.id, public_listing=False)
    assert client.get(path).status_code == 404
    change(app, hidden.id, public_listing=True)
    assert "Geheimbund Maschinenbau" in page(client, f"/verzeichnis/{hidden.id}")
