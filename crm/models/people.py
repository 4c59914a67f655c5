"""Persons, their affiliations and initiative roles, and the consents they gave."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
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
from crm.models.base import utcnow
from crm.models.enums import ConsentMethod
from crm.models.enums import ConsentPurpose
from crm.models.enums import ConsentStatus
from crm.models.enums import InitiativeRoleKind
from crm.models.enums import LawfulBasis
from crm.models.text import sort_key

if TYPE_CHECKING:
    from crm.models.directory import Initiative
    from crm.models.directory import Organisation


class Person(VersionedMixin, Base):
    """A contact person, with the data-protection facts that govern what we may do."""

    __tablename__ = "persons"
    __table_args__ = (
        # one index per sort of the list (crm.directory.queries.PERSON_LIST), ending in id
        Index("ix_persons_sort_name_id", "sort_name", "id"),
        Index("ix_persons_email_id", "email", "id"),
        Index("ix_persons_phone_id", "phone", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    salutation: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(40))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    sort_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # stored lower-case
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(2), default="de")
    notes: Mapped[str | None] = mapped_column(Text)
    lawful_basis: Mapped[LawfulBasis | None] = mapped_column(str_enum(LawfulBasis, "lawful_basis"))
    source: Mapped[str | None] = mapped_column(String(200))
    collected_at: Mapped[dt.datetime | None]
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    restriction_reason: Mapped[str | None] = mapped_column(String(500))  # Art. 18: why
    restricted_at: Mapped[dt.datetime | None]  # Art. 18: since when
    anonymised_at: Mapped[dt.datetime | None]

    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="person", lazy="raise", passive_deletes=True
    )
    roles: Mapped[list[InitiativeRole]] = relationship(
        back_populates="person", lazy="raise", passive_deletes=True
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", lazy="raise", passive_deletes=True
    )

    @validates("first_name", "last_name")
    def _set_sort_name(self, key: str, value: str) -> str:
        first = value if key == "first_name" else self.first_name
        last = value if key == "last_name" else self.last_name
        self.sort_name = sort_key(last, first)
        return value

    @validates("email")
    def _normalise_email(self, _key: str, value: str | None) -> str | None:
        return value.strip().lower() or None if value else None

    @property
    def full_name(self) -> str:
        """Title, first and last name as one would write them."""
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.first_name} {self.last_name}>"


class Affiliation(PeriodMixin, TimestampMixin, Base):
    """A person working for an organisation, in a function, for a period."""

    __tablename__ = "affiliations"
    __table_args__ = (PeriodMixin.period_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    function: Mapped[str | None] = mapped_column(String(120))

    person: Mapped[Person] = relationship(back_populates="affiliations", lazy="raise")
    organisation: Mapped[Organisation] = relationship(back_populates="affiliations", lazy="raise")


class InitiativeRole(PeriodMixin, TimestampMixin, Base):
    """A person's role for an initiative (contact, speaker, chair, office, press)."""

    __tablename__ = "initiative_roles"
    __table_args__ = (PeriodMixin.period_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[InitiativeRoleKind] = mapped_column(
        str_enum(InitiativeRoleKind, "initiative_role_kind")
    )

    person: Mapped[Person] = relationship(back_populates="roles", lazy="raise")
    initiative: Mapped[Initiative] = relationship(back_populates="roles", lazy="raise")


class Consent(TimestampMixin, Base):
    """What a person agreed to, how, to which text version, and when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose, "consent_purpose"))
    status: Mapped[ConsentStatus] = mapped_column(str_enum(ConsentStatus, "consent_status"))
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod, "consent_method"))
    text_version: Mapped[str | None] = mapped_column(String(40))
    given_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )

    person: Mapped[Person] = relationship(back_populates="consents", lazy="raise")
