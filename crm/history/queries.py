"""Read queries of the history: a record's Verlauf, the editors' changes for review, and
the names, labels and display values that turn audit entries into readable rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.orm import selectinload

from crm.db import datastamp
from crm.extensions import db
from crm.history import fields as f
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import AuditEntrySeen
from crm.models import Initiative
from crm.models import RecordMerge
from crm.models import Role
from crm.models import User
from crm.models.base import UTCDateTime
from crm.models.duplicates import DUPLICATE_KINDS
from crm.web.i18n import format_day
from crm.web.i18n import format_moment
from crm.web.labels import label
from crm.web.pagination import Page
from crm.web.pagination import paginate

SHOW_FILTERS = ("all", "unseen", "seen")
EDITOR_ROLE = Role.EDITOR.value
MAX_TEXT = 400  # longer texts are shortened in the diff (the full text is in the title)


@dataclass
class FieldChange:
    """One changed field of an entry, ready to show."""

    key: str
    label: str
    old: str
    new: str
    restorable: bool = False


@dataclass
class EntryView:
    """An audit entry as a row of the Verlauf or the review feed."""

    entry: AuditEntry
    table_label: str
    changes: list[FieldChange] = field(default_factory=list)
    record_name: str | None = None
    initiative: tuple[int, str] | None = None  # the editor's initiative (review feed)

    @property
    def who(self) -> str:
        """Who made the change ("System" for the command line and imports)."""
        return self.entry.user_label or _("System")

    @property
    def role_label(self) -> str:
        """The actor's role at the time, as a label ('' when unknown)."""
        try:
            return label(Role(self.entry.user_role)) if self.entry.user_role else ""
        except ValueError:
            return str(self.entry.user_role)

    @property
    def is_main(self) -> bool:
        """Is the entry about an initiative, organisation or person itself (not a link)?"""
        return self.entry.record_type in f.KIND_OF_TABLE


# -- loading records -------------------------------------------------------------------


def load_record(kind: str, record_id: int, *, collections: Iterable[str] = ()) -> Any:
    """The initiative, organisation or person (None when there is none); with the named
    many-to-many collections loaded."""
    model, _table = f.KINDS[kind]
    query = select(model).where(model.id == record_id)
    for key in collections:
        if key in f.COLLECTIONS and hasattr(model, key):
            query = query.options(selectinload(getattr(model, key)))
    return db.session.scalar(query.execution_options(populate_existing=True))


def record_kind(record: Any) -> str | None:
    """'initiative', 'organisation' or 'person' for such a record, else None."""
    for kind, (model, _table) in f.KINDS.items():
        if isinstance(record, model):
            return kind
    return None


def display_name(record: Any) -> str:
    """The name a record is shown under (any record: a Kreis or Land has no `id`, an event
    has a title)."""
    if hasattr(record, "full_name"):
        return str(record.full_name)
    name = getattr(record, "name", None) or getattr(record, "title", None)
    if name:
        return str(name)
    key = getattr(record, "id", None) or getattr(record, "ags", None)
    return f"#{key}"


def has_entries(record_type: str, record_id: int) -> bool:
    """Does the audit trail know this record (e.g. one that has been deleted)?"""
    return (
        db.session.scalar(
            select(AuditEntry.id)
            .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
            .limit(1)
        )
        is not None
    )


# -- the Verlauf of one record ---------------------------------------------------------


def _link_ids(kind: str, record_id: int) -> list[tuple[str, CompoundSelect[Any]]]:
    """Per link table: a query of the link row ids that concern the record — the present
    ones (by their indexed foreign key) and deleted ones (by their deletion snapshot)."""
    out: list[tuple[str, CompoundSelect[Any]]] = []
    for model, column in f.LINKS[kind]:
        table = model.__tablename__
        present = select(model.id).where(getattr(model, column) == record_id)
        deleted = select(AuditEntry.record_id).where(
            AuditEntry.record_type == table,
            AuditEntry.action == AuditAction.DELETE,
            _snapshot_key(column) == _key_literal(record_id),
        )
        out.append((table, union(present, deleted)))
    return out


