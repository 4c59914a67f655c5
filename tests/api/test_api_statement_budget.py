"""An API list page costs the same few SQL statements at any page size and any depth
(keyset paging, eager loads, no N+1): the token lookup, the page, the links it shows."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.directory.test_list_statement_budget import ROWS
from tests.directory.test_list_statement_budget import _seed
from tests.helpers import recorded

# path → statements: BEGIN (SQLite), the token lookup, the page, and for initiatives their
# Länder, Kreise, themes and formats
BUDGETS = {
    "/api/v1/initiatives": 7,
    "/api/v1/organisations": 3,
    "/api/v1/persons": 3,
    "/api/v1/memberships": 3,
    "/api/v1/public/initiatives": 6,  # no token
}


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_api_list_statement_budget(app, client, make, token_for, path):
    _seed(app)
    headers = bearer(token_for(make.user(role="staff")))
    counts: dict[str, int] = {}
    issued: dict[str, list[str]] = {}
    for query in ("limit=10", "limit=100", "limit=10&cursor=120"):
        client.get(f"{path}?{query}", headers=headers)  # warm-up (and the token's last use)
        with recorded(app) as statements:
            response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 200, response.json
        counts[query], issued[query] = len(statements), statements
    detail = "\n".join(issued["limit=100"])
    assert len(set(counts.values())) == 1, f"statements depend on the page: {counts}\n{detail}"
    assert counts["limit=100"] <= BUDGETS[path], f"{path}: {counts}\n{detail}"
    assert ROWS > 100
