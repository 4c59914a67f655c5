"""Writes of the duplicate check: declare a pair "kein Duplikat", merge two records, undo
a merge. The caller commits (one commit per request or command).

A merge keeps every link of both records: the removed record's memberships,
affiliations, roles, relationships, interactions, registrations, consents, hosted
initiatives and child organisations move to the kept one; where both have the same link
(members of the same initiative, registered for the same event, …) one row stays, with
the wider period, and the other is deleted. Every step is audited like any other write;
all entries of the merge share one audit batch, recorded in `RecordMerge.batch`. Undo
walks that batch backwards: deleted rows come back with their ids, moved links move back,
the kept record's fields get their earlier values — unless something of it changed
since the merge (then nothing changes and the message says what).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm import permissions
from crm.db.audit import BATCH_KEY
from crm.db.audit import REDACTED
from crm.duplicates.queries import KIND_MODELS
from crm.extensions import db
from crm.history import fields as f
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import DuplicateDismissal
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import RecordMerge
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import SuggestionFeedback
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.base import utcnow
from crm.models.network import normalise_pair
from crm.web.i18n import format_moment
from crm.web.labels import label


class MergeError(Exception):
    """A merge or undo that cannot be done; the message says why (nothing changed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- fields ------------------------------------------------------------------------------

ADDRESS_FIELDS = ("street", "plz", "place", "kreis_ags", "land_ags", "lat", "lon")


@dataclass(frozen=True)
class MergeField:
    """One choice of the merge form: a field (or the address as a whole)."""

    name: str
    label: Any
    columns: tuple[str, ...]
    combinable: bool = False  # "beide" joins both texts (other names, notes)


MERGE_FIELDS: dict[str, tuple[MergeField, ...]] = {
    "organisation": (
        MergeField("name", _l("Name"), ("name",)),
        MergeField("legal_name", _l("Rechtlicher Name"), ("legal_name",)),
        MergeField("other_names", _l("Weitere Namen"), ("other_names",), combinable=True),
        MergeField("type", _l("Typ"), ("type",)),
        MergeField("wz_section", _l("WZ-Abschnitt"), ("wz_section",)),
        MergeField("wz_division", _l("WZ-Abteilung"), ("wz_division",)),
        MergeField("size_class", _l("Größenklasse"), ("size_class",)),
        MergeField("website", _l("Website"), ("website",)),
        MergeField("ags", _l("Amtlicher Gemeindeschlüssel (AGS)"), ("ags",)),
        MergeField("parent_id", _l("Übergeordnete Organisation"), ("parent_id",)),
        MergeField("address", _l("Adresse"), ADDRESS_FIELDS),
    ),
    "person": (
        MergeField("salutation", _l("Anrede"), ("salutation",)),
        MergeField("title", _l("Titel"), ("title",)),
        MergeField("first_name", _l("Vorname"), ("first_name",)),
        MergeField("last_name", _l("Nachname"), ("last_name",)),
        MergeField("email", _l("E-Mail"), ("email",)),
        MergeField("phone", _l("Telefon"), ("phone",)),
        MergeField("preferred_language", _l("Sprache"), ("preferred_language",)),
        MergeField("notes", _l("Notizen"), ("notes",), combinable=True),
        MergeField("lawful_basis", _l("Rechtsgrundlage"), ("lawful_basis",)),
        MergeField("source", _l("Herkunft der Daten"), ("source",)),
        MergeField("collected_at", _l("Erhoben am"), ("collected_at",)),
        MergeField("restricted", _l("Verarbeitung eingeschränkt"), ("restricted",)),
    ),
}
CHOICES = ("keep", "other", "both")


def _value(record: Any, spec: MergeField) -> Any:
    values = tuple(getattr(record, c) for c in spec.columns)
    return values if len(values) > 1 else values[0]


def _blank(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_blank(v) for v in value)
    return value is None or value == "" or value is False


def default_choices(kind: str, keep: Any, other: Any) -> dict[str, str]:
    """Per field: the kept record's value, unless it is empty and the other's is not, or
    the other record is newer (changed later) and holds a value. Texts of both: "beide"."""
    out: dict[str, str] = {}
    other_newer = (other.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)) > (
        keep.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    )
    for spec in MERGE_FIELDS[kind]:
        mine, theirs = _value(keep, spec), _value(other, spec)
        if mine == theirs or _blank(theirs):
            out[spec.name] = "keep"
        elif spec.combinable and not _blank(mine):
            out[spec.name] = "both"
        elif _blank(mine) or other_newer:
            out[spec.name] = "other"
        else:
            out[spec.name] = "keep"
    if kind == "organisation" and out.get("other_names") == "keep" and other.name != keep.name:
        out["other_names"] = "both"  # the removed name stays known for the next check
    return out


