"""The header's menu is kept per kind of account, language and URL root
(crm.web.navigation): another role, another language or another URL root shows its own
menu on the next request, and the counts beside it stay each account's own."""

from __future__ import annotations

import re

from flask import Flask
from flask import render_template
from sqlalchemy import update

from crm.activity.queries import berlin_today
from crm.extensions import db
from crm.models import User
from crm.web import navigation
from tests.conftest import TEST_PASSWORD

MENU = re.compile(r'<ul class="navbar-nav me-auto">.*?\n      </ul>', re.DOTALL)


def menu_of(client, path: str = "/follow-ups") -> str:
    response = client.get(path)
    assert response.status_code == 200
    found = MENU.search(response.get_data(as_text=True))
    assert found, "no menu"
    return found.group(0)


def fresh_menu(app: Flask, client, path: str = "/follow-ups") -> str:
    """The menu rendered anew (nothing kept)."""
    app.extensions.pop("crm.menus", None)
    return menu_of(client, path)


def test_the_kept_menu_is_the_rendered_one(app, client, login_as):
    login_as("admin")
    first = fresh_menu(app, client)
    assert menu_of(client) == first  # kept
    assert ">Konten<" in first and ">Initiativen<" in first


def test_a_role_change_shows_on_the_next_request(app, client, login_as):
    user = login_as("staff")
    staff_menu = menu_of(client)
    assert ">Konten<" not in staff_menu and ">Initiativen<" in staff_menu
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(role="admin"))
        db.session.commit()
    admin_menu = menu_of(client)
    assert ">Konten<" in admin_menu
    assert admin_menu == fresh_menu(app, client)


def test_each_role_its_own_menu(app, make, login_as):
    ini = make.initiative()
    menus = {}
    for role in ("staff", "admin", "editor"):
        client = app.test_client()
        user = make.user(
            role=role,
            initiative_id=ini.id if role == "editor" else None,
            password=TEST_PASSWORD,
        )
        with client:
            client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
            path = "/account/password"
            menus[role] = menu_of(client, path)
            assert menus[role] == fresh_menu(app, client, path)
    assert len(set(menus.values())) == 3
    assert ">Unsere Initiative<" in menus["editor"] and ">Initiativen<" not in menus["editor"]
    anonymous = app.test_client().get("/login").get_data(as_text=True)
    assert MENU.search(anonymous).group(0).count("<li") == 1  # "Verzeichnis" only


def test_a_language_switch_shows_on_the_next_request(client, login_as):
    login_as("staff")
    german = menu_of(client)
    assert ">Organisationen<" in german
    client.post("/language", data={"language": "en", "next": "/"})
    english = menu_of(client)
    assert ">Organisations<" in english and ">Organisationen<" not in english
    client.post("/language", data={"language": "de", "next": "/"})
    assert menu_of(client) == german


def test_the_menu_follows_the_script_root(app, client, login_as):
    login_as("staff")
    assert 'href="/initiatives/"' in menu_of(client)
    response = client.get("/follow-ups", base_url="http://localhost/crm/")
    menu = MENU.search(response.get_data(as_text=True)).group(0)
    assert 'href="/crm/initiatives/"' in menu and 'href="/initiatives/"' not in menu


def test_the_counts_are_each_accounts_own(app, client, make, login_as):
    """Two staff accounts share the kept menu, not their due follow-ups."""
    colleague = make.user(role="staff", email="kollegin@example.org", password=TEST_PASSWORD)
    me = login_as("staff")
    ini = make.initiative()
    for owner in (me, me, colleague):
        make.interaction(
            initiative_id=ini.id, follow_up_due=berlin_today(), follow_up_owner_id=owner.id
        )
    assert 'data-count="due-follow-ups">2<' in menu_of(client)
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": TEST_PASSWORD})
    assert 'data-count="due-follow-ups">1<' in menu_of(other)
    assert 'data-count="due-follow-ups">2<' in menu_of(client)
    assert navigation.DUE_BADGE not in menu_of(client)


def test_the_menu_without_a_request_of_its_own(app):
    """`menu()` renders `_menu.html` with the answers given, whoever is logged in."""
    answers = navigation.Navigation(*([True] * len(navigation.Navigation._fields)))
    with app.test_request_context("/"):
        html = str(navigation.menu(answers, "", ""))
        assert ">Konten<" in html and ">Hintergrundjobs<" in html
        assert html == render_template("_menu.html", nav=answers, due_badge="", unseen_badge="")
