"""Model behaviour: derived activity, N+1 protection, sort keys, integrity constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.exc import StatementError

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Initiative
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import User
from tests.helpers import days_from_today


@pytest.mark.parametrize(
    ("since", "until", "active"),  # days from today
    [
        (None, None, True),
        (-10, None, True),
        (1, None, False),
        (None, 0, True),
        (None, -1, False),
        (-30, -2, False),
    ],
)
def test_membership_activity_is_derived_from_dates_in_python_and_sql(
    app, make, since, until, active
):
    ini = make.initiative()
    org = make.organisation()
    membership = make.membership(
        org, ini, since=days_from_today(since), until=days_from_today(until)
    )
    assert membership.is_active is active
    with app.app_context():
        found = db.session.scalars(select(Membership.id).where(Membership.is_active)).all()
    assert (membership.id in found) is active


def test_relationships_raise_instead_of_lazy_loading(app, make):
    ini = make.initiative()
    with app.app_context():
        loaded = db.session.get_one(Initiative, ini.id)
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            _ = loaded.memberships


def test_sort_names_fold_umlauts_and_case(app, make):
    make.organisation(name="Zeta AG")
    make.organisation(name="Ölwerke Süd GmbH")
    make.organisation(name="Müller-Lüdenscheidt GmbH & Co. KG")
    make.organisation(name="muller KG")
    with app.app_context():
        names = db.session.scalars(select(Organisation.name).order_by(Organisation.sort_name)).all()
    assert names == [
        "muller KG",
        "Müller-Lüdenscheidt GmbH & Co. KG",
        "Ölwerke Süd GmbH",
        "Zeta AG",
    ]


def test_person_sort_name_and_email_normalised(app, make):
    person = make.person(
        first_name="Jürgen", last_name="Groß", email="  Juergen.Gross@Example.ORG "
    )
    assert person.sort_name == "gross jurgen"
    assert person.email == "juergen.gross@example.org"


def _refused_on_commit(app, record, error: type[Exception] = IntegrityError) -> None:
    """Adding `record` fails with `error` when the session commits."""
    with app.app_context(), writing():
        db.session.add(record)
        with pytest.raises(error):
            db.session.commit()
        db.session.rollback()


def test_membership_period_must_not_end_before_it_starts(app, make):
    ini, org = make.initiative(), make.organisation()
    _refused_on_commit(
        app,
        Membership(
            organisation_id=org.id,
            initiative_id=ini.id,
            since=dt.date(2022, 1, 1),
            until=dt.date(2021, 1, 1),
        ),
    )


def test_relationship_needs_exactly_one_pair(app, make):
    ini = make.initiative()
    org = make.organisation()
    _refused_on_commit(
        app,
        Relationship(
            kind=RelationshipKind.KOOPERATION, initiative_a_id=ini.id, organisation_b_id=org.id
        ),
    )


def test_editor_must_belong_to_an_initiative(app):
    _refused_on_commit(app, User(email="ed@example.org", role="editor"))


def test_unknown_enum_value_is_rejected_before_sql(app):
    _refused_on_commit(app, Organisation(name="X", type="raumfahrt"), StatementError)


def test_naive_datetimes_are_refused(app, make):
    person = make.person()
    with app.app_context(), writing():
        loaded = db.session.get_one(Person, person.id)
        loaded.collected_at = dt.datetime(2024, 1, 1, 12, 0)  # noqa: DTZ001 - the point of the test
        with pytest.raises(StatementError, match="naive"):
            db.session.commit()
        db.session.rollback()


def test_datetimes_round_trip_as_aware_utc(app, make):
    moment = dt.datetime(2021, 3, 16, 9, 0, tzinfo=dt.UTC)
    person = make.person(collected_at=moment)
    assert person.collected_at == moment
    assert person.collected_at.tzinfo is not None


def test_versioned_records_bump_version_on_update(app, make):
    org = make.organisation(name="Alt GmbH")
    assert org.version == 1
    with app.app_context(), writing():
        loaded = db.session.get_one(Organisation, org.id)
        loaded.name = "Neu GmbH"
        db.session.commit()
        assert loaded.version == 2
