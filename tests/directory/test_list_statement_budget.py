"""The list pages stay within 3 SQL statements whatever the page size (issue 3, part 8).

What is counted: every statement the engine executes during one GET of the list page
(a `before_cursor_execute` listener), minus the statements of a trivial logged-in page
(`/account/password`) rendered in the same way. The subtraction removes what every
page pays regardless of the list: loading the user from the session and the
navigation's follow-up count. What remains is the list's own work: COUNT, page SELECT,
eager loads of the shown relationships, and any lookups for the filter controls.
The same number must come out for page sizes 10 and 100 (no N+1), and it must be ≤ 3.
On failure the message lists the statements issued.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Bundesland
from crm.models import Initiative
from crm.models import InitiativeType
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from tests.conftest import TEST_PASSWORD
from tests.helpers import recorded

BUDGET = 3
ROWS = 150  # more than the largest page size, so every page size shows a full page
BASELINE = "/account/password"
LISTS = [
    "/initiatives/",
    "/organisations/",
    "/persons/",
]


def _seed(app: Flask) -> None:
    with app.app_context(), writing():
        laender = [db.session.get_one(Bundesland, ags) for ags in ("05", "09")]
        for n in range(ROWS):
            initiative = Initiative(name=f"Bündnis {n:03d}", type=InitiativeType.VEREIN)
            initiative.laender = [laender[n % 2]]
            db.session.add(initiative)
            db.session.add(
                Organisation(name=f"Stahl {n:03d} GmbH", type=OrgType.UNTERNEHMEN, land_ags="05")
            )
            db.session.add(
                Person(first_name="Erika", last_name=f"Muster{n:03d}", email=f"p{n}@example.org")
            )
        db.session.commit()


def _logged_in(app: Flask, make) -> FlaskClient:
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _statements(app: Flask, client: FlaskClient, path: str) -> list[str]:
    client.get(path)  # warm-up: first-request work (e.g. template compilation) is not counted
    with recorded(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return seen


@pytest.mark.parametrize("path", LISTS)
def test_list_page_statement_budget(make_app, make, path):
    counts: dict[int, int] = {}
    issued: dict[int, list[str]] = {}
    for page_size in (10, 100):
        app = make_app(PAGE_SIZE=page_size)
        if page_size == 10:
            _seed(app)
        client = _logged_in(app, make)
        baseline = _statements(app, client, BASELINE)
        listed = _statements(app, client, path)
        assert f"{ROWS} Einträge" in client.get(path).get_data(as_text=True)
        counts[page_size] = len(listed) - len(baseline)
        issued[page_size] = [s for s in listed if s not in baseline]
    detail = "\n".join(issued[100])
    assert counts[10] == counts[100], f"statements depend on the page size: {counts}\n{detail}"
    assert counts[100] <= BUDGET, f"{path}: {counts[100]} statements > {BUDGET}:\n{detail}"
