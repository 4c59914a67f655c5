"""The initiative page's members are read and rendered once per data version, day, address
and viewer's permissions (#23): a save shows on the next request, another day shows that
day's members, and what staff see (organisation links, "Bearbeiten …" controls) never
reaches an editor of the initiative who looks at the same address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.directory import queries
from crm.extensions import db
from crm.models import Membership
from crm.models import Organisation
from crm.models import User
from crm.models import base

DAY = dt.date(2030, 6, 15)


def _members_section(html: str) -> str:
    start = html.index('aria-labelledby="members-h"')
    return html[start : html.index("</section>", start)]


def test_a_save_shows_in_the_members_on_the_next_request(app, client, login_as, make):
    me = login_as("staff")
    ini = make.initiative(name="Bündnis Gießerei")
    org = make.organisation(name="Formguss Alt GmbH")
    make.membership(org, ini)
    url = f"/initiatives/{ini.id}"
    assert "Formguss Alt GmbH" in _members_section(client.get(url).get_data(as_text=True))
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, me.id))
        db.session.get_one(Organisation, org.id).name = "Formguss Neu GmbH"
        db.session.commit()
    section = _members_section(client.get(url).get_data(as_text=True))
    assert "Formguss Neu GmbH" in section and "Formguss Alt GmbH" not in section


def test_a_kept_page_of_members_reads_no_members(app, client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Bündnis Lesen")
    for k in range(3):
        make.membership(make.organisation(name=f"Betrieb {k}"), ini)
    url = f"/initiatives/{ini.id}"
    client.get(url)
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert "Betrieb 2" in _members_section(html)
    assert not [s for s in seen if "row_number" in s.lower()], seen  # the members' windows


def test_the_members_follow_the_day(app, client, login_as, make, monkeypatch):
    login_as("staff")
    ini = make.initiative(name="Bündnis Stichtag")
    make.membership(make.organisation(name="Endet Heute AG"), ini, until=DAY)
    make.membership(make.organisation(name="Bleibt GmbH"), ini)
    url = f"/initiatives/{ini.id}"
    sections: dict[dt.date, list[str]] = {}
    for day in (DAY, DAY + dt.timedelta(days=1), DAY):
        monkeypatch.setattr(base, "today", lambda day=day: day)
        monkeypatch.setattr(queries, "today", lambda day=day: day)
        sections.setdefault(day, []).append(
            _members_section(client.get(url).get_data(as_text=True))
        )
    on_the_day, next_day = sections[DAY][0], sections[DAY + dt.timedelta(days=1)][0]
    assert "Endet Heute AG" in on_the_day.split("former-members")[0]
    assert "Endet Heute AG" not in next_day.split("former-members")[0]
    assert "Frühere Mitglieder (1)" in next_day
    assert sections[DAY][0] == sections[DAY][1]


def test_staff_and_an_editor_each_see_their_own_members_section(app, make):
    ini = make.initiative(name="Bündnis Sicht")
    org = make.organisation(name="Sichtbar GmbH")
    make.membership(org, ini)
    password = "Ein-sicheres-Passwort-2030"
    staff = make.user(role="staff", password=password)
    editor = make.user(role="editor", initiative_id=ini.id, password=password)
    url = f"/initiatives/{ini.id}"
    with app.app_context():
        membership_id = db.session.query(Membership.id).filter_by(initiative_id=ini.id).scalar()

    def section_for(user: Any) -> str:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302
        page = client.get(url)
        assert page.status_code == 200
        return _members_section(page.get_data(as_text=True))

    for order in ((staff, editor), (editor, staff)):
        seen = {user.role: section_for(user) for user in order}
        staff_part, editor_part = seen[staff.role], seen[editor.role]
        assert f"/organisations/{org.id}" in staff_part
        assert f"/memberships/{membership_id}/edit" in staff_part
        assert "Sichtbar GmbH" in editor_part
        assert f"/organisations/{org.id}" not in editor_part
        assert f"/memberships/{membership_id}/" not in editor_part
