"""The statements of a record's suggestions: names are looked up only when there is
something to name."""

from __future__ import annotations

from sqlalchemy import event

from crm.extensions import db
from crm.network.queries import suggestions
from tests.network.helpers import share_members


def _statements(app, user, source_type, source_id) -> tuple[int, list]:
    found: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        found.append(statement)

    with app.app_context():
        suggestions(user, source_type, source_id)  # the graph built and cached before
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            items = suggestions(user, source_type, source_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return len(found), items


def test_a_record_without_suggestions_spends_no_statement_on_names(app, make):
    user = make.user(role="staff")
    hub = make.initiative(name="Zukunft Industrie Nord")
    other = make.initiative(name="Bündnis Brückenland")
    share_members(make, hub, (other, 2))
    lonely = make.initiative(name="Allein am Deich")

    with_items, items = _statements(app, user, "initiative", hub.id)
    assert [item.name for item in items] == ["Bündnis Brückenland"]
    without_items, items = _statements(app, user, "initiative", lonely.id)
    assert items == []
    assert without_items == with_items - 1
