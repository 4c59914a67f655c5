"""Global search: substring-tolerant, folded, ranked, grouped, in sync, scoped, robust.

Every test runs on SQLite (FTS5 trigram) and on PostgreSQL (pg_trgm) alike.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select

from crm import permissions
from crm.db.engine import writing
from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.models import SearchDocument
from crm.models import SearchKind
from crm.search import queries as search_queries
from crm.search.index import rebuild_search_index
from crm.search.queries import clean_query
from crm.search.queries import search

INI, ORG, PER = SearchKind.INITIATIVE, SearchKind.ORGANISATION, SearchKind.PERSON


def found(app: Any, user: Any, q: str, **kw: Any) -> dict[SearchKind, list[str]]:
    """Titles found for `q`, per kind."""
    with app.app_context():
        return {kind: [h.title for h in hits] for kind, hits in search(user, q, **kw).items()}


def documents(app: Any) -> list[tuple[Any, ...]]:
    """The whole index, comparable."""
    with app.app_context():
        rows = db.session.execute(
            select(
                SearchDocument.kind,
                SearchDocument.record_id,
                SearchDocument.title,
                SearchDocument.subtitle,
                SearchDocument.title_key,
                SearchDocument.text,
            ).order_by(SearchDocument.kind, SearchDocument.record_id)
        )
        return [tuple(r) for r in rows]


@pytest.fixture
def staff(make: Any) -> Any:
    """A staff account (not logged in)."""
    return make.user(role="staff")


def test_substring_finds_company(app, make, staff):
    make.organisation(name="Thyssen Stahl AG")
    make.organisation(name="Bäckerei Korn")
    assert found(app, staff, "stahl") == {ORG: ["Thyssen Stahl AG"]}


@pytest.mark.parametrize("q", ["muller", "müller", "MÜLLER", "Mueller", "  müller  "])
def test_umlauts_are_folded(app, make, staff, q):
    make.person(first_name="Greta", last_name="Müller")
    make.organisation(name="Müller-Lüdenscheidt GmbH & Co. KG")
    make.organisation(name="Mühlenbau GmbH")
    assert found(app, staff, q) == {
        ORG: ["Müller-Lüdenscheidt GmbH & Co. KG"],
        PER: ["Greta Müller"],
    }


@pytest.mark.parametrize(
    ("fields", "q"),
    [
        ({"place": "Lüdenscheid"}, "ludensch"),
        ({"other_names": "Hüttenwerk Nord\nHWN Stahl"}, "huttenwerk"),
        ({"other_names": "Hüttenwerk Nord\nHWN Stahl"}, "hwn"),
        ({"legal_name": "Kaltwalz Beteiligungs-GmbH"}, "beteiligungs"),
    ],
)
def test_place_and_other_names_find_an_organisation(app, make, staff, fields, q):
    make.organisation(name="Kaltwalz Werke", **fields)
    make.organisation(name="Anderswo GmbH", place="Bremen")
    assert found(app, staff, q) == {ORG: ["Kaltwalz Werke"]}


@pytest.mark.parametrize("q", ["brandt@exa", "k.brandt", "brandt@example.org"])
def test_email_fragment_finds_a_person(app, make, staff, q):
    make.person(first_name="Kai", last_name="Brandt", email="k.brandt@example.org")
    make.person(first_name="Kai", last_name="Berger", email="kai.berger@example.org")
    assert found(app, staff, q) == {PER: ["Kai Brandt"]}


def test_initiative_found_by_short_name_and_region(app, make, staff):
    make.initiative(name="Zukunft Industrie Hochrhein", short_name="ZIH", region_label="Hochrhein")
    assert found(app, staff, "zih") == {INI: ["Zukunft Industrie Hochrhein"]}
    assert found(app, staff, "rhein") == {INI: ["Zukunft Industrie Hochrhein"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("thyssen ag", ["Thyssen Stahl AG"]),
        ("ag stahl", ["Thyssen Stahl AG"]),
        ("ag", ["Thyssen Stahl AG", "Hagener Draht"]),  # a word of the name ranks first
        ("dr", ["Hagener Draht"]),
        ("draht hagen", ["Hagener Draht"]),
    ],
)
def test_several_words_and_short_words(app, make, staff, q, expected):
    make.organisation(name="Thyssen Stahl AG")
    make.organisation(name="Hagener Draht")
    assert found(app, staff, q) == {ORG: expected}


def test_ranking_exact_then_prefix_then_word_then_inside_then_elsewhere(app, make, staff):
    for name, other in [
        ("Edelstahlwerk Witten", None),
        ("Kontor Nord", "Stahlkontor"),
        ("Thyssen Stahl AG", None),
        ("Stahlbau Meier", None),
        ("Stahl", None),
    ]:
        make.organisation(name=name, other_names=other)
    assert found(app, staff, "stahl")[ORG] == [
        "Stahl",
        "Stahlbau Meier",
        "Thyssen Stahl AG",
        "Edelstahlwerk Witten",
        "Kontor Nord",
    ]


def test_results_are_grouped_with_totals(app, make, staff):
    make.initiative(name="Stahlregion Saar")
    for n in range(3):
        make.organisation(name=f"Stahlwerk {n}")
    make.person(first_name="Anna", last_name="Stahl")
    with app.app_context():
        result = search(staff, "stahl", limit_per_kind=2)
    assert list(result) == [INI, ORG, PER]
    assert [len(result[k]) for k in result] == [1, 2, 1]
    assert [result[k].total for k in result] == [1, 3, 1]


def test_rename_updates_the_index_in_the_same_transaction(app, make, staff):
    org = make.organisation(name="Hüttenwerk Nord GmbH")
    with app.app_context(), writing():
        record = db.session.get_one(Organisation, org.id)
        record.name = "Walzwerk Süd GmbH"
        db.session.flush()
        assert [h.title for h in search(staff, "walzwerk")[ORG]] == ["Walzwerk Süd GmbH"]
        assert search(staff, "huttenwerk") == {}
        db.session.rollback()  # the index change goes with the record change
    assert found(app, staff, "huttenwerk") == {ORG: ["Hüttenwerk Nord GmbH"]}
    with app.app_context(), writing():
        db.session.get_one(Organisation, org.id).name = "Walzwerk Süd GmbH"
        db.session.commit()
    assert found(app, staff, "walzwerk") == {ORG: ["Walzwerk Süd GmbH"]}
    assert found(app, staff, "huttenwerk") == {}


def test_person_edit_and_delete(app, make, staff):
    person = make.person(first_name="Jonas", last_name="Reuter", email="j.reuter@example.org")
    with app.app_context(), writing():
        record = db.session.get_one(Person, person.id)
        record.email = "jonas.reuter@example.org"
        db.session.commit()
    assert found(app, staff, "jonas.reuter") == {PER: ["Jonas Reuter"]}
    assert found(app, staff, "j.reuter") == {}
    with app.app_context(), writing():
        db.session.delete(db.session.get_one(Person, person.id))
        db.session.commit()
    assert found(app, staff, "reuter") == {}
    assert [d for d in documents(app) if d[0] == PER] == []


def test_unrelated_change_keeps_the_document(app, make, staff):
    org = make.organisation(name="Gießerei Hahn")
    before = documents(app)
    with app.app_context(), writing():
        db.session.get_one(Organisation, org.id).website = "https://giesserei.example.org"
        db.session.commit()
    assert documents(app) == before
    assert found(app, staff, "giesserei") == {ORG: ["Gießerei Hahn"]}


def test_rebuild_equals_the_hook(app, make, staff):
    make.initiative(name="Bündnis für Industrie Südwestfalen", short_name="BIS", place="Siegen")
    make.organisation(name="Müller-Lüdenscheidt GmbH & Co. KG", other_names="ML\nMüller L.")
    make.person(title="Dr.", first_name="Jörg", last_name="Weiß", email="j.weiss@example.org")
    by_hook = documents(app)
    assert len(by_hook) == 3
    with app.app_context(), writing():
        assert rebuild_search_index()["written"] == 0  # already consistent
        db.session.execute(delete(SearchDocument))
        # a Core insert bypasses the hook, as the demo seed does
        db.session.execute(
            insert(Organisation).values(name="Kernbohr AG", sort_name="kernbohr ag", type="ihk")
        )
        report = rebuild_search_index()
        db.session.commit()
    assert report == {"documents": 4, "written": 4, "deleted": 0}
    rebuilt = documents(app)
    assert [d for d in rebuilt if d[2] != "Kernbohr AG"] == by_hook
    assert found(app, staff, "kernbohr") == {ORG: ["Kernbohr AG"]}


def test_rebuild_removes_stale_and_fixes_changed_documents(app, make, staff):
    org = make.organisation(name="Altwerk GmbH")
    with app.app_context(), writing():
        db.session.execute(
            Organisation.__table__.update()
            .where(Organisation.id == org.id)
            .values(name="Neuwerk GmbH")
        )
        db.session.execute(Person.__table__.delete())
        db.session.execute(
            insert(SearchDocument).values(
                kind=PER, record_id=999, title="Geist", subtitle="", title_key="geist", text="geist"
            )
        )
        assert rebuild_search_index() == {"documents": 1, "written": 1, "deleted": 1}
        db.session.commit()
    assert found(app, staff, "neuwerk") == {ORG: ["Neuwerk GmbH"]}
    assert found(app, staff, "altwerk") == {}
    assert found(app, staff, "geist") == {}


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"stahl',
        "AND OR NEAR(",
        "stahl NOT werk",
        "*",
        "st*",
        "%",
        "_",
        "%%%",
        "___",
        "\\",
        "'; drop table organisations; --",
        "x" * 200,
        "     ",
        "\x00stahl\x07",
        "^stahl",
        "stahl:werk",
        "{text}: stahl",
        "😀😀😀",
    ],
)
def test_hostile_input_is_harmless(app, client, login_as, make, q):
    make.organisation(name="Thyssen Stahl AG")
    make.organisation(name="100% Werk_Eins")
    login_as("staff")
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert found(app, None, q) == {}  # nobody may search anonymously
    with app.app_context():
        assert db.session.scalar(select(Organisation.id).limit(1)) is not None


@pytest.mark.parametrize(("q", "expected"), [("%", ["100% Werk_Eins"]), ("_e", ["100% Werk_Eins"])])
def test_like_wildcards_are_literal(app, make, staff, q, expected):
    make.organisation(name="Thyssen Stahl AG")
    make.organisation(name="100% Werk_Eins")
    assert found(app, staff, q) == {ORG: expected}


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [(None, ""), ("   ", ""), ("  a  b ", "a b"), ("a\x00b", "a b"), ("x" * 150, "x" * 100)],
)
def test_clean_query(raw, cleaned):
    assert clean_query(raw) == cleaned


def test_page_shows_groups_counts_highlight_and_links(app, client, login_as, make):
    ini = make.initiative(name="Stahlregion Saar")
    org = make.organisation(name="Thyssen Stahl AG", place="Duisburg")
    person = make.person(first_name="Anna", last_name="Stahl", email="a.stahl@example.org")
    login_as("staff")
    html = client.get("/search?q=stahl").get_data(as_text=True)
    positions = [
        html.index(f'id="search-{kind}"') for kind in ("initiative", "organisation", "person")
    ]
    assert positions == sorted(positions)
    assert f'href="/initiatives/{ini.id}"' in html
    assert f'href="/organisations/{org.id}"' in html
    assert f'href="/persons/{person.id}"' in html
    assert "Thyssen <mark>Stahl</mark> AG" in html
    assert "Duisburg" in html
    assert 'role="search"' in html


def test_page_without_query_and_without_hits(client, login_as):
    login_as("staff")
    assert client.get("/search").status_code == 200
    html = client.get("/search?q=nirgendwo").get_data(as_text=True)
    assert "Keine Treffer für „nirgendwo“." in html


def test_editor_finds_only_listed_and_own_initiatives(app, client, login_as, make):
    own = make.initiative(name="Stahlbündnis Eigen", public_listing=False)
    listed = make.initiative(name="Stahlforum Offen", public_listing=True)
    make.initiative(name="Stahlkreis Intern", public_listing=False)
    make.organisation(name="Thyssen Stahl AG")
    make.person(first_name="Anna", last_name="Stahl")
    editor = login_as("editor", initiative=own)
    result = found(app, editor, "stahl")
    assert list(result) == [INI]
    assert sorted(result[INI]) == ["Stahlbündnis Eigen", "Stahlforum Offen"]
    html = client.get("/search?q=stahl").get_data(as_text=True)
    assert f'href="/initiatives/{own.id}"' in html
    assert f'href="/initiatives/{listed.id}"' not in html  # no internal page for others
    assert f'href="/verzeichnis/{listed.id}"' in html  # but the public profile
    assert "<mark>Stahl</mark>forum Offen" in html
    assert 'id="search-organisation"' not in html
    assert 'id="search-person"' not in html
    assert "Thyssen" not in html
    assert "Anna" not in html
    assert "kreis Intern" not in html


@pytest.mark.parametrize("role", ["staff", "admin", "editor"])
def test_header_search_box_for_users_who_may_search(client, login_as, make, role):
    initiative = make.initiative() if role == "editor" else None
    login_as(role, initiative=initiative)
    html = client.get("/search").get_data(as_text=True)
    assert 'id="header-search-q"' in html
    assert 'for="header-search-q"' in html


def test_anonymous_is_sent_to_login(client):
    response = client.get("/search?q=stahl")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.fixture
def fresh_database_url(database_url: str) -> Iterator[str]:
    """Another empty database on the backend of this test run."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///") + f".{secrets.token_hex(3)}.sqlite"
        yield f"sqlite:///{path}"
        if os.path.exists(path):
            os.remove(path)
        return
    base, _, name = database_url.rpartition("/")
    fresh = f"{name}_m{secrets.token_hex(2)}"
    admin_url = f"{base}/postgres".replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    yield f"{base}/{fresh}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_migration_fills_the_index_from_existing_rows(make_app, fresh_database_url):
    other = make_app(SQLALCHEMY_DATABASE_URI=fresh_database_url)
    with other.app_context():
        upgrade(revision="0002")
        rows = {  # rows that exist before the search index does (revision 0002)
            Initiative: {
                "name": "Industrie Hochrhein",
                "sort_name": "industrie hochrhein",
                "type": "verein",
                "status": "aktiv",
                "public_listing": True,
            },
            Organisation: {
                "name": "Müller-Lüdenscheidt GmbH & Co. KG",
                "sort_name": "muller",
                "type": "unternehmen",
            },
            Person: {
                "first_name": "Greta",
                "last_name": "Müller",
                "sort_name": "muller greta",
                "email": "g.mueller@example.org",
                "preferred_language": "de",
                "restricted": False,
            },
        }
        with writing():
            for model, values in rows.items():
                db.session.execute(insert(model.__table__).values(**values))
            db.session.commit()
        upgrade()
        staff = type("Staff", (), {"is_authenticated": True, "role": "staff"})()
        assert {k: [h.title for h in v] for k, v in search(staff, "muller").items()} == {
            ORG: ["Müller-Lüdenscheidt GmbH & Co. KG"],
            PER: ["Greta Müller"],
        }
        assert [h.title for h in search(staff, "hochrhein")[INI]] == ["Industrie Hochrhein"]
        with writing():
            assert rebuild_search_index()["written"] == 0
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_a_search_matching_very_many_stays_bounded_and_keeps_exact_hits(
    app, make, staff, monkeypatch
):
    monkeypatch.setattr(search_queries, "CANDIDATES", 3)
    for n in range(6):
        make.organisation(name=f"Walzwerk {n}")
    make.organisation(name="Walzwerk")  # created last: not among the first candidates
    with app.app_context():
        result = search(staff, "walzwerk", limit_per_kind=2)
    assert [h.title for h in result[ORG]] == ["Walzwerk", "Walzwerk 0"]
    assert (result[ORG].total, result[ORG].more) == (3, True)


HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"')


@pytest.mark.parametrize("role", ["editor", "staff"])
def test_every_link_of_the_results_page_opens_for_the_searcher(client, login_as, make, role):
    own = make.initiative(name="Stahlbündnis Eigen", public_listing=False)
    listed = make.initiative(name="Stahlforum Offen", public_listing=True)
    make.initiative(name="Stahlkreis Intern", public_listing=False)
    org = make.organisation(name="Thyssen Stahl AG")
    person = make.person(first_name="Anna", last_name="Stahl")
    make.membership(org, own)
    make.initiative_role(person, listed)
    login_as(role, initiative=own if role == "editor" else None)
    html = client.get("/search?q=stahl").get_data(as_text=True)
    results = "".join(re.findall(r'<section class="[^"]*search-group.*?</section>', html, re.S))
    hits = [h.replace("&amp;", "&") for h in HREF.findall(results)]
    expected = 2 if role == "editor" else 5  # the editor's own and the listed initiative
    assert len(set(hits)) == expected, hits
    for href in hits:  # the hits themselves open directly
        assert client.get(href).status_code == 200, (role, href)
    for href in {h.replace("&amp;", "&") for h in HREF.findall(html)} - set(hits):
        if href.startswith(("http:", "https:", "mailto:")):
            continue
        response = client.get(href, follow_redirects=True)  # "/" leads editors to their page
        assert response.status_code == 200, (role, href)
        assert response.request.path != "/login", (role, href)


@pytest.mark.parametrize(
    ("role", "kind", "own", "listed", "page"),
    [
        ("editor", INI, True, False, "internal"),
        ("editor", INI, False, True, "public"),
        ("editor", INI, False, False, None),
        ("editor", ORG, False, False, None),
        ("editor", PER, False, False, None),
        ("staff", INI, False, False, "internal"),
        ("staff", ORG, False, False, "internal"),
        ("staff", PER, False, False, "internal"),
        ("admin", PER, False, False, "internal"),
    ],
)
def test_search_hit_page_by_permissions(make, role, kind, own, listed, page):
    initiative = make.initiative() if role == "editor" else None
    user = make.user(role=role, initiative_id=getattr(initiative, "id", None))
    record_id = initiative.id if own else 10_000
    assert permissions.search_hit_page(user, kind, record_id, listed) == page
