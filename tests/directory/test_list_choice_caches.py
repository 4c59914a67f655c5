"""What the directory lists keep of their filters' choices: the allowed Land and Kreis
values (crm.directory.queries) as long as the cached reference data, and the labels of
enum choices (crm.web.labels.choices) per language."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import delete

from crm.directory import queries
from crm.extensions import db
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import Kreis
from crm.web.labels import choices
from crm.web.labels import label


def test_filter_values_follow_the_reference_data(app):
    with app.test_request_context("/"):
        queries.clear_choice_cache()
        allowed = queries.organisation_filters()
        assert allowed["kreis"] == {ags for ags, _ in queries.kreis_choices()}
        assert allowed["land"] == {ags for ags, _ in queries.land_choices()}
        assert "09999" not in allowed["kreis"]
        db.session.add(Kreis(ags="09999", name="Testkreis", land_ags="09"))
        db.session.commit()
        try:
            assert "09999" not in queries.initiative_filters()["kreis"]  # kept
            queries.clear_choice_cache()  # as after reference data changed
            assert "09999" in queries.initiative_filters()["kreis"]
            assert "09999" in queries.person_filters()["kreis"]
        finally:
            db.session.execute(delete(Kreis).where(Kreis.ags == "09999"))
            db.session.commit()
            queries.clear_choice_cache()


def test_filters_of_an_unknown_kreis_are_dropped(app):
    with app.test_request_context("/"):
        params = queries.parse_list_params(
            {"kreis": "09999", "land": "09"},
            queries.ORGANISATION_LIST,
            queries.organisation_filters(),
        )
        assert params.filters == {"land": "09"}


def test_choices_follow_the_language(app):
    with app.test_request_context("/"):
        with force_locale("de"):
            german = choices(InitiativeType)
            assert german == [(t.value, label(t)) for t in InitiativeType]
            assert ("verein", "Verein") in german
        with force_locale("en"):
            english = choices(InitiativeType)
            assert ("verein", "Association") in english
            assert english == [(t.value, label(t)) for t in InitiativeType]
            assert choices(InitiativeStatus) == [(s.value, label(s)) for s in InitiativeStatus]
        with force_locale("de"):
            again = choices(InitiativeType)
            assert again == german
            again.append(("x", "y"))  # a caller's own list: the next one is whole again
            assert choices(InitiativeType) == german
