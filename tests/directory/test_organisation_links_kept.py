"""The organisation page's memberships and people are rendered once per data version, day
and address (#23): a save shows on the next request, and another day shows which links
still run on that day."""

from __future__ import annotations

import datetime as dt

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.directory import details
from crm.extensions import db
from crm.models import Initiative
from crm.models import User
from crm.models import base

DAY = dt.date(2030, 6, 15)


def _links_part(html: str) -> str:
    start = html.index('aria-labelledby="memberships-h"')
    return html[start : html.index('aria-labelledby="rel-h"')]


def test_a_save_shows_in_the_memberships_and_people_on_the_next_request(
    app, client, login_as, make
):
    me = login_as("staff")
    org = make.organisation(name="Werk Nord GmbH")
    ini = make.initiative(name="Bündnis Alt")
    make.membership(org, ini)
    make.affiliation(make.person(first_name="Eva", last_name="Vorher"), org)
    url = f"/organisations/{org.id}"
    first = _links_part(client.get(url).get_data(as_text=True))
    assert "Bündnis Alt" in first and "Vorher" in first
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, me.id))
        db.session.get_one(Initiative, ini.id).name = "Bündnis Neu"
        db.session.commit()
    make.affiliation(make.person(first_name="Ali", last_name="Nachher"), org)
    second = _links_part(client.get(url).get_data(as_text=True))
    assert "Bündnis Neu" in second and "Bündnis Alt" not in second
    assert "Nachher" in second


def test_the_memberships_follow_the_day(app, client, login_as, make, monkeypatch):
    login_as("staff")
    org = make.organisation(name="Werk Süd GmbH")
    ending = make.membership(org, make.initiative(name="Bündnis Stichtag"), until=DAY)
    url = f"/organisations/{org.id}"
    parts: dict[dt.date, list[str]] = {}
    for day in (DAY, DAY + dt.timedelta(days=1), DAY):
        monkeypatch.setattr(base, "today", lambda day=day: day)
        monkeypatch.setattr(details, "today", lambda day=day: day)
        parts.setdefault(day, []).append(_links_part(client.get(url).get_data(as_text=True)))
    on_the_day, next_day = parts[DAY][0], parts[DAY + dt.timedelta(days=1)][0]
    assert f"/memberships/{ending.id}/edit" in on_the_day
    assert "ehemals" not in on_the_day
    assert "ehemals" in next_day
    assert parts[DAY][0] == parts[DAY][1]