def _joined(*texts: str | None) -> str | None:
    lines: list[str] = []
    for text in texts:
        for line in (text or "").splitlines():
            if line.strip() and line.strip() not in lines:
                lines.append(line.strip())
    return "\n".join(lines) or None


def _apply_fields(kind: str, keep: Any, other: Any, choices: dict[str, str]) -> None:
    # the name that is given up stays known as another name (for the next check)
    dropped = None
    if kind == "organisation" and keep.name != other.name:
        dropped = keep.name if choices.get("name") == "other" else other.name
    for spec in MERGE_FIELDS[kind]:
        choice = choices.get(spec.name, "keep")
        if choice == "other":
            for column in spec.columns:
                setattr(keep, column, getattr(other, column))
        elif choice == "both" and spec.combinable:
            column = spec.columns[0]
            extra = dropped if spec.name == "other_names" else None
            setattr(keep, column, _joined(getattr(keep, column), getattr(other, column), extra))
    if kind == "organisation" and keep.parent_id in (keep.id, other.id):
        keep.parent_id = other.parent_id if other.parent_id not in (keep.id, other.id) else None


def show(record: Any, spec: MergeField) -> str:
    """A field's value as the merge page shows it ("" when empty)."""
    if spec.name == "address":
        street, plz, place = record.street, record.plz, record.place
        return ", ".join(p for p in (street, " ".join(x for x in (plz, place) if x)) if p)
    value = getattr(record, spec.columns[0])
    if value is None or value == "":
        return ""
    if isinstance(value, enum.Enum):
        return label(value)
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.datetime):
        return format_moment(value)
    if spec.name == "parent_id":
        parent = db.session.get(Organisation, value)
        return f"{parent.name} (#{value})" if parent is not None else f"#{value}"
    if spec.name == "preferred_language":
        return str(value).upper()
    return str(value)


def link_counts(kind: str, keep_id: int, other_id: int) -> list[tuple[str, int, int]]:
    """Per kind of link: how many the kept and the other record have (for the page)."""
    if kind == "organisation":
        specs: list[tuple[Any, Any, Any]] = [
            (_l("Mitgliedschaften"), Membership, Membership.organisation_id),
            (_l("Zugehörigkeiten von Personen"), Affiliation, Affiliation.organisation_id),
            (_l("Kontakte"), Interaction, Interaction.organisation_id),
            (_l("Anmeldungen"), Registration, Registration.organisation_id),
        ]
    else:
        specs = [
            (_l("Zugehörigkeiten"), Affiliation, Affiliation.person_id),
            (_l("Rollen in Initiativen"), InitiativeRole, InitiativeRole.person_id),
            (_l("Einwilligungen"), Consent, Consent.person_id),
            (_l("Anmeldungen"), Registration, Registration.person_id),
        ]
    out = []
    for text, model, column in specs:
        counts = [
            db.session.scalar(select(func.count(model.id)).where(column == rid)) or 0
            for rid in (keep_id, other_id)
        ]
        out.append((str(text), counts[0], counts[1]))
    return out


# -- links -------------------------------------------------------------------------------


def _wider(kept: Any, gone: Any) -> None:
    """Give `kept` the period covering both (open ends win)."""
    starts = [kept.since, gone.since]
    ends = [kept.until, gone.until]
    since = None if None in starts else min(d for d in starts if d is not None)
    until = None if None in ends else max(d for d in ends if d is not None)
    if kept.since != since:
        kept.since = since
    if kept.until != until:
        kept.until = until


