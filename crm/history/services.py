"""Writes of the history: restore one field, revert a whole editor change, mark changes
as seen. The caller commits. The changes themselves are audited by `crm.db.audit` like any
other write (with the acting staff member); a failed attempt changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm import permissions
from crm.db.audit import REDACTED
from crm.directory import details as directory_details
from crm.directory import services as directory_services
from crm.extensions import db
from crm.history import fields as f
from crm.history.queries import load_record
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import AuditEntrySeen
from crm.models import Organisation
from crm.models import Person
from crm.models import User
from crm.models.base import utcnow


class HistoryError(Exception):
    """A restore or revert that cannot be done; the message says why (nothing changed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HistoryError):
    """The request names something that cannot be restored (a 400)."""


class Conflict(HistoryError):
    """The record changed since the page was shown, or meanwhile (a 409)."""


class Gone(HistoryError):
    """The record no longer exists."""


class Refused(HistoryError):
    """The value or the change is no longer possible."""


# -- values ----------------------------------------------------------------------------


def _collection_items(key: str, ids: Any) -> list[Any]:
    """The records of a many-to-many collection from their stored keys (all must exist)."""
    if not isinstance(ids, list):
        raise Refused(_("Der gespeicherte Wert ist unvollständig."))
    model, key_column = f.REFERENCE_MODELS[f.COLLECTIONS[key]]
    wanted = [str(i) for i in ids] if key in ("laender", "kreise") else [int(i) for i in ids]
    found = list(db.session.scalars(select(model).where(key_column.in_(wanted))))
    if len(found) != len(set(wanted)):
        raise Refused(
            _(
                "„%(field)s“: Ein Eintrag des alten Werts gibt es nicht mehr.",
                field=f.field_label(key),
            )
        )
    return found


def _check_reference(record: Any, key: str, value: Any) -> None:
    """References to organisations must still exist (and not make a parent cycle)."""
    if value is None or f.REFERENCES.get(key) != "organisation":
        return
    if db.session.get(Organisation, value) is None:
        raise Refused(
            _(
                "„%(field)s“: Die Organisation des alten Werts gibt es nicht mehr.",
                field=f.field_label(key),
            )
        )
    if key == "parent_id" and directory_services.parent_error(record, value):
        raise Refused(_("Die Organisation kann nicht ihre eigene übergeordnete Organisation sein."))


def _assign(record: Any, key: str, stored: Any) -> None:
    """Set field `key` of `record` to a stored (JSON) value; Refused when it does not fit."""
    if key in f.COLLECTIONS:
        setattr(record, key, _collection_items(key, stored))
        return
    try:
        value = f.to_python(type(record), key, stored)
    except (TypeError, ValueError) as exc:
        raise Refused(
            _("„%(field)s“: Der alte Wert ist nicht mehr zulässig.", field=f.field_label(key))
        ) from exc
    _check_reference(record, key, value)
    setattr(record, key, value)


def _refuse_anonymised(record: Any) -> None:
    """Values from before an anonymisation must never come back."""
    if getattr(record, "anonymised_at", None) is not None:
        raise Refused(
            _("Diese Person wurde anonymisiert; frühere Angaben werden nicht wiederhergestellt.")
        )


def _refuse_locked(record: Any) -> None:
    """Nothing of a locked person (Art. 18 GDPR) changes: neither the person nor a row that
    names it (a record, or the values of a deletion snapshot)."""
    if isinstance(record, dict):
        person_id = record.get("person_id")
        record = db.session.get(Person, person_id) if person_id is not None else None
    if permissions.person_locked(record):
        raise Refused(str(permissions.PERSON_LOCKED))


def _bump(record: Any) -> None:
    """A change of a collection only counts as a new version of the record, too."""
    if hasattr(record, "version") and hasattr(record, "updated_at"):
        record.updated_at = utcnow()


def _write(change: Callable[[], None]) -> None:
    """Apply `change` and flush inside a savepoint: a violated constraint or a concurrent
    change undoes everything of it and becomes a message."""
    try:
        with db.session.begin_nested():
            change()
            db.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            _("Der Datensatz wurde gerade von jemand anderem geändert. Bitte erneut versuchen.")
        ) from exc
    except IntegrityError as exc:
        raise Refused(
            _("Der alte Wert verletzt inzwischen eine Regel der Daten und wurde nicht gesetzt.")
        ) from exc


