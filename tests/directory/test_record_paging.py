"""Long lists inside a record's page come a page at a time (#23): each list has its own page
parameter, its pager keeps the other parameters and lands on the list, and shows the total;
a record page renders the same number of rows however many links the record has."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import InitiativeType
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.web.pagination import RECORD_LIST_SIZE

MORE = RECORD_LIST_SIZE + 3  # one full page and three rows on the second


def _bulk(app: Any, rows: list[Any]) -> list[int]:
    """Save `rows` in one transaction (the factories commit one record at a time)."""
    with app.app_context(), writing():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def _organisations(app: Any, prefix: str, n: int = MORE) -> list[int]:
    return _bulk(
        app,
        [Organisation(name=f"{prefix} {k:03d}", type=OrgType.UNTERNEHMEN) for k in range(n)],
    )


def _persons(app: Any, prefix: str, n: int = MORE) -> list[int]:
    return _bulk(
        app,
        [
            Person(first_name="Eva", last_name=f"{prefix}{k:03d}", email=f"{prefix}{k}@example.org")
            for k in range(n)
        ],
    )


def _pager(page_html: str, label: str) -> str:
    """The pager named `label` (its <nav>), which must be there."""
    found = re.search(rf'<nav aria-label="Seiten: {label}".*?</nav>', page_html, re.S)
    assert found, f"no pager {label!r}"
    return found.group(0)


def _links(fragment: str) -> dict[str, str]:
    """The pager's links by their text."""
    found = re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>([^<]+)</a>', fragment)
    return {text: html.unescape(href) for href, text in found}


