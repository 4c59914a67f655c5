"""What every part of the demo builder shares: the reference data read from the database,
small helpers, and `BuilderBase`, which holds the rows, the ids and the random source.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any
from typing import TypeVar
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select

from crm.demo import names as N
from crm.extensions import db
from crm.models import Bundesland
from crm.models import Format
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import Kreis
from crm.models import OrgType
from crm.models import Postcode
from crm.models import SizeClass
from crm.models import Theme

T = TypeVar("T")
Row = dict[str, Any]

AS_OF = dt.date(2026, 11, 1)  # the data describes the network as of this day
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


@dataclass(frozen=True)
class SizeSpec:
    """How much of everything one size makes."""

    initiatives: int
    real: tuple[str, ...] | None  # names of the real initiatives to include (None: all)
    member_cap: int  # most memberships recorded for one initiative
    member_scale: float  # factor on the recorded share of the reported member count
    persons: int
    relationships: int
    interactions: int
    events: tuple[str, ...]
    registrations: dict[str, int]
    all_institutions: bool  # create every chamber, union body and university up front
    # seats of the upcoming meeting: fewer than its registrations, so that it is booked
    # out and shows a (fair) waitlist
    upcoming_capacity: int = 150


def tbl(model: Any) -> Table:
    """The Core table of a mapped class."""
    return cast(Table, model.__table__)


def berlin(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    """An aware UTC datetime for a wall-clock time in Berlin."""
    return dt.datetime(y, m, d, h, mi, tzinfo=BERLIN).astimezone(UTC)


def slugify(name: str, limit: int = 40) -> str:
    """An ASCII slug for domains and URLs: "Müller-Lüdenscheidt GmbH & Co. KG" → müller-…"""
    s = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i"), ("ł", "l")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"\b(gmbh|co|kg|kgaa|ag|se|ohg|e\.?\s?v|e\.?\s?k)\b\.?", " ", s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > limit:
        s = s[:limit].rsplit("-", 1)[0]
    return s or "org"


def local_part(first: str, last: str) -> str:
    """The e-mail local part firstname.lastname in ASCII."""
    return f"{slugify(first, 30)}.{slugify(last, 30)}"


def sq_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = a[0] - b[0]
    dx = (a[1] - b[1]) * math.cos(math.radians(a[0]))
    return dx * dx + dy * dy


@dataclass(frozen=True)
class Place:
    """One postcode row."""

    plz: str
    place: str
    kreis_ags: str
    land_ags: str
    lat: float
    lon: float


@dataclass
class Ini:
    """Working data of one initiative while members are chosen."""

    id: int
    name: str
    type: InitiativeType
    land: str  # short code
    laender: list[str]
    seat: Place
    status: InitiativeStatus
    founded: int | None
    reported: int | None
    recorded: int
    companies_only: bool = False
    region: str = ""
    host: int | None = None
    members: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)


class Refs:
    """Reference data read from the database."""

    def __init__(self) -> None:
        laender = db.session.execute(select(Bundesland.ags, Bundesland.short)).all()
        by_ags = {ags: short.upper() for ags, short in laender}
        self.ags: dict[str, str] = {s: a for a, s in sorted(by_ags.items())}
        if len(self.ags) != 16:
            raise RuntimeError("reference data missing: run `flask init-db` first")
        self.short: dict[str, str] = {a: s for s, a in self.ags.items()}
        self.by_land: dict[str, list[Place]] = {s: [] for s in self.ags}
        self.by_kreis: dict[str, list[Place]] = {}
        self.by_name: dict[tuple[str, str], list[Place]] = {}
        columns = [getattr(Postcode, f.name) for f in fields(Place)]  # same names
        rows = db.session.execute(
            select(*columns).order_by(Postcode.plz, Postcode.place, Postcode.kreis_ags)
        ).all()
        for row in rows:
            p = Place(*row)
            if not p.kreis_ags or p.land_ags not in self.short:
                continue
            land = self.short[p.land_ags]
            self.by_land[land].append(p)
            self.by_kreis.setdefault(p.kreis_ags, []).append(p)
            self.by_name.setdefault((land, p.place), []).append(p)
        self.places_by_land: dict[str, list[str]] = {s: [] for s in self.ags}
        for land, place in self.by_name:
            self.places_by_land[land].append(place)
        kreise = db.session.execute(
            select(Kreis.ags, Kreis.name, Kreis.land_ags).order_by(Kreis.ags)
        ).all()
        info = kreis_info()
        self.kreise: list[tuple[str, str, str, bool]] = []  # ags, org name, land, is city
        self.centroid: dict[str, tuple[float, float]] = {}
        for ags, name, land_ags in kreise:
            pcs = self.by_kreis.get(ags)
            if not pcs or land_ags not in self.short:
                continue
            self.centroid[ags] = (
                sum(p.lat for p in pcs) / len(pcs),
                sum(p.lon for p in pcs) / len(pcs),
            )
            label, ktype = info.get(ags, (name.split(",")[0], "Landkreis"))
            is_city = ktype in ("Kreisfreie Stadt", "Stadtkreis")
            if is_city:
                org_name = f"Stadt {label}"
            elif re.search(r"(?i)kreis|region", label):
                org_name = label
            else:
                org_name = f"{'Kreis' if ktype == 'Kreis' else 'Landkreis'} {label}"
            self.kreise.append((ags, org_name, self.short[land_ags], is_city))
        self.themes: list[tuple[int, str]] = [
            (i, n) for i, n in db.session.execute(select(Theme.id, Theme.name).order_by(Theme.id))
        ]
        self.formats: list[tuple[int, str]] = [
            (i, n)
            for i, n in db.session.execute(select(Format.id, Format.name).order_by(Format.id))
        ]

    def find(self, land: str, city: str) -> list[Place]:
        """The postcode rows of `city` in `land` (exact name, else a prefix match)."""
        exact = self.by_name.get((land, city))
        if exact:
            return exact
        for place in self.places_by_land[land]:
            if place.startswith(city) and place[len(city) : len(city) + 1] in (" ", "(", "/"):
                return self.by_name[(land, place)]
        return []


def kreis_info() -> dict[str, tuple[str, str]]:
    """Friendly label and Kreistyp per Kreis, from the shipped reference files."""
    try:
        from crm.reference import readers

        return {k.ags: (k.label, k.type) for k in readers.read_kreise()}
    except Exception:  # noqa: BLE001 - the labels are a nicety; fall back to the DB names
        return {}


# ---------------------------------------------------------------- the builder


# ---------------------------------------------------------------- the builder's core


class BuilderBase:
    """The rows collected so far, their ids, the random source and where things are."""

    def __init__(self, rng: random.Random, spec: SizeSpec) -> None:
        self.rng = rng
        self.spec = spec
        self.refs = Refs()
        self.rows: dict[str, list[Row]] = {}
        self.next_id: dict[str, int] = {}
        self.org_names: dict[str, int] = {}
        self.org_land: list[str] = []  # by org index (id - first id)
        self.org_type: list[OrgType] = []
        self.org_place: list[Place] = []
        self.org_slug: list[str] = []
        self.org_size: list[SizeClass | None] = []
        self.first_org_id = 0
        self.companies: dict[str, list[int]] = {s: [] for s in self.refs.ags}
        self.big_companies: list[int] = []
        self.persons_by_org: dict[int, list[int]] = {}
        self.person_email: set[str] = set()
        self.person_info: dict[int, tuple[int, int | None, str]] = {}  # org, initiative, function
        self.union_persons: list[int] = []
        self.inis: list[Ini] = []
        self.ini_names: set[str] = set()
        self.used_regions: set[tuple[str, str]] = set()
        self.membership_keys: set[tuple[int, int]] = set()
        self.preferences: dict[int, list[int]] = {}  # registration id -> ranked workshop ids

    # -- ids and rows

    def new_id(self, table: Table) -> int:
        name = table.name
        if name not in self.next_id:
            current = db.session.scalar(select(func.max(table.c.id)))
            self.next_id[name] = (current or 0) + 1
        value = self.next_id[name]
        self.next_id[name] = value + 1
        return value

    def add(self, table: Table, row: Row) -> Row:
        self.rows.setdefault(table.name, []).append(row)
        return row

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, pairs: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def time_on(self, day: dt.date) -> dt.datetime:
        return berlin(day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.randrange(60))

    def stamp(self, day: dt.date) -> dict[str, dt.datetime]:
        at = berlin(day.year, day.month, day.day, 9)
        return {"created_at": at, "updated_at": at}

    def street(self) -> str:
        return f"{self.pick(N.STREETS)} {self.rng.randint(1, 180)}"

    def place_near(self, land: str, centre: tuple[float, float], spread: int = 5) -> Place:
        """A postcode row in `land`, in one of the Kreise nearest to `centre`."""
        kreise = [k for k in self.refs.kreise if k[2] == land]
        kreise.sort(key=lambda k: sq_distance(self.refs.centroid[k[0]], centre))
        ags = kreise[min(int(self.rng.expovariate(1.0)), min(spread, len(kreise)) - 1)][0]
        return self.pick(self.refs.by_kreis[ags])

    def place_in(self, land: str, city: str) -> Place:
        found = self.refs.find(land, city)
        return self.pick(found) if found else self.pick(self.refs.by_land[land])
