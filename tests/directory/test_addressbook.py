"""Address book and mail merge (issue 17, part 6): vCard 3.0 of one person and of the
current person list, and the "Serienbrief" list (salutation, DIN 5008 address block,
e-mail) of persons who consented to the mailing.

Files are opened as a user's tool would: vobject for the cards, openpyxl and csv (Excel's
dialect with the German semicolon) for the list."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import vobject
from openpyxl import load_workbook

from crm.models import ConsentPurpose
from crm.models import ConsentStatus


@pytest.fixture
def people(make):
    """Three consenting persons (female with title, male, neutral), one who revoked,
    one restricted, one without any consent; the first two at an organisation."""
    org = make.organisation(
        name="Müller & Söhne GmbH", street="Hauptstraße 5", plz="01067", place="Dresden"
    )
    mueller = make.person(
        salutation="Frau",
        title="Dr.",
        first_name="Anna",
        last_name="Müller",
        email="anna.mueller@example.org",
        phone="+49 351 1234",
    )
    schmidt = make.person(
        salutation="Herr", first_name="Bernd", last_name="Schmidt", email="b.schmidt@example.org"
    )
    weber = make.person(first_name="Alex", last_name="Weber", email="alex.weber@example.org")
    revoked = make.person(first_name="Rita", last_name="Widerruf")
    restricted = make.person(first_name="Gesperrt", last_name="Person", restricted=True)
    make.person(first_name="Ohne", last_name="Einwilligung")
    make.affiliation(mueller, org, function="Geschäftsführerin")
    make.affiliation(schmidt, org, until=dt.date(2020, 1, 1))  # a former job: no address
    for person in (mueller, schmidt, weber, revoked, restricted):
        make.consent(person, purpose=ConsentPurpose.EVENT_INVITATIONS)
    make.consent(
        revoked,
        purpose=ConsentPurpose.EVENT_INVITATIONS,
        status=ConsentStatus.REVOKED,
        given_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1),
    )
    make.consent(weber, purpose=ConsentPurpose.NEWSLETTER)
    return {"mueller": mueller, "restricted": restricted, "org": org}


def test_one_persons_vcard_opens_in_vobject(client, login_as, people):
    login_as("staff")
    person = people["mueller"]
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert f'href="/persons/{person.id}.vcf"' in page
    response = client.get(f"/persons/{person.id}.vcf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    card = vobject.readOne(response.get_data(as_text=True))
    assert card.version.value == "3.0"
    assert card.fn.value == "Dr. Anna Müller"
    assert (card.n.value.family, card.n.value.given, card.n.value.prefix) == (
        "Müller",
        "Anna",
        "Dr.",
    )
    assert card.email.value == "anna.mueller@example.org"
    assert card.email.params["TYPE"] == ["INTERNET"]
    assert card.tel.value == "+49 351 1234"
    assert card.org.value == ["Müller & Söhne GmbH"]
    assert card.title.value == "Geschäftsführerin"
    address = card.adr.value
    assert (address.street, address.code, address.city) == ("Hauptstraße 5", "01067", "Dresden")
    assert card.uid.value == f"person-{person.id}@industrienetz.example.org"


def test_a_restricted_person_has_no_vcard(client, login_as, people):
    login_as("staff")
    person = people["restricted"]
    assert client.get(f"/persons/{person.id}.vcf").status_code == 403
    assert f"/persons/{person.id}.vcf" not in client.get(f"/persons/{person.id}").get_data(
        as_text=True
    )


def test_the_person_lists_vcards_follow_its_search(client, login_as, people):
    login_as("staff")
    page = client.get("/persons/?q=m%C3%BCller").get_data(as_text=True)
    assert "/persons/adressbuch.vcf?q=m%C3%BCller" in page
    cards = list(
        vobject.readComponents(client.get("/persons/adressbuch.vcf").get_data(as_text=True))
    )
    names = {card.fn.value for card in cards}
    assert "Dr. Anna Müller" in names and "Alex Weber" in names
    assert "Gesperrt Person" not in names  # restricted: left out
    found = list(
        vobject.readComponents(client.get("/persons/adressbuch.vcf?q=weber").get_data(as_text=True))
    )
    assert [card.fn.value for card in found] == ["Alex Weber"]


def _xlsx(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_mail_merge_xlsx_salutations_address_blocks_and_consent(client, login_as, people):
    login_as("staff")
    response = client.get("/persons/serienbrief.xlsx?sort=name")
    assert response.status_code == 200
    header, *rows = _xlsx(response)
    assert header[:6] == [
        "Anrede",
        "Anschrift 1",
        "Anschrift 2",
        "Anschrift 3",
        "Anschrift 4",
        "E-Mail",
    ]
    by_mail = {row[5]: row for row in rows}
    assert set(by_mail) == {
        "anna.mueller@example.org",
        "b.schmidt@example.org",
        "alex.weber@example.org",
    }  # not the revoked, the restricted or the one without consent
    assert by_mail["anna.mueller@example.org"][:5] == [
        "Sehr geehrte Frau Dr. Müller",
        "Müller & Söhne GmbH",
        "Frau Dr. Anna Müller",
        "Hauptstraße 5",
        "01067 Dresden",
    ]
    assert by_mail["b.schmidt@example.org"][:3] == [
        "Sehr geehrter Herr Schmidt",
        "Herrn Bernd Schmidt",
        "",
    ]
    assert by_mail["alex.weber@example.org"][:2] == ["Guten Tag Alex Weber", "Alex Weber"]


def test_mail_merge_for_the_newsletter_lists_its_consents_only(client, login_as, people):
    login_as("staff")
    _header, *rows = _xlsx(client.get("/persons/serienbrief.xlsx?zweck=newsletter"))
    assert [row[5] for row in rows] == ["alex.weber@example.org"]


def test_mail_merge_csv_in_excels_dialect(client, login_as, people):
    login_as("staff")
    response = client.get("/persons/serienbrief.csv?q=m%C3%BCller")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel", delimiter=";"))
    assert header[0] == "Anrede"
    assert rows == [
        [
            "Sehr geehrte Frau Dr. Müller",
            "Müller & Söhne GmbH",
            "Frau Dr. Anna Müller",
            "Hauptstraße 5",
            "01067 Dresden",
            "anna.mueller@example.org",
            "Dr.",
            "Anna",
            "Müller",
            "Müller & Söhne GmbH",
        ]
    ]


def test_mail_merge_in_english(client, login_as, people):
    login_as("staff")
    client.post("/language", data={"language": "en"})
    rows = _xlsx(client.get("/persons/serienbrief.xlsx"))[1:]
    by_last = {row[8]: row for row in rows}
    assert by_last["Müller"][:3] == ["Dear Dr. Müller", "Müller & Söhne GmbH", "Ms Dr. Anna Müller"]
    assert by_last["Schmidt"][0] == "Dear Mr Schmidt"
    assert by_last["Weber"][0] == "Dear Alex Weber"


def test_editors_get_no_contact_files(client, login_as, make, people):
    login_as("editor", initiative=make.initiative())
    for path in (
        "/persons/adressbuch.vcf",
        "/persons/serienbrief.xlsx",
        f"/persons/{people['mueller'].id}.vcf",
    ):
        assert client.get(path).status_code == 403