# -- restore one field -----------------------------------------------------------------


def restorable_entry(entry_id: int) -> AuditEntry | None:
    """An entry of an initiative, organisation or person (others cannot be restored here)."""
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.record_type not in f.KIND_OF_TABLE:
        return None
    return entry


def restore_field(entry: AuditEntry, key: str, version: int | None) -> tuple[Any, bool]:
    """Set `key` of the entry's record back to the entry's old value.

    `version` is the record version the page showed: a newer record means someone else
    changed it meanwhile, and nothing is overwritten (Conflict). Returns the record and
    whether anything changed (False: the field holds that value already).
    """
    if entry.action != AuditAction.UPDATE:
        raise BadRequest(_("Nur Änderungen lassen sich feldweise wiederherstellen."))
    pair = (entry.changes or {}).get(key)
    if not isinstance(pair, list) or len(pair) != 2:
        raise BadRequest(_("Dieses Feld wurde mit diesem Eintrag nicht geändert."))
    if key not in f.RESTORABLE.get(entry.record_type, frozenset()):
        raise BadRequest(_("Dieses Feld lässt sich nicht wiederherstellen."))
    if version is None:
        raise BadRequest(_("Die Version des Datensatzes fehlt."))
    kind = f.KIND_OF_TABLE[entry.record_type]
    record = load_record(kind, entry.record_id, collections=[key])
    if record is None:
        raise Gone(
            _("Dieser Datensatz wurde gelöscht; der Wert kann nicht wiederhergestellt werden.")
        )
    _refuse_anonymised(record)
    _refuse_locked(record)
    if record.version != version:
        raise Conflict(
            _(
                "Der Datensatz wurde inzwischen geändert. Bitte prüfen Sie den aktuellen Verlauf "
                "und stellen Sie den Wert dann erneut wieder her."
            )
        )
    if f.current_value(record, key) == pair[0]:
        return record, False

    def change() -> None:
        _assign(record, key, pair[0])
        _bump(record)

    _write(change)
    return record, True


# -- the review feed -------------------------------------------------------------------


def mark_seen(entries: list[AuditEntry], me: User) -> bool:
    """Mark the entries of one review card as seen by `me` (per account); False when I
    had seen them all already."""
    if not entries:
        return False
    ids = [e.id for e in entries]
    seen = set(
        db.session.scalars(
            select(AuditEntrySeen.entry_id).where(
                AuditEntrySeen.user_id == me.id, AuditEntrySeen.entry_id.in_(ids)
            )
        )
    )
    now = utcnow()
    new = [e for e in entries if e.id not in seen]
    for entry in new:
        db.session.add(AuditEntrySeen(user_id=me.id, entry_id=entry.id, seen_at=now))
        if entry.reviewed_at is None:  # the first look by anyone
            entry.reviewed_at = now
            entry.reviewed_by_id = me.id
    db.session.flush()
    return bool(new)


def _mark_reverted(entry: AuditEntry, me: User) -> None:
    entry.reverted_at = utcnow()
    entry.reverted_by_id = me.id
    entry.reverted_by_label = me.email


def _load_any(table: str, record_id: int, collections: list[str]) -> Any:
    kind = f.KIND_OF_TABLE.get(table)
    if kind is not None:
        return load_record(kind, record_id, collections=collections)
    model = f.MODELS[table]
    return db.session.scalar(
        select(model).where(model.id == record_id).execution_options(populate_existing=True)
    )


