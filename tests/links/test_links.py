"""Links between records: memberships, affiliations, initiative roles and relationships
(create, edit, end, delete), the record look-up of their pickers, and who may use them."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.links import services
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import OrgType
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models.base import today
from tests.conftest import TEST_PASSWORD
from tests.helpers import count_rows
from tests.helpers import csrf_client


@pytest.fixture
def w(make) -> SimpleNamespace:
    """A small world: two initiatives, two organisations, a person and one link of each kind."""
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    ini2 = make.initiative(name="Industrieallianz Ruhr")
    org = make.organisation(name="Stahlwerk Nord GmbH")
    org2 = make.organisation(name="Stadt Duisburg", type=OrgType.KOMMUNE)
    person = make.person(first_name="Jörg", last_name="Müller")
    return SimpleNamespace(
        ini=ini,
        ini2=ini2,
        org=org,
        org2=org2,
        person=person,
        m=make.membership(org, ini, since=dt.date(2020, 1, 1)),
        a=make.affiliation(person, org, function="Werksleiter"),
        r=make.initiative_role(person, ini),
        rel=make.relationship(ini, ini2),
    )


def _get(app, model: Any, record_id: int) -> Any:
    with app.app_context():
        item = db.session.get(model, record_id)
        if item is not None:
            db.session.expunge(item)
        return item


def _rows(app, model: Any) -> list[Any]:
    with app.app_context():
        items = list(db.session.scalars(select(model).order_by(model.id)))
        for item in items:
            db.session.expunge(item)
        return items


def _url(template: str, w: SimpleNamespace) -> str:
    return template.format(
        ini=w.ini.id,
        org=w.org.id,
        person=w.person.id,
        m=w.m.id,
        a=w.a.id,
        r=w.r.id,
        rel=w.rel.id,
    )


# --- access ------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/memberships/new?initiative={ini}"),
    ("GET", "/memberships/new?organisation={org}"),
    ("POST", "/memberships/new?initiative={ini}"),
    ("GET", "/memberships/{m}/edit"),
    ("POST", "/memberships/{m}/edit"),
    ("POST", "/memberships/{m}/end"),
    ("GET", "/memberships/{m}/delete"),
    ("POST", "/memberships/{m}/delete"),
    ("GET", "/affiliations/new?person={person}"),
    ("GET", "/affiliations/new?organisation={org}"),
    ("POST", "/affiliations/new?person={person}"),
    ("GET", "/affiliations/{a}/edit"),
    ("POST", "/affiliations/{a}/edit"),
    ("POST", "/affiliations/{a}/end"),
    ("GET", "/affiliations/{a}/delete"),
    ("POST", "/affiliations/{a}/delete"),
    ("GET", "/initiative-roles/new?initiative={ini}"),
    ("GET", "/initiative-roles/new?person={person}"),
    ("POST", "/initiative-roles/new?initiative={ini}"),
    ("GET", "/initiative-roles/{r}/edit"),
    ("POST", "/initiative-roles/{r}/edit"),
    ("POST", "/initiative-roles/{r}/end"),
    ("GET", "/initiative-roles/{r}/delete"),
    ("POST", "/initiative-roles/{r}/delete"),
    ("GET", "/relationships/new?initiative={ini}"),
    ("GET", "/relationships/new?organisation={org}"),
    ("POST", "/relationships/new?initiative={ini}"),
    ("GET", "/relationships/{rel}/edit"),
    ("POST", "/relationships/{rel}/edit"),
    ("GET", "/relationships/{rel}/delete"),
    ("POST", "/relationships/{rel}/delete"),
    ("GET", "/links/lookup/organisation?q=stahl"),
]


def _counts(app) -> tuple[int, ...]:
    return tuple(
        count_rows(app, model) for model in (Membership, Affiliation, InitiativeRole, Relationship)
    )


def _refused(app, client, url: str, data: dict[str, str], message: str, status: int = 200) -> str:
    """Posting `data` to `url` answers `status` with `message` (the form again) and adds no link."""
    before = _counts(app)
    response = client.post(url, data=data)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert _counts(app) == before
    return html


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_is_sent_to_login(app, client, w, method, url):
    before = _counts(app)
    response = client.open(_url(url, w), method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert _counts(app) == before


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_editors_may_not_touch_links(app, client, login_as, w, method, url):
    login_as("editor", initiative=w.ini)
    before = _counts(app)
    response = client.open(_url(url, w), method=method, data={"other_id": str(w.org2.id)})
    assert response.status_code == 403
    assert _counts(app) == before


@pytest.mark.parametrize(("method", "url"), [r for r in ROUTES if r[0] == "GET"])
def test_staff_opens_every_page(client, login_as, w, method, url):
    login_as("staff")
    response = client.open(_url(url, w), method=method)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/memberships/new",
        "/memberships/new?initiative=999999",
        "/memberships/new?organisation=abc",
        "/affiliations/new?person=999999",
        "/affiliations/new?initiative={ini}",
        "/initiative-roles/new?initiative=999999",
        "/initiative-roles/new?organisation={org}",
        "/relationships/new?person={person}",
        "/relationships/new?organisation=999999",
        "/memberships/999999/edit",
        "/memberships/999999/delete",
        "/affiliations/999999/edit",
        "/affiliations/999999/delete",
        "/initiative-roles/999999/edit",
        "/initiative-roles/999999/delete",
        "/relationships/999999/edit",
        "/relationships/999999/delete",
        "/links/lookup/event?q=abc",
    ],
)
def test_unknown_ids_are_404(client, login_as, w, url):
    login_as("staff")
    assert client.get(_url(url, w)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/memberships/999999/end",
        "/memberships/999999/delete",
        "/affiliations/999999/end",
        "/initiative-roles/999999/end",
        "/relationships/999999/delete",
        "/memberships/new?initiative=999999",
    ],
)
def test_unknown_ids_are_404_on_post(app, client, login_as, w, url):
    login_as("staff")
    before = _counts(app)
    assert client.post(url, data={"other_id": str(w.org2.id)}).status_code == 404
    assert _counts(app) == before


# --- the initiative page offers the controls to staff only ----------------------------------


def test_initiative_page_shows_link_controls_to_staff(client, login_as, w):
    login_as("staff")
    html = client.get(f"/initiatives/{w.ini.id}").get_data(as_text=True)
    assert f"/memberships/new?initiative={w.ini.id}" in html
    assert f"/initiative-roles/new?initiative={w.ini.id}" in html
    assert f"/relationships/new?initiative={w.ini.id}" in html
    assert f"/memberships/{w.m.id}/edit" in html
    assert f"/memberships/{w.m.id}/end" in html
    assert f"/initiative-roles/{w.r.id}/delete" in html
    assert f"/relationships/{w.rel.id}/edit" in html
    assert 'name="csrf_token"' in html


def test_initiative_page_hides_link_controls_from_editors(client, login_as, w):
    login_as("editor", initiative=w.ini)
    response = client.get(f"/initiatives/{w.ini.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/memberships/" not in html
    assert "/initiative-roles/" not in html
    assert "/relationships/" not in html


# --- memberships ---------------------------------------------------------------------------


def test_staff_adds_a_member_organisation(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/memberships/new?initiative={w.ini.id}",
        data={
            "other_name": "Stadt Duisburg",
            "other_id": str(w.org2.id),
            "role": "beirat",
            "since": "2024-03-01",
            "until": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{w.ini.id}")
    created = _rows(app, Membership)[-1]
    assert (created.initiative_id, created.organisation_id) == (w.ini.id, w.org2.id)
    assert created.role is MembershipRole.BEIRAT
    assert (created.since, created.until) == (dt.date(2024, 3, 1), None)
    with app.app_context():
        audit = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.record_type == "memberships", AuditEntry.record_id == created.id
            )
        )
        assert audit is not None and audit.action is AuditAction.CREATE


def test_membership_from_the_organisation_side_goes_back_to_next(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/memberships/new?organisation={w.org2.id}&next=/organisations/{w.org2.id}",
        data={"other_id": str(w.ini2.id), "role": "mitglied"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{w.org2.id}")
    created = _rows(app, Membership)[-1]
    assert (created.initiative_id, created.organisation_id) == (w.ini2.id, w.org2.id)


def test_an_offsite_next_is_ignored(client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/memberships/new?initiative={w.ini.id}&next=https://evil.example/",
        data={"other_id": str(w.org2.id), "role": "mitglied"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_a_typed_exact_name_without_a_chosen_hit_is_taken(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/memberships/new?initiative={w.ini.id}",
        data={"other_name": "stadt duisburg", "other_id": "", "role": "mitglied"},
    )
    assert response.status_code == 302
    assert _rows(app, Membership)[-1].organisation_id == w.org2.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"since": "2024-05-01", "until": "2024-04-30"}, "Das Ende darf nicht vor dem Beginn"),
        ({"since": "kein Datum"}, "Bitte ein gültiges Datum angeben."),
        ({"until": "1200-01-01"}, "Bitte ein Datum zwischen"),
        ({"role": "kaiser"}, "Bitte eine der angebotenen Rollen wählen."),
        ({"other_id": "999999"}, "Diese Organisation gibt es nicht (mehr)."),
        ({"other_id": "", "other_name": "Niemand AG"}, "aus der Trefferliste wählen"),
        ({"other_id": "abc"}, "aus der Trefferliste wählen"),
    ],
)
def test_bad_membership_input_changes_nothing(app, client, login_as, w, data, message):
    login_as("staff")
    form = {"other_name": "Stadt Duisburg", "other_id": str(w.org2.id), "role": "mitglied"}
    html = _refused(app, client, f"/memberships/new?initiative={w.ini.id}", form | data, message)
    assert "is-invalid" in html
    for key in ("since", "until"):
        if data.get(key):
            assert f'value="{data[key]}"' in html  # what was typed is kept


@pytest.mark.parametrize(
    ("model", "url", "data", "message"),
    [
        pytest.param(
            Membership,
            "/memberships/new?initiative={w.ini.id}",
            {"other_name": "Stahlwerk Nord GmbH", "other_id": "{w.org.id}", "role": "beirat"},
            "bereits Mitglied der Initiative",
            id="membership",
        ),
        pytest.param(
            Affiliation,
            "/affiliations/new?organisation={w.org.id}",
            {"other_id": "{w.person.id}", "function": "Vorstand"},
            "bereits der Organisation zugeordnet",
            id="affiliation",
        ),
        pytest.param(  # the reverse of the existing relationship is the same one
            Relationship,
            "/relationships/new?initiative={w.ini2.id}",
            {"other_id": "{w.ini.id}", "kind": "kooperation"},
            "Diese Beziehung ist bereits erfasst.",
            id="reverse-relationship",
        ),
    ],
)
def test_a_duplicate_link_is_refused(app, client, login_as, w, model, url, data, message):
    login_as("staff")
    form = {key: value.format(w=w) for key, value in data.items()}
    html = _refused(app, client, url.format(w=w), form, message)
    assert count_rows(app, model) == 1
    if "other_name" in form:
        assert f'value="{form["other_name"]}"' in html  # what was typed is kept


def test_a_membership_after_an_ended_one_is_allowed(app, client, login_as, w, make):
    make.membership(w.org2, w.ini, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))
    login_as("staff")
    response = client.post(
        f"/memberships/new?initiative={w.ini.id}",
        data={"other_id": str(w.org2.id), "role": "mitglied", "since": "2019-01-01"},
    )
    assert response.status_code == 302
    overlapping = client.post(
        f"/memberships/new?initiative={w.ini.id}",
        data={
            "other_id": str(w.org2.id),
            "role": "mitglied",
            "since": "2010-01-01",
            "until": "2015-06-30",
        },
    )
    assert "bereits Mitglied der Initiative" in overlapping.get_data(as_text=True)


def test_staff_edits_a_membership(app, client, login_as, w):
    login_as("staff")
    page = client.get(f"/memberships/{w.m.id}/edit").get_data(as_text=True)
    assert "Stahlwerk Nord GmbH" in page and 'value="2020-01-01"' in page
    response = client.post(
        f"/memberships/{w.m.id}/edit?next=/organisations/{w.org.id}",
        data={"role": "traeger", "since": "2019-06-01", "until": "2030-12-31"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{w.org.id}")
    m = _get(app, Membership, w.m.id)
    assert (m.role, m.since, m.until) == (
        MembershipRole.TRAEGER,
        dt.date(2019, 6, 1),
        dt.date(2030, 12, 31),
    )


def test_editing_into_an_overlap_is_refused(app, client, login_as, w, make):
    old = make.membership(w.org, w.ini, since=dt.date(2010, 1, 1), until=dt.date(2012, 1, 1))
    login_as("staff")
    response = client.post(
        f"/memberships/{old.id}/edit", data={"role": "mitglied", "since": "2010-01-01"}
    )
    assert response.status_code == 200
    assert "bereits Mitglied der Initiative" in response.get_data(as_text=True)
    assert _get(app, Membership, old.id).until == dt.date(2012, 1, 1)


def test_bad_edit_keeps_the_record(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/memberships/{w.m.id}/edit",
        data={"role": "mitglied", "since": "2024-05-01", "until": "2024-01-01"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Das Ende darf nicht vor dem Beginn liegen." in html
    assert 'value="2024-01-01"' in html
    m = _get(app, Membership, w.m.id)
    assert (m.since, m.until) == (dt.date(2020, 1, 1), None)


def test_staff_ends_a_membership_today(app, client, login_as, w):
    login_as("staff")
    response = client.post(f"/memberships/{w.m.id}/end", data={"next": f"/initiatives/{w.ini.id}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{w.ini.id}")
    assert _get(app, Membership, w.m.id).until == today()
    again = client.post(f"/memberships/{w.m.id}/end", follow_redirects=True)
    assert "kann daher nicht beendet werden" in again.get_data(as_text=True)
    assert _get(app, Membership, w.m.id).until == today()


def test_a_future_membership_cannot_be_ended(app, client, login_as, w, make):
    future = make.membership(w.org2, w.ini, since=today() + dt.timedelta(days=30))
    login_as("staff")
    response = client.post(f"/memberships/{future.id}/end", follow_redirects=True)
    assert "kann daher nicht beendet werden" in response.get_data(as_text=True)
    assert _get(app, Membership, future.id).until is None


def test_staff_deletes_a_membership_after_confirming(app, client, login_as, w):
    login_as("staff")
    page = client.get(f"/memberships/{w.m.id}/delete")
    html = page.get_data(as_text=True)
    assert "Mitgliedschaft wirklich löschen?" in html and "Stahlwerk Nord GmbH" in html
    assert _get(app, Membership, w.m.id) is not None
    response = client.post(f"/memberships/{w.m.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{w.ini.id}")
    assert _get(app, Membership, w.m.id) is None


# --- affiliations ----------------------------------------------------------------------------


def test_staff_links_a_person_to_an_organisation(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/affiliations/new?person={w.person.id}",
        data={
            "other_id": str(w.org2.id),
            "function": "  Leiterin   Wirtschaftsförderung ",
            "since": "2023-01-01",
        },
    )
    assert response.status_code == 302
    created = _rows(app, Affiliation)[-1]
    assert (created.person_id, created.organisation_id) == (w.person.id, w.org2.id)
    assert created.function == "Leiterin Wirtschaftsförderung"


def test_affiliation_from_the_organisation_side(app, client, login_as, w, make):
    other = make.person(first_name="Ayşe", last_name="Demir")
    login_as("staff")
    response = client.post(
        f"/affiliations/new?organisation={w.org.id}", data={"other_id": str(other.id)}
    )
    assert response.status_code == 302
    assert _rows(app, Affiliation)[-1].person_id == other.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"other_id": str(-1)}, "aus der Trefferliste wählen"),
        ({"other_id": "999999"}, "Diese Organisation gibt es nicht (mehr)."),
        ({"since": "2024-05-01", "until": "2024-04-30"}, "Das Ende darf nicht vor dem Beginn"),
        ({"function": "x" * 121}, "Höchstens 120 Zeichen."),
    ],
)
def test_bad_affiliation_input_changes_nothing(app, client, login_as, w, data, message):
    login_as("staff")
    form = {"other_id": str(w.org2.id)} | data
    _refused(app, client, f"/affiliations/new?person={w.person.id}", form, message)


@pytest.mark.parametrize(
    ("kind", "model", "record", "data", "saved", "question"),
    [
        (
            "affiliations",
            Affiliation,
            "a",
            {"function": "Geschäftsführer", "since": "2021-02-03"},
            {"function": "Geschäftsführer", "since": dt.date(2021, 2, 3)},
            "Zuordnung wirklich löschen?",
        ),
        (
            "initiative-roles",
            InitiativeRole,
            "r",
            {"role": "presse", "since": "2022-01-01"},
            {"role": InitiativeRoleKind.PRESSE, "since": dt.date(2022, 1, 1)},
            "Rolle wirklich löschen?",
        ),
    ],
)
def test_staff_edits_ends_and_deletes_an_affiliation_or_a_role(
    app, client, login_as, w, kind, model, record, data, saved, question
):
    login_as("staff")
    record_id = getattr(w, record).id
    assert client.post(f"/{kind}/{record_id}/edit", data=data).status_code == 302
    stored = _get(app, model, record_id)
    assert {key: getattr(stored, key) for key in saved} == saved
    assert client.post(f"/{kind}/{record_id}/end").status_code == 302
    assert _get(app, model, record_id).until == today()
    assert question in client.get(f"/{kind}/{record_id}/delete").get_data(as_text=True)
    assert client.post(f"/{kind}/{record_id}/delete").status_code == 302
    assert _get(app, model, record_id) is None


# --- initiative roles ------------------------------------------------------------------------


def test_staff_adds_a_contact_person(app, client, login_as, w, make):
    other = make.person(first_name="Ayşe", last_name="Demir")
    login_as("staff")
    response = client.post(
        f"/initiative-roles/new?initiative={w.ini.id}",
        data={"other_id": str(other.id), "role": "sprecherin"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{w.ini.id}")
    created = _rows(app, InitiativeRole)[-1]
    assert (created.person_id, created.role) == (other.id, InitiativeRoleKind.SPRECHERIN)
    html = client.get(f"/initiatives/{w.ini.id}").get_data(as_text=True)
    assert "Ayşe Demir" in html and "Sprecher:in" in html


def test_a_second_role_of_the_same_person_is_fine_the_same_role_twice_is_not(
    app, client, login_as, w
):
    login_as("staff")
    other_role = client.post(
        f"/initiative-roles/new?person={w.person.id}",
        data={"other_id": str(w.ini.id), "role": "vorsitz"},
    )
    assert other_role.status_code == 302
    _refused(
        app,
        client,
        f"/initiative-roles/new?person={w.person.id}",
        {"other_id": str(w.ini.id), "role": "ansprechperson"},
        "hat diese Rolle in diesem Zeitraum bereits inne",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"other_id": "999999"}, "Diese Person gibt es nicht (mehr)."),
        ({"role": ""}, "Bitte eine Rolle wählen."),
        ({"since": "2024-13-45"}, "Bitte ein gültiges Datum angeben."),
        ({"since": "2024-05-01", "until": "2024-04-30"}, "Das Ende darf nicht vor dem Beginn"),
    ],
)
def test_bad_role_input_changes_nothing(app, client, login_as, w, make, data, message):
    other = make.person()
    login_as("staff")
    form = {"other_id": str(other.id), "role": "presse"} | data
    _refused(app, client, f"/initiative-roles/new?initiative={w.ini.id}", form, message)


# --- relationships ---------------------------------------------------------------------------


def test_staff_relates_two_organisations(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/relationships/new?organisation={w.org.id}",
        data={"other_id": str(w.org2.id), "kind": "partnerschaft", "note": " Ausbildung "},
    )
    assert response.status_code == 302
    rel = _rows(app, Relationship)[-1]
    assert (rel.organisation_a_id, rel.organisation_b_id) == (w.org.id, w.org2.id)
    assert (rel.initiative_a_id, rel.initiative_b_id) == (None, None)
    assert (rel.kind, rel.note) == (RelationshipKind.PARTNERSCHAFT, "Ausbildung")


def test_another_kind_between_the_same_initiatives_is_fine(app, client, login_as, w):
    login_as("staff")
    response = client.post(
        f"/relationships/new?initiative={w.ini2.id}",
        data={"other_id": str(w.ini.id), "kind": "vermittelt"},
    )
    assert response.status_code == 302
    assert count_rows(app, Relationship) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"other_id": "{ini}"}, "keine Beziehung zu sich selbst"),
        ({"other_id": "{ini2}"}, "Diese Beziehung ist bereits erfasst."),
        ({"other_id": "999999"}, "Diese Initiative gibt es nicht (mehr)."),
        ({"kind": "freundschaft"}, "Bitte eine der angebotenen Arten wählen."),
        ({"note": "x" * 2001}, "Höchstens 2.000 Zeichen."),
    ],
)
def test_bad_relationship_input_changes_nothing(app, client, login_as, w, data, message):
    login_as("staff")
    form = {"other_id": str(w.ini2.id), "kind": "kooperation"} | {
        key: value.format(ini=w.ini.id, ini2=w.ini2.id) for key, value in data.items()
    }
    _refused(app, client, f"/relationships/new?initiative={w.ini.id}", form, message)


def test_a_mixed_pair_is_refused(app, client, login_as, w):
    login_as("staff")
    _refused(
        app,
        client,
        f"/relationships/new?initiative={w.ini.id}&organisation={w.org.id}",
        {"other_id": str(w.org2.id), "kind": "kooperation"},
        "zwei Initiativen oder zwei Organisationen",
        status=400,
    )
    assert count_rows(app, Relationship) == 1
    with app.app_context():
        from crm.models import Initiative
        from crm.models import Organisation

        ini = db.session.get(Initiative, w.ini.id)
        org = db.session.get(Organisation, w.org.id)
        with pytest.raises(services.LinkError, match="zwei Initiativen oder zwei Organisationen"):
            services.create_relationship(ini, org, RelationshipKind.KOOPERATION, None)
        db.session.rollback()
    assert count_rows(app, Relationship) == 1


def test_staff_edits_and_deletes_a_relationship(app, client, login_as, w, make):
    make.relationship(w.ini, w.ini2, kind=RelationshipKind.PARTNERSCHAFT)
    login_as("staff")
    clash = client.post(f"/relationships/{w.rel.id}/edit", data={"kind": "partnerschaft"})
    assert clash.status_code == 200
    assert "Diese Beziehung ist bereits erfasst." in clash.get_data(as_text=True)
    assert _get(app, Relationship, w.rel.id).kind is RelationshipKind.KOOPERATION
    response = client.post(
        f"/relationships/{w.rel.id}/edit", data={"kind": "vermittelt", "note": "über die GS"}
    )
    assert response.status_code == 302
    rel = _get(app, Relationship, w.rel.id)
    assert (rel.kind, rel.note) == (RelationshipKind.VERMITTELT, "über die GS")
    page = client.get(f"/relationships/{w.rel.id}/delete").get_data(as_text=True)
    assert "Beziehung wirklich löschen?" in page and "Industrieallianz Ruhr" in page
    assert client.post(f"/relationships/{w.rel.id}/delete").status_code == 302
    assert _get(app, Relationship, w.rel.id) is None


# --- the look-up -----------------------------------------------------------------------------


def test_lookup_finds_records_by_a_fragment(client, login_as, w):
    login_as("staff")
    orgs = client.get("/links/lookup/organisation?q=stahl").get_json()["results"]
    assert [(hit["id"], hit["label"]) for hit in orgs] == [(w.org.id, "Stahlwerk Nord GmbH")]
    persons = client.get("/links/lookup/person?q=muller").get_json()["results"]
    assert [hit["id"] for hit in persons] == [w.person.id]
    inis = client.get("/links/lookup/initiative?q=ruhr").get_json()["results"]
    assert [hit["id"] for hit in inis] == [w.ini2.id]
    assert client.get("/links/lookup/organisation?q=").get_json() == {"results": []}


def test_lookup_returns_at_most_20_hits(client, login_as, make):
    for n in range(23):
        make.organisation(name=f"Gießerei {n:02d} GmbH")
    login_as("staff")
    hits = client.get("/links/lookup/organisation?q=giesserei").get_json()["results"]
    assert len(hits) == 20


# --- the partials on the organisation and person pages ---------------------------------------


def test_record_pages_offer_the_link_controls(client, login_as, w):
    login_as("staff")
    org_page = client.get(f"/organisations/{w.org.id}")
    if org_page.status_code == 404:
        pytest.skip("the organisation page is not there yet")
    html = org_page.get_data(as_text=True)
    assert f"/memberships/new?organisation={w.org.id}" in html
    assert f"/affiliations/new?organisation={w.org.id}" in html
    assert f"/memberships/{w.m.id}/edit" in html
    assert f"/affiliations/{w.a.id}/end" in html
    person_page = client.get(f"/persons/{w.person.id}").get_data(as_text=True)
    assert f"/affiliations/new?person={w.person.id}" in person_page
    assert f"/initiative-roles/new?person={w.person.id}" in person_page
    assert f"/initiative-roles/{w.r.id}/edit" in person_page


# --- the controls work with CSRF protection on -------------------------------------------------


def test_the_end_control_of_the_initiative_page_posts_a_valid_token(app, make_app, make, w):
    user = make.user(role="staff", password=TEST_PASSWORD)
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_client(protected, user)
    html = client.get(f"/initiatives/{w.ini.id}").get_data(as_text=True)
    link = re.search(rf'href="(/memberships/{w.m.id}/end\?[^"]*)"', html)
    assert link is not None  # "Beenden …" opens the confirmation page
    confirm_url = link[1].replace("&amp;", "&")
    page = client.get(confirm_url).get_data(as_text=True)
    assert "Mitgliedschaft wirklich beenden?" in page
    form = re.search(r'<form method="post" class="confirm-form">(.*?)</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form[1]))
    assert client.post(confirm_url, data={}).status_code == 400
    assert _get(app, Membership, w.m.id).until is None
    response = client.post(confirm_url, data=fields)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{w.ini.id}")
    assert _get(app, Membership, w.m.id).until == today()