def _snapshot_key(column: str) -> ColumnElement[Any]:
    """The old value of `column` in an entry's snapshot, compared as text on PostgreSQL
    (a cast to integer fails there on any odd value an entry may hold) and as a number on
    SQLite (whose casts never fail, and whose JSON numbers do not equal text)."""
    value = AuditEntry.changes[(column, 0)]
    if db.session.get_bind().dialect.name == "postgresql":
        return value.as_string()
    return value.as_integer()


def _key_literal(record_id: int) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return str(record_id)
    return record_id


def history_query(kind: str, record_id: int, *, links: bool = True) -> Select[Any]:
    """Audit entries of the record (and of its links), newest first."""
    _model, table = f.KINDS[kind]
    condition = (AuditEntry.record_type == table) & (AuditEntry.record_id == record_id)
    if kind in DUPLICATE_KINDS:  # the history of records merged into this one
        merged = select(RecordMerge.removed_id).where(
            RecordMerge.kind == kind,
            RecordMerge.kept_id == record_id,
            RecordMerge.undone_at.is_(None),
        )
        condition = condition | (
            (AuditEntry.record_type == table) & AuditEntry.record_id.in_(merged)
        )
    if links:
        for link_table, ids in _link_ids(kind, record_id):
            condition = condition | (
                (AuditEntry.record_type == link_table) & AuditEntry.record_id.in_(ids)
            )
    return select(AuditEntry).where(condition).order_by(AuditEntry.id.desc())


def record_history(kind: str, record_id: int, page: int, per_page: int) -> Page[AuditEntry]:
    """One page of the record's Verlauf."""
    query = history_query(kind, record_id)
    return paginate(
        query, page, per_page, reverse=lambda: query.order_by(None).order_by(AuditEntry.id.asc())
    )


def recent_entries(kind: str, record_id: int, limit: int = 3) -> list[AuditEntry]:
    """The last changes of the record itself (one indexed query; for the detail page)."""
    _model, table = f.KINDS[kind]
    return entries_of(table, record_id, limit)


# Built once, with the record and the limit as parameters: a record page spends no time
# composing the statement or its cache key (it costs more than reading the three entries).
_ENTRIES_OF = (
    select(AuditEntry)
    .where(
        AuditEntry.record_type == bindparam("record_type"),
        AuditEntry.record_id == bindparam("record_id"),
    )
    .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    .limit(bindparam("limit"))
)


def entries_of(record_type: str, record_id: int, limit: int) -> list[AuditEntry]:
    """The newest entries of one record of any audited table, newest first (one indexed
    query; for a record shown on its own page, e.g. an invitation)."""
    values = {"record_type": record_type, "record_id": record_id, "limit": limit}
    return list(db.session.scalars(_ENTRIES_OF, values))


# -- the review feed -------------------------------------------------------------------


def parse_show(value: str | None) -> str:
    """The feed filter; anything unknown means "all"."""
    return value if value in SHOW_FILTERS else "all"


def card_key() -> ColumnElement[str]:
    """The review card an entry belongs to: its save (batch), or itself alone for
    entries written before saves were grouped."""
    return func.coalesce(AuditEntry.batch, literal("e").concat(cast(AuditEntry.id, String)))


def review_query(show: str, me_id: int) -> Select[Any]:
    """The review cards (saves by initiative editors) as card keys: those I have not
    seen first (seen state is per staff account), newest first."""
    key = card_key()
    unseen = func.count(AuditEntry.id) - func.count(AuditEntrySeen.id)
    query = (
        select(key)
        .select_from(AuditEntry)
        .outerjoin(
            AuditEntrySeen,
            and_(AuditEntrySeen.entry_id == AuditEntry.id, AuditEntrySeen.user_id == me_id),
        )
        .where(AuditEntry.user_role == EDITOR_ROLE)
        .group_by(key)
    )
    if show == "unseen":
        query = query.having(unseen > 0)
    elif show == "seen":
        query = query.having(unseen == 0)
    return query.order_by(case((unseen > 0, 0), else_=1), func.max(AuditEntry.id).desc())