def test_members_of_a_type_in_pages_of_fifty(app, client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Großes Bündnis")
    orgs = _organisations(app, "Betrieb")
    _bulk(
        app,
        [
            Membership(organisation_id=o, initiative_id=ini.id, role=MembershipRole.MITGLIED)
            for o in orgs
        ],
    )
    url = f"/initiatives/{ini.id}"
    short = client.get(url).get_data(as_text=True)
    assert "Betrieb 009" in short and "Betrieb 010" not in short  # ten before "alle anzeigen"
    assert f"alle {MORE} anzeigen" in short
    assert 'aria-label="Seiten: Unternehmen"' not in short

    first = client.get(f"{url}?alle=unternehmen").get_data(as_text=True)
    assert "Betrieb 049" in first and "Betrieb 050" not in first
    pager = _pager(first, "Unternehmen")
    assert f"{MORE} Einträge · Seite 1 von 2" in pager
    links = _links(pager)
    assert set(links) == {"Weiter", "Letzte"}  # no steps back from the first page
    assert links["Weiter"].startswith(url + "?")
    assert "alle=unternehmen" in links["Weiter"] and "members_page=2" in links["Weiter"]
    assert links["Weiter"].endswith("#members-unternehmen")

    second = client.get(links["Weiter"].split("#")[0]).get_data(as_text=True)
    assert "Betrieb 050" in second and "Betrieb 052" in second and "Betrieb 049" not in second
    assert "Seite 2 von 2" in _pager(second, "Unternehmen")
    assert set(_links(_pager(second, "Unternehmen"))) == {"Erste", "Zurück"}
    assert "weniger anzeigen" in second

    beyond = client.get(f"{url}?alle=unternehmen&members_page=99").get_data(as_text=True)
    assert "Betrieb 052" in beyond and "Seite 2 von 2" in beyond  # the last page


def test_former_members_contacts_and_relationships_are_paged(app, client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Altes Bündnis")
    ended = dt.date(2020, 1, 1)
    _bulk(
        app,
        [
            Membership(
                organisation_id=o,
                initiative_id=ini.id,
                role=MembershipRole.MITGLIED,
                until=ended,
            )
            for o in _organisations(app, "Ehemalig")
        ],
    )
    _bulk(
        app,
        [
            InitiativeRole(
                person_id=p, initiative_id=ini.id, role=InitiativeRoleKind.ANSPRECHPERSON
            )
            for p in _persons(app, "Kontakt")
        ],
    )
    others = _bulk(
        app, [Initiative(name=f"Partner {k:03d}", type=InitiativeType.VEREIN) for k in range(MORE)]
    )
    _bulk(
        app,
        [
            Relationship(
                initiative_a_id=ini.id, initiative_b_id=o, kind=RelationshipKind.KOOPERATION
            )
            for o in others
        ],
    )
    url = f"/initiatives/{ini.id}"
    page = client.get(url).get_data(as_text=True)
    assert f"Frühere Mitglieder ({MORE})" in page
    assert "Ehemalig 049" in page and "Ehemalig 050" not in page
    assert "Kontakt049" in page and "Kontakt050" not in page
    assert "Partner 049" in page and "Partner 050" not in page
    assert '<details id="former-members">' in page  # closed until its pager is used
    for label, param, anchor in (
        ("Frühere Mitglieder", "former_page", "former-members"),
        ("Ansprechpersonen", "contacts_page", "contacts-h"),
        ("Beziehungen", "relationships_page", "rel-h"),
    ):
        pager = _pager(page, label)
        assert f"{MORE} Einträge · Seite 1 von 2" in pager
        assert _links(pager)["Weiter"] == f"{url}?{param}=2#{anchor}"

    # each list turns its own page, and the pagers keep each other's pages
    both = client.get(f"{url}?former_page=2&contacts_page=2").get_data(as_text=True)
    assert "Ehemalig 050" in both and "Ehemalig 049" not in both
    assert "Kontakt050" in both and "Kontakt049" not in both
    assert "Partner 049" in both and "Partner 050" not in both
    assert '<details id="former-members" open>' in both
    step = _links(_pager(both, "Beziehungen"))["Weiter"]
    assert "former_page=2" in step and "contacts_page=2" in step and "relationships_page=2" in step


def test_organisation_memberships_and_people_are_paged(app, client, login_as, make):
    login_as("staff")
    org = make.organisation(name="Großbetrieb AG")
    inis = _bulk(
        app, [Initiative(name=f"Netzwerk {k:03d}", type=InitiativeType.VEREIN) for k in range(MORE)]
    )
    _bulk(
        app,
        [
            Membership(organisation_id=org.id, initiative_id=i, role=MembershipRole.MITGLIED)
            for i in inis
        ],
    )
    _bulk(
        app,
        [Affiliation(person_id=p, organisation_id=org.id) for p in _persons(app, "Beschäftigt")],
    )
    url = f"/organisations/{org.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Netzwerk 049" in page and "Netzwerk 050" not in page
    assert "Beschäftigt049" in page and "Beschäftigt050" not in page
    assert f'id="memberships-h">Mitgliedschaften <span class="badge text-bg-primary">{MORE}' in (
        page
    )
    memberships = _pager(page, "Mitgliedschaften")
    assert f"{MORE} Einträge · Seite 1 von 2" in memberships
    assert _links(memberships)["Letzte"] == f"{url}?memberships_page=2#memberships-h"
    assert _links(_pager(page, "Personen"))["Weiter"] == f"{url}?people_page=2#people-h"

    second = client.get(f"{url}?people_page=2").get_data(as_text=True)
    assert "Beschäftigt050" in second and "Beschäftigt049" not in second
    assert "Netzwerk 049" in second and "Netzwerk 050" not in second
    assert "people_page=2" in _links(_pager(second, "Mitgliedschaften"))["Weiter"]


def test_person_affiliations_and_roles_are_paged(app, client, login_as, make):
    login_as("staff")
    person = make.person(first_name="Viel", last_name="Beschäftigt")
    orgs = _organisations(app, "Arbeitgeber")
    _bulk(app, [Affiliation(person_id=person.id, organisation_id=o) for o in orgs])
    inis = _bulk(
        app, [Initiative(name=f"Gremium {k:03d}", type=InitiativeType.VEREIN) for k in range(MORE)]
    )
    _bulk(
        app,
        [
            InitiativeRole(person_id=person.id, initiative_id=i, role=InitiativeRoleKind.VORSITZ)
            for i in inis
        ],
    )
    url = f"/persons/{person.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Arbeitgeber 049" in page and "Arbeitgeber 050" not in page
    assert "Gremium 049" in page and "Gremium 050" not in page
    assert _links(_pager(page, "Zugehörigkeiten"))["Weiter"] == (f"{url}?affiliations_page=2#aff-h")
    last = client.get(f"{url}?roles_page=2").get_data(as_text=True)
    assert "Gremium 052" in last and "Gremium 049" not in last
    assert "Seite 2 von 2" in _pager(last, "Rollen in Initiativen")


def test_short_lists_have_no_pager(client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Kleines Bündnis")
    make.membership(make.organisation(name="Einzelbetrieb GmbH"), ini)
    page = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "Einzelbetrieb GmbH" in page
    assert "Seiten:" not in page
