"""axe-core on every HTML page: each principal crawls every GET route of `app.url_map` it may
open, on the small demo data set, plus the 404 page and a form showing validation errors.

Routes and who may open them come from the permission matrix (`POLICY`, `allowed`); record
arguments are filled with real ids of the seeded data, and pages that need a query argument
(a new link or interaction starts from a record) get one. Downloads (`fmt`), JSON endpoints,
images and calendar files are not HTML and are skipped. Every page's serious/critical
violations are collected; the test fails once with the full list.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from crm.accounts.services import link_for
from crm.accounts.tokens import Purpose
from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Affiliation
from crm.models import AgendaBlock
from crm.models import Event
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Relationship
from crm.models import Workshop
from crm.models.matchmaking import Meeting
from crm.network import cache
from tests.app.test_permission_matrix import POLICY
from tests.app.test_permission_matrix import RECORD_ARGUMENTS
from tests.app.test_permission_matrix import allowed
from tests.browser.axe import FAILING_IMPACTS
from tests.browser.axe import axe_violations
from tests.browser.axe import format_violations
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PRINCIPALS = ["anonymous", "staff", "admin", "editor"]
TOKEN = "barrierefrei-1"

# Not HTML pages (files, JSON, a language switch that only redirects) or the logout.
SKIPPED = {
    "static",
    "accounts.logout",
    "main.set_language",
    "main.favicon",
    "public.logo",
    "portal.logo",
    "event_public.ics",
    "meeting_schedule.ics",
    "network.graph_data",
    "directory.plz_lookup",
    "directory.organisation_lookup",
    "links.lookup",
    "directory.kreis_options",
    # downloads (the browser starts a download instead of showing a page)
    "privacy.export_json",
    "addressbook.person_vcard",
    "addressbook.persons_vcard",
    "calendar.public_feed",
    "calendar.private_feed",
    "events.breakout_rooms",
    "events.breakout_zoom",
    "directory.export_download",
    "directory.export_progress",
    # a prepared export's page needs an export of the crawling account (test_export_journey)
    "directory.export_status",
    # probes and metrics for machines (JSON, Prometheus text)
    "ops.livez",
    "ops.readyz",
    "ops.metrics",
    # the JSON API's description (its browsable page /api/docs is crawled)
    "api_docs.openapi_json",
}
# JSON only: the API and the public directory as JSON (tests/api)
SKIPPED_BLUEPRINTS = {"api", "api_public"}

# Pages opened from a record's page carry that record in the query string.
QUERY = {
    "links.membership_new": "?initiative={initiative_id}",
    "links.affiliation_new": "?person={person_id}",
    "links.role_new": "?initiative={initiative_id}",
    "links.relationship_new": "?initiative={initiative_id}",
    "activity.new_interaction": "?initiative={initiative_id}",
    "search.results": "?q=Industrie",
}


# Further states of pages already crawled: sorted, filtered, paged, other record kinds.
MORE = {
    "anonymous": ["/verzeichnis/?land=05", "/verzeichnis/?q=Industrie&page=2"],
    "staff": [
        "/initiatives/?sort=name&dir=desc&land=05",
        "/persons/?page=2",
        "/organisations/?q=IHK",
        "/history/organisation/{organisation_id}",
        "/history/person/{person_id}",
        "/network/graph?focus=initiative:{initiative_id}",
        "/follow-ups?scope=all",
        "/interactions/new?organisation={organisation_id}",
        "/initiative-roles/new?person={person_id}",
        "/memberships/new?organisation={organisation_id}",
    ],
}
MORE["admin"] = MORE["staff"]


@pytest.fixture(autouse=True)
def _fresh_graph_cache():
    cache.clear()
    yield
    cache.clear()


def seeded(app: Any, make: Any) -> dict[str, Any]:
    """Seed the small demo data; ids of records that belong to one initiative (the
    editor's), a listed initiative, a published event and public links with tokens."""
    with app.app_context(), writing():
        seed_demo(size="small", seed=11)
        db.session.commit()
    with app.app_context():
        role = db.session.scalars(select(InitiativeRole).order_by(InitiativeRole.id)).first()
        assert role is not None
        own = role.initiative_id
        membership = (
            db.session.scalars(
                select(Membership).where(Membership.initiative_id == own).order_by(Membership.id)
            ).first()
            or db.session.scalars(select(Membership).order_by(Membership.id)).first()
        )
        event = (
            db.session.scalars(
                select(Event)
                .where(Event.status == EventStatus.VEROEFFENTLICHT)
                .order_by(Event.starts_at.desc())
            ).first()
            or db.session.scalars(select(Event).order_by(Event.id)).first()
        )
        assert membership is not None and event is not None
        ids: dict[str, Any] = {
            "initiative_id": own,
            "listed_initiative_id": db.session.scalar(
                select(Initiative.id).where(Initiative.public_listing.is_(True)).limit(1)
            ),
            "organisation_id": membership.organisation_id,
            "person_id": role.person_id,
            "membership_id": membership.id,
            "affiliation_id": db.session.scalar(select(Affiliation.id).limit(1)),
            "relationship_id": db.session.scalar(select(Relationship.id).limit(1)),
            "role_id": role.id,
            "interaction_id": db.session.scalar(select(Interaction.id).limit(1)),
            "event_id": event.id,
            "slug": event.slug,
            "workshop_id": db.session.scalar(
                select(Workshop.id).where(Workshop.event_id == event.id).limit(1)
            ),
            "block_id": db.session.scalar(
                select(AgendaBlock.id).where(AgendaBlock.event_id == event.id).limit(1)
            ),
            # a 1:1 meeting of the demo's exchange (crm/demo/matchmaking.py)
            "meeting_id": db.session.scalar(
                select(Meeting.id).where(Meeting.event_id == event.id).limit(1)
            ),
        }
    registration = make.registration(
        SimpleNamespace(id=ids["event_id"]), SimpleNamespace(id=ids["person_id"]), token=TOKEN
    )
    ids["registration_id"] = registration.id
    invited = make.user(role="staff", email="eingeladen@example.org")
    forgetful = make.user(role="staff", email="vergessen@example.org", password=TEST_PASSWORD)
    with app.test_request_context():
        ids["invitation"] = _path(link_for(invited, Purpose.INVITATION))
        ids["reset"] = _path(link_for(forgetful, Purpose.RESET))
    return ids


def _path(url: str) -> str:
    """The path of an absolute URL."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def arguments(rule: Any, ids: dict[str, Any]) -> dict[str, Any] | None:
    """The URL arguments of `rule` from real ids; None when the data has no such record."""
    values: dict[str, Any] = {}
    for name in set(rule.arguments) - set(rule.defaults or {}):
        if name == "item_id":
            value = ids["block_id" if "/agenda/" in rule.rule else "workshop_id"]
        elif name == "record_id":
            value = ids["initiative_id"]
        elif name == "kind":
            value = "initiative"
        elif name == "initiative_id" and rule.endpoint.startswith("public."):
            value = ids["listed_initiative_id"]
        elif name == "token":
            value = TOKEN
        else:
            value = ids.get(name)
        if value is None:
            return None
        values[name] = value
    return values


def html_pages(app: Any, principal: str, ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(endpoint, path) of every HTML page `principal` may open, with real arguments."""
    pages: list[tuple[str, str]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if "GET" not in (rule.methods or set()) or rule.endpoint in SKIPPED:
            continue
        if rule.endpoint.partition(".")[0] in SKIPPED_BLUEPRINTS:
            continue
        if "fmt" in rule.arguments:
            continue  # CSV/XLSX downloads
        matrix_principal = "editor_a" if principal == "editor" else principal
        names_a_record = bool(set(rule.arguments) & RECORD_ARGUMENTS)
        if not allowed(POLICY[rule.endpoint], matrix_principal, names_a_record=names_a_record):
            continue
        if rule.endpoint == "accounts.invitation":
            pages.append((rule.endpoint, ids["invitation"]))
            continue
        if rule.endpoint == "accounts.reset_password":
            pages.append((rule.endpoint, ids["reset"]))
            continue
        values = arguments(rule, ids)
        if values is None:
            continue
        path = rule.build(values, append_unknown=False)[1]
        pages.append((rule.endpoint, path + QUERY.get(rule.endpoint, "").format(**ids)))
    return pages


def serious(page: Any) -> list[dict[str, Any]]:
    """The page's serious and critical axe violations."""
    return [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]


def show_validation_errors(page: Any, principal: str, ids: dict[str, Any]) -> str:
    """Submit a form empty (the browser's own checks off) so it shows its errors."""
    if principal == "anonymous":
        page.goto(f"/events/{ids['event_id']}/register")
    elif principal == "editor":
        page.goto("/unsere-initiative/personen/neu")
    else:
        page.goto("/initiatives/new")
    form = "main form[method='post' i]:not([action*='logout']):not([action*='language'])"
    page.eval_on_selector(
        form,
        """f => { f.noValidate = true;
                  f.querySelectorAll('input[type=text], input[type=email], input:not([type]),'
                    + ' textarea').forEach(i => { i.value = ''; }); }""",
    )
    with page.expect_navigation():
        page.locator(form).locator("[type=submit]").first.click()
    return page.url


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_page_passes_axe(app, page, make, principal, screenshot, monkeypatch):
    # Impressum and Datenschutzerklärung exist once configured (as `make run` does)
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", "Beispielstelle\nMusterstraße 1")
    monkeypatch.setitem(app.config, "PRIVACY_TEXT", "Wir verarbeiten nur, was nötig ist.")
    ids = seeded(app, make)
    if principal != "anonymous":
        user = make.user(
            role=principal,
            initiative_id=ids["initiative_id"] if principal == "editor" else None,
            password=TEST_PASSWORD,
            email=f"axe-{principal}@example.org",
        )
        log_in(page, user.email)
    found: list[str] = []
    statuses: list[str] = []
    visited = 0

    def check(name: str) -> None:
        problems = serious(page)
        if problems:
            found.append(f"== {name} ({page.url}):\n{format_violations(problems)}")

    for endpoint, path in html_pages(app, principal, ids):
        response = page.goto(path)
        visited += 1
        status = response.status if response else 0
        if status >= 500 or (status >= 400 and endpoint != "event_public.register"):
            statuses.append(f"{endpoint} {path}: {status}")
        if endpoint == "network.graph":
            page.wait_for_selector("#network-graph[data-rendered='1']", state="attached")
        check(endpoint)

    for path in MORE.get(principal, []):
        response = page.goto(path.format(**ids))
        visited += 1
        if response is None or response.status >= 400:
            statuses.append(f"{path}: {response.status if response else 0}")
        if "/network/graph" in path:
            page.wait_for_selector("#network-graph[data-rendered='1']", state="attached")
        check(path)

    response = page.goto("/gibt-es-nicht")
    assert response is not None and response.status == 404
    check("404")
    show_validation_errors(page, principal, ids)
    assert page.locator(".invalid-feedback, .is-invalid, .alert-danger").count() > 0, page.url
    check("Formular mit Fehlern")
    screenshot(f"axe-form-errors-{principal}")

    assert visited > (5 if principal == "anonymous" else 20)
    assert not statuses, "\n".join(statuses)
    assert not found, (
        f"axe-core: serious/critical violations for {principal} on "
        f"{len(found)} page(s):\n" + "\n".join(found)
    )
