"""What each row of the directory lists and of an event's registrations shows: the cells
are built in Python (`crm.directory.rows`, `crm.events.rows`) and only written out by the
templates, so these hold every cell to what the record says."""

from __future__ import annotations

import re

from crm.db.engine import writing
from crm.extensions import db
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import OrgType
from crm.models import RegistrationStatus
from crm.models import WorkshopPreference


def _row(client, url: str, marker: str) -> str:
    """The <tr> of the list at `url` that contains `marker`."""
    response = client.get(url)
    assert response.status_code == 200, url
    rows = re.findall(r"<tr>.*?</tr>", response.get_data(as_text=True), re.S)
    found = [row for row in rows if marker in row]
    assert len(found) == 1, (marker, rows)
    return found[0]


def _cells(row: str) -> list[str]:
    """The text of each cell, tags removed, whitespace squeezed."""
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_an_initiative_row_shows_its_link_labels_laender_place_year_and_status(
    client, login_as, make
):
    ini = make.initiative(
        name="Stahl & Wasserstoff <Ruhr>",
        type=InitiativeType.IHK_PROJEKT,
        status=InitiativeStatus.RUHEND,
        place="Duisburg",
        founded_year=2019,
        laender=["09", "05"],
    )
    bare = make.initiative(name="Ohne Angaben")
    login_as("staff")
    row = _row(client, "/initiatives/", f'href="/initiatives/{ini.id}"')
    assert _cells(row) == [
        "Stahl &amp; Wasserstoff &lt;Ruhr&gt;",  # escaped like any text
        "IHK-Projekt",
        "Nordrhein-Westfalen, Bayern",  # by the Länder's codes
        "Duisburg",
        "2019",
        "ruhend",
    ]
    assert _cells(_row(client, "/initiatives/", f'href="/initiatives/{bare.id}"')) == [
        "Ohne Angaben",
        "Verein",
        "",
        "",
        "",
        "aktiv",
    ]


def test_an_organisation_row_shows_its_link_type_place_and_land(client, login_as, make):
    org = make.organisation(name="Hafen AG", type=OrgType.KOMMUNE, place="Kiel", land_ags="01")
    bare = make.organisation(name="Irgendwo GmbH")
    login_as("staff")
    row = _row(client, "/organisations/", f'href="/organisations/{org.id}"')
    assert _cells(row) == ["Hafen AG", "Kommune", "Kiel", "Schleswig-Holstein"]
    bare_row = _row(client, "/organisations/", f'href="/organisations/{bare.id}"')
    assert _cells(bare_row) == ["Irgendwo GmbH", "Unternehmen", "", ""]


def test_a_person_row_shows_name_title_restriction_mail_and_phone(client, login_as, make):
    person = make.person(
        first_name="Erika",
        last_name="Beispiel",
        title="Dr.",
        email="erika.beispiel@example.org",
        phone="+49 30 23125 000",
        restricted=True,
    )
    bare = make.person(first_name="Max", last_name="Ohnemail", email=None)
    login_as("staff")
    row = _row(client, "/persons/", f'href="/persons/{person.id}"')
    assert "data-restricted" in row
    assert 'href="mailto:erika.beispiel@example.org"' in row
    assert _cells(row) == [
        "Beispiel, Erika (Dr.) eingeschränkt",
        "erika.beispiel@example.org",
        "+49 30 23125 000",
    ]
    bare_row = _row(client, "/persons/", f'href="/persons/{bare.id}"')
    assert "data-restricted" not in bare_row
    assert "mailto:" not in bare_row
    assert _cells(bare_row) == ["Ohnemail, Max", "", ""]


def test_a_registration_row_shows_every_cell_and_no_none(client, login_as, make):
    event = make.event()
    first, second = (
        make.workshop(event, title="Wasserstoff"),
        make.workshop(event, title="Fachkräfte"),
    )
    ini = make.initiative(name="Region im Wandel")
    org = make.organisation(name="Werft GmbH", type=OrgType.IHK)
    listed = make.registration(
        event,
        make.person(first_name="Ada", last_name="Anders", title="Prof."),
        organisation_id=org.id,
        organisation_text="Werft",
        initiative_id=ini.id,
        function="Leitung",
    )
    make.registration(
        event,
        make.person(first_name="Bea", last_name="Bloß", email=None),
        status=RegistrationStatus.WAITLISTED,
    )
    with make.app.app_context(), writing():
        db.session.add_all(
            [
                WorkshopPreference(registration_id=listed.id, workshop_id=second.id, rank=1),
                WorkshopPreference(registration_id=listed.id, workshop_id=first.id, rank=2),
            ]
        )
        db.session.commit()
    login_as("staff")
    url = f"/events/{event.id}/registrations"
    row = _row(client, url, "Anders, Ada")
    cells = _cells(row)
    assert cells[0].startswith("Anders, Ada ")
    assert "Werft Verzeichnis: Werft GmbH (IHK)" in cells[1]
    assert '<span class="visually-hidden">: Prof. Ada Anders</span>' in row  # the button's label
    assert cells[2:6] == ["Region im Wandel", "Leitung", "angemeldet", "Fachkräfte Wasserstoff"]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}.*", cells[6])
    bare_cells = _cells(_row(client, url, "Bloß, Bea"))
    assert "None" not in " ".join(bare_cells)
    assert bare_cells[0] == "Bloß, Bea"
    assert bare_cells[1:6] == ["—", "—", "", "Warteliste", ""]
