"""Nothing destructive in one click: deleting or ending anything asks first.

Every route that only answers POST must be listed in `ONE_CLICK` with the reason why one
click is harmless there (a new POST-only route without an entry fails). Every
confirmation page (the GET of a delete, end, cancel or deactivate route) is opened for
a demo record as the right role: it asks "Wirklich …?", names what will change, offers
one POST button and a way back (the shared template, no JavaScript needed), and the GET
changes nothing. Submitting its form does the change, through the audited path.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select

from crm.models import Affiliation
from crm.models import AuditEntry
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Relationship
from crm.models import Role
from crm.models import User
from crm.models import Workshop
from crm.models.base import today
from tests.app.test_unchanged_saves import NOT_EDIT_FORMS
from tests.app.test_unchanged_saves import EditForm
from tests.app.test_unchanged_saves import Pick
from tests.app.test_unchanged_saves import _form_rules as form_rules
from tests.app.test_unchanged_saves import _personal_link
from tests.app.test_unchanged_saves import _richest_initiative
from tests.app.test_unchanged_saves import differences
from tests.app.test_unchanged_saves import edit_form_of
from tests.app.test_unchanged_saves import open_as
from tests.app.test_unchanged_saves import seed
from tests.app.test_unchanged_saves import snapshot
from tests.app.test_unchanged_saves import submitted

# POST-only routes, and why one click is enough there.
ONE_CLICK: dict[str, str] = {
    "accounts.logout": "ends the own session",
    "main.set_language": "a preference of the session",
    "admin.invite_account": "the invitation form's submit",
    "admin.reactivate": "gives access back",
    "admin.send_reset": "queues a mail; the password stays until the link is used",
    "activity.follow_up_done": "marks a follow-up done; logging again reopens it",
    "events.mark": "check-in marks; 'reset' takes each back",
    "events.assignment_run": "computes the office's working draft, published separately",
    "events.assignment_move": "one placement in the working draft",
    "events.assignment_release": "unpins one placement in the working draft",
    "events.assignment_publish": "the publish button of the reviewed draft",
    "meeting_plan.compute": "computes the office's draft of the 1:1 meetings (refused once "
    "published; publishing asks first)",
    "meeting_plan.move": "moves one meeting to a slot free for both; moving it back undoes it",
    "meeting_plan.restore": "puts a removed meeting back (the undo of removing it)",
    "meeting_schedule.feedback": "a participant's own note on a meeting (held, rating); "
    "can be changed again",
    "matchmaking_public.opt_in": "opts in to the exchange with its consent (the ticked box under "
    "its text); leaving it is one link away and asks first",
    "matchmaking_public.wish": "a participant's own mark of a partner; can be changed or removed",
    "matchmaking_public.accept": "a participant's answer to a request addressed to them",
    "matchmaking_public.decline": "a participant's answer to a request; the sender may ask again",
    "matchmaking_public.withdraw_request": "withdraws one's own open request; it can be sent again",
    "history.mark_seen": "marks a review card as seen",
    "history.restore": "the one-click restore of a field (audited, itself undoable)",
    "network.decide": "accepts or dismisses a suggestion (shown again on request)",
    "duplicates.dismiss": "hides a pair from the duplicates list; nothing else changes",
    "directory.export_start": "prepares a large list as a file for the one who asked "
    "(the offer page is the asking step); changes no record",
    "followup.material_restore": "gives a removed material back to the participants",
    "imports.confirm": "the import button under the preview (which is the asking step); "
    "undone as a whole with 'Import rückgängig machen'",
}
# Confirmation pages owned and tested elsewhere (the history, the job layer, the outbox).
TESTED_ELSEWHERE = {
    "history.revert",
    "history.undo",
    "jobs.retry_run",
    "mail.resend_mail",
    "duplicates.merge",
    "duplicates.undo",
    "api_tokens.revoke",  # tests/api/test_tokens.py (tokens are not audit-trail records)
    # tests/followup (materials and attendance imports keep their own undo, not the audit)
    "followup.material_remove",
    "followup.attendance_undo",
    # tests/matchmaking/test_planning.py (the meetings are not audit-trail records)
    "meeting_plan.remove",
    "meeting_plan.publish",
    # tests/matchmaking/test_views.py (leaving the exchange from the personal link)
    "matchmaking_public.withdraw",
}


def _running(model: Any) -> Any:
    return (
        select(model.id)
        .where(
            (model.since.is_(None)) | (model.since < today()),
            model.until.is_(None),
        )
        .order_by(model.id)
        .limit(1)
    )


def _one(session: Any, query: Any) -> int:
    value = session.scalar(query)
    assert value is not None, f"the demo data have no record for {query}"
    return int(value)


def _own(session: Any, model: Any) -> int:
    """A running membership or role of the editor's initiative."""
    initiative_id = _richest_initiative(session)
    return _one(session, _running(model).where(model.initiative_id == initiative_id))


def _colleague(session: Any) -> dict[str, Any]:
    user = User(email="kollegin.confirm@example.org", role=Role.STAFF, active=True)
    session.add(user)
    session.flush()
    return {"user_id": user.id}


def _workshop(session: Any) -> dict[str, Any]:
    workshop = session.scalars(select(Workshop).order_by(Workshop.id)).first()
    assert workshop is not None
    return {"event_id": workshop.event_id, "item_id": workshop.id, "kind": "workshops"}


def _record(argument: str, query: Any) -> Pick:
    """URL arguments {argument: the id that `query` finds in the demo data}."""
    return lambda s: {argument: _one(s, query)}