def _revert_update(entry: AuditEntry) -> list[str]:
    """Set all fields of an update back; the names of fields that could not be are returned."""
    changes = entry.changes or {}
    revertable = f.REVERTABLE.get(entry.record_type, frozenset())
    keys = [k for k in changes if k in revertable]
    skipped = [f.field_label(k) for k in changes if k not in revertable]
    if not keys:
        raise Refused(_("Diese Änderung lässt sich nicht automatisch rückgängig machen."))
    record = _load_any(entry.record_type, entry.record_id, keys)
    if record is None:
        raise Gone(_("Dieser Datensatz wurde inzwischen gelöscht."))
    _refuse_anonymised(record)
    _refuse_locked(record)
    changed_since = [f.field_label(k) for k in keys if f.current_value(record, k) != changes[k][1]]
    if changed_since:
        raise Conflict(
            _(
                "Seit dieser Änderung wurde %(fields)s erneut geändert. Bitte im Verlauf "
                "feldweise wiederherstellen.",
                fields=", ".join(changed_since),
            )
        )

    def change() -> None:
        for key in keys:
            _assign(record, key, changes[key][0])
        _bump(record)

    _write(change)
    return skipped


def _revert_create(entry: AuditEntry) -> bool:
    """Delete the created record again; False when it is gone already."""
    record = _load_any(entry.record_type, entry.record_id, [])
    if record is None:
        return False
    _refuse_locked(record)
    kind = f.KIND_OF_TABLE.get(entry.record_type)
    if kind is not None:
        impact = directory_details.delete_impact(kind, record.id)
        if impact.blocked or any(n for _key, n in impact.items):
            raise Refused(
                _(
                    "An diesem Datensatz hängen inzwischen weitere Angaben (z. B. "
                    "Mitgliedschaften oder Rollen). Bitte diese zuerst zurücknehmen oder den "
                    "Datensatz auf seiner Seite löschen."
                )
            )
        _write(lambda: directory_services.delete(kind, record))
        return True
    _write(lambda: db.session.delete(record))
    return True


