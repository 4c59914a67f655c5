"""Create, edit (conflict-safe) and delete initiatives, organisations and persons;
organisation and person pages; the PLZ look-up (issue 3, items 1, 2 and 7)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db.engine import writing
from crm.extensions import db
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Postcode
from crm.models import Theme
from tests.helpers import count_rows
from tests.helpers import csrf_client
from tests.helpers import hidden_field
from tests.helpers import plz_spanning
from tests.helpers import with_overrides

UNIQUE_PLZ = "50667"  # Köln: one Kreis (05315), one Land (05)
# the address fields of the initiative and organisation forms: place, Kreis, Land from the PLZ
ADDRESS = {"plz": UNIQUE_PLZ, "place": "", "kreis": "", "land": ""}


def initiative_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Zukunft durch Industrie e.V.",
        "short_name": "ZDI",
        "type": "verein",
        "status": "aktiv",
        "legal_form": "e.V.",
        "founded_year": "2009",
        "spatial_level": "region",
        "region_label": "Rheinland",
        "website": "https://zdi.example.org",
        "description": "Ein Bündnis.",
        "goals": "Akzeptanz",
        "host_organisation": "",
        "member_count": "120",
        "member_count_date": "2024-01-31",
        "street": "Domplatz 1",
        **ADDRESS,
    }
    return with_overrides(data, overrides)


def organisation_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Stahlwerk Rhein GmbH",
        "legal_name": "Stahlwerk Rhein Gesellschaft mbH",
        "other_names": "SWR",
        "type": "unternehmen",
        "wz_section": "C",
        "wz_division": "24",
        "size_class": "gross",
        "website": "https://stahl.example.org",
        "parent": "",
        "street": "Hafenstraße 3",
        **ADDRESS,
    }
    return with_overrides(data, overrides)


def person_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "salutation": "Frau",
        "title": "Dr.",
        "first_name": "Jördis",
        "last_name": "Müller",
        "email": "J.Mueller@Example.org",
        "phone": "+49 221 4710-6",
        "preferred_language": "de",
        "notes": "Kennt die Geschäftsstelle.",
        "lawful_basis": "legitimate_interest",
        "source": "Visitenkarte",
    }
    return with_overrides(data, overrides)


# -- who may ----------------------------------------------------------------------------


def _paths(make) -> list[str]:
    ini = make.initiative()
    org = make.organisation()
    person = make.person()
    return [
        "/initiatives/new",
        f"/initiatives/{ini.id}/edit",
        f"/initiatives/{ini.id}/delete",
        "/organisations/new",
        f"/organisations/{org.id}",
        f"/organisations/{org.id}/edit",
        f"/organisations/{org.id}/delete",
        "/persons/new",
        f"/persons/{person.id}",
        f"/persons/{person.id}/edit",
        f"/persons/{person.id}/delete",
    ]


def test_anonymous_is_sent_to_login(client, make):
    for path in [*_paths(make), f"/geo/plz/{UNIQUE_PLZ}"]:
        for method in ("GET", "POST"):
            if method == "POST" and not path.endswith(("/new", "/edit", "/delete")):
                continue
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, path)
            assert response.headers["Location"].startswith("/login?next=")


def test_editor_may_not_use_the_record_pages(app, client, make, login_as):
    own = make.initiative(name="Eigene Initiative")
    login_as("editor", initiative=own)
    paths = [
        *_paths(make),
        f"/initiatives/{own.id}/edit",
        f"/initiatives/{own.id}/delete",
    ]
    for path in paths:
        assert client.get(path).status_code in (403, 404), path
        if path.endswith(("/new", "/edit", "/delete")):
            response = client.post(path, data={"name": "Übernommen", "version": "1"})
            assert response.status_code in (403, 404), path
    with app.app_context():
        assert db.session.get(Initiative, own.id).name == "Eigene Initiative"
    # the PLZ look-up helps editors' own forms
    assert client.get(f"/geo/plz/{UNIQUE_PLZ}").status_code == 200


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_open_every_page(client, make, login_as, role):
    login_as(role)
    for path in _paths(make):
        response = client.get(path)
        assert response.status_code == 200, path


def test_unknown_ids_are_404(client, login_as):
    login_as("staff")
    for kind in ("initiatives", "organisations", "persons"):
        for suffix in ("/edit", "/delete", ""):
            if kind == "initiatives" and suffix == "":
                continue
            assert client.get(f"/{kind}/987654{suffix}").status_code == 404, (kind, suffix)


# -- create -------------------------------------------------------------------------------


def test_staff_creates_an_initiative_and_the_plz_fills_kreis_and_land(app, client, login_as):
    login_as("staff")
    with app.app_context():
        themes = [str(t) for t in db.session.scalars(select(Theme.id).limit(2))]
    response = client.post(
        "/initiatives/new",
        data={**initiative_data(public_listing="y"), "themes": themes, "laender": ["05", "09"]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ini = db.session.scalar(
            select(Initiative).options(
                selectinload(Initiative.themes), selectinload(Initiative.laender)
            )
        )
        assert response.headers["Location"] == f"/initiatives/{ini.id}"
        assert ini.name == "Zukunft durch Industrie e.V."
        assert (ini.plz, ini.kreis_ags, ini.land_ags, ini.place) == (
            UNIQUE_PLZ,
            "05315",
            "05",
            "Köln",
        )
        assert ini.lat is not None and ini.lon is not None
        assert sorted(str(t.id) for t in ini.themes) == sorted(themes)
        assert [b.ags for b in ini.laender] == ["05", "09"]
        assert ini.founded_year == 2009 and ini.member_count == 120
        assert ini.public_listing is True
        assert db.session.scalar(
            select(func.count()).where(
                AuditEntry.record_type == "initiatives", AuditEntry.record_id == ini.id
            )
        )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wurde angelegt" in page
    assert "Bearbeiten" in page


def test_staff_creates_an_organisation_with_a_parent(app, client, make, login_as):
    login_as("staff")
    parent = make.organisation(name="Stahl Holding AG")
    response = client.post("/organisations/new", data=organisation_data(parent="Stahl Holding AG"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name.like("Stahlwerk%")))
        assert org.parent_id == parent.id
        assert (org.kreis_ags, org.land_ags, org.wz_section, org.wz_division) == (
            "05315",
            "05",
            "C",
            "24",
        )


def test_a_kommune_keeps_its_ags_and_shows_it(app, client, login_as):
    login_as("staff")
    data = organisation_data(name="Stadt Köln", type="kommune", ags=" 0531 5000 ")
    response = client.post("/organisations/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Stadt Köln"))
        assert org.ags == "05315000"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "05315000" in page
    form = client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    assert 'value="05315000"' in form


def test_staff_creates_a_person(app, client, login_as):
    login_as("staff")
    response = client.post("/persons/new", data=person_data(restricted="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert person.email == "j.mueller@example.org"
        assert person.restricted is True and person.collected_at is not None
        assert person.lawful_basis.value == "legitimate_interest"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jördis Müller" in page


# -- bad input ----------------------------------------------------------------------------


# dates worked out when a test runs (a run may pass midnight after the tests are collected)
def next_year() -> str:
    return str(dt.date.today().year + 1)


def tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


BAD_INITIATIVES = [
    ({"name": "  "}, "Bitte einen Namen angeben."),
    ({"website": "ftp://zdi.example.org"}, "https://"),
    ({"website": "javascript:alert(1)"}, "https://"),
    ({"founded_year": next_year}, "nicht in der Zukunft"),
    ({"founded_year": "neunzehn"}, "ganze Zahl"),
    ({"member_count": "-3"}, "nicht negativ"),
    ({"member_count_date": tomorrow}, "nicht in der Zukunft"),
    ({"plz": "1234"}, "fünf Ziffern"),
    ({"plz": "00000"}, "PLZ ist unbekannt"),
    ({"kreis": "09162"}, "passt nicht zur PLZ"),
    ({"land": "09"}, "passt nicht zur PLZ"),
    ({"type": "geheimbund"}, "angebotenen Typen"),
    ({"themes": ["999999"]}, "angebotene Themen"),
    ({"host_organisation": "Gibt es nicht GmbH"}, "Keine Organisation dieses Namens"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INITIATIVES)
def test_bad_initiative_input_keeps_typed_values_and_changes_nothing(
    app, client, make, login_as, overrides, message
):
    login_as("staff")
    overrides = {key: value() if callable(value) else value for key, value in overrides.items()}
    data = initiative_data(**{"name": "Tippfehler-Bündnis", **overrides})
    response = client.post("/initiatives/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html.unescape(page)
    assert "is-invalid" in page
    assert "Domplatz 1" in page  # what was typed stays
    assert count_rows(app, Initiative) == 0

    existing = make.initiative(name="Bestand")
    before = client.get(f"/initiatives/{existing.id}/edit").get_data(as_text=True)
    data = initiative_data(**{"name": "Tippfehler-Bündnis", **overrides})
    data["version"] = hidden_field(before, "version")
    response = client.post(f"/initiatives/{existing.id}/edit", data=data)
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Initiative, existing.id).name == "Bestand"


BAD_PERSONS = [
    ({"email": "kein-at-zeichen"}, "gültige E-Mail-Adresse"),
    ({"email": "a@b"}, "gültige E-Mail-Adresse"),
    ({"first_name": ""}, "Vornamen"),
    ({"phone": "ruf mich an"}, "Telefonnummer"),
    ({"preferred_language": "xx"}, "Sprachen"),
    ({"lawful_basis": "weil ich es kann"}, "Rechtsgrundlagen"),
]
BAD_ORGANISATIONS = [
    ({"wz_section": "Z"}, "A bis U"),
    ({"wz_division": "2x"}, "zwei Ziffern"),
    ({"website": "www.ohne-schema.de"}, "https://"),
    ({"size_class": "riesig"}, "Klassen"),
    ({"plz": "abcde"}, "fünf Ziffern"),
    ({"ags": "053150"}, "acht Ziffern (Gemeinde)"),
    ({"ags": "0531500x"}, "acht Ziffern (Gemeinde)"),
    ({"ags": "０５３１５"}, "acht Ziffern (Gemeinde)"),  # digits, but not 0-9 (str.isdigit)
]
# kind: (its form data, a typed value that must stay in the page, its model)
NEW_FORMS = {
    "persons": (person_data, "Visitenkarte", Person),
    "organisations": (organisation_data, "Hafenstraße 3", Organisation),
}


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [("persons", *case) for case in BAD_PERSONS]
    + [("organisations", *case) for case in BAD_ORGANISATIONS],
)
def test_bad_person_or_organisation_input_keeps_typed_values(
    app, client, login_as, kind, overrides, message
):
    form_data, typed, model = NEW_FORMS[kind]
    login_as("staff")
    response = client.post(f"/{kind}/new", data=form_data(**overrides))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert message in page
    assert typed in page
    assert count_rows(app, model) == 0


def test_organisation_cannot_be_its_own_parent(app, client, make, login_as):
    login_as("staff")
    org = make.organisation(name="Kreislauf AG")
    child = make.organisation(name="Kreislauf Tochter GmbH", parent_id=org.id)
    page = client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    for parent in (f"Kreislauf AG (#{org.id})", f"Kreislauf Tochter GmbH (#{child.id})"):
        data = organisation_data(name="Kreislauf AG", parent=parent)
        data["version"] = hidden_field(page, "version")
        response = client.post(f"/organisations/{org.id}/edit", data=data)
        assert response.status_code == 200
        assert "nicht sich selbst" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, org.id).parent_id is None


def test_plz_spanning_several_kreise_asks_for_a_choice(app, client, login_as):
    login_as("staff")
    with app.app_context():
        plz = db.session.scalar(plz_spanning(Postcode.kreis_ags).limit(1))
        kreis = db.session.scalar(select(Postcode.kreis_ags).where(Postcode.plz == plz).limit(1))
    response = client.post("/organisations/new", data=organisation_data(plz=plz))
    assert response.status_code == 200
    assert "mehreren Kreisen" in response.get_data(as_text=True)
    response = client.post("/organisations/new", data=organisation_data(plz=plz, kreis=kreis))
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org.kreis_ags == kreis and org.land_ags == kreis[:2]


# -- edit and conflicts -------------------------------------------------------------------


def test_edit_saves_and_bumps_the_version(app, client, make, login_as):
    login_as("staff")
    person = make.person(first_name="Max", last_name="Muster")
    page = client.get(f"/persons/{person.id}/edit").get_data(as_text=True)
    assert 'value="Max"' in page
    data = person_data(first_name="Maxima", version=hidden_field(page, "version"))
    response = client.post(f"/persons/{person.id}/edit", data=data)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Person, person.id)
        assert stored.first_name == "Maxima" and stored.version == person.version + 1


def test_changing_only_themes_is_a_new_version(app, client, make, login_as):
    login_as("staff")
    ini = make.initiative(name="Themenbündnis")
    page = client.get(f"/initiatives/{ini.id}/edit").get_data(as_text=True)
    with app.app_context():
        theme = str(db.session.scalar(select(Theme.id).limit(1)))
    data = initiative_data(name="Themenbündnis", plz="", street="", themes=[theme])
    data["version"] = hidden_field(page, "version")
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 302
    data["themes"] = []
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 409


def _other_user_renames(app, model, record_id: int, **changes: Any) -> None:
    with app.app_context(), writing():
        record = db.session.get(model, record_id)
        for key, value in changes.items():
            setattr(record, key, value)
        db.session.commit()


def test_conflict_page_then_field_by_field_reapply(app, client, make, login_as):
    login_as("staff")
    org = make.organisation(name="Alte Hütte GmbH", website="https://alt.example.org")
    page = client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    version, base = hidden_field(page, "version"), hidden_field(page, "base")

    _other_user_renames(app, Organisation, org.id, name="Neue Hütte GmbH", legal_name="NH")

    mine = organisation_data(
        name="Meine Hütte GmbH",
        legal_name="",
        other_names="",
        website="https://mein.example.org",
        wz_section="",
        wz_division="",
        size_class="",
        street="",
        plz="",
    )
    response = client.post(
        f"/organisations/{org.id}/edit", data={**mine, "version": version, "base": base}
    )
    assert response.status_code == 409
    conflict = html.unescape(response.get_data(as_text=True))
    assert "Ihr Wert" in conflict and "Aktueller Wert" in conflict
    assert "Meine Hütte GmbH" in conflict and "Neue Hütte GmbH" in conflict
    assert "https://mein.example.org" in conflict
    # only I changed the website: preselected "mine"; both changed the name: "current"
    assert re.search(r'id="mine-website" value="mine" checked', conflict)
    assert re.search(r'id="current-name" value="current" checked', conflict)
    with app.app_context():
        assert db.session.get(Organisation, org.id).name == "Neue Hütte GmbH"

    resolve = {
        **mine,
        "version": hidden_field(conflict, "version"),
        "base": hidden_field(conflict, "base"),
        "_resolve": "1",
        "choice-name": "mine",
        "choice-legal_name": "current",
        "choice-website": "mine",
    }
    # someone saves again before I re-apply: the conflict is detected again
    _other_user_renames(app, Organisation, org.id, other_names="NH-Gruppe")
    again = client.post(f"/organisations/{org.id}/edit", data=resolve)
    assert again.status_code == 409
    again_page = html.unescape(again.get_data(as_text=True))
    assert "NH-Gruppe" in again_page

    resolve["version"] = hidden_field(again_page, "version")
    resolve["base"] = hidden_field(again_page, "base")
    resolve["choice-other_names"] = "current"
    response = client.post(f"/organisations/{org.id}/edit", data=resolve)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Organisation, org.id)
        assert stored.name == "Meine Hütte GmbH"  # re-applied
        assert stored.website == "https://mein.example.org"
        assert stored.legal_name == "NH"  # kept current
        assert stored.other_names == "NH-Gruppe"


def test_garbled_version_is_a_conflict_not_an_overwrite(app, client, make, login_as):
    login_as("staff")
    ini = make.initiative(name="Versionstest")
    for version in ("", "abc", "-1", "99999999999999999999"):
        data = initiative_data(name="Überschrieben", version=version)
        response = client.post(f"/initiatives/{ini.id}/edit", data=data)
        assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Initiative, ini.id).name == "Versionstest"


def test_saving_a_record_deleted_meanwhile_says_so(app, client, make, login_as):
    login_as("staff")
    person = make.person()
    page = client.get(f"/persons/{person.id}/edit").get_data(as_text=True)
    with app.app_context(), writing():
        db.session.delete(db.session.get(Person, person.id))
        db.session.commit()
    data = person_data(version=hidden_field(page, "version"))
    response = client.post(f"/persons/{person.id}/edit", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "inzwischen von jemand anderem gelöscht" in response.get_data(as_text=True)
    assert count_rows(app, Person) == 0


# -- delete -------------------------------------------------------------------------------


def test_delete_initiative_shows_what_goes_and_removes_it(app, client, make, login_as):
    staff = login_as("staff")
    ini = make.initiative(name="Weg-Bündnis")
    org = make.organisation()
    person = make.person()
    make.membership(org, ini)
    make.initiative_role(person, ini)
    make.interaction(initiative_id=ini.id, author_id=staff.id)
    shared = make.interaction(initiative_id=ini.id, organisation_id=org.id, subject="Beide")
    page = client.get(f"/initiatives/{ini.id}/delete").get_data(as_text=True)
    assert "Mitgliedschaften" in page and "Rollen in Initiativen" in page
    assert "Endgültig löschen" in page
    response = client.post(
        f"/initiatives/{ini.id}/delete", data={"version": hidden_field(page, "version")}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/initiatives/"
    with app.app_context():
        assert db.session.get(Initiative, ini.id) is None
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        assert db.session.scalar(select(func.count()).select_from(InitiativeRole)) == 0
        kept = db.session.scalars(select(Interaction)).all()
        assert [i.id for i in kept] == [shared.id] and kept[0].initiative_id is None
        assert db.session.get(Organisation, org.id) is not None
        actions = set(
            db.session.execute(
                select(AuditEntry.record_type, AuditEntry.action).where(
                    AuditEntry.action == "delete"
                )
            ).all()
        )
        assert {t for t, _ in actions} >= {"initiatives", "memberships", "initiative_roles"}
    assert client.get(f"/initiatives/{ini.id}/delete").status_code == 404
    gone = client.post(f"/initiatives/{ini.id}/delete", data={"version": "1"})
    assert gone.status_code == 302
    assert "bereits gelöscht" in client.get(gone.headers["Location"]).get_data(as_text=True)


def test_delete_person_and_organisation(app, client, make, login_as):
    login_as("staff")
    org = make.organisation()
    person = make.person()
    make.affiliation(person, org)
    make.consent(person)
    make.registration(make.event(), person)
    for path, model, record_id in (
        (f"/persons/{person.id}/delete", Person, person.id),
        (f"/organisations/{org.id}/delete", Organisation, org.id),
    ):
        page = client.get(path).get_data(as_text=True)
        response = client.post(path, data={"version": hidden_field(page, "version")})
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(model, record_id) is None
    assert count_rows(app, Consent) == 0
    with app.app_context():
        deleted = set(
            db.session.scalars(select(AuditEntry.record_type).where(AuditEntry.action == "delete"))
        )
        assert deleted >= {"persons", "organisations", "affiliations", "consents", "registrations"}


def test_delete_with_a_stale_version_asks_again(app, client, make, login_as):
    login_as("staff")
    ini = make.initiative(name="Vorsicht")
    page = client.get(f"/initiatives/{ini.id}/delete").get_data(as_text=True)
    _other_user_renames(app, Initiative, ini.id, name="Vorsicht, geändert")
    response = client.post(
        f"/initiatives/{ini.id}/delete", data={"version": hidden_field(page, "version")}
    )
    assert response.status_code == 409
    assert "inzwischen geändert" in response.get_data(as_text=True)
    assert count_rows(app, Initiative) == 1


def test_initiative_with_editor_accounts_is_not_deleted(app, client, make, login_as):
    login_as("staff")
    ini = make.initiative()
    make.user(role="editor", initiative_id=ini.id)
    page = client.get(f"/initiatives/{ini.id}/delete").get_data(as_text=True)
    assert "Redaktionskonto" in page and "Endgültig löschen" not in page
    response = client.post(f"/initiatives/{ini.id}/delete", data={"version": "1"})
    assert response.status_code == 409
    assert count_rows(app, Initiative) == 1


# -- detail pages -------------------------------------------------------------------------


def test_organisation_page_shows_memberships_people_relationships_and_contacts(
    app, client, make, login_as
):
    staff = login_as("staff")
    org = make.organisation(name="Chemiepark Nord GmbH")
    other = make.organisation(name="Partner Süd AG")
    ini = make.initiative(name="Chemie-Allianz")
    person = make.person(first_name="Uwe", last_name="Kontakt")
    make.membership(org, ini, since=dt.date(2020, 1, 1))
    make.affiliation(person, org, function="Werkleiter")
    with app.app_context(), writing():
        from crm.models import Relationship
        from crm.models import RelationshipKind

        db.session.add(
            Relationship(
                organisation_a_id=org.id,
                organisation_b_id=other.id,
                kind=RelationshipKind.PARTNERSCHAFT,
            )
        )
        db.session.commit()
    make.interaction(organisation_id=org.id, author_id=staff.id, subject="Werksbesuch geplant")
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    for text in (
        "Chemie-Allianz",
        "Uwe Kontakt",
        "Werkleiter",
        "Partner Süd AG",
        "Partnerschaft",
        "Werksbesuch geplant",
        "Kontakt protokollieren",
        f"/interactions/new?organisation={org.id}",
        f"/organisations/{org.id}/edit",
    ):
        assert text in page, text


def test_person_page_shows_affiliations_roles_consents_and_contacts(app, client, make, login_as):
    staff = login_as("staff")
    person = make.person(first_name="Ina", last_name="Beispiel")
    org = make.organisation(name="Stadtwerke Beispiel")
    ini = make.initiative(name="Energie-Netzwerk")
    make.affiliation(person, org, function="Pressesprecherin")
    make.initiative_role(person, ini)
    make.consent(person)
    with app.app_context(), writing():
        item = Interaction(
            kind="call", subject="Rückruf Energie", author_id=staff.id, initiative_id=ini.id
        )
        item.persons = [db.session.get(Person, person.id)]
        db.session.add(item)
        db.session.commit()
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    for text in (
        "Ina Beispiel",
        "Stadtwerke Beispiel",
        "Pressesprecherin",
        "Energie-Netzwerk",
        "Ansprechperson",
        "Öffentliche Nennung",
        "bestätigt",
        "Rückruf Energie",
        f"/interactions/new?person={person.id}",
    ):
        assert text in page, text


def test_list_pages_link_to_details_and_offer_new(client, make, login_as):
    login_as("staff")
    org = make.organisation()
    person = make.person()
    assert f"/organisations/{org.id}" in client.get("/organisations/").get_data(as_text=True)
    assert f"/persons/{person.id}" in client.get("/persons/").get_data(as_text=True)
    for path, new in (
        ("/initiatives/", "/initiatives/new"),
        ("/organisations/", "/organisations/new"),
        ("/persons/", "/persons/new"),
    ):
        assert new in client.get(path).get_data(as_text=True)


# -- PLZ look-up --------------------------------------------------------------------------


def test_plz_lookup_unique_several_and_unknown(app, client, login_as):
    login_as("staff")
    data = client.get(f"/geo/plz/{UNIQUE_PLZ}").get_json()
    assert data["candidates"]
    assert {c["kreis_ags"] for c in data["candidates"]} == {"05315"}
    assert {c["land_name"] for c in data["candidates"]} == {"Nordrhein-Westfalen"}
    with app.app_context():
        several = db.session.scalar(plz_spanning(Postcode.land_ags).limit(1))
    data = client.get(f"/geo/plz/{several}").get_json()
    assert len({c["land_ags"] for c in data["candidates"]}) > 1
    for bad in ("00000", "1234", "abcde", "12345678901234"):
        response = client.get(f"/geo/plz/{bad}")
        assert response.status_code == 200
        assert response.get_json()["candidates"] == []


def test_a_concurrent_save_caught_at_flush_shows_the_conflict_page(
    app, client, make, login_as, monkeypatch
):
    from sqlalchemy.orm.exc import StaleDataError

    from crm.directory import services

    login_as("staff")
    person = make.person(first_name="Zeitgleich")
    page = client.get(f"/persons/{person.id}/edit").get_data(as_text=True)

    def racing_update(kind, record, values):
        raise StaleDataError("UPDATE statement on table 'persons' expected to update 1 row")

    monkeypatch.setattr(services, "update", racing_update)
    data = person_data(first_name="Später", version=hidden_field(page, "version"))
    response = client.post(f"/persons/{person.id}/edit", data=data)
    assert response.status_code == 409
    assert "Bearbeitungskonflikt" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, person.id).first_name == "Zeitgleich"


def test_deleting_a_host_organisation_clears_the_link_audited(app, client, make, login_as):
    login_as("staff")
    org = make.organisation(name="Träger GmbH")
    ini = make.initiative(host_organisation_id=org.id)
    child = make.organisation(parent_id=org.id)
    page = client.get(f"/organisations/{org.id}/delete").get_data(as_text=True)
    assert "Initiativen mit dieser Geschäftsstelle" in page
    client.post(f"/organisations/{org.id}/delete", data={"version": hidden_field(page, "version")})
    with app.app_context():
        assert db.session.get(Initiative, ini.id).host_organisation_id is None
        assert db.session.get(Organisation, child.id).parent_id is None
        changes = db.session.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.record_type == "initiatives",
                AuditEntry.record_id == ini.id,
                AuditEntry.action == "update",
            )
        ).all()
        assert {"host_organisation_id": [org.id, None]} in changes


def test_forms_work_with_csrf_protection(make_app, make):
    from tests.conftest import TEST_PASSWORD

    secure = make_app(WTF_CSRF_ENABLED=True)
    user = make.user(role="staff", password=TEST_PASSWORD)
    ini = make.initiative(name="Geschützt")
    client = csrf_client(secure, user)
    edit = client.get(f"/initiatives/{ini.id}/edit").text
    data = initiative_data(name="Geschützt und geändert", plz="", street="")
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 400
    data |= {
        "csrf_token": hidden_field(edit, "csrf_token"),
        "version": hidden_field(edit, "version"),
    }
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 302
    again = client.post(f"/initiatives/{ini.id}/edit", data=data)  # stale, but the same values
    assert again.status_code == 302
    data["region_label"] = "Anders"
    conflict = client.post(f"/initiatives/{ini.id}/edit", data=data)  # stale version now
    assert conflict.status_code == 409
    resolve = {
        **data,
        "csrf_token": hidden_field(conflict.text, "csrf_token"),
        "version": hidden_field(conflict.text, "version"),
        "_resolve": "1",
    }
    assert client.post(f"/initiatives/{ini.id}/edit", data=resolve).status_code == 302
    delete = client.get(f"/initiatives/{ini.id}/delete").text
    response = client.post(
        f"/initiatives/{ini.id}/delete",
        data={
            "csrf_token": hidden_field(delete, "csrf_token"),
            "version": hidden_field(delete, "version"),
        },
    )
    assert response.status_code == 302
    with secure.app_context():
        assert db.session.get(Initiative, ini.id) is None


def test_organisation_lookup_for_the_organisation_fields(client, make, login_as):
    assert client.get("/organisations/lookup?q=stahl").status_code == 302  # anonymous
    make.organisation(name="Thyssen Stahl AG", place="Duisburg")
    make.organisation(name="Stahlbau 100% GmbH")
    make.organisation(name="Bäckerei Müller")
    editor_ini = make.initiative()
    login_as("editor", initiative=editor_ini)
    assert client.get("/organisations/lookup?q=stahl").status_code == 403
    client.post("/logout")
    login_as("staff")
    found = client.get("/organisations/lookup?q=STAHL").get_json()["organisations"]
    assert [o["label"].split(" (#")[0] for o in found] == ["Stahlbau 100% GmbH", "Thyssen Stahl AG"]
    assert found[1]["place"] == "Duisburg"
    assert client.get("/organisations/lookup?q=muller").get_json()["organisations"]
    for q in ("", "x", "100%_", "%"):
        assert client.get(f"/organisations/lookup?q={q}").status_code == 200
    assert client.get("/organisations/lookup?q=%25").get_json()["organisations"] == []


def test_saving_unchanged_is_no_new_version_and_no_history(app, client, make, login_as):
    login_as("staff")
    with app.app_context():
        theme = db.session.scalar(select(Theme.id).limit(1))
    ini = make.initiative(name="Ruhig", laender=["05"])
    page = client.get(f"/initiatives/{ini.id}/edit").get_data(as_text=True)
    data = initiative_data(
        name="Ruhig", plz="", street="", laender=["05"], themes=[str(theme)], version=ini.version
    )
    data["base"] = hidden_field(page, "base")
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 302
    with app.app_context():
        version = db.session.get(Initiative, ini.id).version
        updates = db.session.scalar(
            select(func.count()).where(
                AuditEntry.record_type == "initiatives", AuditEntry.action == "update"
            )
        )
    page = client.get(f"/initiatives/{ini.id}/edit").get_data(as_text=True)
    data["version"] = hidden_field(page, "version")
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Initiative, ini.id).version == version
        assert (
            db.session.scalar(
                select(func.count()).where(
                    AuditEntry.record_type == "initiatives", AuditEntry.action == "update"
                )
            )
            == updates
        )


def test_parent_error_finds_cycles(app, make):
    from crm.directory import services

    top = make.organisation(name="Konzern")
    middle = make.organisation(name="Sparte", parent_id=top.id)
    bottom = make.organisation(name="Werk", parent_id=middle.id)
    other = make.organisation(name="Fremd")
    with app.app_context():
        record = db.session.get(Organisation, top.id)
        assert services.parent_error(record, top.id)
        assert services.parent_error(record, bottom.id)
        assert not services.parent_error(record, other.id)
        assert not services.parent_error(record, None)
        assert not services.parent_error(None, top.id)


def test_an_editor_account_appearing_during_delete_is_no_500(
    app, client, make, login_as, monkeypatch
):
    from crm.directory import services

    login_as("staff")
    ini = make.initiative()
    page = client.get(f"/initiatives/{ini.id}/delete").get_data(as_text=True)

    def refused(kind, record):
        raise services.RefusedDelete("editor accounts")

    monkeypatch.setattr(services, "delete", refused)
    response = client.post(
        f"/initiatives/{ini.id}/delete", data={"version": hidden_field(page, "version")}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/initiatives/{ini.id}/delete"
    assert count_rows(app, Initiative) == 1
