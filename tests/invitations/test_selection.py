"""Salutation, recipient selection with every exclusion reason, and the person filters."""

from __future__ import annotations

import pytest

from crm.directory.queries import person_filters
from crm.extensions import db
from crm.invitations import services
from crm.models import InvitationCampaign
from crm.models import Person
from tests.invitations.helpers import INVITED
from tests.invitations.helpers import LEFT_OUT
from tests.invitations.helpers import build_world
from tests.invitations.helpers import campaign


@pytest.mark.parametrize(
    ("fields", "german", "english"),
    [
        (
            dict(salutation="Frau", title="Dr.", first_name="Ada", last_name="Müller"),
            "Sehr geehrte Frau Dr. Müller,",
            "Dear Dr Müller,",
        ),
        (
            dict(salutation="Herr", title=None, first_name="Jan", last_name="Weiß"),
            "Sehr geehrter Herr Weiß,",
            "Dear Mr Weiß,",
        ),
        (
            dict(salutation="Frau", title=None, first_name="Eva", last_name="Groß"),
            "Sehr geehrte Frau Groß,",
            "Dear Ms Groß,",
        ),
        (
            dict(salutation="Herr", title="Prof. Dr.", first_name="Uwe", last_name="Kern"),
            "Sehr geehrter Herr Prof. Dr. Kern,",
            "Dear Professor Kern,",
        ),
        (
            dict(salutation=None, title=None, first_name="Kim", last_name="Lüders"),
            "Guten Tag Kim Lüders,",
            "Dear Kim Lüders,",
        ),
        (
            dict(salutation="divers", title=None, first_name="Alex", last_name="Ott"),
            "Guten Tag Alex Ott,",
            "Dear Alex Ott,",
        ),
    ],
)
def test_salutation(fields, german, english):
    person = Person(**fields)
    assert services.salutation(person, "de") == german
    assert services.salutation(person, "en") == english


def test_selection_names_every_reason(app, make):
    world = build_world(make)
    chosen = campaign(make, world)
    with app.app_context():
        selection = services.select_recipients(
            db.session.get_one(InvitationCampaign, chosen.id), person_filters()
        )
        invited = {p.id for p in selection.invited}
        reasons = {p.id: r for p, r in selection.left_out}
    assert invited == {world.persons[k].id for k in INVITED}
    assert reasons == {world.persons[k].id: reason for k, reason in LEFT_OUT.items()}
    assert set(services.REASONS) == set(LEFT_OUT.values()) | {"already_invited"}


def test_filters_narrow_the_selection(app, make):
    world = build_world(make)
    other = make.person(first_name="Otto", last_name="Anderswo")  # no role, no affiliation
    by_type = campaign(make, world, filters={"orgtype": "unternehmen"})
    by_event = campaign(make, world, filters={"event": str(world.event.id)})
    everyone = campaign(make, world, filters={})
    bogus = campaign(make, world, filters={"land": "99", "nonsense": "1"})
    with app.app_context():
        allowed = person_filters()

        def invited(c):
            chosen = db.session.get_one(InvitationCampaign, c.id)
            return {p.id for p in services.select_recipients(chosen, allowed).invited}

        assert invited(by_type) == {world.persons["frau"].id}
        # the registered person is the only participant, and left out as registered
        assert invited(by_event) == set()
        assert other.id in invited(everyone)
        assert invited(bogus) == invited(everyone)  # unknown filters are dropped


def test_person_list_offers_the_same_filters(app, make, client, login_as):
    world = build_world(make)
    make.person(first_name="Otto", last_name="Anderswo")
    login_as("staff")
    page = client.get("/persons/?role=ansprechperson&land=05").get_data(as_text=True)
    assert "Müller" in page and "Anderswo" not in page
    assert 'name="orgtype"' in page and 'name="event"' in page
    page = client.get(f"/persons/?event={world.event.id}").get_data(as_text=True)
    assert "Registered" in page and "Müller" not in page
