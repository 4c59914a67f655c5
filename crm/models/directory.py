"""The directory: initiatives, organisations, their memberships and explicit relationships."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import validates

from crm.models.base import Base
from crm.models.base import PeriodMixin
from crm.models.base import TimestampMixin
from crm.models.base import VersionedMixin
from crm.models.base import str_enum
from crm.models.enums import InitiativeStatus
from crm.models.enums import InitiativeType
from crm.models.enums import MembershipRole
from crm.models.enums import OrgType
from crm.models.enums import RelationshipKind
from crm.models.enums import SizeClass
from crm.models.enums import SpatialLevel
from crm.models.reference import Bundesland
from crm.models.reference import Kreis
from crm.models.text import sort_key
from crm.models.vocab import Format
from crm.models.vocab import Theme

if TYPE_CHECKING:
    from crm.models.people import Affiliation
    from crm.models.people import InitiativeRole

initiative_themes = Table(
    "initiative_themes",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)
initiative_formats = Table(
    "initiative_formats",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("format_id", ForeignKey("formats.id", ondelete="CASCADE"), primary_key=True, index=True),
)
initiative_laender = Table(
    "initiative_laender",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("land_ags", ForeignKey("bundeslaender.ags"), primary_key=True, index=True),
)
initiative_kreise = Table(
    "initiative_kreise",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("kreis_ags", ForeignKey("kreise.ags"), primary_key=True, index=True),
)


class AddressMixin:
    """A postal address whose PLZ resolves to place, Kreis, Land and a map position."""

    street: Mapped[str | None] = mapped_column(String(200))
    plz: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(120))
    kreis_ags: Mapped[str | None] = mapped_column(ForeignKey("kreise.ags"), index=True)
    land_ags: Mapped[str | None] = mapped_column(ForeignKey("bundeslaender.ags"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class SortedByNameMixin:
    """Keeps `sort_name` (the folded sort key) in step with `name`."""

    if TYPE_CHECKING:
        sort_name: Mapped[str]

    @validates("name")
    def _set_sort_name(self, _key: str, value: str) -> str:
        self.sort_name = sort_key(value)
        return value


class Initiative(VersionedMixin, AddressMixin, SortedByNameMixin, Base):
    """A regional industry initiative: an alliance of organisations."""

    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint("founded_year IS NULL OR founded_year >= 1800", name="founded_year"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count"),
        # one index per sort of the list (crm.directory.queries.INITIATIVE_LIST), ending in id
        Index("ix_initiatives_sort_name_id", "sort_name", "id"),
        Index("ix_initiatives_type_sort", "type", "sort_name", "id"),
        Index("ix_initiatives_status_sort", "status", "sort_name", "id"),
        Index("ix_initiatives_founded_year_id", "founded_year", "id"),
        Index("ix_initiatives_place_id", "place", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_name: Mapped[str] = mapped_column(String(200), default="")
    short_name: Mapped[str | None] = mapped_column(String(60))
    type: Mapped[InitiativeType] = mapped_column(
        str_enum(InitiativeType, "initiative_type"), index=True
    )
    legal_form: Mapped[str | None] = mapped_column(String(60))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[InitiativeStatus] = mapped_column(
        str_enum(InitiativeStatus, "initiative_status"), default=InitiativeStatus.AKTIV, index=True
    )
    spatial_level: Mapped[SpatialLevel | None] = mapped_column(
        str_enum(SpatialLevel, "spatial_level")
    )
    region_label: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    host_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    member_count: Mapped[int | None] = mapped_column(Integer)
    member_count_date: Mapped[dt.date | None]
    public_listing: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    logo_filename: Mapped[str | None] = mapped_column(String(80))

    themes: Mapped[list[Theme]] = relationship(secondary=initiative_themes, lazy="raise")
    formats: Mapped[list[Format]] = relationship(secondary=initiative_formats, lazy="raise")
    laender: Mapped[list[Bundesland]] = relationship(secondary=initiative_laender, lazy="raise")
    kreise: Mapped[list[Kreis]] = relationship(secondary=initiative_kreise, lazy="raise")
    host_organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    seat_land: Mapped[Bundesland | None] = relationship(lazy="raise")
    seat_kreis: Mapped[Kreis | None] = relationship(lazy="raise")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="initiative", lazy="raise", passive_deletes=True
    )
    roles: Mapped[list[InitiativeRole]] = relationship(
        back_populates="initiative", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.name}>"


class Organisation(VersionedMixin, AddressMixin, SortedByNameMixin, Base):
    """A company, Kommune, union, chamber, university or other member of initiatives."""

    __tablename__ = "organisations"
    __table_args__ = (
        # one index per sort of the list (crm.directory.queries.ORGANISATION_LIST), ending in id
        Index("ix_organisations_sort_name_id", "sort_name", "id"),
        Index("ix_organisations_type_sort", "type", "sort_name", "id"),
        Index("ix_organisations_place_id", "place", "id"),
        Index("ix_organisations_land_sort", "land_ags", "sort_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_name: Mapped[str] = mapped_column(String(200), default="")
    legal_name: Mapped[str | None] = mapped_column(String(250))
    other_names: Mapped[str | None] = mapped_column(Text)  # one per line, for duplicate checks
    type: Mapped[OrgType] = mapped_column(str_enum(OrgType, "org_type"), index=True)
    wz_section: Mapped[str | None] = mapped_column(String(1))
    wz_division: Mapped[str | None] = mapped_column(String(2))
    size_class: Mapped[SizeClass | None] = mapped_column(str_enum(SizeClass, "size_class"))
    website: Mapped[str | None] = mapped_column(String(300))
    # Amtlicher Gemeindeschlüssel of a Kommune: 8 digits (Gemeinde) or 5 (Kreis)
    ags: Mapped[str | None] = mapped_column(String(8), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )

    parent: Mapped[Organisation | None] = relationship(remote_side="Organisation.id", lazy="raise")
    land: Mapped[Bundesland | None] = relationship(lazy="raise")
    kreis: Mapped[Kreis | None] = relationship(lazy="raise")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", lazy="raise", passive_deletes=True
    )
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="organisation", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(PeriodMixin, TimestampMixin, Base):
    """An organisation's membership in an initiative, active while today is in its period."""

    __tablename__ = "memberships"
    __table_args__ = (
        PeriodMixin.period_check(),
        Index("ix_memberships_initiative_org", "initiative_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(
        str_enum(MembershipRole, "membership_role"), default=MembershipRole.MITGLIED
    )

    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="raise")
    initiative: Mapped[Initiative] = relationship(back_populates="memberships", lazy="raise")

    def __repr__(self) -> str:
        return f"<Membership org={self.organisation_id} ini={self.initiative_id} {self.role}>"