def current_versions(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], int]:
    """The current version of each initiative, organisation or person the entries are about
    (one query per kind; deleted records are missing)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.record_type in f.KIND_OF_TABLE:
            wanted.setdefault(entry.record_type, set()).add(entry.record_id)
    versions: dict[tuple[str, int], int] = {}
    for table, ids in wanted.items():
        model = f.KINDS[f.KIND_OF_TABLE[table]][0]
        rows = db.session.execute(select(model.id, model.version).where(model.id.in_(ids)))
        versions.update({(table, record_id): version for record_id, version in rows})
    return versions


def review_page(show: str, me_id: int, page: int, per_page: int) -> Page[str]:
    """One page of the review feed: the keys of its cards."""
    return paginate(review_query(show, me_id), page, per_page)


def unseen_count(me_id: int) -> int:
    """How many saves by editors I (this staff account) have not marked as seen yet
    (counted once per data stamp, which includes the newest "seen" mark: the navigation
    shows it on every page)."""

    def count() -> int:
        query = review_query("unseen", me_id).order_by(None)
        return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    return datastamp.cached("unseen_changes", me_id, count)


def editor_entry(entry_id: int) -> AuditEntry | None:
    """An entry of the review feed (a change by an editor), or None."""
    entry = db.session.get(AuditEntry, entry_id)
    return entry if entry is not None and entry.user_role == EDITOR_ROLE else None


def card_entries(entry: AuditEntry) -> list[AuditEntry]:
    """All entries of the save `entry` belongs to (its review card), oldest first."""
    if entry.batch is None:
        return [entry]
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.batch == entry.batch, AuditEntry.user_role == EDITOR_ROLE)
            .order_by(AuditEntry.id)
        )
    )


def card_of(entry: AuditEntry) -> str:
    """The key of the review card of `entry` (see `card_key`)."""
    return entry.batch or f"e{entry.id}"


@dataclass
class Seen:
    """Who saw a review card when."""

    who: str
    at: dt.datetime


@dataclass
class Card:
    """One save by an editor in the review feed: its changes, who saw it, who reverted it."""

    key: str
    rows: list[EntryView]
    seen: list[Seen]
    seen_by_me: bool

    @property
    def first(self) -> EntryView:
        """The card's first entry (who, when, which initiative)."""
        return self.rows[0]

    @property
    def entry_id(self) -> int:
        """The entry that names the card in URLs (its newest)."""
        return self.rows[-1].entry.id

    @property
    def reverted(self) -> tuple[str, dt.datetime] | None:
        """Who reverted the save when (None while any of it stands)."""
        entries = [r.entry for r in self.rows]
        if not entries or any(e.reverted_at is None for e in entries):
            return None
        last = max(entries, key=lambda e: e.reverted_at or e.at)
        return (last.reverted_by_label or _("unbekannt"), last.reverted_at or last.at)


def review_cards(keys: list[str], me_id: int) -> list[Card]:
    """The cards of `keys` (in that order): a bounded number of queries per page."""
    if not keys:
        return []
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(card_key().in_(keys), AuditEntry.user_role == EDITOR_ROLE)
            .order_by(AuditEntry.id)
        )
    )
    views = {v.entry.id: v for v in entry_views(entries, with_initiatives=True)}
    by_key: dict[str, list[EntryView]] = {}
    for entry in entries:
        by_key.setdefault(card_of(entry), []).append(views[entry.id])
    seen_rows = db.session.execute(
        select(AuditEntrySeen.entry_id, AuditEntrySeen.user_id, AuditEntrySeen.seen_at, User.email)
        .join(User, User.id == AuditEntrySeen.user_id)
        .where(AuditEntrySeen.entry_id.in_([e.id for e in entries]))
        .order_by(AuditEntrySeen.seen_at)
    ).all()
    seen_of: dict[int, list[tuple[int, dt.datetime, str]]] = {}
    for entry_id, user_id, seen_at, email in seen_rows:
        seen_of.setdefault(entry_id, []).append((user_id, seen_at, email))
    cards: list[Card] = []
    for key in keys:
        rows = by_key.get(key)
        if not rows:
            continue
        first_look: dict[int, Seen] = {}
        mine = 0
        for row in rows:
            for user_id, seen_at, email in seen_of.get(row.entry.id, []):
                first_look.setdefault(user_id, Seen(who=email, at=seen_at))
                mine += user_id == me_id
        seen = sorted(first_look.values(), key=lambda s: s.at)
        cards.append(Card(key=key, rows=rows, seen=seen, seen_by_me=mine == len(rows)))
    return cards


# -- turning entries into rows ---------------------------------------------------------


