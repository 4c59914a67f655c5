"""The public directory (no login): only listed initiatives, only consenting contacts, never
a union link without its own consent; search and filters; the map; upcoming events."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm import permissions
from crm.extensions import db
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import EventStatus
from crm.models import InitiativeRoleKind
from crm.models import OrgType
from crm.models import Theme
from tests.public.helpers import THEME
from tests.public.helpers import public_initiatives

UTC = dt.UTC


def _theme_id(app, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Theme.id).where(Theme.name == name)) or 0)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def directory(make):
    """Two listed initiatives and an unlisted one, with contacts of every consent kind."""
    listed, other, hidden = public_initiatives(make)
    union = make.organisation(name="IG Beispiel Bezirk Köln", type=OrgType.GEWERKSCHAFT)
    company = make.organisation(name="Beispiel Maschinenbau GmbH")

    def contact(initiative, email, *consents, role=InitiativeRoleKind.ANSPRECHPERSON, **kw):
        person = make.person(email=email, **kw)
        make.initiative_role(person, initiative, role=role)
        for purpose, status, day in consents:
            make.consent(
                person,
                purpose=purpose,
                status=status,
                given_at=dt.datetime(2025, 1, day, tzinfo=UTC),
            )
        return person

    confirmed = (ConsentPurpose.PUBLIC_LISTING, ConsentStatus.CONFIRMED, 1)
    public = contact(listed, "anna.public@example.org", confirmed, first_name="Anna")
    make.affiliation(public, union, function="Sekretärin")  # union link: no union consent
    make.affiliation(public, company, function="Ausbildungsleitung")
    unionist = contact(
        listed,
        "uwe.union@example.org",
        confirmed,
        (ConsentPurpose.UNION_AFFILIATION, ConsentStatus.CONFIRMED, 2),
        first_name="Uwe",
        last_name="Gewerkschafter",
        role=InitiativeRoleKind.SPRECHERIN,
    )
    make.affiliation(unionist, union, function="Bezirksleiter")
    contact(listed, "nora.noconsent@example.org", first_name="Nora", last_name="Ohnezustimmung")
    contact(
        listed,
        "rita.revoked@example.org",
        confirmed,
        (ConsentPurpose.PUBLIC_LISTING, ConsentStatus.REVOKED, 5),
        first_name="Rita",
        last_name="Widerruf",
    )
    contact(
        listed,
        "quentin.requested@example.org",
        (ConsentPurpose.PUBLIC_LISTING, ConsentStatus.REQUESTED, 1),
        first_name="Quentin",
        last_name="Angefragt",
    )
    contact(
        listed,
        "rudi.restricted@example.org",
        confirmed,
        first_name="Rudi",
        last_name="Eingeschraenkt",
        restricted=True,
    )
    contact(hidden, "hans.hidden@example.org", confirmed, first_name="Hans", last_name="Verborgen")
    return SimpleNamespace(listed=listed, other=other, hidden=hidden, union=union)


PRIVATE_EMAILS = (
    "nora.noconsent@example.org",
    "rita.revoked@example.org",
    "quentin.requested@example.org",
    "rudi.restricted@example.org",
    "hans.hidden@example.org",
)


def test_list_shows_only_listed_initiatives(client, directory):
    html = _html(client.get("/verzeichnis/"))
    assert "Zukunft durch Industrie Köln e.V." in html
    assert "Industrieallianz Oberbayern" in html
    assert "Geheimbund Maschinenbau" not in html
    assert f"/verzeichnis/{directory.hidden.id}" not in html
    assert 'data-count="public-initiatives"' in html and "2 Initiativen gefunden" in html
    assert "style=" not in html and "<script>" not in html
    for email in (*PRIVATE_EMAILS, "anna.public@example.org"):
        assert email not in html  # the list shows no contacts at all


def test_detail_of_a_listed_initiative(client, directory):
    html = _html(client.get(f"/verzeichnis/{directory.listed.id}"))
    assert "Zukunft durch Industrie Köln e.V." in html
    assert "Wir bringen Schulen und Betriebe zusammen." in html
    assert 'href="https://zdi-koeln.example.org"' in html
    assert "Nordrhein-Westfalen" in html and THEME in html


def test_unlisted_or_unknown_initiative_is_404(client, directory):
    assert client.get(f"/verzeichnis/{directory.hidden.id}").status_code == 404
    assert client.get("/verzeichnis/999999").status_code == 404
    assert client.get(f"/verzeichnis/{directory.hidden.id}/logo").status_code == 404


def test_detail_names_only_consenting_contacts_and_no_union_link_without_consent(client, directory):
    html = _html(client.get(f"/verzeichnis/{directory.listed.id}"))
    # public-listing consent confirmed: named, with e-mail and her company
    assert "anna.public@example.org" in html
    assert "Beispiel Maschinenbau GmbH" in html and "Ausbildungsleitung" in html
    # her union link has no explicit consent: never shown
    assert "Sekretärin" not in html
    # the unionist consented to both: his union link is shown
    assert "uwe.union@example.org" in html
    assert "IG Beispiel Bezirk Köln" in html and "Bezirksleiter" in html
    assert "Sprecher" in html
    for email in PRIVATE_EMAILS:
        assert email not in html
    for name in ("Ohnezustimmung", "Widerruf", "Angefragt", "Eingeschraenkt", "Verborgen"):
        assert name not in html


def test_union_link_hidden_when_only_the_unionist_lacks_union_consent(client, make, directory):
    ini = make.initiative(name="Bündnis Ruhr", public_listing=True)
    person = make.person(email="gina.gewerkschaft@example.org", last_name="Gewerkschaft")
    make.initiative_role(person, ini)
    make.consent(person)  # public listing only
    make.affiliation(person, directory.union, function="Vertrauensfrau")
    html = _html(client.get(f"/verzeichnis/{ini.id}"))
    assert "gina.gewerkschaft@example.org" in html
    assert "IG Beispiel Bezirk Köln" not in html and "Vertrauensfrau" not in html


def test_ended_roles_are_not_public_contacts(client, make, directory):
    ini = make.initiative(name="Bündnis Saar", public_listing=True)
    person = make.person(email="ehemals@example.org")
    make.initiative_role(person, ini, until=dt.date(2020, 1, 1))
    make.consent(person)
    html = _html(client.get(f"/verzeichnis/{ini.id}"))
    assert "ehemals@example.org" not in html
    assert "keine öffentliche Ansprechperson" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zukunft", {"Zukunft durch Industrie Köln e.V."}),
        ("KÖLN", {"Zukunft durch Industrie Köln e.V."}),  # name (umlauts folded) and place
        ("schulen und", {"Zukunft durch Industrie Köln e.V."}),  # description
        ("münchen", {"Industrieallianz Oberbayern"}),  # place
        ("wasserstoff", {"Industrieallianz Oberbayern"}),  # description
        ("geheimbund", set()),  # unlisted: never found
        ("100%_", set()),  # LIKE wildcards are literal
    ],
)
def test_search(client, directory, query, expected):
    html = _html(client.get("/verzeichnis/", query_string={"q": query}))
    names = {"Zukunft durch Industrie Köln e.V.", "Industrieallianz Oberbayern"}
    assert {n for n in names if n in html.split('id="ergebnisse"')[1]} == expected
    assert "Geheimbund Maschinenbau" not in html


def test_filters_by_land_and_theme(app, client, directory):
    html = _html(client.get("/verzeichnis/?land=09"))
    results = html.split('id="ergebnisse"')[1]
    assert "Industrieallianz Oberbayern" in results
    assert "Zukunft durch Industrie" not in results
    assert 'data-land="09"' in html and "map-selected" in html

    theme = _theme_id(app, THEME)
    results = _html(client.get(f"/verzeichnis/?theme={theme}")).split('id="ergebnisse"')[1]
    assert "Zukunft durch Industrie Köln e.V." in results
    assert "Industrieallianz Oberbayern" not in results
    assert "Geheimbund" not in results

    results = _html(client.get(f"/verzeichnis/?theme={theme}&land=09")).split('id="ergebnisse"')[1]
    assert "Keine Initiative gefunden." in results


@pytest.mark.parametrize(
    "query",
    [
        "land=99",
        "land=05%27--",
        "theme=abc",
        "theme=999999",
        "theme=-1",
        "q=" + "x" * 5000,
        "q=%00",
        "page=abc&sort=evil",
        "land=&theme=&q=",
    ],
)
def test_bad_parameters_are_ignored(client, directory, query):
    response = client.get(f"/verzeichnis/?{query}")
    html = _html(response)
    assert "Geheimbund Maschinenbau" not in html
    if not query.startswith("q="):
        assert "Industrieallianz Oberbayern" in html and "Zukunft durch Industrie" in html


def test_map_on_the_public_directory(client, directory, make):
    make.initiative(name="Ohne Ort", public_listing=True)  # no seat: no marker
    html = _html(client.get("/verzeichnis/"))
    assert len(re.findall(r'<path d="[^"]+" class="map-land ', html)) == 16
    assert len(re.findall(r'<a href="[^"]*" class="map-land-link"', html)) == 16
    assert html.count('class="map-marker"') == 2  # Köln (address) and München (PLZ centre)
    assert f'href="/verzeichnis/{directory.listed.id}" class="map-marker-link"' in html
    assert f'href="/verzeichnis/{directory.other.id}" class="map-marker-link"' in html
    assert "<title>Geheimbund Maschinenbau</title>" not in html
    assert 'href="/verzeichnis/?land=05#ergebnisse"' in html
    # counts of listed initiatives only: NRW has one listed (and one unlisted)
    assert 'data-land="05" data-count="1"' in html and 'data-land="09" data-count="1"' in html
    assert 'data-land-count="05">1<' in html
    assert "<table" in html and "map-land map-fill-1" in html and "map-land map-fill-0" in html


def test_staff_start_page_map_shows_all_initiatives(client, login_as, directory):
    login_as("staff")
    html = _html(client.get("/"))
    assert len(re.findall(r'<path d="[^"]+" class="map-land ', html)) == 16
    assert html.count('class="map-marker"') == 3
    assert f'href="/initiatives/{directory.hidden.id}" class="map-marker-link"' in html
    assert 'href="/initiatives/?land=05" class="map-land-link"' in html
    assert 'data-land="05" data-count="2"' in html


def test_directory_link_in_the_header_for_everyone(client, login_as):
    assert 'href="/verzeichnis/"' in _html(client.get("/login"))
    login_as("staff")
    assert 'href="/verzeichnis/"' in _html(client.get("/verzeichnis/"))


def test_logged_in_users_see_the_same_public_directory(client, login_as, directory):
    login_as("editor", initiative=directory.hidden)
    html = _html(client.get("/verzeichnis/"))
    assert "Geheimbund Maschinenbau" not in html
    assert client.get(f"/verzeichnis/{directory.hidden.id}").status_code == 404


def test_logo_is_served_only_for_listed_initiatives_with_a_file(app, client, make, tmp_path):
    stored = "0123456789abcdef0123456789abcdef.png"
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / stored).write_bytes(b"\x89PNG\r\n\x1a\nfake")
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    try:
        with_logo = make.initiative(public_listing=True, logo_filename=stored)
        missing = make.initiative(
            public_listing=True, logo_filename="ffffffffffffffffffffffffffffffff.png"
        )
        sneaky = make.initiative(public_listing=True, logo_filename="../secret.png")
        hidden = make.initiative(public_listing=False, logo_filename=stored)
        response = client.get(f"/verzeichnis/{with_logo.id}/logo")
        assert response.status_code == 200
        assert response.data.startswith(b"\x89PNG")
        assert f'src="/verzeichnis/{with_logo.id}/logo"' in _html(
            client.get(f"/verzeichnis/{with_logo.id}")
        )
        for ini in (missing, sneaky, hidden):
            assert client.get(f"/verzeichnis/{ini.id}/logo").status_code == 404
        assert "/logo" not in _html(client.get(f"/verzeichnis/{missing.id}"))
    finally:
        app.config.pop("UPLOAD_FOLDER")


def test_event_list_shows_upcoming_public_events_only(client, make):
    soon = dt.datetime.now(UTC) + dt.timedelta(days=10)
    published = make.event(title="Netzwerktreffen Nord", starts_at=soon)
    closed = make.event(
        title="Industrieforum Süd",
        starts_at=soon + dt.timedelta(days=1),
        status=EventStatus.ANMELDUNG_GESCHLOSSEN,
    )
    make.event(title="Entwurf Geheim", starts_at=soon, status=EventStatus.ENTWURF)
    make.event(title="Vergangenes Treffen", starts_at=dt.datetime(2020, 5, 1, 9, tzinfo=UTC))
    html = _html(client.get("/verzeichnis/veranstaltungen"))
    assert "Netzwerktreffen Nord" in html and "Industrieforum Süd" in html
    assert html.index("Netzwerktreffen Nord") < html.index("Industrieforum Süd")
    assert "Entwurf Geheim" not in html and "Vergangenes Treffen" not in html
    assert f'href="/events/{published.id}/register"' in html
    assert f'href="/events/{closed.id}/register"' in html


def test_event_list_without_events(client):
    assert "keine Veranstaltungen" in _html(client.get("/verzeichnis/veranstaltungen"))


def test_public_pages_are_public_and_write_nothing(client, directory):
    for path in (
        "/verzeichnis/",
        f"/verzeichnis/{directory.listed.id}",
        "/verzeichnis/veranstaltungen",
    ):
        assert client.get(path).status_code == 200
        assert client.post(path).status_code == 405


# -- the pure predicates


def _consent(purpose, status, day, cid=1):
    return SimpleNamespace(
        purpose=purpose, status=status, given_at=dt.datetime(2025, 1, day, tzinfo=UTC), id=cid
    )


def test_predicates_for_public_listing():
    person = SimpleNamespace(restricted=False, anonymised_at=None)
    ok = _consent(ConsentPurpose.PUBLIC_LISTING, ConsentStatus.CONFIRMED, 1)
    revoked = _consent(ConsentPurpose.PUBLIC_LISTING, ConsentStatus.REVOKED, 2)
    union_ok = _consent(ConsentPurpose.UNION_AFFILIATION, ConsentStatus.CONFIRMED, 3)
    newsletter = _consent(ConsentPurpose.NEWSLETTER, ConsentStatus.CONFIRMED, 3)
    union = SimpleNamespace(type=OrgType.GEWERKSCHAFT)
    company = SimpleNamespace(type=OrgType.UNTERNEHMEN)

    assert permissions.may_list_publicly(person, [ok])
    assert not permissions.may_list_publicly(person, [])
    assert not permissions.may_list_publicly(person, [newsletter])
    assert not permissions.may_list_publicly(person, [ok, revoked])
    assert permissions.may_list_publicly(person, [revoked, _consent(ok.purpose, ok.status, 9)])
    assert not permissions.may_list_publicly(SimpleNamespace(restricted=True), [ok])
    assert not permissions.may_list_publicly(
        SimpleNamespace(restricted=False, anonymised_at=dt.datetime(2025, 1, 1, tzinfo=UTC)), [ok]
    )
    assert permissions.may_show_affiliation_publicly(person, [ok], company)
    assert not permissions.may_show_affiliation_publicly(person, [ok], union)
    assert permissions.may_show_affiliation_publicly(person, [ok, union_ok], union)
    assert not permissions.may_show_affiliation_publicly(person, [union_ok], union)
    assert not permissions.may_show_affiliation_publicly(person, [union_ok], company)
    assert permissions.is_publicly_listed(SimpleNamespace(public_listing=True))
    assert not permissions.is_publicly_listed(SimpleNamespace(public_listing=False))


def test_public_pages_render_in_english_too(client, directory):
    client.post("/language", data={"language": "en", "next": "/verzeichnis/"})
    for path in (
        "/verzeichnis/",
        f"/verzeichnis/{directory.listed.id}",
        "/verzeichnis/veranstaltungen",
    ):
        html = _html(client.get(path))
        assert '<html lang="en">' in html
