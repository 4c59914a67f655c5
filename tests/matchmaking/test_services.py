"""The participants' side of the exchange as services: opting in and out, visibility,
proposals, wishes, requests with caps and expiry, and the input of the planning."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.matchmaking import services
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import MatchmakingSettings
from crm.models import MeetingRequest
from crm.models import MeetingRequestStatus
from crm.models import MeetingWishLevel
from crm.models import Registration
from crm.models import RegistrationStatus
from tests.matchmaking.mm_helpers import SLOTS
from tests.matchmaking.mm_helpers import build_people

UTC = dt.UTC
MUST, GLADLY, NO = MeetingWishLevel.MUST, MeetingWishLevel.GLADLY, MeetingWishLevel.NO
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(app, make):
    return build_people(app, make)


def reg(i):
    return db.session.get_one(Registration, i)


@pytest.mark.parametrize(
    ("a", "b", "weight"),
    [
        (MUST, MUST, 10.0),
        (MUST, GLADLY, 6.0),
        (GLADLY, MUST, 6.0),
        (GLADLY, GLADLY, 4.0),
        (MUST, None, 3.0),
        (None, GLADLY, 1.0),
        (None, None, 0.0),
        (MUST, NO, 0.0),
        (NO, GLADLY, 0.0),
        (NO, None, 0.0),
    ],
)
def test_pair_weight(a, b, weight):
    assert services.pair_weight(a, b) == weight


def test_weights_order_as_the_issue_says():
    both_must = services.pair_weight(MUST, MUST)
    must_gladly = services.pair_weight(MUST, GLADLY)
    both_gladly = services.pair_weight(GLADLY, GLADLY)
    one_sided = services.pair_weight(MUST, None)
    assert both_must > must_gladly > both_gladly > one_sided > 0


def test_opt_in_records_the_consent_and_withdraw_revokes_it(app, make):
    p = build_people(app, make, count=2, opted_in=0)
    with app.app_context():
        r = reg(p.registrations[0])
        assert services.opt_in(r) is True
        assert services.opt_in(r) is False  # already in: nothing more
        db.session.commit()
        consents = db.session.scalars(
            select(Consent).where(Consent.person_id == p.persons[0])
        ).all()
        assert [(c.purpose, c.status) for c in consents] == [
            (ConsentPurpose.MATCHMAKING, ConsentStatus.CONFIRMED)
        ]
        r = reg(p.registrations[0])
        assert r.matchmaking_opt_in and r.matchmaking_opted_at is not None
        assert services.withdraw(r) is True
        assert services.withdraw(r) is False
        db.session.commit()
        statuses = db.session.scalars(
            select(Consent.status).where(Consent.person_id == p.persons[0]).order_by(Consent.id)
        ).all()
        assert statuses == [ConsentStatus.CONFIRMED, ConsentStatus.REVOKED]
        assert not reg(p.registrations[0]).matchmaking_opt_in


def test_visibility_only_between_opted_in_participants(app, make):
    p = build_people(app, make, count=4, opted_in=2)
    other = build_people(app, make, count=1)
    with app.app_context():
        a, b, c, d = (reg(i) for i in p.registrations)
        elsewhere = reg(other.registrations[0])
        assert services.may_see(a, b) and services.may_see(b, a)
        assert not services.may_see(a, a)
        assert not services.may_see(a, c)  # c did not opt in
        assert not services.may_see(c, a)  # and sees nobody
        assert not services.may_see(a, elsewhere)  # another event
        assert [x.card.registration_id for x in services.proposals_for(a)] == [b.id]
        assert services.proposals_for(c) == []
        b.status = RegistrationStatus.CANCELLED
        assert not services.may_see(a, b)
        assert services.proposals_for(a) == []


def test_cards_show_only_name_organisation_initiative_land_themes(app, people):
    with app.app_context():
        proposals = services.proposals_for(reg(people.registrations[0]))
        card = proposals[0].card
        assert set(vars(card)) == {
            "registration_id",
            "name",
            "organisation",
            "initiative",
            "land",
            "themes",
        }
        assert all("Geheimfunktion" not in str(v) for v in vars(card).values())


def test_proposals_best_first_with_reasons(app, people):
    with app.app_context():
        proposals = services.proposals_for(reg(people.registrations[0]))
        assert len(proposals) == 3
        first = proposals[0]
        # participant 1 shares the initiative's theme (and the initiative itself)
        assert first.card.registration_id == people.registrations[1]
        codes = {r.code for r in first.reasons}
        assert "shared_theme" in codes
        assert "complementary_sector" in codes  # a Kommune and a Gewerkschaft
        assert [p.score for p in proposals if not p.linked] == sorted(
            (p.score for p in proposals if not p.linked), reverse=True
        )


def test_wishes_set_change_forget_and_unchanged(app, people):
    with app.app_context():
        a, b = reg(people.registrations[0]), reg(people.registrations[1])
        assert services.set_wish(a, b, MUST) is True
        assert services.set_wish(a, b, MUST) is False
        assert services.set_wish(a, b, NO) is True
        assert services.wishes_of(a) == {b.id: NO}
        assert services.set_wish(a, b, None) is True
        assert services.wishes_of(a) == {}
        assert services.set_wish(a, b, None) is False


def test_no_wishes_for_the_invisible_or_after_the_fixed_date(app, make):
    p = build_people(app, make, count=3, opted_in=2, fixed_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
    with app.app_context():
        a, b, c = (reg(i) for i in p.registrations)
        with pytest.raises(services.MatchmakingProblem, match="closed"):
            services.set_wish(a, b, MUST)
        db.session.scalar(
            select(MatchmakingSettings).where(MatchmakingSettings.event_id == p.event_id)
        ).fixed_at = None
        with pytest.raises(services.MatchmakingProblem, match="not_visible"):
            services.set_wish(a, c, MUST)
        with pytest.raises(services.MatchmakingProblem, match="not_in"):
            services.set_wish(c, a, MUST)


def test_requests_send_accept_decline(app, people):
    with app.app_context():
        a, b, c = (reg(i) for i in people.registrations[:3])
        request = services.send_request(a, b, "  Hallo, gern über Wasserstoff!  ", NOW)
        assert request.message == "Hallo, gern über Wasserstoff!"
        assert request.expires_at == NOW + dt.timedelta(hours=48)
        with pytest.raises(services.MatchmakingProblem, match="pending"):
            services.send_request(b, a, None, NOW)  # one between the two is enough
        with pytest.raises(services.MatchmakingProblem, match="not_visible"):
            services.answer_request(c, request, True, NOW)  # not c's to answer
        services.answer_request(b, request, True, NOW)
        assert request.status is MeetingRequestStatus.ACCEPTED
        with pytest.raises(services.MatchmakingProblem, match="not_open"):
            services.answer_request(b, request, False, NOW)
        declined = services.send_request(c, b, None, NOW)
        services.answer_request(b, declined, False, NOW)
        assert declined.status is MeetingRequestStatus.DECLINED
        rows = services.requests_of(b, NOW)
        assert {(row.other.registration_id, row.incoming) for row in rows} == {
            (a.id, True),
            (c.id, True),
        }


def test_request_caps_sent_and_received(app, make):
    p = build_people(app, make, count=5, max_open_sent=2, max_open_received=1)
    with app.app_context():
        a, b, c, d, e = (reg(i) for i in p.registrations)
        services.send_request(a, b, None, NOW)
        services.send_request(a, c, None, NOW)
        with pytest.raises(services.MatchmakingProblem, match="sent_cap"):
            services.send_request(a, d, None, NOW)
        with pytest.raises(services.MatchmakingProblem, match="received_cap"):
            services.send_request(e, b, None, NOW)
        services.withdraw_request(a, services.requests_of(a, NOW)[0].request.id, NOW)
        services.send_request(a, d, None, NOW)  # a withdrawn request frees its place


def test_requests_refused_when_the_recipient_said_no_or_the_schedule_is_full(app, make):
    p = build_people(app, make, count=4, max_meetings_per_person=1)
    with app.app_context():
        a, b, c, d = (reg(i) for i in p.registrations)
        services.set_wish(b, a, NO)
        with pytest.raises(services.MatchmakingProblem, match="no_wish"):
            services.send_request(a, b, None, NOW)
        services.answer_request(c, services.send_request(a, c, None, NOW), True, NOW)
        with pytest.raises(services.MatchmakingProblem, match="full"):
            services.send_request(d, a, None, NOW)  # a has its one meeting


def test_unanswered_requests_expire_and_free_their_place(app, make):
    p = build_people(app, make, count=3, max_open_sent=1, request_expiry_hours=2)
    with app.app_context():
        a, b, c = (reg(i) for i in p.registrations)
        request = services.send_request(a, b, None, NOW)
        request_id = request.id
        with pytest.raises(services.MatchmakingProblem, match="sent_cap"):
            services.send_request(a, c, None, NOW + dt.timedelta(hours=1))
        later = NOW + dt.timedelta(hours=2)
        services.send_request(a, c, None, later)  # the first one expired on the way
        assert db.session.get_one(MeetingRequest, request_id).status is MeetingRequestStatus.EXPIRED
        with pytest.raises(services.MatchmakingProblem, match="not_open"):
            services.answer_request(b, db.session.get_one(MeetingRequest, request_id), True, later)
        assert services.expire_requests(p.event_id, later) == 0  # safe to run twice


def test_withdraw_withdraws_open_requests(app, people):
    with app.app_context():
        a, b, c = (reg(i) for i in people.registrations[:3])
        sent = services.send_request(a, b, None, NOW)
        received = services.send_request(c, a, None, NOW)
        ids = (sent.id, received.id)
        services.withdraw(a)
        db.session.commit()
        for request_id in ids:
            status = db.session.get_one(MeetingRequest, request_id).status
            assert status is MeetingRequestStatus.WITHDRAWN


def test_planning_input(app, make):
    p = build_people(app, make, count=5, opted_in=4)
    with app.app_context():
        a, b, c, d, e = (reg(i) for i in p.registrations)
        services.set_wish(a, b, MUST)
        services.set_wish(b, a, MUST)
        services.set_wish(a, c, GLADLY)
        services.set_wish(c, d, MUST)
        services.set_wish(d, c, NO)  # "no" on either side removes the pair
        services.set_wish(b, c, GLADLY)
        request = services.send_request(d, b, None, NOW)
        services.answer_request(b, request, True, NOW)
        services.send_request(a, d, None, NOW)  # open: not a pair of the plan
        e.matchmaking_opt_in = True  # would be visible, but ...
        e.status = RegistrationStatus.WAITLISTED  # ... the waitlisted take no part
        data = services.planning_input(db.session.get_one(Event, p.event_id), NOW)
        weights = {(x, y): w for x, y, w, _reasons in data.pairs}
        assert weights == {
            tuple(sorted((a.id, b.id))): 10.0,
            tuple(sorted((a.id, c.id))): 1.0,
            tuple(sorted((b.id, c.id))): 1.0,
            tuple(sorted((b.id, d.id))): services.ACCEPTED_WEIGHT,
        }
        assert data.fixed == [tuple(sorted((b.id, d.id)))]
        assert data.slots == SLOTS
        assert data.unavailable == {a.id: {SLOTS[1]}}  # a wished a workshop
        assert data.max_per_person == 3
        assert data.participants == sorted([a.id, b.id, c.id, d.id])
        assert all(x < y for x, y, _w, _r in data.pairs)


def test_planning_input_feeds_the_scheduler(app, people):
    from crm.graph.meetings import schedule_meetings

    with app.app_context():
        a, b, c, d = (reg(i) for i in people.registrations)
        for x, y in ((a, b), (b, a), (c, d), (a, c)):
            services.set_wish(x, y, GLADLY)
        data = services.planning_input(db.session.get_one(Event, people.event_id), NOW)
        result = schedule_meetings(
            data.pairs,
            data.slots,
            max_per_person=data.max_per_person,
            unavailable=data.unavailable,
            fixed=data.fixed,
            time_limit=2.0,
        )
        assert result.meetings
        assert all(slot != SLOTS[1] for slot, x, y in result.meetings if a.id in (x, y))


def test_proposals_use_the_suggestion_engine_without_the_event_itself(app, make):
    from crm.network import cache

    p = build_people(app, make, count=3)
    shared = make.initiative(name="Bündnis Hafenkante")
    for person_id in p.persons[1:3]:
        make.initiative_role(type("P", (), {"id": person_id})(), shared)
    make.initiative_role(type("P", (), {"id": p.persons[0]})(), shared)
    cache.clear()
    with app.app_context():
        proposals = services.proposals_for(reg(p.registrations[0]))
        by_id = {x.card.registration_id: x for x in proposals}
        reasons = by_id[p.registrations[2]].reasons
        assert any(
            r.code == "shared_connection" and r.data == {"label": shared.name} for r in reasons
        )
        # everyone is at this event: the event itself is never a reason
        assert not any(r.code == "same_event" for x in proposals for r in x.reasons)
    cache.clear()


def test_erasing_a_person_scrubs_their_name_from_request_messages(app, make):
    from crm.db.engine import writing
    from crm.privacy import services as privacy

    p = build_people(app, make, count=3)
    with app.app_context():
        a, b, c = (reg(r) for r in p.registrations[:3])
        # a request between two others that names them, and one sent to them
        request_id = services.send_request(a, c, "Wie Vorname1 Nachname1 sagte: gern!", NOW).id
        own_id = services.send_request(a, b, "Hallo Vorname1 Nachname1, gern!", NOW).id
        db.session.commit()
    with app.app_context(), writing():
        privacy.erase_person(p.persons[1], "Antrag")
        db.session.commit()
    with app.app_context():
        message = db.session.get_one(MeetingRequest, request_id).message
        assert "Nachname1" not in message
        # the requests of their own registration go with it (crm.privacy.traces)
        assert db.session.get(MeetingRequest, own_id) is None
