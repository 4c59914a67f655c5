"""The declarative base, shared column types and mixins for all models."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import CheckConstraint
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import Enum
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import TypeDecorator
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column

# Stable constraint names, so that Alembic migrations are reviewable and portable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime (a callable default, never frozen at import)."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date (a callable so tests and defaults see the real day)."""
    return dt.date.today()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """DateTime stored as naive UTC on every backend, returned as aware UTC.

    Naive datetimes are refused: a time without a zone is a bug waiting to happen.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Convert to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Mark stored values as UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable string enum column with a CHECK constraint (no native PostgreSQL type)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    """Base class of all models; its metadata carries the naming convention.

    Every table is created with SQLite's AUTOINCREMENT, so that the id of a deleted row
    is never given to a new one (PostgreSQL sequences never reuse ids anyway): the
    history, search index and every table that refers to a record by kind and id stay
    with the record they were written for.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        table = cls.__dict__.get("__table__")
        if table is not None:
            table.dialect_kwargs["sqlite_autoincrement"] = True


class TimestampMixin:
    """Creation and last-change times."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class VersionedMixin(TimestampMixin):
    """Optimistic locking: a version counter checked on every UPDATE (no lost updates)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Make SQLAlchemy check and bump `version` on every UPDATE."""
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PeriodMixin:
    """A link that holds from `since` to `until` (both inclusive, both optional).

    Whether it is active is derived from the dates, never stored, so it cannot drift.
    """

    since: Mapped[dt.date | None] = mapped_column(default=None)
    until: Mapped[dt.date | None] = mapped_column(default=None)

    @staticmethod
    def period_check() -> CheckConstraint:
        """The table check of such a link: its period never ends before it begins."""
        return CheckConstraint("until IS NULL OR since IS NULL OR until >= since", name="period")

    @hybrid_property
    def is_active(self) -> bool:
        """True when today lies within [since, until]."""
        day = today()
        return (self.since is None or self.since <= day) and (
            self.until is None or self.until >= day
        )

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return cls.active_on(today())

    @classmethod
    def active_on(cls, day: Any) -> ColumnElement[bool]:
        """SQL: the link holds on `day` (a date, or a bound parameter for a statement that
        is built once and run on any day)."""
        return and_(
            or_(cls.since.is_(None), cls.since <= day),
            or_(cls.until.is_(None), cls.until >= day),
        )
