"""The statements of a record's suggestions: an initiative's feedback and relationships
are read in one, names are looked up only when there is something to name."""

from __future__ import annotations

from sqlalchemy import event

from crm.db.engine import writing
from crm.extensions import db
from crm.models import SuggestionDecision
from crm.models import SuggestionFeedback
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


def test_an_initiative_reads_its_feedback_and_relationships_in_one_statement(app, make):
    user = make.user(role="staff")
    hub = make.initiative(name="Zukunft Industrie Nord")
    open_, later, dismissed, related = (
        make.initiative(name=name) for name in ("Offen", "Später", "Verworfen", "Verbunden")
    )
    share_members(make, hub, (open_, 2), (later, 2), (dismissed, 2), (related, 2))
    make.relationship(related, hub)  # stored the other way round
    with app.app_context(), writing():
        for other, decision in ((later, "LATER"), (dismissed, "DISMISSED")):
            db.session.add(
                SuggestionFeedback(
                    source_type="initiative",
                    source_id=hub.id,
                    target_type="initiative",
                    target_id=other.id,
                    decision=SuggestionDecision[decision],
                )
            )
        db.session.commit()

    statements, items = _statements(app, user, "initiative", hub.id)
    assert sorted((item.name, item.later) for item in items) == [
        ("Offen", False),
        ("Später", True),
    ]
    assert statements == 2  # feedback and relationships, then the names
