"""The record pages' statements are built once, with what varies per request as parameters
(#23): the initiative's members on the day of the request (not the day the statement was
built), for every variant of "alle anzeigen" and page; a record's paged lists the same rows
as composing them per request; and the three pages within their statement budget."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.db.engine import writing
from crm.directory import details
from crm.directory import queries
from crm.directory.loading import RECORD_ID
from crm.directory.loading import RecordList
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import base
from crm.web.pagination import RECORD_LIST_SIZE
from crm.web.pagination import paginate_in_record

DAY = dt.date(2030, 6, 15)
NEXT_DAY = DAY + dt.timedelta(days=1)
BEFORE = dt.date(2020, 1, 1)


def _members_around_the_day(app: Any, make: Any) -> int:
    """An initiative whose members change between DAY and NEXT_DAY: companies ending on
    DAY, starting on NEXT_DAY, running, and former ones, enough for two pages of
    companies and of former members, and a few research institutes."""
    ini = make.initiative(name="Bündnis am Tag")
    plan: list[tuple[str, OrgType, dt.date | None, dt.date | None]] = []
    for k in range(55):
        plan.append((f"Laufend {k:03d}", OrgType.UNTERNEHMEN, None, None))
    for k in range(6):
        plan.append((f"Endet {k:02d}", OrgType.UNTERNEHMEN, BEFORE, DAY))  # last day: DAY
        plan.append((f"Beginnt {k:02d}", OrgType.UNTERNEHMEN, NEXT_DAY, None))
        plan.append((f"Heute {k:02d}", OrgType.UNTERNEHMEN, DAY, None))
    for k in range(53):
        plan.append((f"Früher {k:03d}", OrgType.UNTERNEHMEN, None, BEFORE))
    for k in range(12):
        plan.append((f"Institut {k:02d}", OrgType.FORSCHUNG, None, NEXT_DAY))
    with app.app_context(), writing():
        orgs = [Organisation(name=name, type=kind) for name, kind, _, _ in plan]
        db.session.add_all(orgs)
        db.session.flush()
        db.session.add_all(
            Membership(
                organisation_id=org.id,
                initiative_id=ini.id,
                role=MembershipRole.MITGLIED,
                since=since,
                until=until,
            )
            for org, (_, _, since, until) in zip(orgs, plan, strict=True)
        )
        db.session.commit()
    return int(ini.id)


def _expected(
    members: list[Any], day: dt.date, show_all: OrgType | None, members_page: int, former_page: int
) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """The groups and former members as the page should show them on `day`, worked out
    from all memberships in Python."""

    def active(m: Any) -> bool:
        return (m.since is None or m.since <= day) and (m.until is None or m.until >= day)

    def shown(m: Any) -> tuple[Any, ...]:
        ends = (m.since is None or m.since <= day) and (m.until is None or m.until > day)
        return (m.id, m.organisation.name, ends)

    def page_of(rows: list[Any], page: int) -> tuple[int, list[Any]]:
        page = min(page, max(1, math.ceil(len(rows) / RECORD_LIST_SIZE)))
        return page, rows[(page - 1) * RECORD_LIST_SIZE : page * RECORD_LIST_SIZE]

    def by_name(rows: list[Any]) -> list[Any]:
        return sorted(rows, key=lambda m: (m.organisation.sort_name, m.id))

    groups = []
    for kind in OrgType:
        of_kind = by_name([m for m in members if active(m) and m.organisation.type == kind])
        if not of_kind:
            continue
        page, listed = 1, of_kind[: queries.MEMBERS_PER_TYPE]
        if kind == show_all:
            page, listed = page_of(of_kind, members_page)
        groups.append((kind, len(of_kind), page, [shown(m) for m in listed]))
    former = by_name([m for m in members if not active(m)])
    page, listed = page_of(former, former_page)
    return groups, (len(former), page, [shown(m) for m in listed])


def _found(initiative_id: int, show_all: Any, members_page: int, former_page: int) -> Any:
    groups, former = queries._members_and_former(  # noqa: SLF001 - the statement under test
        initiative_id, show_all, members_page, former_page
    )
    return [
        (
            g.type,
            g.count,
            g.page,
            [(m.id, m.organisation.name, m.can_end) for m in g.members],
        )
        for g in groups
    ], (former.total, former.page, [(m.id, m.organisation.name, m.can_end) for m in former.items])


@pytest.mark.parametrize("show_all", [None, OrgType.UNTERNEHMEN, OrgType.FORSCHUNG])
def test_members_follow_the_day_of_the_request(app, make, monkeypatch, show_all):
    initiative_id = _members_around_the_day(app, make)
    with app.app_context():
        members = list(
            db.session.scalars(
                select(Membership)
                .where(Membership.initiative_id == initiative_id)
                .options(joinedload(Membership.organisation))
            )
        )
        # the statement is run first on DAY, then on the next day, in the same process
        answers: dict[dt.date, Any] = {}
        for day in (DAY, NEXT_DAY, DAY):
            monkeypatch.setattr(base, "today", lambda day=day: day)
            monkeypatch.setattr(queries, "today", lambda day=day: day)
            for members_page in (1, 2, 99):
                for former_page in (1, 2, 99):
                    expected = _expected(members, day, show_all, members_page, former_page)
                    found = _found(initiative_id, show_all, members_page, former_page)
                    assert found == expected, (day, members_page, former_page)
            answers[day] = _found(initiative_id, show_all, 2, 2)
    assert answers[DAY] != answers[NEXT_DAY]  # the day really changes the answer


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements run while the test runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def test_a_record_list_reads_what_paginate_in_record_reads(app, make, statements):
    org = make.organisation(name="Großbetrieb")
    with app.app_context(), writing():
        people = [Person(first_name="Eva", last_name=f"Person {k:03d}") for k in range(57)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(Affiliation(person_id=p.id, organisation_id=org.id) for p in people)
        db.session.commit()
    listed = RecordList(
        select(Affiliation)
        .where(Affiliation.organisation_id == RECORD_ID)
        .order_by(Affiliation.id.desc())
    )
    with app.app_context():
        for page in (1, 2, 3, 99):
            composed = paginate_in_record(
                select(Affiliation)
                .where(Affiliation.organisation_id == org.id)
                .order_by(Affiliation.id.desc()),
                page,
            )
            statements.clear()
            found = listed.page(org.id, page)
            assert len(statements) == (1 if page <= 2 else 3)  # beyond the end: count, last
            assert (found.page, found.total, [a.id for a in found.items]) == (
                composed.page,
                composed.total,
                [a.id for a in composed.items],
            )
        empty = listed.page(org.id + 1000, 3)
        assert (empty.page, empty.total, empty.items) == (1, 0, [])


def test_record_pages_stay_within_their_statements(app, client, login_as, make, statements):
    login_as("staff")
    ini = make.initiative(name="Netzwerk")
    org = make.organisation(name="Mitgliedsbetrieb")
    person = make.person()
    make.membership(org, ini)
    make.affiliation(person, org)
    make.initiative_role(person, ini)
    make.relationship(ini, make.initiative(name="Partner"))
    budget = {
        # every section kept: the initiative alone is read
        f"/initiatives/{ini.id}": 2,
        f"/initiatives/{ini.id}?alle=unternehmen&members_page=2&former_page=3": 2,
        # memberships, people, interactions and history kept: none of them is read
        f"/organisations/{org.id}": 4,
        f"/organisations/{org.id}?memberships_page=1&people_page=1": 4,
        f"/persons/{person.id}": 2,  # every section kept: the person alone is read
    }
    for url, most in budget.items():
        client.get(url)  # vocabularies and the like cached
        statements.clear()
        assert client.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)
    assert details.ORGANISATION_PAGES and details.PERSON_PAGES


def test_a_kept_organisation_section_reads_neither_of_its_lists(
    app, client, login_as, make, statements
):
    login_as("staff")
    org = make.organisation(name="Mitgliedsbetrieb")
    make.membership(org, make.initiative(name="Netzwerk"))
    make.affiliation(make.person(last_name="Beispiel"), org)
    url = f"/organisations/{org.id}?people_page=1"
    first = client.get(url).get_data(as_text=True)
    lists = ("FROM memberships", "FROM affiliations")
    assert [s for s in statements if s.startswith("SELECT") and any(t in s for t in lists)]
    statements.clear()
    again = client.get(url).get_data(as_text=True)
    assert again == first.replace(_csrf(first), _csrf(again))
    assert not [s for s in statements if any(t in s for t in lists)], statements


def _csrf(html: str) -> str:
    """The page's CSRF token (the one part that is filled in per request)."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
