"""The audit trail: every create, update and delete of an audited record is written,
with who, when and which fields changed from what to what, in the same transaction.

A SQLAlchemy `after_flush` hook inspects the flushed objects' attribute history and
inserts AuditEntry rows on the same connection, so an audit row exists exactly when
the change it describes is committed. The acting user comes from `session.info`,
which the web layer fills per request (models never see Flask).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

from crm.models import Affiliation
from crm.models import AgendaBlock
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Event
from crm.models import Format
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import InvitationCampaign
from crm.models import MatchmakingSettings
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Registration
from crm.models import Relationship
from crm.models import SuggestionFeedback
from crm.models import Theme
from crm.models import User
from crm.models import Workshop
from crm.models.base import utcnow

AUDITED: tuple[type, ...] = (
    Initiative,
    Organisation,
    Person,
    Membership,
    Affiliation,
    InitiativeRole,
    Consent,
    Relationship,
    Interaction,
    Event,
    AgendaBlock,
    Workshop,
    Registration,
    User,
    Theme,
    Format,
    SuggestionFeedback,
    MatchmakingSettings,
    # an event's invitation (filters, texts, when sent and reminded); not its recipients:
    # each of their status changes (queued, sent, registered, … for thousands of persons
    # per campaign) would flood the history, and they are kept on the recipient rows and in
    # the outbox anyway
    InvitationCampaign,
)
# Bookkeeping columns whose changes say nothing to a reader of the history (`plan_report`:
# what the last computation of the meeting plan reported, derived and rewritten each time).
IGNORED = frozenset(
    {
        "version",
        "created_at",
        "updated_at",
        "sort_name",
        "failed_logins",
        "last_login_at",
        "plan_report",
    }
)
REDACTED = frozenset({"password_hash", "session_token", "token_hash"})
ACTOR_KEY = "audit_actor"
# the entries of one transaction (one save) share a batch key: one card in the review feed
BATCH_KEY = "audit_batch"
# many-to-many keys of records about to be deleted, read before the flush removes them
DELETED_COLLECTIONS_KEY = "audit_deleted_collections"


def set_actor(session: Session | scoped_session[Any], user: Any) -> None:
    """Record who acts in this session (None for the command line or anonymous visitors)."""
    if user is not None and getattr(user, "is_authenticated", False):
        session.info[ACTOR_KEY] = (user.id, user.email, str(user.role))
    else:
        session.info.pop(ACTOR_KEY, None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if hasattr(value, "__table__"):  # a related record: store its primary key
        identity = inspect(value).identity
        return identity[0] if identity and len(identity) == 1 else str(identity)
    return value


def _field_changes(obj: Any, *, only_changed: bool) -> dict[str, list[Any]]:
    """{field: [old, new]} for columns and many-to-many collections of `obj`."""
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED:
            continue
        hist = state.attrs[key].history
        if only_changed and not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
        new = hist.added[0] if hist.added else (hist.unchanged[0] if hist.unchanged else None)
        if only_changed and _jsonable(old) == _jsonable(new):
            continue
        if key in REDACTED:
            changes[key] = ["***", "***"]
        else:
            changes[key] = [_jsonable(old), _jsonable(new)]
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if not hist.has_changes():
            continue
        unchanged = list(hist.unchanged or ())
        old_ids = _jsonable(unchanged + list(hist.deleted or ()))
        new_ids = _jsonable(unchanged + list(hist.added or ()))
        if old_ids != new_ids:
            changes[rel.key] = [old_ids, new_ids]
    return changes


def _collection_keys(session: Session, obj: Any) -> dict[str, list[Any]]:
    """The stored keys of every many-to-many collection of `obj`, read from the database
    (a deleted record's collections are usually not loaded, and the flush removes them)."""
    out: dict[str, list[Any]] = {}
    for rel in inspect(obj).mapper.relationships:
        if rel.secondary is None or not rel.synchronize_pairs:
            continue
        local = rel.synchronize_pairs[0][1]
        remote = rel.secondary_synchronize_pairs[0][1]
        keys = session.connection().execute(
            rel.secondary.select().with_only_columns(remote).where(local == obj.id)
        )
        out[rel.key] = sorted(_jsonable(k) for (k,) in keys)
    return out


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending = session.info.setdefault(DELETED_COLLECTIONS_KEY, {})
    for obj in session.deleted:
        if not isinstance(obj, AUDITED):
            continue
        record: Any = obj
        if record.id is not None:
            pending[(record.__tablename__, record.id)] = _collection_keys(session, record)


def _delete_snapshot(session: Session, obj: Any) -> dict[str, list[Any]]:
    """Every value of a deleted record (its collections included): enough to create it
    again with the same id."""
    snapshot = {k: [v[1], None] for k, v in _field_changes(obj, only_changed=False).items()}
    collections = session.info.get(DELETED_COLLECTIONS_KEY, {}).pop((obj.__tablename__, obj.id), {})
    for key, keys in collections.items():
        snapshot.setdefault(key, [keys, None])
    return snapshot


def _end_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: the save is over
        session.info.pop(BATCH_KEY, None)
        session.info.pop(DELETED_COLLECTIONS_KEY, None)


def _after_flush(session: Session, _context: Any) -> None:
    rows: list[dict[str, Any]] = []
    actor = session.info.get(ACTOR_KEY)
    user_id, user_label, user_role = actor if actor else (None, None, None)
    now = utcnow()
    batch = session.info.setdefault(BATCH_KEY, uuid.uuid4().hex)

    def add(obj: Any, action: AuditAction, changes: dict[str, list[Any]]) -> None:
        rows.append(
            {
                "at": now,
                "user_id": user_id,
                "user_label": user_label,
                "user_role": user_role,
                "action": action,
                "record_type": obj.__tablename__,
                "record_id": obj.id,
                "changes": changes,
                "batch": batch,
            }
        )

    for obj in session.new:
        if isinstance(obj, AUDITED):
            add(obj, AuditAction.CREATE, _field_changes(obj, only_changed=False))
    for obj in session.dirty:
        if isinstance(obj, AUDITED) and session.is_modified(obj, include_collections=True):
            changes = _field_changes(obj, only_changed=True)
            if changes:
                add(obj, AuditAction.UPDATE, changes)
    for obj in session.deleted:
        if isinstance(obj, AUDITED):
            add(obj, AuditAction.DELETE, _delete_snapshot(session, obj))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install(session: scoped_session[Any]) -> None:
    """Attach the audit hook to the app's session."""
    if not event.contains(session, "after_flush", _after_flush):
        event.listen(session, "after_flush", _after_flush)
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "after_transaction_end", _end_transaction)
