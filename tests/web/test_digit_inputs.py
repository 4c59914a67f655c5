"""Numbers typed or sent with characters that Python calls digits but are no decimal
digits ("²", "³", "①"): `"²".isdigit()` is true, `int("²")` raises. Every place that reads
an id, a version or a rating from a request takes ASCII digits only: such input is refused
like any other garbage, never a server error."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.extensions import db
from crm.models import Initiative
from tests.directory.test_directory_records import initiative_data

ODD = ("²", "1²", "①", "٣")  # superscript, circled, Arabic-Indic three


@pytest.mark.parametrize("value", ODD)
def test_odd_digits_in_ids_are_ignored_or_refused(client: FlaskClient, make, login_as, value):
    login_as("staff")
    for path in (
        f"/interactions/new?person={value}",
        f"/memberships/new?initiative={value}",
        f"/follow-ups?person={value}",
    ):
        assert client.get(path).status_code in (200, 302, 400, 404), path


@pytest.mark.parametrize("value", ODD)
def test_an_odd_version_is_a_conflict(app: Flask, client: FlaskClient, make, login_as, value):
    login_as("staff")
    ini = make.initiative(name="Versionstest")
    data = initiative_data(name="Überschrieben", version=value)
    assert client.post(f"/initiatives/{ini.id}/edit", data=data).status_code == 409
    with app.app_context():
        assert db.session.get(Initiative, ini.id).name == "Versionstest"
