"""'Unsere Initiative': editors keep their own initiative current, and nothing else."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Theme
from tests.helpers import count_rows

PORTAL_GETS = [
    "/unsere-initiative/",
    "/unsere-initiative/profil",
    "/unsere-initiative/mitglieder/neu",
    "/unsere-initiative/personen/neu",
]


def _load(app, model, record_id, *options):
    with app.app_context():
        return db.session.scalar(select(model).where(model.id == record_id).options(*options))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def own(make):
    return make.initiative(name="Zukunft durch Industrie")


def test_editor_sees_the_portal_with_own_members_and_contacts(client, login_as, make, own):
    make.membership(make.organisation(name="Stahlwerk Nord AG"), own)
    make.initiative_role(make.person(first_name="Erika", last_name="Beispiel"), own)
    foreign = make.initiative(name="Fremde Initiative")
    make.membership(make.organisation(name="Fremdfirma GmbH"), foreign)
    login_as("editor", initiative=own)
    html = client.get("/unsere-initiative/").get_data(as_text=True)
    assert "Zukunft durch Industrie" in html
    assert "Stahlwerk Nord AG" in html and "Erika Beispiel" in html
    assert "Fremdfirma GmbH" not in html


@pytest.mark.parametrize("path", PORTAL_GETS)
def test_staff_and_admins_have_no_portal(client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PORTAL_GETS)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_profile_edit_changes_only_the_profile_fields(app, client, login_as, own):
    login_as("editor", initiative=own)
    with app.app_context():
        theme_id = db.session.scalar(select(Theme.id).order_by(Theme.id))
    response = client.post(
        "/unsere-initiative/profil",
        data={
            "version": str(own.version),
            "description": "Wir verbinden Betriebe und Kommunen.",
            "website": "https://zukunft.example.org",
            "plz": "50667",
            "place": "",
            "themes": [str(theme_id)],
            # mass assignment attempts: none of these fields is in the editor's form
            "name": "Umbenannt",
            "public_listing": "y",
            "status": "aufgeloest",
            "initiative_id": "999",
            "id": "12345",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ini = _load(app, Initiative, own.id, selectinload(Initiative.themes))
    assert ini.description == "Wir verbinden Betriebe und Kommunen."
    assert ini.website == "https://zukunft.example.org"
    assert ini.place == "Köln" and ini.kreis_ags == "05315" and ini.land_ags == "05"
    assert [t.id for t in ini.themes] == [theme_id]
    assert ini.name == "Zukunft durch Industrie"
    assert ini.public_listing is False
    assert ini.id == own.id
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry.user_role == "editor"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "javascript:alert(1)", "https://"),
        ("plz", "00000", "Postleitzahl"),
        ("plz", "abcde", "Postleitzahl"),
        ("themes", "999999", "aus der Liste"),
        ("description", "x" * 5001, "5000"),
    ],
)
def test_bad_profile_input_is_refused_and_kept(app, client, login_as, own, field, value, message):
    login_as("editor", initiative=own)
    response = client.post(
        "/unsere-initiative/profil",
        data={"version": str(own.version), "goals": "Bleibt stehen", field: value},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Bleibt stehen" in html
    assert _load(app, Initiative, own.id).goals is None


def test_a_stale_profile_form_is_not_saved_over_a_newer_change(app, client, login_as, own):
    login_as("editor", initiative=own)
    response = client.post(
        "/unsere-initiative/profil", data={"version": str(own.version - 1), "goals": "Alt"}
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert _load(app, Initiative, own.id).goals is None


def test_logo_upload_is_reencoded_and_served_and_non_images_are_refused(
    app, client, login_as, own, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    try:
        login_as("editor", initiative=own)
        bad = client.post(
            "/unsere-initiative/profil",
            data={"version": str(own.version), "logo": (io.BytesIO(b"<svg onload=x>"), "a.png")},
            content_type="multipart/form-data",
        )
        assert bad.status_code == 400 and "kein lesbares Bild" in bad.get_data(as_text=True)
        assert _load(app, Initiative, own.id).logo_filename is None
        good = client.post(
            "/unsere-initiative/profil",
            data={"version": str(own.version), "logo": (io.BytesIO(_png()), "../../x.png")},
            content_type="multipart/form-data",
        )
        assert good.status_code == 302
        name = _load(app, Initiative, own.id).logo_filename
        assert name and name.endswith(".png") and ".." not in name
        assert (tmp_path / "logos" / name).is_file()
        served = client.get("/unsere-initiative/logo")
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.get_data().startswith(b"\x89PNG")
    finally:
        app.config.pop("UPLOAD_FOLDER", None)


def test_member_matching_offers_existing_organisations_first(app, client, login_as, make, own):
    existing = make.organisation(name="Thyssen Stahl AG", place="Duisburg")
    login_as("editor", initiative=own)
    data = {"name": "Thyssen Stahl", "type": "unternehmen", "role": "mitglied"}
    offer = client.post("/unsere-initiative/mitglieder/neu", data=data)
    html = offer.get_data(as_text=True)
    assert offer.status_code == 200
    assert "Thyssen Stahl AG" in html and f'value="{existing.id}"' in html
    assert count_rows(app, Membership) == 0
    done = client.post("/unsere-initiative/mitglieder/neu", data=data | {"match": str(existing.id)})
    assert done.status_code == 302
    assert count_rows(app, Organisation) == 1
    with app.app_context():
        m = db.session.scalar(select(Membership))
        assert (m.initiative_id, m.organisation_id) == (own.id, existing.id)


def test_member_with_a_new_name_creates_the_organisation(app, client, login_as, own):
    login_as("editor", initiative=own)
    response = client.post(
        "/unsere-initiative/mitglieder/neu",
        data={"name": "Ganz Neue Werkstatt eG", "type": "unternehmen", "role": "mitglied"},
    )
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org.name == "Ganz Neue Werkstatt eG"
        assert db.session.scalar(select(Membership.initiative_id)) == own.id


def test_member_cannot_be_added_twice_or_with_a_future_date(app, client, login_as, make, own):
    org = make.organisation(name="Stahlwerk Nord AG")
    make.membership(org, own)
    login_as("editor", initiative=own)
    data = {"name": "Stahlwerk Nord AG", "type": "unternehmen", "role": "mitglied"}
    twice = client.post("/unsere-initiative/mitglieder/neu", data=data | {"match": str(org.id)})
    assert twice.status_code == 400 and "bereits Mitglied" in twice.get_data(as_text=True)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    later = client.post(
        "/unsere-initiative/mitglieder/neu", data=data | {"match": "new", "since": future}
    )
    assert later.status_code == 400 and "Zukunft" in later.get_data(as_text=True)
    assert count_rows(app, Membership) == 1 and count_rows(app, Organisation) == 1


def test_member_form_refuses_garbled_choices(app, client, login_as, own):
    login_as("editor", initiative=own)
    data = {"name": "X GmbH", "type": "unternehmen", "role": "mitglied"}
    assert (
        client.post(
            "/unsere-initiative/mitglieder/neu", data=data | {"match": "1 OR 1=1"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/unsere-initiative/mitglieder/neu", data=data | {"match": "424242"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/unsere-initiative/mitglieder/neu", data=data | {"type": "geheimdienst"}
        ).status_code
        == 400
    )
    assert count_rows(app, Membership) == 0


def test_ending_a_membership_and_a_role(app, client, login_as, make, own):
    old = dt.date(2020, 1, 1)
    m = make.membership(make.organisation(), own, since=old)
    r = make.initiative_role(make.person(), own, since=old)
    login_as("editor", initiative=own)
    assert client.post(f"/unsere-initiative/mitglieder/{m.id}/beenden").status_code == 302
    assert client.post(f"/unsere-initiative/personen/{r.id}/beenden").status_code == 302
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert _load(app, Membership, m.id).until == yesterday
    assert _load(app, InitiativeRole, r.id).until == yesterday


def test_foreign_records_are_404_and_unchanged(app, client, login_as, make, own):
    foreign = make.initiative(name="Fremde Initiative")
    m = make.membership(make.organisation(), foreign)
    r = make.initiative_role(make.person(), foreign)
    login_as("editor", initiative=own)
    assert client.post(f"/unsere-initiative/mitglieder/{m.id}/beenden").status_code == 404
    assert client.post(f"/unsere-initiative/personen/{r.id}/beenden").status_code == 404
    assert client.get(f"/unsere-initiative/personen/{r.id}/einwilligungen").status_code == 404
    assert (
        client.post(
            f"/unsere-initiative/personen/{r.id}/einwilligungen",
            data={"purpose": "public_listing", "status": "confirmed", "method": "paper"},
        ).status_code
        == 404
    )
    assert _load(app, Membership, m.id).until is None
    assert _load(app, InitiativeRole, r.id).until is None
    assert count_rows(app, Consent) == 0


def test_contact_person_with_role_and_consents(app, client, login_as, own):
    login_as("editor", initiative=own)
    response = client.post(
        "/unsere-initiative/personen/neu",
        data={
            "first_name": "Jörg",
            "last_name": "Müller",
            "email": "J.Mueller@Example.org",
            "role": "ansprechperson",
            "consents": ["public_listing", "event_invitations"],
            "consent_method": "paper",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person).options(selectinload(Person.consents)))
        assert person.email == "j.mueller@example.org"
        assert sorted(c.purpose.value for c in person.consents) == [
            "event_invitations",
            "public_listing",
        ]
        role = db.session.scalar(select(InitiativeRole))
        assert (role.initiative_id, role.role.value) == (own.id, "ansprechperson")


@pytest.mark.parametrize(
    "change",
    [
        {"email": "kein-at-zeichen"},
        {"first_name": ""},
        {"role": "chef"},
        {"consents": ["photos"]},  # not something an initiative records for us
        {"consent_method": "import"},
    ],
)
def test_bad_contact_input_changes_nothing(app, client, login_as, own, change):
    login_as("editor", initiative=own)
    data = {
        "first_name": "Erika",
        "last_name": "Beispiel",
        "role": "ansprechperson",
        "consent_method": "paper",
    } | change
    response = client.post("/unsere-initiative/personen/neu", data=data)
    assert response.status_code == 400
    assert count_rows(app, Person) == 0 and count_rows(app, InitiativeRole) == 0


def test_consents_are_recorded_as_history(app, client, login_as, make, own):
    role = make.initiative_role(make.person(), own)
    login_as("editor", initiative=own)
    for status in ("confirmed", "revoked"):
        response = client.post(
            f"/unsere-initiative/personen/{role.id}/einwilligungen",
            data={"purpose": "public_listing", "status": status, "method": "email"},
        )
        assert response.status_code == 302
    html = client.get(f"/unsere-initiative/personen/{role.id}/einwilligungen").get_data(
        as_text=True
    )
    assert "widerrufen" in html and "bestätigt" in html
    assert count_rows(app, Consent) == 2


def test_no_logo_is_404(client, login_as, own):
    login_as("editor", initiative=own)
    assert client.get("/unsere-initiative/logo").status_code == 404


def test_the_profile_form_shows_the_stored_themes_and_formats(app, client, login_as, make):
    from crm.db.engine import writing
    from crm.models import Format
    from crm.models import Theme

    with app.app_context(), writing():
        themes = list(db.session.scalars(select(Theme).order_by(Theme.id).limit(2)))
        fmt = db.session.scalars(select(Format).order_by(Format.id)).first()
        assert len(themes) == 2 and fmt is not None
        theme_names, theme_ids, format_id = [t.name for t in themes], [t.id for t in themes], fmt.id
    own = make.initiative(name="Zukunft durch Industrie", themes=theme_names)
    with app.app_context(), writing():
        ini = _load(app, Initiative, own.id, selectinload(Initiative.formats))
        db.session.add(ini)
        ini.formats.append(db.session.get_one(Format, format_id))
        db.session.commit()
    login_as("editor", initiative=own)
    html = client.get("/unsere-initiative/profil").get_data(as_text=True)
    for theme_id in theme_ids:
        assert f'<option selected value="{theme_id}">' in html
    assert f'<option selected value="{format_id}">' in html
    assert html.count("<option selected") == 3


def test_recording_the_same_consent_again_records_nothing(app, client, login_as, make, own):
    role = make.initiative_role(make.person(), own)
    login_as("editor", initiative=own)
    path = f"/unsere-initiative/personen/{role.id}/einwilligungen"
    data = {"purpose": "newsletter", "status": "confirmed", "method": "paper"}
    assert client.post(path, data=data).status_code == 302
    again = client.post(path, data=data, follow_redirects=True).get_data(as_text=True)
    assert "bereits so vermerkt" in again
    assert count_rows(app, Consent) == 1
    assert client.post(path, data=data | {"status": "revoked"}).status_code == 302
    assert count_rows(app, Consent) == 2
