"""Network pages: suggestions on record pages, decisions, introductions, analytics."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry
from crm.models import InitiativeStatus
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import SuggestionDecision
from crm.models import SuggestionFeedback
from tests.conftest import TEST_PASSWORD
from tests.helpers import count_rows
from tests.helpers import csrf_client
from tests.network.helpers import decide_url
from tests.network.helpers import share_members


@pytest.fixture
def network(make) -> dict[str, Any]:
    """A initiative with three candidates: B shares two members, C and D one each."""
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"])
    d = make.initiative(name="Dialogforum Süd", laender=["09"])
    share_members(make, a, (b, 2), (c, 1), (d, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def counts(app) -> tuple[int, int, int]:
    """(relationships, interactions, feedback rows)."""
    return tuple(
        count_rows(app, model) for model in (Relationship, Interaction, SuggestionFeedback)
    )  # type: ignore[return-value]


def suggestion_names(client, initiative) -> list[str]:
    """The names in the suggestions section of an initiative page, in order."""
    html = client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    section = html.split('id="suggestions-h"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<strong>([^<]+)</strong>", section)


# --- access -----------------------------------------------------------------------------

PAGES = ["/network/", "/network/introductions"]


@pytest.mark.parametrize("path", [*PAGES, "POST /network/suggestions/initiative/1/initiative/2"])
def test_anonymous_users_are_sent_to_login(client, path):
    method, _, url = path.rpartition(" ")
    response = client.open(url, method=method or "GET")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_editors_may_not_see_the_network_pages(client, login_as, make, path):
    login_as("editor", initiative=make.initiative())
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_staff_see_the_network_pages(client, login_as, network, role, path):
    login_as(role)
    assert client.get(path).status_code == 200


def test_editors_may_not_decide(app, client, login_as, network):
    login_as("editor", initiative=network["a"])
    response = client.post(decide_url(network["a"], network["b"]), data={"decision": "accepted"})
    assert response.status_code == 403
    assert counts(app) == (0, 0, 0)


def test_editor_sees_suggestions_for_their_own_initiative_without_buttons(
    client, login_as, network
):
    login_as("editor", initiative=network["a"])
    html = client.get(f"/initiatives/{network['a'].id}").get_data(as_text=True)
    assert "Vorgeschlagene Kontakte" in html and "Bündnis Brückenland" in html
    assert "Annehmen" not in html
    assert client.get(f"/initiatives/{network['b'].id}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/network/suggestions/initiative/999999/initiative/{b}",
        "/network/suggestions/initiative/{a}/initiative/999999",
        "/network/suggestions/initiative/{a}/initiative/{a}",
        "/network/suggestions/initiative/{a}/organisation/{org}",  # not a pair we suggest
        "/network/suggestions/organisation/999999/initiative/{a}",
        "/network/suggestions/person/{a}/initiative/{b}",
        "/network/suggestions/initiative/abc/initiative/{b}",
    ],
)
def test_unknown_records_are_404(app, client, login_as, network, make, path):
    login_as("staff")
    org = make.organisation()
    url = path.format(a=network["a"].id, b=network["b"].id, org=org.id)
    assert client.post(url, data={"decision": "accepted"}).status_code == 404
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize(
    "data",
    [{}, {"decision": ""}, {"decision": "maybe"}, {"decision": "ACCEPTED"}, {"decision": "1"}],
)
def test_bad_decisions_are_400_and_change_nothing(app, client, login_as, network, data):
    login_as("staff")
    with app.app_context():
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    response = client.post(decide_url(network["a"], network["b"]), data=data)
    assert response.status_code == 400
    assert counts(app) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before


def test_deciding_needs_a_csrf_token(make_app, make, network):
    secure = make_app(WTF_CSRF_ENABLED=True)
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = csrf_client(secure, user)
    url = decide_url(network["a"], network["b"])
    assert client.post(url, data={"decision": "accepted"}).status_code == 400
    assert counts(secure) == (0, 0, 0)
    page = client.get(f"/initiatives/{network['a'].id}").text
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert form_token is not None
    response = client.post(url, data={"decision": "accepted", "csrf_token": form_token.group(1)})
    assert response.status_code == 302
    assert counts(secure) == (1, 1, 1)


# --- suggestions on the initiative page ---------------------------------------------------


def test_initiative_page_shows_ranked_suggestions_with_reasons_and_buttons(
    client, login_as, network
):
    login_as("staff")
    html = client.get(f"/initiatives/{network['a'].id}").get_data(as_text=True)
    assert "Vorgeschlagene Kontakte" in html
    assert suggestion_names(client, network["a"])[0] == "Bündnis Brückenland"
    assert "als Mitglied" in html and "Gleiches Bundesland" in html
    assert html.count('value="accepted"') == 3
    assert decide_url(network["a"], network["b"]) in html


def test_already_related_and_dissolved_initiatives_are_not_suggested(
    client, login_as, make, network
):
    login_as("staff")
    make.relationship(network["a"], network["c"], until=network["a"].created_at.date())
    with client.application.app_context():
        from crm.db.engine import writing
        from crm.models import Initiative

        with writing():
            db.session.get_one(Initiative, network["d"].id).status = InitiativeStatus.AUFGELOEST
            db.session.commit()
    assert suggestion_names(client, network["a"]) == ["Bündnis Brückenland"]


def test_no_suggestions_says_so(client, login_as, make):
    login_as("staff")
    lonely = make.initiative()
    html = client.get(f"/initiatives/{lonely.id}").get_data(as_text=True)
    assert "Zurzeit keine Vorschläge." in html


# --- decisions --------------------------------------------------------------------------


def test_accept_creates_one_relationship_one_note_and_the_feedback(app, client, login_as, network):
    me = login_as("staff")
    a, b = network["a"], network["b"]
    response = client.post(decide_url(b, a), data={"decision": "accepted"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/initiatives/{b.id}"
    assert counts(app) == (1, 1, 1)
    with app.app_context():
        rel = db.session.scalars(select(Relationship)).one()
        assert rel.kind is RelationshipKind.VERMITTELT and rel.is_active
        assert {rel.initiative_a_id, rel.initiative_b_id} == {a.id, b.id}
        note = db.session.scalars(select(Interaction)).one()
        assert note.kind is InteractionKind.NOTE
        assert note.subject == "Vorschlag angenommen: Bündnis Brückenland ↔ Zukunft Industrie Nord"
        assert note.author_id == me.id and note.initiative_id == b.id
        assert "als Mitglied" in (note.notes or "")
        row = db.session.scalars(select(SuggestionFeedback)).one()
        # stored normalised: the smaller id first, whichever page it was decided on
        assert (row.source_id, row.target_id) == (a.id, b.id)
        assert row.decision is SuggestionDecision.ACCEPTED
        assert row.relationship_id == rel.id and row.decided_by_id == me.id
        assert row.score > 0 and any("als Mitglied" in text for text in row.reasons)
        audited = set(db.session.scalars(select(AuditEntry.record_type)))
        assert {"relationships", "interactions", "suggestion_feedback"} <= audited
    page = client.get(f"/initiatives/{b.id}").get_data(as_text=True)
    assert "sind jetzt verbunden" in page
    assert "vermittelt durch die Geschäftsstelle" in page
    assert "Zukunft Industrie Nord" not in suggestion_names(client, b)


def test_a_second_accept_changes_nothing(app, client, login_as, network):
    login_as("staff")
    a, b = network["a"], network["b"]
    client.post(decide_url(a, b), data={"decision": "accepted"})
    with app.app_context():
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    for source, target, decision in ((a, b, "accepted"), (b, a, "accepted"), (b, a, "dismissed")):
        response = client.post(decide_url(source, target), data={"decision": decision})
        assert response.status_code == 302
    assert counts(app) == (1, 1, 1)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
    assert "bereits angenommen" in client.get(f"/initiatives/{a.id}").get_data(as_text=True)


def test_accepting_an_already_related_pair_changes_nothing(app, client, login_as, make, network):
    login_as("staff")
    make.relationship(network["a"], network["b"])
    client.post(decide_url(network["a"], network["b"]), data={"decision": "accepted"})
    assert counts(app) == (1, 0, 0)


def test_dismissed_pair_never_comes_back_in_either_direction(app, client, login_as, network):
    login_as("staff")
    a, b = network["a"], network["b"]
    assert "Bündnis Brückenland" in suggestion_names(client, a)
    assert "Zukunft Industrie Nord" in suggestion_names(client, b)
    client.post(decide_url(a, b), data={"decision": "dismissed"})
    assert counts(app) == (0, 0, 1)
    assert "Bündnis Brückenland" not in suggestion_names(client, a)
    assert "Zukunft Industrie Nord" not in suggestion_names(client, b)
    assert "Chemieregion Mitte" in suggestion_names(client, a)


def test_later_shows_again_marked_and_can_be_accepted_afterwards(app, client, login_as, network):
    login_as("staff")
    a, b = network["a"], network["b"]
    client.post(decide_url(a, b), data={"decision": "later"})
    html = client.get(f"/initiatives/{a.id}").get_data(as_text=True)
    assert "Bündnis Brückenland" in suggestion_names(client, a)
    assert 'badge text-bg-warning ms-1">später<' in html
    assert "Für später vorgemerkt" in html
    client.post(decide_url(a, b), data={"decision": "accepted"})
    assert counts(app) == (1, 1, 1)
    with app.app_context():
        row = db.session.scalars(select(SuggestionFeedback)).one()
        assert row.decision is SuggestionDecision.ACCEPTED


def test_organisation_to_initiative_accept_records_a_note_but_no_relationship(
    app, client, login_as, make, network
):
    me = login_as("staff")
    org = make.organisation(name="Werkzeugbau Nord GmbH")
    make.membership(org, network["c"])
    colleague = make.person()
    make.affiliation(colleague, org)
    make.initiative_role(colleague, network["a"])
    with app.app_context():
        from crm.network.queries import suggestions

        found = suggestions(me, "organisation", org.id)
        assert "Zukunft Industrie Nord" in [item.name for item in found]
    url = decide_url(org, network["a"], source_type="organisation")
    response = client.post(url, data={"decision": "accepted"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{org.id}")
    assert counts(app) == (0, 1, 1)
    with app.app_context():
        note = db.session.scalars(select(Interaction)).one()
        assert (note.organisation_id, note.initiative_id) == (org.id, network["a"].id)
        row = db.session.scalars(select(SuggestionFeedback)).one()
        assert (row.source_type, row.target_type) == ("organisation", "initiative")
        found = suggestions(me, "organisation", org.id)
        assert "Zukunft Industrie Nord" not in [item.name for item in found]


def test_org_partial_renders(app, make, network):
    from flask import render_template_string
    from flask_login import login_user

    org = make.organisation()
    make.membership(org, network["b"])
    staff = make.user(role="staff")
    with app.test_request_context("/"):
        login_user(staff)
        html = render_template_string(
            '{% with organisation=org %}{% include "network/_org_suggestions.html" %}{% endwith %}',
            org=org,
        )
    assert "Initiativen, denen diese Organisation beitreten könnte" in html
    assert "Zukunft Industrie Nord" in html and 'value="dismissed"' in html


def test_organisation_page_shows_initiatives_it_could_join(client, login_as, make, network):
    org = make.organisation(name="Werkzeugbau Nord GmbH")
    make.membership(org, network["b"])
    login_as("staff")
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Initiativen, denen diese Organisation beitreten könnte" in html
    assert "Zukunft Industrie Nord" in html


# --- introductions and analytics -------------------------------------------------------


def test_introductions_list_later_and_accepted_with_filter(app, client, login_as, network):
    login_as("staff")
    a, b, c, d = (network[k] for k in "abcd")
    client.post(decide_url(a, b), data={"decision": "accepted"})
    client.post(decide_url(a, c), data={"decision": "later"})
    client.post(decide_url(a, d), data={"decision": "dismissed"})
    html = client.get("/network/introductions").get_data(as_text=True).split("<table", 1)[1]
    assert "Bündnis Brückenland" in html and "Chemieregion Mitte" in html
    assert "Dialogforum Süd" not in html
    assert f'href="/initiatives/{b.id}"' in html
    later = client.get("/network/introductions?status=later").get_data(as_text=True)
    later = later.split("<table", 1)[1]
    assert "Chemieregion Mitte" in later and "Bündnis Brückenland" not in later


@pytest.mark.parametrize("query", ["status=dismissed", "status=x'--", "page=-1", "page=abc"])
def test_introductions_ignore_bad_parameters(client, login_as, network, query):
    login_as("staff")
    client.post(decide_url(network["a"], network["b"]), data={"decision": "later"})
    response = client.get(f"/network/introductions?{query}")
    assert response.status_code == 200
    assert "Bündnis Brückenland" in response.get_data(as_text=True)


def test_introductions_paginate(app, client, login_as, make):
    login_as("staff")
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        hub = make.initiative(name="Drehscheibe")
        for n in range(3):
            other = make.initiative(name=f"Partner {n}")
            client.post(decide_url(hub, other), data={"decision": "later"})
        client.get("/network/introductions")  # shows (and so drops) the flash messages
        first = client.get("/network/introductions").get_data(as_text=True)
        second = client.get("/network/introductions?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    assert first.count(">Partner ") == 2 and second.count(">Partner ") == 1


def test_analytics_page_lists_communities_brokers_isolates_and_laender(
    client, login_as, make, network
):
    login_as("staff")
    lonely = make.initiative(name="Einsame Initiative", laender=["01"])
    html = client.get("/network/").get_data(as_text=True)
    for text in (
        "Gruppen von Initiativen",
        "Betweenness-Zentralität",
        "Initiativen ohne Verbindung",
        "Einsame Initiative",
        "Verbindungen über Ländergrenzen",
        "Niedersachsen",
        "Sachsen-Anhalt",
    ):
        assert text in html, text
    assert f'href="/initiatives/{lonely.id}"' in html
    assert f'href="/initiatives/{network["b"].id}"' in html


def test_analytics_page_on_an_empty_database(client, login_as):
    login_as("staff")
    html = client.get("/network/").get_data(as_text=True)
    assert "Noch keine Initiativen erfasst." in html


def test_staff_reach_the_network_from_the_navigation(client, login_as, make):
    own = make.initiative()
    login_as("editor", initiative=own)
    assert 'href="/network/"' not in client.get("/unsere-initiative/").get_data(as_text=True)
    client.post("/logout")
    login_as("staff")
    assert 'href="/network/"' in client.get("/").get_data(as_text=True)