def _reference_keys(entries: Iterable[AuditEntry]) -> dict[str, set[Any]]:
    wanted: dict[str, set[Any]] = {}
    for entry in entries:
        for key, pair in (entry.changes or {}).items():
            ref = f.REFERENCES.get(key)
            if ref is None or not isinstance(pair, list):
                continue
            for value in pair:
                items = value if isinstance(value, list) else [value]
                wanted.setdefault(ref, set()).update(v for v in items if _is_key(v))
    return wanted


def _is_key(value: Any) -> bool:
    """Can `value` be the key of a referenced record (an id or an AGS)?"""
    return isinstance(value, int | str) and not isinstance(value, bool)


def _names(wanted: dict[str, set[Any]]) -> dict[tuple[str, Any], str]:
    """Names of referenced records: one query per kind of reference."""
    names: dict[tuple[str, Any], str] = {}
    for ref, keys in wanted.items():
        model, key_column = f.REFERENCE_MODELS[ref]
        if ref in ("kreis", "land"):
            keys = {str(k)[:12] for k in keys}
        else:
            keys = {
                int(k) for k in keys if str(k).isascii() and str(k).isdigit() and len(str(k)) < 19
            }
        if not keys:
            continue
        for record in db.session.scalars(select(model).where(key_column.in_(keys))):
            names[(ref, getattr(record, key_column.key))] = display_name(record)
    return names


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def show_value(
    model: type[Any] | None, key: str, value: Any, names: dict[tuple[str, Any], str]
) -> str:
    """A stored value as a reader sees it: labels for enums, names for references."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    ref = f.REFERENCES.get(key)
    if ref is not None:
        items = value if isinstance(value, list) else [value]
        shown = [_reference_name(ref, v, names) for v in items]
        return _shorten(", ".join(shown))
    if model is not None:
        cls = f.enum_class(model, key)
        if cls is not None:
            try:
                return label(cls(value))
            except ValueError:
                return str(value)
        column = model.__table__.columns.get(key)
        if column is not None and isinstance(value, str):
            try:
                # UTCDateTime (a TypeDecorator) knows no python_type of its own
                if isinstance(column.type, UTCDateTime) or column.type.python_type is dt.datetime:
                    return format_moment(dt.datetime.fromisoformat(value))
                if column.type.python_type is dt.date:
                    return format_day(dt.date.fromisoformat(value))
            except (NotImplementedError, ValueError):
                pass
    if isinstance(value, list):
        return _shorten(", ".join(str(v) for v in value))
    return _shorten(str(value))


def _reference_name(ref: str, value: Any, names: dict[tuple[str, Any], str]) -> str:
    """The name of a referenced record; its key (marked) when it is gone or odd."""
    if not _is_key(value):
        return str(value)
    name = names.get((ref, value))
    if (
        name is None
        and isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and ref not in ("kreis", "land")
    ):
        name = names.get((ref, int(value)))
    if name is None and ref in ("kreis", "land"):
        name = names.get((ref, str(value)))
    if name is not None:
        return name
    return _("#%(key)s (nicht mehr vorhanden)", key=value)


def _record_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], str]:
    """Names of the records the entries are about (present ones; one query per table)."""
    ids: dict[str, set[int]] = {}
    for entry in entries:
        ids.setdefault(entry.record_type, set()).add(entry.record_id)
    names: dict[tuple[str, int], str] = {}
    for table, record_ids in ids.items():
        kind = f.KIND_OF_TABLE.get(table)
        if kind is None:
            continue
        model, _table = f.KINDS[kind]
        for record in db.session.scalars(select(model).where(model.id.in_(record_ids))):
            names[(table, record.id)] = display_name(record)
    return names


def _snapshot_name(entry: AuditEntry) -> str | None:
    """The name a created or deleted record had, from the entry itself."""
    changes = entry.changes or {}

    def pick(key: str) -> str | None:
        pair = changes.get(key)
        if not isinstance(pair, list):
            return None
        value = pair[1] if entry.action == AuditAction.CREATE else pair[0]
        return str(value) if value else None

    if entry.record_type == "persons":
        parts = [pick("first_name"), pick("last_name")]
        joined = " ".join(p for p in parts if p)
        return joined or None
    return pick("name")


def _link_parts(entries: Iterable[AuditEntry]) -> dict[int, list[tuple[str, Any]]]:
    """Per link entry: the (foreign key, id) pairs of what it links — from the entry's own
    snapshot (create, delete) or else from the present row (one query per link table)."""
    parts: dict[int, list[tuple[str, Any]]] = {}
    missing: dict[str, set[int]] = {}
    for entry in entries:
        keys = f.LINK_PARTS.get(entry.record_type)
        if not keys:
            continue
        changes = entry.changes or {}
        pairs = [(k, _pick(changes.get(k), entry.action)) for k in keys]
        if all(k in changes for k in keys) and any(_is_key(v) for _k, v in pairs):
            parts[entry.id] = [(k, v) for k, v in pairs if _is_key(v)]
        else:
            missing.setdefault(entry.record_type, set()).add(entry.record_id)
    present: dict[tuple[str, int], list[tuple[str, Any]]] = {}
    for table, ids in missing.items():
        model = f.MODELS[table]
        columns = [getattr(model, k) for k in f.LINK_PARTS[table]]
        for row in db.session.execute(select(model.id, *columns).where(model.id.in_(ids))):
            linked = zip(f.LINK_PARTS[table], row[1:], strict=True)
            present[(table, row[0])] = [(k, v) for k, v in linked if v is not None]
    for entry in entries:
        if entry.id not in parts and (entry.record_type, entry.record_id) in present:
            parts[entry.id] = present[(entry.record_type, entry.record_id)]
    return parts


def _pick(pair: Any, action: AuditAction) -> Any:
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    return pair[0] if action == AuditAction.DELETE else pair[1]


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _ordered(model: type[Any] | None, entry: AuditEntry) -> list[tuple[str, list[Any]]]:
    """The entry's fields in the order of the form (the model's columns, then collections);
    of a created or deleted record only the fields that held a value."""
    order = {key: n for n, key in enumerate(model.__table__.columns.keys())} if model else {}
    pairs = [
        (key, pair)
        for key, pair in (entry.changes or {}).items()
        if isinstance(pair, list) and len(pair) == 2 and key != "id"
    ]
    if entry.action == AuditAction.CREATE:
        pairs = [(k, p) for k, p in pairs if not _blank(p[1])]
    elif entry.action == AuditAction.DELETE:
        pairs = [(k, p) for k, p in pairs if not _blank(p[0])]
    return sorted(pairs, key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def entry_views(entries: list[AuditEntry], *, with_initiatives: bool = False) -> list[EntryView]:
    """Readable rows for `entries` (a bounded number of queries, whatever their count)."""
    link_parts = _link_parts(entries)
    wanted = _reference_keys(entries)
    for pairs in link_parts.values():
        for key, value in pairs:
            wanted.setdefault(f.REFERENCES[key], set()).add(value)
    names = _names(wanted)
    record_names = _record_names(entries)
    initiatives: dict[int, tuple[int, str]] = {}
    if with_initiatives:
        user_ids = {e.user_id for e in entries if e.user_id is not None}
        if user_ids:
            rows = db.session.execute(
                select(User.id, Initiative.id, Initiative.name)
                .join(Initiative, Initiative.id == User.initiative_id)
                .where(User.id.in_(user_ids))
            )
            initiatives = {uid: (iid, name) for uid, iid, name in rows}
    views: list[EntryView] = []
    for entry in entries:
        model = f.ALL_MODELS.get(entry.record_type)
        restorable = f.RESTORABLE.get(entry.record_type, frozenset())
        changes = [
            FieldChange(
                key=key,
                label=f.field_label(key),
                old=show_value(model, key, pair[0], names),
                new=show_value(model, key, pair[1], names),
                restorable=entry.action == AuditAction.UPDATE and key in restorable,
            )
            for key, pair in _ordered(model, entry)
        ]
        view = EntryView(entry=entry, table_label=f.table_label(entry.record_type), changes=changes)
        view.record_name = record_names.get((entry.record_type, entry.record_id)) or (
            _snapshot_name(entry)
        )
        if entry.id in link_parts:
            view.record_name = " – ".join(
                names.get((f.REFERENCES[k], v), f"#{v}") for k, v in link_parts[entry.id]
            )
        if with_initiatives:
            view.initiative = initiatives.get(entry.user_id or 0)
            if view.initiative is None and entry.record_type == "initiatives":
                name = record_names.get((entry.record_type, entry.record_id))
                if name is not None:
                    view.initiative = (entry.record_id, name)
        views.append(view)
    return views