def _merge_rows(rows_keep: list[Any], rows_other: list[Any], key: Any, column: str, keep_id: int):
    """Links of the other record: the same link on the kept one widens it and goes;
    the rest move. Returns the rows to move (the caller flushes the deletions first)."""
    by_key = {key(r): r for r in rows_keep}
    moving = []
    for row in rows_other:
        twin = by_key.get(key(row))
        if twin is None:
            moving.append(row)
            continue
        _wider(twin, row)
        if hasattr(row, "function") and not twin.function and row.function:
            twin.function = row.function
        db.session.delete(row)
    db.session.flush()
    for row in moving:
        setattr(row, column, keep_id)


def _rows(model: Any, **where: int) -> list[Any]:
    query = select(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return list(db.session.scalars(query.order_by(model.id)))


#: Per kind: the links that both records may have to the same thing (model, the column
#: that points at the record, what makes two links the same). One of such twins stays.
_TWIN_LINKS: dict[str, tuple[tuple[Any, str, Callable[[Any], Any]], ...]] = {
    "organisation": (
        (Membership, "organisation_id", lambda r: r.initiative_id),
        (Affiliation, "organisation_id", lambda r: r.person_id),
    ),
    "person": (
        (Affiliation, "person_id", lambda r: r.organisation_id),
        (InitiativeRole, "person_id", lambda r: (r.initiative_id, r.role)),
    ),
}


def _merge_twin_links(kind: str, keep_id: int, other_id: int) -> None:
    for model, column, key in _TWIN_LINKS[kind]:
        _merge_rows(
            _rows(model, **{column: keep_id}),
            _rows(model, **{column: other_id}),
            key,
            column,
            keep_id,
        )
    db.session.flush()


def _repoint(model: Any, column: str, keep_id: int, other_id: int) -> None:
    """Rows of `model` that point at the other record now point at the kept one."""
    for row in _rows(model, **{column: other_id}):
        if not (model is Organisation and row.id == keep_id):  # never its own parent
            setattr(row, column, keep_id)


def _relationships_of(org_id: int) -> list[Relationship]:
    """The relationships with the organisation on either side."""
    return list(
        db.session.scalars(
            select(Relationship).where(
                (Relationship.organisation_a_id == org_id)
                | (Relationship.organisation_b_id == org_id)
            )
        )
    )


def _move_org_links(keep: Organisation, other: Organisation) -> None:
    _merge_twin_links("organisation", keep.id, other.id)
    # relationships: a link between the two goes; the same link to a third is one
    theirs, mine = _relationships_of(other.id), _relationships_of(keep.id)

    def counterpart(rel: Relationship, me: int) -> int | None:
        return rel.organisation_b_id if rel.organisation_a_id == me else rel.organisation_a_id

    by_key = {(r.kind, counterpart(r, keep.id)): r for r in mine}
    moving = []
    for rel in theirs:
        third = counterpart(rel, other.id)
        if third == keep.id:
            db.session.delete(rel)
        elif (rel.kind, third) in by_key:
            _wider(by_key[(rel.kind, third)], rel)
            db.session.delete(rel)
        else:
            moving.append(rel)
    db.session.flush()
    for rel in moving:
        if rel.organisation_a_id == other.id:
            rel.organisation_a_id = keep.id
        else:
            rel.organisation_b_id = keep.id
    _move_feedback(keep.id, other.id)
    _repoint(Interaction, "organisation_id", keep.id, other.id)
    _repoint(Registration, "organisation_id", keep.id, other.id)
    _repoint(Initiative, "host_organisation_id", keep.id, other.id)
    _repoint(Organisation, "parent_id", keep.id, other.id)
    db.session.flush()


def _move_feedback(keep_id: int, other_id: int) -> None:
    """The office's decisions on network suggestions about the other organisation now
    concern the kept one (a decision about the pair itself, or one the kept organisation
    has already, goes)."""
    rows = list(
        db.session.scalars(
            select(SuggestionFeedback).where(
                (
                    (SuggestionFeedback.source_type == "organisation")
                    & (SuggestionFeedback.source_id == other_id)
                )
                | (
                    (SuggestionFeedback.target_type == "organisation")
                    & (SuggestionFeedback.target_id == other_id)
                )
            )
        )
    )
    existing = {
        (r.source_type, r.source_id, r.target_type, r.target_id)
        for r in db.session.scalars(select(SuggestionFeedback))
        if r not in rows
    }
    moving: list[tuple[SuggestionFeedback, tuple[str, int, str, int]]] = []
    for row in rows:

        def swap(kind: str, rid: int) -> int:
            return keep_id if kind == "organisation" and rid == other_id else rid

        pair = normalise_pair(
            row.source_type,
            swap(row.source_type, row.source_id),
            row.target_type,
            swap(row.target_type, row.target_id),
        )
        if (pair[0], pair[1]) == (pair[2], pair[3]) or pair in existing:
            db.session.delete(row)
        else:
            existing.add(pair)
            moving.append((row, pair))
    db.session.flush()
    for row, (source_type, source_id, target_type, target_id) in moving:
        row.source_type, row.source_id = source_type, source_id
        row.target_type, row.target_id = target_type, target_id
    db.session.flush()


# a registration that shows more of the person wins over the other one
_STATUS_RANK = {
    RegistrationStatus.ATTENDED: 5,
    RegistrationStatus.REGISTERED: 4,
    RegistrationStatus.WAITLISTED: 3,
    RegistrationStatus.NO_SHOW: 2,
    RegistrationStatus.CANCELLED: 1,
}


def _saved_registration(registration: Registration) -> dict[str, Any]:
    prefs = db.session.scalars(
        select(WorkshopPreference).where(WorkshopPreference.registration_id == registration.id)
    )
    return {
        "token_hash": registration.token_hash,
        "preferences": [[p.workshop_id, p.rank] for p in prefs],
    }


def _move_registrations(keep: Person, other: Person, saved: dict[str, Any]) -> None:
    mine = {r.event_id: r for r in _rows(Registration, person_id=keep.id)}
    moving: list[Registration] = []
    for theirs in _rows(Registration, person_id=other.id):
        twin = mine.get(theirs.event_id)
        if twin is None:
            moving.append(theirs)
            continue
        if _STATUS_RANK.get(theirs.status, 0) > _STATUS_RANK.get(twin.status, 0):
            loser, winner = twin, theirs
            moving.append(theirs)
        else:
            loser, winner = theirs, twin
        saved.setdefault("registrations", {})[str(loser.id)] = _saved_registration(loser)
        for consent in _rows(Consent, registration_id=loser.id):
            consent.registration_id = winner.id
        db.session.flush()
        db.session.delete(loser)
        db.session.flush()
    for registration in moving:
        registration.person_id = keep.id


def _move_person_links(keep: Person, other: Person, saved: dict[str, Any]) -> None:
    _merge_twin_links("person", keep.id, other.id)
    _move_registrations(keep, other, saved)
    _repoint(Consent, "person_id", keep.id, other.id)
    _repoint(Workshop, "moderator_id", keep.id, other.id)
    interactions = db.session.scalars(
        select(Interaction)
        .where(Interaction.persons.any(Person.id == other.id))
        .options(selectinload(Interaction.persons))
    )
    for interaction in interactions:
        people = [p for p in interaction.persons if p.id != other.id]
        if all(p.id != keep.id for p in people):
            people.append(keep)
        interaction.persons = people
    db.session.flush()


# -- merge -------------------------------------------------------------------------------


@contextmanager
def _savepoint(broken_rule: str) -> Iterator[None]:
    """All writes inside or none; a concurrent change or a broken rule is a MergeError."""
    try:
        with db.session.begin_nested():
            yield
    except StaleDataError as exc:
        raise MergeError(
            _("Ein Datensatz wurde gerade von jemand anderem geändert. Bitte erneut versuchen.")
        ) from exc
    except IntegrityError as exc:
        raise MergeError(broken_rule) from exc


def _load(kind: str, record_id: int) -> Any:
    model = KIND_MODELS[kind]
    return db.session.scalar(
        select(model).where(model.id == record_id).execution_options(populate_existing=True)
    )


def load_pair(kind: str, keep_id: int, other_id: int) -> tuple[Any, Any]:
    """Both records of a merge; MergeError when one is missing or they are the same."""
    if kind not in KIND_MODELS:
        raise MergeError(_("Unbekannte Art von Datensatz."))
    if keep_id == other_id:
        raise MergeError(_("Ein Datensatz kann nicht mit sich selbst zusammengeführt werden."))
    keep, other = _load(kind, keep_id), _load(kind, other_id)
    if keep is None or other is None:
        raise MergeError(_("Einer der beiden Datensätze existiert nicht (mehr)."))
    if kind == "person" and (keep.anonymised_at or other.anonymised_at):
        raise MergeError(_("Anonymisierte Personen werden nicht zusammengeführt."))
    return keep, other


def merge(
    kind: str,
    keep_id: int,
    other_id: int,
    choices: dict[str, str] | None = None,
    *,
    versions: tuple[int, int] | None = None,
    user_id: int | None = None,
) -> RecordMerge:
    """Merge record `other_id` into `keep_id` (see the module docstring).

    `choices`: per field of MERGE_FIELDS "keep", "other" or "both" (missing ones take the
    defaults); `versions`: the versions the confirmation page showed (a newer record
    means someone changed it meanwhile: MergeError, nothing changes).
    """
    keep, other = load_pair(kind, keep_id, other_id)
    if any(map(permissions.person_locked, (keep, other))):  # Art. 18 GDPR
        raise MergeError(str(permissions.PERSON_LOCKED))
    if versions is not None and versions != (keep.version, other.version):
        raise MergeError(
            _("Einer der Datensätze wurde inzwischen geändert. Bitte die Auswahl erneut prüfen.")
        )
    wanted = default_choices(kind, keep, other)
    for name, choice in (choices or {}).items():
        if name not in wanted or choice not in CHOICES:
            raise MergeError(_("Die Auswahl für „%(field)s“ ist ungültig.", field=name))
        wanted[name] = choice
    saved: dict[str, Any] = {}
    removed_name = str(other.full_name if kind == "person" else other.name)[:250]
    broken_rule = _("Die Zusammenführung verletzt eine Regel der Daten; es wurde nichts geändert.")
    with _savepoint(broken_rule):
        db.session.flush()
        if kind == "organisation":
            _move_org_links(keep, other)
        else:
            _move_person_links(keep, other, saved)
        _apply_fields(kind, keep, other, wanted)
        if kind == "person" and keep.email and keep.email == other.email:
            pass  # one address for one person now; the other row goes below
        db.session.flush()
        db.session.delete(other)
        db.session.flush()
        batch = db.session.info.get(BATCH_KEY) or ""
        record = RecordMerge(
            kind=kind,
            kept_id=keep.id,
            removed_id=other_id,
            removed_name=removed_name,
            batch=batch,
            saved=saved,
            merged_by_id=user_id,
        )
        db.session.add(record)
        db.session.flush()
    return record


# -- undo --------------------------------------------------------------------------------


def _batch_entries(merge_row: RecordMerge) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.batch == merge_row.batch)
            .order_by(AuditEntry.id.desc())
        )
    )


