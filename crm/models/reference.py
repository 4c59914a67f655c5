"""Reference data: Länder, Kreise and the postcode table (shipped with the package)."""

from __future__ import annotations

from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from crm.models.base import Base


class Bundesland(Base):
    """One of the 16 Länder, keyed by its two-digit AGS."""

    __tablename__ = "bundeslaender"

    ags: Mapped[str] = mapped_column(String(2), primary_key=True)
    iso: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    short: Mapped[str] = mapped_column(String(2), unique=True)

    def __repr__(self) -> str:
        return f"<Bundesland {self.ags} {self.name}>"


class Kreis(Base):
    """A Landkreis or kreisfreie Stadt, keyed by its five-digit AGS."""

    __tablename__ = "kreise"

    ags: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    land_ags: Mapped[str] = mapped_column(ForeignKey("bundeslaender.ags"), index=True)

    land: Mapped[Bundesland] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Kreis {self.ags} {self.name}>"


class Postcode(Base):
    """One place of a PLZ; a PLZ that spans several Kreise or Länder has several rows."""

    __tablename__ = "postcodes"
    __table_args__ = (
        UniqueConstraint("plz", "place", "kreis_ags"),
        Index("ix_postcodes_plz", "plz"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plz: Mapped[str] = mapped_column(String(5))
    place: Mapped[str] = mapped_column(String(120))
    kreis_ags: Mapped[str | None] = mapped_column(ForeignKey("kreise.ags"))
    land_ags: Mapped[str | None] = mapped_column(ForeignKey("bundeslaender.ags"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<Postcode {self.plz} {self.place}>"
