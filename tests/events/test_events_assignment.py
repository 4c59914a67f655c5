"""Workshop assignment pages: who may use them, the draft with metrics, moves that stay
fixed across re-runs, releasing, publishing (assigned workshops and one mail each), and
bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.events import assignment_service
from crm.extensions import db
from crm.models import AssignmentDraft
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import Initiative
from crm.models import InitiativeType
from crm.models import Organisation
from crm.models import OrgType
from crm.models import OutboxMail
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models import WorkshopPreference
from tests.helpers import assert_turned_away

UTC = dt.UTC
SECTORS = [
    (OrgType.UNTERNEHMEN, 10),
    (OrgType.KOMMUNE, 3),
    (OrgType.GEWERKSCHAFT, 2),
    (OrgType.IHK, 2),
    (OrgType.WIRTSCHAFTSFOERDERUNG, 2),
    (OrgType.HOCHSCHULE, 1),
]
LAENDER = ["05", "09", "08", "14", "03", "06"]
WORKSHOP_TITLES = [
    "Fachkräfte sichern",
    "Transformation der Zulieferer",
    "Wasserstoff in der Region",
    "Ausbildung 4.0",
    "Flächen und Standorte",
]


@dataclass(frozen=True)
class Meeting:
    """Ids of a generated network meeting."""

    event_id: int
    workshop_ids: list[int]
    registration_ids: list[int]


def build_meeting(
    app: Flask,
    *,
    participants: int = 40,
    capacities: tuple[int, ...] = (10, 10, 9, 8, 8),
    seed: int = 7,
    title: str = "Netzwerktreffen der Industrieinitiativen",
) -> Meeting:
    """A realistic network meeting: workshops, organisations of several types and Länder,
    initiatives, and registrations with one to three ranked (skewed) wishes."""
    rng = random.Random(seed)  # noqa: S311 - test data
    with app.app_context(), writing():
        start = dt.datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
        event = Event(
            slug=f"netzwerktreffen-{seed}-{rng.randrange(10**6)}",
            title=title,
            type=EventType.NETZWERKTREFFEN,
            mode=EventMode.PRAESENZ,
            venue="Zeche Zollverein, Essen",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=7),
            status=EventStatus.VEROEFFENTLICHT,
        )
        db.session.add(event)
        db.session.flush()
        workshops = [
            Workshop(event_id=event.id, title=t, capacity=c, position=i)
            for i, (t, c) in enumerate(zip(WORKSHOP_TITLES, capacities, strict=False))
        ]
        db.session.add_all(workshops)
        initiatives = [
            Initiative(name=f"Industrieinitiative {name}", type=InitiativeType.VEREIN)
            for name in ("Ruhr", "Südwest", "Lausitz")
        ]
        db.session.add_all(initiatives)
        organisations = []
        kinds = [k for k, weight in SECTORS for _ in range(weight)]
        for i in range(max(participants * 3 // 4, 1)):
            kind = kinds[i % len(kinds)]  # every type in proportion
            organisations.append(
                Organisation(
                    name=f"{kind.value.title()} {i}", type=kind, land_ags=rng.choice(LAENDER)
                )
            )
        db.session.add_all(organisations)
        db.session.flush()
        weights = [8, 5, 3, 2, 1][: len(workshops)]
        registration_ids = []
        for i in range(participants):
            person = Person(
                first_name=rng.choice(["Anna", "Jörg", "Mehmet", "Ute", "Lena", "Karl"]),
                last_name=f"Teilnehmer{i:03d}",
                email=f"teilnehmer{i:03d}@example.org",
            )
            db.session.add(person)
            db.session.flush()
            org = rng.choice(organisations)
            registration = Registration(
                event_id=event.id,
                person_id=person.id,
                organisation_id=org.id,
                organisation_text=org.name,
                initiative_id=rng.choice(initiatives).id if rng.random() < 0.6 else None,
                status=RegistrationStatus.REGISTERED,
                registered_at=start - dt.timedelta(days=60) + dt.timedelta(hours=i),
                token_hash=hashlib.sha256(f"{seed}-{i}-{title}".encode()).hexdigest(),
            )
            db.session.add(registration)
            db.session.flush()
            k = 0 if i % 13 == 12 else rng.choice([1, 2, 3, 3])
            pool = list(range(len(workshops)))
            pool_weights = list(weights)
            for rank in range(1, k + 1):
                j = rng.choices(range(len(pool)), pool_weights)[0]
                wid = workshops[pool.pop(j)].id
                pool_weights.pop(j)
                db.session.add(
                    WorkshopPreference(registration_id=registration.id, workshop_id=wid, rank=rank)
                )
            registration_ids.append(registration.id)
        db.session.commit()
        return Meeting(event.id, [w.id for w in workshops], registration_ids)


def state(app: Flask, event_id: int) -> dict[str, Any]:
    """Everything the assignment may change, to compare before and after."""
    with app.app_context():
        draft = db.session.scalar(
            select(AssignmentDraft).where(AssignmentDraft.event_id == event_id)
        )
        rows = db.session.execute(
            select(
                Registration.id, Registration.assigned_workshop_id, Registration.assignment_fixed
            )
            .where(Registration.event_id == event_id)
            .order_by(Registration.id)
        ).all()
        return {
            "draft": (draft.mix, dict(draft.placements), draft.published_at) if draft else None,
            "registrations": [tuple(r) for r in rows],
            "mails": db.session.scalar(select(func.count(OutboxMail.id))),
            "capacities": list(
                db.session.execute(
                    select(Workshop.id, Workshop.capacity)
                    .where(Workshop.event_id == event_id)
                    .order_by(Workshop.id)
                ).all()
            ),
        }


def draft_of(app: Flask, event_id: int) -> dict[int, int | None]:
    with app.app_context():
        draft = db.session.scalar(
            select(AssignmentDraft).where(AssignmentDraft.event_id == event_id)
        )
        assert draft is not None
        return {int(k): v for k, v in draft.placements.items()}


@pytest.fixture
def meeting(app):
    return build_meeting(app)


def run_by_staff(app, client, login_as, **meeting: Any) -> tuple[Meeting, str]:
    """A meeting (`build_meeting(**meeting)`) that staff assigned once (mixing by sector);
    with the URL of its assignment page."""
    m = build_meeting(app, **meeting)
    login_as("staff")
    base = f"/events/{m.event_id}/assignment"
    client.post(f"{base}/run", data={"mix": ["sector"]})
    return m, base


ROUTES = [
    ("GET", "/events/{e}/assignment"),
    ("POST", "/events/{e}/assignment/run"),
    ("POST", "/events/{e}/assignment/{r}/move"),
    ("POST", "/events/{e}/assignment/{r}/release"),
    ("POST", "/events/{e}/assignment/publish"),
]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_routes_refuse_anonymous_and_editors(app, client, make, login_as, method, path, who):
    m = build_meeting(app, participants=6)
    before = state(app, m.event_id)
    if who == "editor":
        login_as("editor", initiative=make.initiative())
    url = path.format(e=m.event_id, r=m.registration_ids[0])
    response = client.open(url, method=method, data={"workshop_id": str(m.workshop_ids[1])})
    assert_turned_away(response, who)
    assert state(app, m.event_id) == before


@pytest.mark.parametrize("method,path", ROUTES)
def test_routes_work_for_staff(app, client, login_as, method, path):
    m, _ = run_by_staff(app, client, login_as, participants=6)
    url = path.format(e=m.event_id, r=m.registration_ids[0])
    response = client.open(url, method=method, data={"workshop_id": str(m.workshop_ids[1])})
    assert response.status_code == (200 if method == "GET" else 302)


def test_detail_page_links_to_the_assignment(client, login_as, meeting):
    login_as("staff")
    html = client.get(f"/events/{meeting.event_id}").get_data(as_text=True)
    assert f"/events/{meeting.event_id}/assignment" in html
    assert "Workshops zuteilen" in html


def test_page_without_draft_offers_the_run_form(client, login_as, meeting):
    login_as("staff")
    html = client.get(f"/events/{meeting.event_id}/assignment").get_data(as_text=True)
    assert "Noch kein Entwurf berechnet." in html
    assert "Zuteilung berechnen" in html
    assert 'value="sector" id="mix-sector" checked' in html


def test_run_draft_shows_workshops_metrics_and_explanations(app, client, login_as, meeting):
    login_as("staff")
    response = client.post(
        f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector", "land"]}
    )
    assert response.status_code == 302
    placements = draft_of(app, meeting.event_id)
    assert set(placements) == set(meeting.registration_ids)
    assert all(w in meeting.workshop_ids for w in placements.values())  # 45 seats for 40
    html = client.get(f"/events/{meeting.event_id}/assignment").get_data(as_text=True)
    assert "Entwurf – noch nicht veröffentlicht." in html
    for key in (
        "first_choice_rate",
        "top3_rate",
        "mean_rank_cost",
        "sector_tvd",
        "acquaintance_pairs",
        "same_org_pairs",
        "unassigned",
        "capacity_violations",
    ):
        assert f'data-metric="{key}"' in html
    for column in ("Entwurf", "Nur Wünsche (optimal)", "Wer zuerst kommt", "Zufall"):
        assert column in html
    assert 'class="mix-bar"' in html and "mix-c0" in html
    assert "Erstwunsch erhalten." in html
    assert 'style="' not in html
    assert html.count('data-workshop="') == 5
    assert 'value="land" id="mix-land" checked' in html
    assert 'value="initiative" id="mix-initiative">' in html
    # nothing published yet
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Registration.id)).where(
                    Registration.assigned_workshop_id.is_not(None)
                )
            )
            == 0
        )
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 0


def test_draft_respects_capacity_and_beats_first_come_first_served(app, meeting):
    with app.app_context(), app.test_request_context():
        event = db.session.get_one(Event, meeting.event_id)
        with writing():
            assignment_service.run_draft(event, ["sector"])
            db.session.commit()
        inputs = assignment_service.load_inputs(event)
        draft, optimum, fcfs, _random = assignment_service.comparison(inputs, inputs.placements())
    assert draft.capacity_violations == 0 and draft.unassigned == 0
    assert draft.top3_rate >= fcfs.top3_rate
    assert optimum.mean_rank_cost <= fcfs.mean_rank_cost
    assert draft.sector_tvd <= optimum.sector_tvd + 1e-9


def test_move_is_fixed_and_survives_a_rerun(app, client, login_as, meeting):
    login_as("staff")
    client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector"]})
    placements = draft_of(app, meeting.event_id)
    person = meeting.registration_ids[5]
    target = next(w for w in meeting.workshop_ids if w != placements[person])
    response = client.post(
        f"/events/{meeting.event_id}/assignment/{person}/move", data={"workshop_id": str(target)}
    )
    assert response.status_code == 302
    assert draft_of(app, meeting.event_id)[person] == target
    with app.app_context():
        assert db.session.get_one(Registration, person).assignment_fixed is True
    html = client.get(f"/events/{meeting.event_id}/assignment").get_data(as_text=True)
    assert "Fest zugeordnet (manuell)." in html and "data-fixed" in html

    client.post(
        f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector", "initiative"]}
    )
    assert draft_of(app, meeting.event_id)[person] == target
    html = client.get(f"/events/{meeting.event_id}/assignment").get_data(as_text=True)
    assert "Fest zugeordnet (manuell)." in html

    # release: no longer fixed; the placement stays until the next run
    client.post(f"/events/{meeting.event_id}/assignment/{person}/release")
    with app.app_context():
        assert db.session.get_one(Registration, person).assignment_fixed is False
    assert draft_of(app, meeting.event_id)[person] == target
    # releasing again changes nothing
    before = state(app, meeting.event_id)
    response = client.post(f"/events/{meeting.event_id}/assignment/{person}/release")
    assert response.status_code == 302
    assert state(app, meeting.event_id) == before


def test_publish_sets_workshops_and_queues_one_mail_each(app, client, login_as, meeting):
    login_as("staff")
    client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector"]})
    placements = draft_of(app, meeting.event_id)
    response = client.post(f"/events/{meeting.event_id}/assignment/publish")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{meeting.event_id}/workshop-lists")
    with app.app_context():
        assigned = dict(
            db.session.execute(
                select(Registration.id, Registration.assigned_workshop_id).where(
                    Registration.event_id == meeting.event_id
                )
            ).all()
        )
        mails = list(db.session.scalars(select(OutboxMail)))
    assert assigned == placements
    assert len(mails) == len(meeting.registration_ids)
    assert len({m.to_address for m in mails}) == len(mails)
    first = mails[0]
    assert first.subject.startswith("Ihr Workshop:")
    assert "Ihr Workshop:" in first.body and "Guten Tag" in first.body
    assert any(title in first.body for title in WORKSHOP_TITLES)

    lists = client.get(f"/events/{meeting.event_id}/workshop-lists").get_data(as_text=True)
    assert "Zugeteilte Teilnehmende" in lists
    page = client.get(f"/events/{meeting.event_id}/assignment").get_data(as_text=True)
    assert "Veröffentlicht am" in page

    # publishing the same draft again mails nobody
    client.post(f"/events/{meeting.event_id}/assignment/publish")
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == len(mails)

    # one move into a workshop with a free seat, published: exactly one more mail
    person = meeting.registration_ids[0]
    capacity = dict(zip(meeting.workshop_ids, (10, 10, 9, 8, 8), strict=True))
    load = Counter(placements.values())
    target = next(
        w for w in meeting.workshop_ids if w != placements[person] and load[w] < capacity[w]
    )
    client.post(
        f"/events/{meeting.event_id}/assignment/{person}/move", data={"workshop_id": str(target)}
    )
    client.post(f"/events/{meeting.event_id}/assignment/publish")
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == len(mails) + 1
        assert db.session.get_one(Registration, person).assigned_workshop_id == target


def test_publish_lists_those_without_a_seat(app, client, login_as):
    m, _ = run_by_staff(app, client, login_as, participants=12, capacities=(3, 3, 2))
    placements = draft_of(app, m.event_id)
    unplaced = [r for r, w in placements.items() if w is None]
    assert len(unplaced) == 4
    html = client.get(f"/events/{m.event_id}/assignment").get_data(as_text=True)
    assert "Ohne Workshopplatz (4)" in html
    assert "Kein Platz frei" in html
    response = client.post(f"/events/{m.event_id}/assignment/publish", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Ohne Workshopplatz (4)" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 8
        for r in unplaced:
            assert db.session.get_one(Registration, r).assigned_workshop_id is None


def test_run_without_workshops_or_registrations_explains(app, client, login_as, make):
    login_as("staff")
    empty = make.event()
    response = client.post(f"/events/{empty.id}/assignment/run", follow_redirects=True)
    assert "hat keine Workshops" in response.get_data(as_text=True)
    make.workshop(empty)
    response = client.post(f"/events/{empty.id}/assignment/run", follow_redirects=True)
    assert "keine angemeldeten Teilnehmenden" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AssignmentDraft.id))) == 0
    assert client.get(f"/events/{empty.id}/assignment").status_code == 200
    response = client.post(f"/events/{empty.id}/assignment/publish", follow_redirects=True)
    assert "Bitte berechnen Sie zuerst eine Zuteilung." in response.get_data(as_text=True)


def test_unknown_event_is_404(client, login_as):
    login_as("staff")
    assert client.get("/events/999999/assignment").status_code == 404
    assert client.post("/events/999999/assignment/run").status_code == 404


def test_bad_moves_change_nothing(app, client, login_as, make, meeting):
    login_as("staff")
    client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector"]})
    other = build_meeting(app, participants=3, seed=99, title="Anderes Treffen")
    before = state(app, meeting.event_id)
    person = meeting.registration_ids[0]
    base = f"/events/{meeting.event_id}/assignment"
    # a workshop of another event, an unknown one, garbage, nothing
    assert (
        client.post(
            f"{base}/{person}/move", data={"workshop_id": str(other.workshop_ids[0])}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/{person}/move", data={"workshop_id": "999999"}).status_code == 404
    assert client.post(f"{base}/{person}/move", data={"workshop_id": "abc"}).status_code == 400
    assert client.post(f"{base}/{person}/move", data={}).status_code == 400
    # an unknown registration, one of another event
    target = str(meeting.workshop_ids[0])
    assert client.post(f"{base}/999999/move", data={"workshop_id": target}).status_code == 404
    assert (
        client.post(
            f"{base}/{other.registration_ids[0]}/move", data={"workshop_id": target}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/999999/release").status_code == 404
    assert state(app, meeting.event_id) == before


def test_move_beyond_capacity_of_fixed_places_is_refused(app, client, login_as):
    m, base = run_by_staff(app, client, login_as, participants=6, capacities=(1, 5, 5))
    small = str(m.workshop_ids[0])
    assert client.post(f"{base}/{m.registration_ids[0]}/move", data={"workshop_id": small})
    before = state(app, m.event_id)
    response = client.post(
        f"{base}/{m.registration_ids[1]}/move",
        data={"workshop_id": small},
        follow_redirects=True,
    )
    assert "die alle fest vergeben sind" in response.get_data(as_text=True)
    assert state(app, m.event_id) == before


def test_fixed_beyond_capacity_reported_and_nothing_changed(app, client, login_as):
    m, base = run_by_staff(app, client, login_as, participants=6, capacities=(2, 5, 5))
    small = m.workshop_ids[0]
    for r in m.registration_ids[:2]:
        client.post(f"{base}/{r}/move", data={"workshop_id": str(small)})
    with app.app_context(), writing():  # the workshop shrinks after the placements were fixed
        db.session.get_one(Workshop, small).capacity = 1
        db.session.commit()
    before = state(app, m.event_id)
    response = client.post(f"{base}/run", data={"mix": ["sector"]}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Die Zuteilung ist so nicht möglich" in text
    assert "„Fachkräfte sichern“ hat 2 feste Zuordnungen" in text
    assert state(app, m.event_id) == before
    response = client.post(f"{base}/publish", follow_redirects=True)
    assert "überbelegt" in response.get_data(as_text=True)
    assert state(app, m.event_id) == before


def test_unknown_mix_values_are_ignored(app, client, login_as, meeting):
    login_as("staff")
    client.post(
        f"/events/{meeting.event_id}/assignment/run",
        data={"mix": ["initiative", "bogus", "sector"]},
    )
    with app.app_context():
        draft = db.session.scalar(select(AssignmentDraft))
        assert draft is not None and draft.mix == "sector,initiative"


def test_cancelled_and_waitlisted_take_no_part(app, client, login_as, meeting):
    with app.app_context(), writing():
        db.session.get_one(
            Registration, meeting.registration_ids[0]
        ).status = RegistrationStatus.CANCELLED
        db.session.get_one(
            Registration, meeting.registration_ids[1]
        ).status = RegistrationStatus.WAITLISTED
        db.session.commit()
    login_as("staff")
    client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": []})
    placements = draft_of(app, meeting.event_id)
    assert meeting.registration_ids[0] not in placements
    assert meeting.registration_ids[1] not in placements
    response = client.post(
        f"/events/{meeting.event_id}/assignment/{meeting.registration_ids[0]}/move",
        data={"workshop_id": str(meeting.workshop_ids[0])},
        follow_redirects=True,
    )
    assert "nimmt nicht an der Zuteilung teil" in response.get_data(as_text=True)


def test_initiative_pairs_are_acquaintances():
    @dataclass
    class R:
        id: int
        initiative_id: int | None

    pairs = assignment_service.initiative_pairs([R(3, 1), R(1, 1), R(2, None), R(4, 1), R(5, 2)])
    assert pairs == [(1, 3), (1, 4), (3, 4)]