def changed_since(merge_row: RecordMerge) -> list[str]:
    """What changed after the merge among the records it touched (labels; empty: none)."""
    entries = _batch_entries(merge_row)
    if not entries:
        return []
    last = entries[0].id
    touched = {(e.record_type, e.record_id) for e in entries}
    labels: list[str] = []
    by_type: dict[str, set[int]] = {}
    for table, record_id in touched:
        by_type.setdefault(table, set()).add(record_id)
    for table, ids in sorted(by_type.items()):
        later = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.id > last,
                AuditEntry.record_type == table,
                AuditEntry.record_id.in_(ids),
            )
        )
        if later:
            labels.append(str(f.table_label(table)))
    return labels


def changed_since_message(later: list[str]) -> str:
    """Why a merge can no longer be undone, naming what changed (from `changed_since`)."""
    return _(
        "Seit der Zusammenführung wurde %(what)s geändert; sie lässt sich nicht mehr "
        "automatisch zurücknehmen. Bitte im Verlauf einzeln wiederherstellen.",
        what=", ".join(later),
    )


def _model(table: str) -> Any:
    model = f.ALL_MODELS.get(table)
    if model is None:
        raise MergeError(_("Die Zusammenführung lässt sich nicht automatisch zurücknehmen."))
    return model


def _to_python(model: Any, key: str, stored: Any) -> Any:
    if isinstance(model.__table__.columns[key].type, JSON):
        return stored  # kept as the JSON it was
    try:
        return f.to_python(model, key, stored)
    except (TypeError, ValueError) as exc:
        raise MergeError(
            _("„%(field)s“: Der alte Wert ist nicht mehr zulässig.", field=f.field_label(key))
        ) from exc