def _snapshot_values(model: type[Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The column values of a deletion snapshot as attributes (Refused when one no longer
    fits); the id, redacted secrets and collections are not among them."""
    values: dict[str, Any] = {}
    for key, pair in changes.items():
        if not isinstance(pair, list) or len(pair) != 2:
            continue
        if key == "id" or key in REDACTED or key not in model.__table__.columns:
            continue
        try:
            values[key] = f.to_python(model, key, pair[0])
        except (TypeError, ValueError) as exc:
            raise Refused(
                _("„%(field)s“: Der alte Wert ist nicht mehr zulässig.", field=f.field_label(key))
            ) from exc
    return values


def _check_referents(values: dict[str, Any]) -> None:
    """Every initiative, organisation and person the row refers to must still exist."""
    for key, value in values.items():
        ref = f.REFERENCES.get(key)
        if value is None or ref not in ("organisation", "initiative", "person"):
            continue
        ref_model, _column = f.REFERENCE_MODELS[ref]
        if db.session.get(ref_model, value) is None:
            raise Refused(
                _(
                    "Der Eintrag kann nicht wiederhergestellt werden: %(what)s (#%(id)s) gibt "
                    "es nicht mehr. Bitte zuerst diesen Datensatz wiederherstellen.",
                    what=f.field_label(key),
                    id=value,
                )
            )


def restore_deleted(entry: AuditEntry) -> Any:
    """Create a deleted row again from its deletion snapshot, with its original id (ids
    are never given out twice, so the id is still its own). Refused when it cannot be:
    a record it refers to is gone too, a value no longer fits, or it exists already."""
    if entry.action != AuditAction.DELETE or entry.record_type not in f.RESTORABLE_DELETES:
        raise Refused(
            _(
                "Das Löschen dieses Eintrags lässt sich nicht automatisch rückgängig machen; "
                "der Verlauf enthält seine letzten Angaben."
            )
        )
    model = f.MODELS[entry.record_type]
    if db.session.get(model, entry.record_id) is not None:
        raise Refused(_("Dieser Eintrag ist bereits wiederhergestellt."))
    changes = entry.changes or {}
    if "personal_data_erased" in changes:  # erased (Art. 17): nothing to restore
        raise Refused(_("Die Personendaten dieses Eintrags wurden gelöscht."))
    values = _snapshot_values(model, changes)
    _check_referents(values)
    _refuse_locked(values)
    if entry.record_type == "organisations" and values.get("parent_id") == entry.record_id:
        values["parent_id"] = None
    record = model(id=entry.record_id, **values)
    for key in f.COLLECTIONS:
        pair = changes.get(key)
        if hasattr(model, key) and isinstance(pair, list) and pair and pair[0]:
            setattr(record, key, _collection_items(key, pair[0]))
    _write(lambda: db.session.add(record))
    return record


def _revert_delete(entry: AuditEntry) -> None:
    """Create a deleted link row again from its snapshot (its records must still exist)."""
    if entry.record_type not in f.RECREATABLE:
        raise Refused(
            _(
                "Das Löschen eines Datensatzes lässt sich nicht automatisch rückgängig machen; "
                "der Verlauf enthält seine letzten Angaben."
            )
        )
    restore_deleted(entry)


def _revert_one(entry: AuditEntry) -> str:
    if entry.record_type not in f.MODELS:
        raise Refused(
            _("Änderungen an dieser Art von Datensatz lassen sich hier nicht zurücknehmen.")
        )
    if entry.action == AuditAction.UPDATE:
        skipped = _revert_update(entry)
        message = _("Die Änderung wurde rückgängig gemacht.")
        if skipped:
            message += " " + _("Nicht zurückgesetzt: %(fields)s.", fields=", ".join(skipped))
        return message
    if entry.action == AuditAction.CREATE:
        if _revert_create(entry):
            return _("Der angelegte Datensatz wurde wieder entfernt.")
        return _("Der angelegte Datensatz war bereits entfernt.")
    _revert_delete(entry)
    return _("Der gelöschte Eintrag wurde wiederhergestellt.")


def revert_entry(entry: AuditEntry, me: User) -> str:
    """Undo an editor's change as a whole and mark it seen; returns the message to show.

    An update gets all its fields back (only if none changed again since), a create is
    deleted again (if nothing hangs on it), a deleted link is created again. Anything else
    raises a HistoryError and nothing changes.
    """
    return revert_card([entry], me)


def revert_card(entries: list[AuditEntry], me: User) -> str:
    """Undo one save of an editor (all entries of its review card, newest first), mark
    them reverted by `me` and seen. All or nothing: the caller rolls back on an error."""
    todo = [e for e in sorted(entries, key=lambda e: e.id, reverse=True) if e.reverted_at is None]
    if not todo:
        raise Refused(_("Diese Änderung wurde bereits rückgängig gemacht."))
    messages: list[str] = []
    for entry in todo:
        message = _revert_one(entry)
        if message not in messages:
            messages.append(message)
        _mark_reverted(entry, me)
    mark_seen(entries, me)
    return " ".join(messages)


# -- undo from the Verlauf -------------------------------------------------------------


def undoable(entry: AuditEntry) -> bool:
    """Can the Verlauf undo this entry: a deleted record or link (created again with its
    id), or a change of a link (ending a membership, …) set back as a whole?"""
    if entry.reverted_at is not None or entry.record_type not in f.MODELS:
        return False
    if "personal_data_erased" in (entry.changes or {}):  # erased (Art. 17): no values left
        return False
    if entry.action == AuditAction.DELETE:
        return entry.record_type in f.RESTORABLE_DELETES
    if entry.action == AuditAction.UPDATE and entry.record_type in f.RECREATABLE:
        revertable = f.REVERTABLE.get(entry.record_type, frozenset())
        return any(k in revertable for k in entry.changes or {})
    return False


def undo_entry(entry: AuditEntry, me: User) -> str:
    """Undo a destructive change from the Verlauf (itself audited); marks the entry as
    reverted by `me`. The caller commits, or rolls back on a HistoryError."""
    if not undoable(entry):
        raise Refused(_("Dieser Eintrag lässt sich nicht rückgängig machen."))
    if entry.action == AuditAction.DELETE:
        restore_deleted(entry)
        message = _("„%(what)s“ wurde wiederhergestellt.", what=f.table_label(entry.record_type))
    else:
        skipped = _revert_update(entry)
        message = _("Die Änderung wurde rückgängig gemacht.")
        if skipped:
            message += " " + _("Nicht zurückgesetzt: %(fields)s.", fields=", ".join(skipped))
    _mark_reverted(entry, me)
    db.session.flush()
    return message
