"""PLZ resolution against the loaded reference tables."""

from __future__ import annotations

from crm.extensions import db
from crm.models import Postcode
from crm.reference.geo import resolve_plz
from crm.reference.geo import spans_several
from tests.helpers import plz_spanning


def test_known_plz_resolves_to_place_kreis_and_land(app):
    with app.app_context():
        candidates = resolve_plz("50667")
    assert candidates
    assert {c.kreis_ags for c in candidates} == {"05315"}
    assert candidates[0].land_name == "Nordrhein-Westfalen"
    assert 50.8 < candidates[0].lat < 51.1 and 6.8 < candidates[0].lon < 7.1


def test_plz_spanning_several_kreise_and_laender_offers_all_candidates(app):
    with app.app_context():
        several_kreise = db.session.scalars(plz_spanning(Postcode.kreis_ags)).all()
        several_laender = db.session.scalars(plz_spanning(Postcode.land_ags)).all()
        assert len(several_kreise) >= 100
        assert len(several_laender) >= 5
        kreise, _ = spans_several(resolve_plz(several_kreise[0]))
        assert kreise
        _, laender = spans_several(resolve_plz(several_laender[0]))
        assert laender
        assert len({c.land_name for c in resolve_plz(several_laender[0])}) >= 2


def test_unknown_or_malformed_plz_gives_no_candidates(app):
    with app.app_context():
        for bad in ("00000", "1234", "123456", "abcde", "", "50667; DROP TABLE x"):
            assert resolve_plz(bad) == []