def _undo_update(entry: AuditEntry) -> None:
    model = _model(entry.record_type)
    query = select(model).where(model.id == entry.record_id)
    if model is Interaction:
        query = query.options(selectinload(Interaction.persons))
    record = db.session.scalar(query.execution_options(populate_existing=True))
    if record is None:
        raise MergeError(_("Ein beteiligter Datensatz wurde inzwischen gelöscht."))
    for key, pair in (entry.changes or {}).items():
        if key == "persons" and model is Interaction:
            ids = [int(i) for i in pair[0]]
            record.persons = list(db.session.scalars(select(Person).where(Person.id.in_(ids))))
        elif key in model.__table__.columns and key not in REDACTED:
            setattr(record, key, _to_python(model, key, pair[0]))
    db.session.flush()


def _undo_delete(entry: AuditEntry, saved: dict[str, Any]) -> None:
    model = _model(entry.record_type)
    if db.session.get(model, entry.record_id) is not None:
        raise MergeError(_("Ein entfernter Eintrag existiert bereits wieder."))
    values: dict[str, Any] = {}
    for key, pair in (entry.changes or {}).items():
        if key == "id" or key in REDACTED or key not in model.__table__.columns:
            continue
        values[key] = _to_python(model, key, pair[0])
    extra = (
        saved.get("registrations", {}).get(str(entry.record_id)) if model is Registration else None
    )
    if model is Registration:
        if extra is None:
            raise MergeError(_("Die Anmeldung lässt sich nicht wiederherstellen."))
        values["token_hash"] = extra["token_hash"]
    record = model(id=entry.record_id, **values)
    db.session.add(record)
    db.session.flush()
    if extra:
        for workshop_id, rank in extra.get("preferences", []):
            if db.session.get(Workshop, workshop_id) is not None:
                db.session.add(
                    WorkshopPreference(
                        registration_id=record.id, workshop_id=workshop_id, rank=rank
                    )
                )
        db.session.flush()