def _running_record(argument: str, model: Any) -> Pick:
    """URL arguments {argument: the id of a running link of `model`, as of the test's day}."""
    return lambda s: {argument: _one(s, _running(model))}


CONFIRMATIONS: dict[str, EditForm] = {
    "directory.initiative_delete": EditForm(
        "staff", _record("initiative_id", select(func.max(Initiative.id)))
    ),
    "directory.organisation_delete": EditForm(
        "staff", _record("organisation_id", select(func.max(Organisation.id)))
    ),
    "directory.person_delete": EditForm("staff", _record("person_id", select(func.max(Person.id)))),
    "links.membership_end": EditForm("staff", _running_record("membership_id", Membership)),
    "links.membership_delete": EditForm("staff", _running_record("membership_id", Membership)),
    "links.affiliation_end": EditForm("staff", _running_record("affiliation_id", Affiliation)),
    "links.affiliation_delete": EditForm("staff", _running_record("affiliation_id", Affiliation)),
    "links.role_end": EditForm("staff", _running_record("role_id", InitiativeRole)),
    "links.role_delete": EditForm("staff", _running_record("role_id", InitiativeRole)),
    "links.relationship_delete": EditForm(
        "staff", _record("relationship_id", select(func.min(Relationship.id)))
    ),
    "activity.delete_interaction": EditForm(
        "staff", _record("interaction_id", select(func.min(Interaction.id)))
    ),
    "events.delete_item": EditForm("staff", _workshop),
    "event_public.cancel": EditForm("public", _personal_link),
    "portal.member_end": EditForm("editor", lambda s: {"membership_id": _own(s, Membership)}),
    "portal.contact_end": EditForm("editor", lambda s: {"role_id": _own(s, InitiativeRole)}),
    "admin.deactivate": EditForm("admin", _colleague),
}


def _routes(app: Any) -> list[Any]:
    return list(app.url_map.iter_rules())


def test_every_post_only_route_is_harmless_or_asks_first(app):
    post_only = {
        rule.endpoint
        for rule in _routes(app)
        if "POST" in (rule.methods or set()) and "GET" not in (rule.methods or set())
    }
    missing = sorted(post_only - ONE_CLICK.keys())
    assert not missing, f"POST-only routes without a confirmation page or a reason: {missing}"
    assert not sorted(ONE_CLICK.keys() - post_only), "stale ONE_CLICK entries"


def test_every_confirmation_page_is_checked():
    listed = {e for e, why in NOT_EDIT_FORMS.items() if why == "confirmation page"}
    assert listed == CONFIRMATIONS.keys() | TESTED_ELSEWHERE
    assert {rule.endpoint for rule in form_rules()} >= CONFIRMATIONS.keys()


CANCEL_LINK = re.compile(
    r'<form method="post" class="confirm-form">.*?<a class="btn[^"]*" href="([^"]+)">', re.S
)


@pytest.mark.parametrize("endpoint", sorted(CONFIRMATIONS))
def test_confirmation_page_asks_first_then_does_it(app, client, make, endpoint):
    seed(app)
    arguments = open_as(app, client, make, CONFIRMATIONS[endpoint])
    with app.test_request_context():
        path = url_for(endpoint, **arguments)
    before = snapshot(app)
    page = client.get(path)
    assert page.status_code == 200, (endpoint, page.status_code)
    assert not differences(before, snapshot(app)), f"{endpoint}: the GET changed data"
    html = page.get_data(as_text=True)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert heading is not None and "wirklich" in heading[1].lower(), endpoint
    assert heading[1].strip().endswith("?")
    assert CANCEL_LINK.search(html), f"{endpoint}: no way back beside the button"
    form = edit_form_of(html, path)
    assert form["submit"] is not None, f"{endpoint}: no button"
    audit_before = len(before["audit_entries"])
    response = client.post(path, data=submitted(form)["data"])
    assert response.status_code == 302, (endpoint, response.status_code)
    after = snapshot(app)
    assert differences(before, after), f"{endpoint}: the confirmed POST changed nothing"
    assert len(after["audit_entries"]) > audit_before, f"{endpoint}: not audited"


class _Ref:
    """An initiative by id, for `login_as`."""

    def __init__(self, id_: int | None) -> None:
        self.id = id_


def test_portal_end_names_what_changes_and_others_get_404(app, client, make, login_as):
    seed(app)
    with app.app_context():
        from crm.extensions import db

        initiative_id = _richest_initiative(db.session)
        membership_id = _own(db.session, Membership)
        membership = db.session.get_one(Membership, membership_id)
        name = db.session.get_one(Organisation, membership.organisation_id).name
        other_id = db.session.scalar(select(Initiative.id).where(Initiative.id != initiative_id))
        db.session.rollback()
    login_as("editor", initiative=_Ref(other_id))
    path = f"/unsere-initiative/mitglieder/{membership_id}/beenden"
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    client.post("/logout")
    login_as("editor", initiative=_Ref(initiative_id))
    html = client.get(path).get_data(as_text=True)
    assert "Mitgliedschaft wirklich beenden?" in html and name in html
    home = client.get("/unsere-initiative/").get_data(as_text=True)
    assert f'href="{path}"' in home  # the portal links to the question, it posts nothing
    assert f'action="{path}"' not in home
    with app.app_context():
        from crm.extensions import db

        assert db.session.get_one(Membership, membership_id).until is None
        entries = int(db.session.scalar(select(func.count(AuditEntry.id))) or 0)
    assert client.post(path).status_code == 302
    with app.app_context():
        from crm.extensions import db

        ended = db.session.get(Membership, membership_id)
        assert ended is None or ended.until is not None
        assert db.session.scalar(select(func.count(AuditEntry.id))) == entries + 1
