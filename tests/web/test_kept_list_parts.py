"""The filter bar, the sort links and the pager of a directory list are kept by the
request's address (crm.web.fragments.kept): a save, another language, another URL root
or another address renders them anew, and they are what a fresh rendering gives."""

from __future__ import annotations

import re

from crm.web import fragments

CSRF = re.compile(r'(name="csrf_token" value=")[^"]+')


def page(client, path: str, **kw) -> str:
    response = client.get(path, **kw)
    assert response.status_code == 200
    return CSRF.sub(r"\1", response.get_data(as_text=True))


def test_kept_parts_are_the_rendered_ones(app, client, login_as, make):
    login_as("staff")
    for n in range(3):
        make.person(last_name=f"Muster{n}")
    for path in ("/persons/", "/persons/?sort=email&dir=desc", "/initiatives/?q=x&land=09"):
        app.extensions.pop("crm.kept", None)
        fresh = page(client, path)
        assert page(client, path) == fresh  # kept


def test_a_save_shows_in_the_filter_bar(client, login_as, make):
    login_as("staff")
    make.person()
    assert "Jahrestreffen" not in page(client, "/persons/")
    make.event(title="Jahrestreffen")
    assert "Jahrestreffen" in page(client, "/persons/")  # the event filter offers it


def test_a_save_shows_in_the_pager(client, login_as, make):
    login_as("staff")
    make.organisation(name="Erste GmbH")
    assert "1 Einträge" in page(client, "/organisations/")
    make.organisation(name="Zweite GmbH")
    assert "2 Einträge" in page(client, "/organisations/")


def test_a_language_switch_shows_in_the_kept_parts(client, login_as, make):
    login_as("staff")
    make.person()
    assert ">Anwenden<" in page(client, "/persons/")
    client.post("/language", data={"language": "en", "next": "/"})
    english = page(client, "/persons/")
    assert ">Apply<" in english and ">Attended<" in english and "Anwenden" not in english


def test_another_address_its_own_sort_links(client, login_as, make):
    login_as("staff")
    make.person()
    ascending = page(client, "/persons/?sort=email")
    descending = page(client, "/persons/?sort=email&dir=desc")
    assert 'aria-sort="ascending"' in ascending and 'aria-sort="descending"' in descending
    assert 'href="/persons/?sort=email&amp;dir=desc"' in ascending
    assert 'href="/persons/?sort=email&amp;dir=asc"' in descending


def test_the_kept_parts_follow_the_script_root(client, login_as, make):
    login_as("staff")
    make.person()
    assert 'href="/persons/?sort=name' in page(client, "/persons/")
    rooted = page(client, "/persons/", base_url="http://localhost/crm/")
    assert 'href="/crm/persons/?sort=name' in rooted and 'href="/persons/?' not in rooted


def test_the_app_keeps_only_the_newest(app, client, login_as, make, monkeypatch):
    monkeypatch.setattr(fragments, "KEPT_PER_APP", 4)
    login_as("staff")
    make.person()
    for n in range(5):
        page(client, f"/persons/?q={n}")
    assert len(app.extensions["crm.kept"]) == 4