def undo(merge_row: RecordMerge, user: Any = None) -> None:
    """Undo a merge (see the module docstring); MergeError when it cannot be."""
    if merge_row.undone_at is not None:
        raise MergeError(_("Diese Zusammenführung wurde bereits rückgängig gemacht."))
    if merge_row.kind == "person" and permissions.person_locked(
        db.session.get(Person, merge_row.kept_id)
    ):  # Art. 18 GDPR
        raise MergeError(str(permissions.PERSON_LOCKED))
    later = changed_since(merge_row)
    if later:
        raise MergeError(changed_since_message(later))
    entries = _batch_entries(merge_row)
    now = utcnow()
    broken_rule = _(
        "Die Rücknahme verletzt inzwischen eine Regel der Daten; nichts wurde geändert."
    )
    with _savepoint(broken_rule):
        for entry in entries:
            if entry.action == AuditAction.DELETE:
                _undo_delete(entry, merge_row.saved or {})
            elif entry.action == AuditAction.UPDATE:
                _undo_update(entry)
        for entry in entries:
            entry.reverted_at = now
            entry.reverted_by_id = getattr(user, "id", None)
            entry.reverted_by_label = getattr(user, "email", None)
        merge_row.undone_at = now
        merge_row.undone_by_id = getattr(user, "id", None)
        db.session.flush()


# -- "kein Duplikat" ---------------------------------------------------------------------


def dismiss(kind: str, a_id: int, b_id: int, user_id: int | None = None) -> bool:
    """Declare a pair "kein Duplikat"; False when it was already (or is no pair)."""
    if kind not in KIND_MODELS or a_id == b_id:
        raise MergeError(_("Dieses Paar gibt es nicht."))
    low, high = sorted((a_id, b_id))
    model = KIND_MODELS[kind]
    if db.session.get(model, low) is None or db.session.get(model, high) is None:
        raise MergeError(_("Einer der beiden Datensätze existiert nicht (mehr)."))
    exists = db.session.scalar(
        select(DuplicateDismissal.id).where(
            DuplicateDismissal.kind == kind,
            DuplicateDismissal.a_id == low,
            DuplicateDismissal.b_id == high,
        )
    )
    if exists is not None:
        return False
    db.session.add(DuplicateDismissal(kind=kind, a_id=low, b_id=high, decided_by_id=user_id))
    db.session.flush()
    return True
