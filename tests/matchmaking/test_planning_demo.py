"""The demo's practitioner exchange (crm/demo/matchmaking.py): matchmaking on at the upcoming
meeting, participants opted in with their consent, wishes, requests and a conflict-free
draft that "Treffen planen" shows."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import Registration
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from crm.models.matchmaking import MeetingRequest
from crm.models.matchmaking import MeetingWish


def test_small_demo_has_an_exchange_with_a_draft(app, client, login_as):
    with app.app_context(), writing():
        seed_demo(size="small", seed=3)
        db.session.commit()
    with app.app_context():
        settings = db.session.scalars(select(MatchmakingSettings)).one()
        assert settings.enabled and settings.published_at is None
        opted = list(
            db.session.scalars(
                select(Registration.id).where(Registration.matchmaking_opt_in.is_(True))
            )
        )
        assert len(opted) >= 5
        consents = db.session.scalar(
            select(func.count(Consent.id)).where(Consent.purpose == ConsentPurpose.MATCHMAKING)
        )
        assert consents == len(opted)
        assert db.session.scalar(select(func.count(MeetingWish.id)))
        assert db.session.scalar(select(func.count(MeetingRequest.id)))
        meetings = list(db.session.scalars(select(Meeting)))
        assert meetings
        seen = set()
        for meeting in meetings:
            assert {meeting.a_registration_id, meeting.b_registration_id} <= set(opted)
            for person in (meeting.a_registration_id, meeting.b_registration_id):
                assert (person, meeting.starts_at) not in seen
                seen.add((person, meeting.starts_at))
        event_id = settings.event_id
    login_as("staff")
    page = client.get(f"/events/{event_id}/meetings/plan").get_data(as_text=True)
    assert "data-plan-grid" in page and 'data-plan-status="draft"' in page
