"""The newest interactions of a record (`interactions_for`, on the record pages): one
statement with their persons, and a plan that does not read every interaction's persons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import insert

from crm.activity.queries import interactions_for
from crm.db.engine import writing
from crm.extensions import db
from crm.models import interaction_persons


def _link(app: Flask, interaction: Any, *persons: Any) -> None:
    with app.app_context(), writing():
        db.session.execute(
            insert(interaction_persons),
            [{"interaction_id": interaction.id, "person_id": p.id} for p in persons],
        )
        db.session.commit()


@pytest.fixture
def logged(app: Flask, make: Any) -> dict[str, Any]:
    org = make.organisation()
    ada, ben, cem = make.person(), make.person(), make.person()
    day = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    older = make.interaction(organisation_id=org.id, occurred_at=day, subject="Älter")
    alone = make.interaction(organisation_id=org.id, occurred_at=day + dt.timedelta(days=1))
    newest = make.interaction(organisation_id=org.id, occurred_at=day + dt.timedelta(days=2))
    _link(app, older, ada)
    _link(app, newest, cem, ada, ben)
    return {"org": org, "persons": (ada, ben, cem), "ids": (newest.id, alone.id, older.id)}


def test_newest_first_with_all_their_persons_and_without_any(app: Flask, logged) -> None:
    ada, ben, cem = logged["persons"]
    with app.app_context():
        found = interactions_for(organisation_id=logged["org"].id, limit=10)
        assert [i.id for i in found] == list(logged["ids"])
        assert [[p.id for p in i.persons] for i in found] == [
            sorted([ada.id, ben.id, cem.id]),
            [],
            [ada.id],
        ]
        of_ada = interactions_for(person_id=ada.id, limit=10)
        assert [i.id for i in of_ada] == [logged["ids"][0], logged["ids"][2]]
        assert [len(i.persons) for i in of_ada] == [3, 1]  # all persons, not only Ada
        assert len(interactions_for(organisation_id=logged["org"].id, limit=2)) == 2


def test_one_statement_that_reads_only_the_shown_interactions_persons(app: Flask, logged) -> None:
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            interactions_for(person_id=logged["persons"][0].id, limit=10)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert len(statements) == 1
        if engine.dialect.name != "sqlite":
            return  # the nested join below is SQLite's weakness; PostgreSQL joins it fine
        statement, parameters = statements[0]
        plan = " | ".join(
            str(row[-1])
            for row in db.session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters
            )
        )
        # `joinedload` of the persons nested their join, and SQLite then materialised the
        # links of every interaction (SCAN interaction_persons): 0.5 s with 80,000 links.
        assert "MATERIALIZE" not in plan, plan
        assert "SCAN interaction_persons" not in plan, plan