class Relationship(PeriodMixin, TimestampMixin, Base):
    """An explicit link between two initiatives or between two organisations."""

    __tablename__ = "relationships"
    __table_args__ = (
        CheckConstraint(
            "(initiative_a_id IS NOT NULL AND initiative_b_id IS NOT NULL"
            " AND organisation_a_id IS NULL AND organisation_b_id IS NULL)"
            " OR (organisation_a_id IS NOT NULL AND organisation_b_id IS NOT NULL"
            " AND initiative_a_id IS NULL AND initiative_b_id IS NULL)",
            name="one_pair",
        ),
        CheckConstraint(
            "initiative_a_id IS NULL OR initiative_a_id <> initiative_b_id", name="ini_self"
        ),
        CheckConstraint(
            "organisation_a_id IS NULL OR organisation_a_id <> organisation_b_id", name="org_self"
        ),
        PeriodMixin.period_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RelationshipKind] = mapped_column(str_enum(RelationshipKind, "relationship_kind"))
    initiative_a_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    initiative_b_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    organisation_a_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    organisation_b_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(Text)

    initiative_a: Mapped[Initiative | None] = relationship(
        foreign_keys=[initiative_a_id], lazy="raise"
    )
    initiative_b: Mapped[Initiative | None] = relationship(
        foreign_keys=[initiative_b_id], lazy="raise"
    )
    organisation_a: Mapped[Organisation | None] = relationship(
        foreign_keys=[organisation_a_id], lazy="raise"
    )
    organisation_b: Mapped[Organisation | None] = relationship(
        foreign_keys=[organisation_b_id], lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<Relationship {self.id} {self.kind}>"
