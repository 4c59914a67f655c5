"""Reads of the duplicate check: likely duplicate pairs, records close to a new name,
the records of a pair side by side, and the merges of a record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rapidfuzz import process
from sqlalchemy import select

from crm.db.datastamp import data_stamp
from crm.duplicates import matching as m
from crm.extensions import db
from crm.models import Affiliation
from crm.models import DuplicateDismissal
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.models import RecordMerge

KIND_MODELS: dict[str, type[Any]] = {"organisation": Organisation, "person": Person}


def parse_kind(value: str | None) -> str | None:
    """The kind of a URL or command ("organisations" or "organisation") or None."""
    kind = (value or "").strip().lower().removesuffix("s")
    return kind if kind in KIND_MODELS else None


def dismissed_pairs(kind: str) -> set[tuple[int, int]]:
    """Pairs the office declared "kein Duplikat"."""
    rows = db.session.execute(
        select(DuplicateDismissal.a_id, DuplicateDismissal.b_id).where(
            DuplicateDismissal.kind == kind
        )
    )
    return {(a, b) for a, b in rows}


def org_rows() -> list[m.OrgRow]:
    """Every organisation as plain data (one query)."""
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.plz,
            Organisation.place,
            Organisation.website,
            Organisation.other_names,
        )
    )
    return [m.OrgRow(*row) for row in rows]


def person_rows() -> list[m.PersonRow]:
    """Every person (not anonymised) as plain data, with their organisations (two queries)."""
    orgs: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in db.session.execute(
        select(Affiliation.person_id, Affiliation.organisation_id)
    ):
        orgs[person_id].add(org_id)
    rows = db.session.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.email).where(
            Person.anonymised_at.is_(None)
        )
    )
    return [
        m.PersonRow(pid, first, last, email, frozenset(orgs.get(pid, ())))
        for pid, first, last, email in rows
    ]


def _all_pairs(kind: str) -> list[m.Pair]:
    """Every likely pair of `kind`, computed once per data version and process (every
    write leaves an audit entry, so the newest entry's id says whether data changed)."""
    cache: dict[str, tuple[Any, list[m.Pair]]] = current_app.extensions.setdefault(
        "duplicate_pairs", {}
    )
    # the newest entry's id and time: a database restored or emptied (tests) may reach
    # the same id again, never at the same moment (read with the account: no statement)
    version = data_stamp()[:2]
    cached = cache.get(kind)
    if cached is not None and cached[0] == version:
        return cached[1]
    pairs = m.org_pairs(org_rows()) if kind == "organisation" else m.person_pairs(person_rows())
    cache[kind] = (version, pairs)
    return pairs


def find_pairs(kind: str) -> list[m.Pair]:
    """Likely duplicates of `kind`, best first, without pairs declared "kein Duplikat"."""
    pairs = _all_pairs(kind)
    dismissed = dismissed_pairs(kind)
    return [p for p in pairs if (p.a_id, p.b_id) not in dismissed]


def records_by_id(kind: str, ids: set[int]) -> dict[int, Any]:
    """The records of `ids` (for showing a page of pairs)."""
    if not ids:
        return {}
    model = KIND_MODELS[kind]
    return {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(ids)))}


# -- "Meinten Sie …?" --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An existing record close to a name being created."""

    id: int
    label: str
    score: float


def similarity_token(kind: str, values: dict[str, Any]) -> str:
    """What "Meinten Sie …?" was shown for (the folded name): a changed name asks again."""
    if kind == "person":
        return m.person_name(values.get("first_name"), values.get("last_name"))[:200]
    return m.fold_name(values.get("name"))[:200]


def similar_records(kind: str, values: dict[str, Any], limit: int = 5) -> list[Candidate]:
    """Existing records whose name is close to the one about to be created (and, for
    persons, any with the same e-mail address)."""
    found: dict[int, Candidate] = {}
    if kind == "person":
        query_name = m.person_name(values.get("first_name"), values.get("last_name"))
        email = (values.get("email") or "").strip().lower()
        if email:
            for pid, first, last in db.session.execute(
                select(Person.id, Person.first_name, Person.last_name).where(Person.email == email)
            ):
                found[pid] = Candidate(pid, f"{first} {last} ({email})", 100.0)
        rows = db.session.execute(
            select(Person.id, Person.first_name, Person.last_name).where(
                Person.anonymised_at.is_(None)
            )
        )
        labels, choices = {}, {}
        for pid, first, last in rows:
            labels[pid] = f"{first} {last}"
            choices[pid] = m.person_name(first, last)
        cutoff = 88.0
    else:
        model = Organisation if kind == "organisation" else Initiative
        query_name = m.org_core(values.get("name"))
        labels = {rid: name for rid, name in db.session.execute(select(model.id, model.name))}
        choices = {rid: m.org_core(name) for rid, name in labels.items()}
        cutoff = 85.0
    if query_name:
        for _choice, score, rid in process.extract(
            query_name, choices, scorer=m.name_score, score_cutoff=cutoff, limit=limit
        ):
            if rid not in found:
                found[rid] = Candidate(rid, labels[rid], round(score, 1))
    return sorted(found.values(), key=lambda c: (-c.score, c.label))[:limit]


# -- merges ---------------------------------------------------------------------------------


def merges_into(kind: str, record_id: int) -> list[RecordMerge]:
    """The merges that went into a record, newest first (undone ones included)."""
    return list(
        db.session.scalars(
            select(RecordMerge)
            .where(RecordMerge.kind == kind, RecordMerge.kept_id == record_id)
            .order_by(RecordMerge.id.desc())
        )
    )


def recent_merges(kind: str, limit: int = 20) -> list[RecordMerge]:
    """The latest merges of `kind` (for the duplicates page), newest first."""
    return list(
        db.session.scalars(
            select(RecordMerge)
            .where(RecordMerge.kind == kind)
            .order_by(RecordMerge.id.desc())
            .limit(limit)
        )
    )


def merged_ids(kind: str, record_id: int) -> list[int]:
    """Ids of records merged into this one (not undone): their history is part of its
    Verlauf."""
    return list(
        db.session.scalars(
            select(RecordMerge.removed_id).where(
                RecordMerge.kind == kind,
                RecordMerge.kept_id == record_id,
                RecordMerge.undone_at.is_(None),
            )
        )
    )
