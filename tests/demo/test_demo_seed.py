"""The demo data generator: sizes, determinism and the rules the data must follow."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.demo.seed import AS_OF
from crm.demo.seed import PHONE_RANGES
from crm.demo.seed import REAL_INITIATIVES
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Event
from crm.models import EventStatus
from crm.models import Initiative
from crm.models import InitiativeType
from crm.models import Membership
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Postcode
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models import initiative_laender

DRAMA = tuple(area + block for area, block in PHONE_RANGES.values())
LAND_LEVEL = (InitiativeType.LANDESBUENDNIS, InitiativeType.MASTERPLAN_LAND)
CHAMBERS = (OrgType.IHK, OrgType.HWK)


def seed(app: Flask, size: str = "small", number: int = 7) -> dict[str, int]:
    """Seed and commit; returns the counts."""
    with app.app_context(), writing():
        counts = seed_demo(size=size, seed=number)
        db.session.commit()
    return counts


def test_small_counts(app: Flask) -> None:
    counts = seed(app)
    assert counts["Initiativen"] == 12
    assert 80 <= counts["Organisationen"] <= 170
    assert 70 <= counts["Mitgliedschaften"] <= 200
    assert counts["Personen"] == 60
    assert counts["Zugehörigkeiten"] >= 60
    assert 12 <= counts["Rollen"] <= 48
    assert counts["Veranstaltungen"] == 2
    assert counts["Workshops"] == 10
    assert 25 <= counts["Anmeldungen"] <= 40
    with app.app_context():
        assert db.session.scalar(select(func.count(Initiative.id))) == 12
        assert db.session.scalar(select(func.count(Person.id))) == 60
        assert db.session.scalar(select(func.count(Organisation.id))) == counts["Organisationen"]


def test_same_seed_same_data(app: Flask) -> None:
    seed(app, number=42)
    with app.app_context():
        first_org = db.session.scalar(select(func.max(Organisation.id))) or 0
        first_person = db.session.scalar(select(func.max(Person.id))) or 0
    seed(app, number=42)  # again, on top: the same rows once more, with new ids
    with app.app_context():
        orgs = db.session.execute(select(Organisation.id, Organisation.name)).all()
        persons = db.session.execute(select(Person.id, Person.email, Person.phone)).all()
        tokens = list(db.session.scalars(select(Registration.token_hash)))
    assert sorted(n for i, n in orgs if i <= first_org) == sorted(
        n for i, n in orgs if i > first_org
    )
    assert sorted((e, p) for i, e, p in persons if i <= first_person) == sorted(
        (e, p) for i, e, p in persons if i > first_person
    )
    assert len(tokens) == len(set(tokens))


def test_other_seed_other_data(app: Flask) -> None:
    seed(app, number=1)
    with app.app_context():
        first = set(db.session.scalars(select(Person.email)))
        cut = db.session.scalar(select(func.max(Person.id))) or 0
    seed(app, number=2)
    with app.app_context():
        second = set(db.session.scalars(select(Person.email).where(Person.id > cut)))
    assert first != second


def test_persons_are_synthetic(app: Flask) -> None:
    seed(app)
    with app.app_context():
        rows = db.session.execute(select(Person.email, Person.phone, Person.sort_name)).all()
    assert rows
    for email, phone, sort_name in rows:
        assert email is not None
        assert email == email.lower()
        assert re.fullmatch(r"[a-z0-9.\-]+@[a-z0-9\-]+\.example\.org", email), email
        assert sort_name
        if phone:
            digits = re.sub(r"\D", "", phone)
            assert digits.startswith(DRAMA), phone
            assert any(len(digits) == len(d) + 3 for d in DRAMA if digits.startswith(d)), phone
    assert len({e for e, _p, _s in rows}) == len(rows)


def test_initiative_addresses_are_real(app: Flask) -> None:
    seed(app)
    with app.app_context():
        for ini in db.session.scalars(select(Initiative)):
            laender = set(
                db.session.scalars(
                    select(initiative_laender.c.land_ags).where(
                        initiative_laender.c.initiative_id == ini.id
                    )
                )
            )
            assert laender, ini.name
            assert ini.land_ags in laender
            match = db.session.scalars(
                select(Postcode).where(
                    Postcode.plz == ini.plz,
                    Postcode.place == ini.place,
                    Postcode.kreis_ags == ini.kreis_ags,
                )
            ).first()
            assert match is not None, (ini.name, ini.plz)
            assert match.land_ags == ini.land_ags
            assert (match.lat, match.lon) == (ini.lat, ini.lon)
            assert ini.website and ini.website.endswith(".example.org")
            assert ini.sort_name and ini.version == 1


def test_member_mix(app: Flask) -> None:
    seed(app)
    with app.app_context():
        rows = db.session.execute(
            select(Initiative.id, Initiative.type, Organisation.type)
            .join(Membership, Membership.initiative_id == Initiative.id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
        ).all()
        assert (
            db.session.scalar(
                select(func.count()).select_from(
                    select(Membership.initiative_id, Membership.organisation_id)
                    .group_by(Membership.initiative_id, Membership.organisation_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
            == 0
        )
    by_ini: dict[int, list[OrgType]] = {}
    kind: dict[int, InitiativeType] = {}
    for iid, itype, otype in rows:
        by_ini.setdefault(iid, []).append(otype)
        kind[iid] = itype
    assert len(by_ini) == 12
    companies = 0
    total = 0
    for iid, types in by_ini.items():
        mix = Counter(types)
        if kind[iid] in LAND_LEVEL:
            assert 5 <= len(types) <= 10
            assert mix[OrgType.UNTERNEHMEN] == 0
        else:
            assert 1 <= mix[OrgType.IHK] + mix[OrgType.HWK] <= 3
            assert mix[OrgType.GEWERKSCHAFT] <= 3
            assert mix[OrgType.HOCHSCHULE] <= 3
            companies += mix[OrgType.UNTERNEHMEN]
            total += len(types)
    assert 0.5 <= companies / total <= 0.9


def test_events_workshops_and_preferences(app: Flask) -> None:
    seed(app)
    with app.app_context():
        events = list(db.session.scalars(select(Event)))
        assert len(events) == 2
        for event in events:
            assert event.starts_at.tzinfo is not None
            workshops = set(
                db.session.scalars(select(Workshop.id).where(Workshop.event_id == event.id))
            )
            assert len(workshops) == 5
            regs = list(
                db.session.scalars(select(Registration).where(Registration.event_id == event.id))
            )
            assert regs
            for reg in regs:
                assert re.fullmatch(r"[0-9a-f]{64}", reg.token_hash)
                assert reg.organisation_id is not None
                prefs = db.session.execute(
                    select(WorkshopPreference.rank, WorkshopPreference.workshop_id)
                    .where(WorkshopPreference.registration_id == reg.id)
                    .order_by(WorkshopPreference.rank)
                ).all()
                assert 1 <= len(prefs) <= 3
                assert [r for r, _w in prefs] == list(range(1, len(prefs) + 1))
                assert {w for _r, w in prefs} <= workshops
                if reg.assigned_workshop_id is not None:
                    assert reg.assigned_workshop_id in workshops


def test_full_network_facts(app: Flask) -> None:
    counts = seed(app, "full", 2021)
    assert counts["Initiativen"] == 95
    assert 2000 <= counts["Organisationen"] <= 3200
    assert 2500 <= counts["Mitgliedschaften"] <= 4200
    assert counts["Personen"] == 900
    assert counts["Veranstaltungen"] == 4
    assert 25 <= counts["Beziehungen"] <= 30
    assert counts["Kontakte"] == 200
    with app.app_context():
        names = set(db.session.scalars(select(Initiative.name)))
        assert {r.name for r in REAL_INITIATIVES} <= names
        laender = set(db.session.scalars(select(initiative_laender.c.land_ags)))
        assert len(laender) == 16
        nt4 = db.session.scalars(select(Event).where(Event.slug == "4-netzwerktreffen-2023")).one()
        attended = db.session.execute(
            select(Registration.initiative_id).where(
                Registration.event_id == nt4.id,
                Registration.status == RegistrationStatus.ATTENDED,
            )
        ).all()
        assert len(attended) == 46
        from_inis = [i for (i,) in attended if i is not None]
        assert len(from_inis) == 26
        assert len(set(from_inis)) == 21
        nt1 = db.session.scalars(select(Event).where(Event.slug == "1-netzwerktreffen-2021")).one()
        assert (
            db.session.scalar(
                select(func.count(Registration.id)).where(Registration.event_id == nt1.id)
            )
            == 170
        )
        with_ihk = db.session.scalar(
            select(func.count(func.distinct(Membership.initiative_id)))
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Organisation.type == OrgType.IHK)
        )
        assert 55 <= (with_ihk or 0) <= 80  # about two thirds of 95
        shared = db.session.scalar(
            select(func.count()).select_from(
                select(Membership.organisation_id)
                .group_by(Membership.organisation_id)
                .having(func.count(func.distinct(Membership.initiative_id)) > 1)
                .subquery()
            )
        )
        assert (shared or 0) >= 100


# -- the waitlist rules hold in the demo data (see tests/events/test_events_waitlist.py for the app)

SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


def waitlist_violations(app: Flask) -> list[str]:
    """Every event: nobody waits while a seat is free; everyone waiting registered after
    everyone with a seat; no event and no workshop over capacity; workshop seats only for
    people with a seat, and nobody without one while a workshop has room; cancellations
    after the registration and not after the day the data describes."""
    as_of = dt.datetime.combine(AS_OF, dt.time(23, 59), tzinfo=dt.UTC)
    problems: list[str] = []
    with app.app_context():
        for event in db.session.scalars(select(Event).order_by(Event.id)):
            regs = list(
                db.session.scalars(select(Registration).where(Registration.event_id == event.id))
            )
            seated = [r for r in regs if r.status in SEATED]
            waiting = [r for r in regs if r.status is RegistrationStatus.WAITLISTED]
            name = event.slug
            if event.capacity is not None and len(seated) > event.capacity:
                problems.append(f"{name}: {len(seated)} seats taken of {event.capacity}")
            if waiting and (event.capacity is None or len(seated) < event.capacity):
                problems.append(f"{name}: {len(waiting)} waiting while a seat is free")
            if waiting and seated:
                last_seat = max((r.registered_at, r.id) for r in seated)
                first_waiting = min((r.registered_at, r.id) for r in waiting)
                if first_waiting < last_seat:
                    problems.append(f"{name}: someone waits who registered before a seated one")
            for r in regs:
                if r.status is RegistrationStatus.CANCELLED:
                    cancelled = r.cancelled_at
                    if cancelled is None or not r.registered_at <= cancelled:
                        problems.append(f"{name}: registration {r.id} cancelled before it began")
                    elif cancelled.replace(tzinfo=cancelled.tzinfo or dt.UTC) > as_of:
                        problems.append(f"{name}: registration {r.id} cancelled in the future")
                if r.status is RegistrationStatus.WAITLISTED and r.checked_in_at is not None:
                    problems.append(f"{name}: waitlisted registration {r.id} checked in")
                if r.assigned_workshop_id is not None and r.status not in SEATED:
                    problems.append(f"{name}: registration {r.id} has a workshop but no seat")
            workshops = list(
                db.session.scalars(select(Workshop).where(Workshop.event_id == event.id))
            )
            load = Counter(r.assigned_workshop_id for r in seated if r.assigned_workshop_id)
            for w in workshops:
                if load[w.id] > w.capacity:
                    problems.append(f"{name}: workshop {w.title!r} {load[w.id]} of {w.capacity}")
            if load and any(load[w.id] < w.capacity for w in workshops):
                unplaced = [r for r in seated if r.assigned_workshop_id is None]
                if unplaced:
                    problems.append(f"{name}: {len(unplaced)} without a workshop that has room")
    return problems


def test_small_demo_obeys_the_waitlist_rules(app: Flask) -> None:
    for number in (7, 1, 11):
        seed(app, number=number)
    assert waitlist_violations(app) == []
    with app.app_context():  # the upcoming meeting is booked out and has a waitlist
        waiting = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.status == RegistrationStatus.WAITLISTED
            )
        )
        assert waiting


def test_full_demo_of_make_run_obeys_the_waitlist_rules(app: Flask) -> None:
    seed(app, "full", 2021)  # what `make run` seeds (flask seed-demo --size full)
    assert waitlist_violations(app) == []
    with app.app_context():
        upcoming = db.session.scalars(
            select(Event).where(Event.status == EventStatus.VEROEFFENTLICHT)
        ).one()
        statuses = Counter(
            db.session.scalars(
                select(Registration.status).where(Registration.event_id == upcoming.id)
            )
        )
        assert statuses[RegistrationStatus.REGISTERED] == upcoming.capacity
        assert statuses[RegistrationStatus.WAITLISTED] >= 1
