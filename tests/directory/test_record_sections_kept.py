"""The person page's affiliations, roles and consents, and the initiative page's profile,
contacts and relationships are read and rendered once per data version, day, address and
viewer's permissions (#23): a page whose sections are kept reads none of their lists, a
save shows on the next request, another day shows which links still run, and what staff
see (a restricted contact, the "Bearbeiten …" controls) never reaches an editor of the
initiative who looks at the same address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.directory import details
from crm.directory import queries
from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.models import User
from crm.models import base
from tests.helpers import hidden_field
from tests.helpers import recorded

DAY = dt.date(2030, 6, 15)
PASSWORD = "Ein-sicheres-Passwort-2030"


def _between(html: str, start: str, end: str) -> str:
    first = html.index(start)
    return html[first : html.index(end, first)]


def _person_links(html: str) -> str:
    return _between(html, 'aria-labelledby="aff-h"', 'aria-labelledby="pdata-h"')


def _initiative_links(html: str) -> str:
    return _between(html, 'aria-labelledby="contacts-h"', 'aria-labelledby="int-h"')


def _profile(html: str) -> str:
    return _between(html, 'aria-labelledby="profile-h"', 'aria-labelledby="contacts-h"')


def _kept_twice(app: Any, client: Any, url: str, tables: tuple[str, ...]) -> str:
    """`url` asked for twice: the first request reads each of `tables`, the second (its
    sections kept) none of them and shows the same page but for its CSRF token."""
    with recorded(app) as seen:
        first = client.get(url).text
    for table in tables:
        assert [s for s in seen if s.startswith("SELECT") and table in s], (url, table)
    with recorded(app) as seen:
        again = client.get(url).text
    token = "csrf_token"
    assert again == first.replace(hidden_field(first, token), hidden_field(again, token))
    assert not [s for s in seen if any(t in s for t in tables)], (url, seen)
    return again


def _rename(app: Any, user: User, model: Any, record_id: int, name: str) -> None:
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, user.id))
        db.session.get_one(model, record_id).name = name
        db.session.commit()


def test_a_kept_person_page_reads_none_of_its_lists(app, client, login_as, make):
    login_as("staff")
    person = make.person(last_name="Beispiel")
    make.affiliation(person, make.organisation(name="Werk Ost GmbH"))
    make.initiative_role(person, make.initiative(name="Bündnis Ost"))
    make.consent(person)
    lists = ("FROM affiliations", "FROM initiative_roles", "FROM consents")
    again = _kept_twice(app, client, f"/persons/{person.id}", lists)
    assert "Werk Ost GmbH" in _person_links(again) and "Bündnis Ost" in _person_links(again)


def test_a_save_shows_in_the_person_page_on_the_next_request(app, client, login_as, make):
    me = login_as("staff")
    person = make.person()
    org = make.organisation(name="Werk Alt GmbH")
    make.affiliation(person, org)
    url = f"/persons/{person.id}"
    first = _person_links(client.get(url).get_data(as_text=True))
    assert "Werk Alt GmbH" in first and "Keine Einwilligungen erfasst." in first
    _rename(app, me, Organisation, org.id, "Werk Neu GmbH")
    make.initiative_role(person, make.initiative(name="Bündnis Später"))
    make.consent(person)
    second = _person_links(client.get(url).get_data(as_text=True))
    assert "Werk Neu GmbH" in second and "Werk Alt GmbH" not in second
    assert "Bündnis Später" in second
    assert "Keine Einwilligungen erfasst." not in second


def test_the_person_page_follows_the_day(app, client, login_as, make, monkeypatch):
    login_as("staff")
    person = make.person()
    ending = make.affiliation(person, make.organisation(name="Endet GmbH"), until=DAY)
    url = f"/persons/{person.id}"
    parts: dict[dt.date, list[str]] = {}
    for day in (DAY, DAY + dt.timedelta(days=1), DAY):
        monkeypatch.setattr(base, "today", lambda day=day: day)
        monkeypatch.setattr(details, "today", lambda day=day: day)
        parts.setdefault(day, []).append(_person_links(client.get(url).get_data(as_text=True)))
    on_the_day, next_day = parts[DAY][0], parts[DAY + dt.timedelta(days=1)][0]
    assert f"/affiliations/{ending.id}/end" in on_the_day
    assert "ehemals" not in on_the_day
    assert "ehemals" in next_day
    assert parts[DAY][0] == parts[DAY][1]


def test_a_kept_initiative_page_reads_no_contacts_relationships_or_vocabularies(
    app, client, login_as, make
):
    login_as("staff")
    ini = make.initiative(name="Bündnis Lesen")
    make.initiative_role(make.person(last_name="Kontakt"), ini)
    make.relationship(ini, make.initiative(name="Bündnis Partner"))
    lists = ("FROM initiative_roles", "FROM relationships", "FROM initiative_themes")
    again = _kept_twice(app, client, f"/initiatives/{ini.id}", lists)
    assert "Kontakt" in _initiative_links(again) and "Bündnis Partner" in again


def test_a_save_shows_in_the_initiative_page_on_the_next_request(app, client, login_as, make):
    me = login_as("staff")
    ini = make.initiative(name="Bündnis Mitte")
    partner = make.initiative(name="Partner Alt")
    make.relationship(ini, partner)
    host = make.organisation(name="Geschäftsstelle Alt e.V.")
    url = f"/initiatives/{ini.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Partner Alt" in _initiative_links(html)
    assert "Geschäftsstelle Alt" not in _profile(html)
    _rename(app, me, Initiative, partner.id, "Partner Neu")
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, me.id))
        initiative = db.session.get_one(Initiative, ini.id)
        initiative.host_organisation_id = host.id
        initiative.goals = "Gemeinsam ausbilden"
        db.session.commit()
    make.initiative_role(make.person(last_name="Neuzugang"), ini)
    html = client.get(url).get_data(as_text=True)
    links = _initiative_links(html)
    assert "Partner Neu" in links and "Partner Alt" not in links
    assert "Neuzugang" in links
    assert "Geschäftsstelle Alt e.V." in _profile(html)
    assert "Gemeinsam ausbilden" in _profile(html)


def test_the_initiative_contacts_follow_the_day(app, client, login_as, make, monkeypatch):
    login_as("staff")
    ini = make.initiative(name="Bündnis Stichtag")
    make.initiative_role(make.person(last_name="Geht"), ini, until=DAY)
    url = f"/initiatives/{ini.id}"
    parts: dict[dt.date, str] = {}
    for day in (DAY, DAY + dt.timedelta(days=1)):
        monkeypatch.setattr(base, "today", lambda day=day: day)
        monkeypatch.setattr(queries, "today", lambda day=day: day)
        parts[day] = _initiative_links(client.get(url).get_data(as_text=True))
    assert "ehemals" not in parts[DAY]
    assert "ehemals" in parts[DAY + dt.timedelta(days=1)]


def test_staff_and_an_editor_each_see_their_own_initiative_sections(app, make):
    ini = make.initiative(name="Bündnis Sicht")
    host = make.organisation(name="Trägerverein Sicht e.V.")
    with app.app_context(), writing():
        db.session.get_one(Initiative, ini.id).host_organisation_id = host.id
        db.session.commit()
    shown = make.person(last_name="Sichtbar")
    hidden = make.person(last_name="Gesperrt", restricted=True)
    role = make.initiative_role(shown, ini)
    make.initiative_role(hidden, ini)
    relationship = make.relationship(ini, make.initiative(name="Bündnis Nachbar"))
    staff = make.user(role="staff", password=PASSWORD)
    editor = make.user(role="editor", initiative_id=ini.id, password=PASSWORD)
    url = f"/initiatives/{ini.id}"

    def page_for(user: Any) -> str:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        page = client.get(url)
        assert page.status_code == 200
        return page.get_data(as_text=True)

    for order in ((staff, editor), (editor, staff)):
        seen = {user.role: page_for(user) for user in order}
        staff_page, editor_page = seen[staff.role], seen[editor.role]
        assert "Gesperrt" in _initiative_links(staff_page)
        assert f"/initiative-roles/{role.id}/edit" in _initiative_links(staff_page)
        assert f"/relationships/{relationship.id}/edit" in _initiative_links(staff_page)
        assert f"/organisations/{host.id}" in _profile(staff_page)
        assert "Sichtbar" in _initiative_links(editor_page)
        assert "Gesperrt" not in editor_page
        assert f"/initiative-roles/{role.id}/" not in editor_page
        assert f"/relationships/{relationship.id}/" not in editor_page
        assert "Trägerverein Sicht e.V." in _profile(editor_page)
        assert f"/organisations/{host.id}" not in editor_page


def _interactions(html: str) -> str:
    return _between(html, 'aria-labelledby="int-h"', "</section>")


def _history(html: str) -> str:
    return _between(html, 'aria-labelledby="history-tab-h"', "</section>")


def test_kept_record_pages_read_no_interactions_or_history(app, client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Bündnis Verlauf")
    org = make.organisation(name="Werk Verlauf GmbH")
    person = make.person(last_name="Verlauf")
    make.interaction(initiative_id=ini.id, subject="Anruf Bündnis")
    make.interaction(organisation_id=org.id, subject="Besuch Werk")
    read = ("FROM interactions", "FROM audit_entries")
    for url in (f"/initiatives/{ini.id}", f"/organisations/{org.id}", f"/persons/{person.id}"):
        _kept_twice(app, client, url, read)
    assert "Anruf Bündnis" in _interactions(client.get(f"/initiatives/{ini.id}").text)
    assert "Besuch Werk" in _interactions(client.get(f"/organisations/{org.id}").text)


def test_a_logged_contact_and_a_change_show_on_the_next_request(app, client, login_as, make):
    me = login_as("staff")
    ini = make.initiative(name="Bündnis Kontakt")
    org = make.organisation(name="Werk Kontakt GmbH")
    person = make.person(last_name="Kontaktiert")
    make.affiliation(person, org)
    make.initiative_role(person, ini)
    pages = (f"/initiatives/{ini.id}", f"/organisations/{org.id}", f"/persons/{person.id}")
    for url in pages:
        html = client.get(url).text
        assert "Telefonat zum Werkstag" not in _interactions(html)
    for context in (f"initiative={ini.id}", f"organisation={org.id}"):
        response = client.post(
            f"/interactions/new?{context}",
            data={
                "kind": "call",
                "occurred_at": "2026-07-01T10:00",
                "subject": "Telefonat zum Werkstag",
                "persons": [str(person.id)],
            },
        )
        assert response.status_code == 302, response.text[:500]
    for url in pages:
        assert "Telefonat zum Werkstag" in _interactions(client.get(url).text), url
    before = _history(client.get(f"/persons/{person.id}").text)
    with app.app_context(), writing():
        set_actor(db.session, db.session.get(User, me.id))
        db.session.get_one(Person, person.id).last_name = "Umbenannt"
        db.session.commit()
    after = _history(client.get(f"/persons/{person.id}").text)
    assert after != before and after.count("<li") == min(3, before.count("<li") + 1)
