"""Persons whose processing is restricted (Art. 18 GDPR): hidden from initiatives'
representatives, marked for the office."""

from __future__ import annotations

import pytest

from crm import permissions
from crm.models import Role

MARK = "data-restricted"


@pytest.fixture
def setup(make):
    """An initiative with one ordinary and one restricted contact, both at one organisation."""
    initiative = make.initiative(name="Industrie Nord")
    organisation = make.organisation(name="Nordwerk GmbH")
    shown = make.person(first_name="Olga", last_name="Offen", email="olga@example.org")
    hidden = make.person(
        first_name="Erwin", last_name="Eingeschraenkt", email="erwin@example.org", restricted=True
    )
    roles = {
        "shown": make.initiative_role(shown, initiative),
        "hidden": make.initiative_role(hidden, initiative),
    }
    for person in (shown, hidden):
        make.affiliation(person, organisation)
    return {
        "initiative": initiative,
        "organisation": organisation,
        "shown": shown,
        "hidden": hidden,
        "roles": roles,
    }


def test_the_predicate(make):
    person = make.person(restricted=True)
    other = make.person()
    for role in (Role.STAFF, Role.ADMIN):
        user = make.user(role=role.value)
        assert permissions.can_see_person(user, person)
    editor = make.user(role="editor", initiative_id=make.initiative().id)
    assert not permissions.can_see_person(editor, person)
    assert permissions.can_see_person(editor, other)


def test_the_portal_does_not_show_a_restricted_contact(client, login_as, setup):
    login_as("editor", initiative=setup["initiative"])
    for path in ("/unsere-initiative/", f"/initiatives/{setup['initiative'].id}"):
        html = client.get(path).get_data(as_text=True)
        assert "Offen" in html, path
        assert "Eingeschraenkt" not in html, path
        assert "erwin@example.org" not in html, path
        assert MARK not in html, path


def test_the_portal_pages_of_a_restricted_contact_are_404(client, login_as, setup):
    login_as("editor", initiative=setup["initiative"])
    hidden, shown = setup["roles"]["hidden"].id, setup["roles"]["shown"].id
    for suffix in ("einwilligungen", "beenden"):
        assert client.get(f"/unsere-initiative/personen/{hidden}/{suffix}").status_code == 404
        assert client.post(f"/unsere-initiative/personen/{hidden}/{suffix}").status_code == 404
        assert client.get(f"/unsere-initiative/personen/{shown}/{suffix}").status_code == 200


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_see_restricted_persons_marked(client, login_as, setup, role):
    login_as(role)
    pages = {
        "/persons/": 1,
        f"/persons/{setup['hidden'].id}": 1,
        f"/initiatives/{setup['initiative'].id}": 1,
        f"/organisations/{setup['organisation'].id}": 1,
    }
    for path, marks in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert "Eingeschraenkt" in html, path
        assert html.count(MARK) == marks, path
        assert "eingeschränkt" in html, path
    assert MARK not in client.get(f"/persons/{setup['shown'].id}").get_data(as_text=True)
