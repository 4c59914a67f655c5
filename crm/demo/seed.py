"""Synthetic, deterministic demo data at three sizes (small, full, scale).

`seed_demo` builds every row as a plain dict first (ids assigned here, starting after
the largest id already in each table), then writes them with Core bulk inserts in
foreign-key order. One `random.Random(seed)` drives every choice and no wall clock
enters the data, so the same seed gives the same data. Real initiatives carry only
their public organisation-level facts; all persons are invented, their e-mail
addresses end in ``example.org`` and their phone numbers lie in the never-assigned
"drama" ranges of the Bundesnetzagentur. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, text

from crm.demo import names as N
from crm.extensions import db
from crm.models import (
    Affiliation,
    AgendaBlock,
    AgendaKind,
    Bundesland,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Event,
    EventMode,
    EventStatus,
    EventType,
    Format,
    Initiative,
    InitiativeRole,
    InitiativeRoleKind,
    InitiativeStatus,
    InitiativeType,
    Interaction,
    InteractionKind,
    Kreis,
    LawfulBasis,
    Membership,
    MembershipRole,
    Organisation,
    OrgType,
    Person,
    Postcode,
    Registration,
    RegistrationStatus,
    Relationship,
    RelationshipKind,
    SizeClass,
    SpatialLevel,
    Theme,
    Workshop,
    WorkshopPreference,
    initiative_formats,
    initiative_kreise,
    initiative_laender,
    initiative_themes,
    interaction_persons,
)
from crm.models.events import workshop_themes
from crm.models.text import sort_key

T = TypeVar("T")
Row = dict[str, Any]

AS_OF = dt.date(2026, 11, 1)  # the data describes the network as of this day
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
CHUNK = 5000

# Drama ranges (030 23125 000–999 etc.) and which Länder dial which one.
PHONE_RANGES: dict[str, tuple[str, str]] = {
    "030": ("030", "23125"),
    "069": ("069", "90009"),
    "040": ("040", "66969"),
    "0221": ("0221", "4710"),
    "089": ("089", "99998"),
}
PHONE_AREA_BY_LAND: dict[str, str] = {
    "NW": "0221",
    "HE": "069",
    "RP": "069",
    "SL": "069",
    "HH": "040",
    "SH": "040",
    "NI": "040",
    "HB": "040",
    "MV": "040",
    "BY": "089",
    "BW": "089",
    "BE": "030",
    "BB": "030",
    "SN": "030",
    "ST": "030",
    "TH": "030",
}


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


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(
        initiatives=12,
        real=(
            "Zukunft durch Industrie e.V.",
            "Wachstumsregion Ems-Achse e.V.",
            "Masterplan Industrie Frankfurt am Main",
            "Thüringer Bündnis für Industrie",
        ),
        member_cap=14,
        member_scale=0.45,
        persons=60,
        relationships=3,
        interactions=15,
        events=("nt1", "nt2027"),
        registrations={"nt1": 20, "nt2027": 12},
        all_institutions=False,
        upcoming_capacity=10,
    ),
    "full": SizeSpec(
        initiatives=95,
        real=None,
        member_cap=130,
        member_scale=1.0,
        persons=900,
        relationships=30,
        interactions=200,
        events=("nt1", "nt2", "nt4", "nt2027"),
        registrations={"nt1": 170, "nt2": 120, "nt4": 52, "nt2027": 60},
        all_institutions=True,
        upcoming_capacity=55,
    ),
}


@dataclass(frozen=True)
class RealInitiative:
    """Public organisation-level facts of a real initiative (SOURCES.md)."""

    name: str
    short: str | None
    region: str
    land: str
    type: InitiativeType
    level: SpatialLevel
    city: str
    legal_form: str | None = None
    founded: int | None = None
    members: int | None = None
    companies_only: bool = False


REAL_INITIATIVES: tuple[RealInitiative, ...] = (
    RealInitiative(
        "Zukunft durch Industrie e.V.", "ZdI", "Rhein-Ruhr", "NW", InitiativeType.VEREIN,
        SpatialLevel.REGION, "Düsseldorf", "e.V.", 2010, 160,
    ),
    RealInitiative(
        "Wachstumsregion Ems-Achse e.V.", "Ems-Achse", "Ems-Achse", "NI", InitiativeType.VEREIN,
        SpatialLevel.REGION, "Papenburg", "e.V.", 2006, 690,
    ),
    RealInitiative(
        "Chemie und Pharma am Hochrhein e.V.", None, "Hochrhein", "BW",
        InitiativeType.THEMENNETZWERK, SpatialLevel.REGION, "Rheinfelden", "e.V.", 2019,
    ),
    RealInitiative(
        "Kunststoff-Initiative Bonn/Rhein-Sieg", None, "Bonn/Rhein-Sieg", "NW",
        InitiativeType.THEMENNETZWERK, SpatialLevel.IHK_BEZIRK, "Bonn", None, 2021, 7,
        companies_only=True,
    ),
    RealInitiative(
        "Bündnis für Transformation Region Heilbronn-Franken", None, "Heilbronn-Franken", "BW",
        InitiativeType.TRANSFORMATIONSNETZWERK, SpatialLevel.REGION, "Heilbronn",
    ),
    RealInitiative(
        "Wasserstoffnetzwerk Nordostniedersachsen H2.N.O.N", "H2.N.O.N", "Nordostniedersachsen",
        "NI", InitiativeType.THEMENNETZWERK, SpatialLevel.REGION, "Lüneburg", None, None, 120,
    ),
    RealInitiative(
        "Transformationswerkstatt Saar", None, "Saarland", "SL",
        InitiativeType.GEWERKSCHAFTSPLATTFORM, SpatialLevel.REGION, "Saarbrücken", None, 2020,
    ),
    RealInitiative(
        "Masterplan Industrie Frankfurt am Main", None, "Frankfurt am Main", "HE",
        InitiativeType.MASTERPLAN_KOMMUNE, SpatialLevel.KOMMUNE, "Frankfurt am Main", None, 2016,
    ),
    RealInitiative(
        "Hamburger Masterplan Industrie", None, "Hamburg", "HH", InitiativeType.MASTERPLAN_LAND,
        SpatialLevel.LAND, "Hamburg", None, 2007,
    ),
    RealInitiative(
        "Masterplan Industriestadt Berlin", None, "Berlin", "BE", InitiativeType.MASTERPLAN_LAND,
        SpatialLevel.LAND, "Berlin", None, 2010,
    ),
    RealInitiative(
        "Thüringer Bündnis für Industrie", None, "Thüringen", "TH", InitiativeType.LANDESBUENDNIS,
        SpatialLevel.LAND, "Erfurt", None, 2016,
    ),
    RealInitiative(
        "Industriedialog Rhein-Mosel", None, "Rhein-Mosel", "RP", InitiativeType.INDUSTRIEDIALOG,
        SpatialLevel.REGION, "Koblenz",
    ),
    RealInitiative(
        "Industrieperspektive Baden-Württemberg", None, "Baden-Württemberg", "BW",
        InitiativeType.LANDESBUENDNIS, SpatialLevel.LAND, "Stuttgart", None, 2014,
    ),
)  # fmt: skip

LAND_LEVEL_TYPES = (InitiativeType.LANDESBUENDNIS, InitiativeType.MASTERPLAN_LAND)
TYPE_WEIGHTS: tuple[tuple[InitiativeType, int], ...] = (
    (InitiativeType.VEREIN, 18),
    (InitiativeType.IHK_PROJEKT, 18),
    (InitiativeType.MASTERPLAN_KOMMUNE, 8),
    (InitiativeType.MASTERPLAN_LAND, 3),
    (InitiativeType.LANDESBUENDNIS, 6),
    (InitiativeType.GEWERKSCHAFTSPLATTFORM, 5),
    (InitiativeType.INDUSTRIEDIALOG, 10),
    (InitiativeType.THEMENNETZWERK, 10),
    (InitiativeType.TRANSFORMATIONSNETZWERK, 12),
    (InitiativeType.REGIONALAGENTUR, 5),
    (InitiativeType.SONSTIGE, 5),
)
NAME_TEMPLATES: dict[InitiativeType, tuple[str, ...]] = {
    InitiativeType.VEREIN: (
        "Industrieallianz {R}",
        "Zukunft Industrie {R}",
        "Industrie-Initiative {R}",
        "Netzwerk Industrie {R}",
        "Industrieregion {R}",
    ),
    InitiativeType.IHK_PROJEKT: (
        "Industrie. Zukunft. {R}",
        "IHK-Industrieinitiative {R}",
        "Industrieland {R}",
        "Industrie macht {R} stark",
    ),
    InitiativeType.MASTERPLAN_KOMMUNE: ("Masterplan Industrie {C}", "Industriestrategie {C}"),
    InitiativeType.MASTERPLAN_LAND: ("Masterplan Industrie {L}",),
    InitiativeType.LANDESBUENDNIS: (
        "Bündnis für Industrie {L}",
        "Allianz für Industrie {L}",
        "Industriepolitisches Bündnis {L}",
    ),
    InitiativeType.GEWERKSCHAFTSPLATTFORM: (
        "Transformationsdialog {R}",
        "Zukunftsforum Arbeit und Industrie {R}",
        "Betriebsrätenetzwerk Industrie {R}",
    ),
    InitiativeType.INDUSTRIEDIALOG: ("Industriedialog {R}", "Dialogforum Industrie {R}"),
    InitiativeType.THEMENNETZWERK: (
        "Wasserstoffnetzwerk {R}",
        "Kunststoffnetzwerk {R}",
        "Netzwerk Kreislaufwirtschaft {R}",
        "Chemie-Netzwerk {R}",
        "Automotive-Netzwerk {R}",
    ),
    InitiativeType.TRANSFORMATIONSNETZWERK: (
        "Bündnis Zukunft Industrie {R}",
        "Transformationsnetzwerk {R}",
        "Transformationsbündnis {R}",
    ),
    InitiativeType.REGIONALAGENTUR: ("Regionalagentur {R}", "Standortagentur {R}"),
    InitiativeType.SONSTIGE: ("Forum Industrie {R}", "Industriekultur {R}", "Industriepakt {R}"),
}
THEME_HINTS: dict[str, tuple[str, ...]] = {
    "Wasserstoff": ("Wasserstoff", "Energiewende/Klimaschutz"),
    "Kunststoff": ("Kreislaufwirtschaft", "Innovation/Transfer"),
    "Kreislauf": ("Kreislaufwirtschaft", "Energiewende/Klimaschutz"),
    "Chemie": ("Energiewende/Klimaschutz", "Innovation/Transfer"),
    "Automotive": ("Transformation Fahrzeugindustrie", "Digitalisierung/Industrie 4.0"),
    "Transformation": ("Transformation Fahrzeugindustrie", "Fachkräfte/Ausbildung/MINT"),
    "Masterplan": ("Flächen/Genehmigungen", "Infrastruktur"),
    "Industriestrategie": ("Flächen/Genehmigungen", "Standortmarketing"),
    "Agentur": ("Standortmarketing", "Innovation/Transfer"),
}
WORKSHOPS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "nt1": (
        ("Akzeptanz der Industrie vor Ort", "Was wirkt in der Öffentlichkeitsarbeit?",
         ("Akzeptanz der Industrie",)),
        ("Fachkräfte sichern", "Schulprogramme, Ausbildung und MINT-Angebote im Vergleich.",
         ("Fachkräfte/Ausbildung/MINT",)),
        ("Transformation gestalten", "Strukturwandel und Beschäftigung in den Regionen.",
         ("Strukturwandel (Kohleregionen)", "Transformation Fahrzeugindustrie")),
        ("Formate, die Menschen erreichen", "Lange Nacht, Woche der Industrie, Betriebsbesuche.",
         ("Akzeptanz der Industrie", "Standortmarketing")),
        ("Mitglieder gewinnen, Netzwerke tragen", "Finanzierung, Organisation, Geschäftsstelle.",
         ("Innovation/Transfer",)),
    ),
    "nt2": (
        ("Energiewende in der Industrie", "Strompreise, Netze, erneuerbare Energie am Standort.",
         ("Energiewende/Klimaschutz",)),
        ("Wasserstoff in der Region", "Von der Machbarkeitsstudie zum ersten Elektrolyseur.",
         ("Wasserstoff",)),
        ("Digitalisierung und Industrie 4.0", "Erfahrungen kleiner und mittlerer Unternehmen.",
         ("Digitalisierung/Industrie 4.0",)),
        ("Flächen und Genehmigungen", "Industrieflächen sichern, Verfahren beschleunigen.",
         ("Flächen/Genehmigungen",)),
        ("Junge Menschen für Industrie begeistern", "Schulkooperationen und Social Media.",
         ("Fachkräfte/Ausbildung/MINT", "Akzeptanz der Industrie")),
    ),
    "nt4": (
        ("Transformation der Fahrzeugindustrie", "Zulieferer im Wandel.",
         ("Transformation Fahrzeugindustrie",)),
        ("Kreislaufwirtschaft", "Stoffkreisläufe regional schließen.", ("Kreislaufwirtschaft",)),
        ("Resilienz von Lieferketten", "Was Regionen aus den Krisen gelernt haben.",
         ("Resilienz",)),
        ("Fachkräfte und Zuwanderung", "Willkommenskultur in Industriebetrieben.",
         ("Fachkräfte/Ausbildung/MINT",)),
        ("Akzeptanz großer Projekte", "Dialog bei Trassen, Werken und Windparks.",
         ("Akzeptanz der Industrie", "Infrastruktur")),
    ),
    "nt2027": (
        ("Industrie und Klimaneutralität", "Wege zur klimaneutralen Produktion in der Region.",
         ("Energiewende/Klimaschutz", "Wasserstoff")),
        ("Fachkräfte von morgen", "Ausbildung, Weiterbildung, Quereinstieg.",
         ("Fachkräfte/Ausbildung/MINT",)),
        ("Künstliche Intelligenz in der Produktion", "Chancen für den Mittelstand.",
         ("Digitalisierung/Industrie 4.0", "Innovation/Transfer")),
        ("Standortmarketing mit Wirkung", "Kampagnen und Formate, die Aufmerksamkeit erzeugen.",
         ("Standortmarketing", "Akzeptanz der Industrie")),
        ("Netzwerke verbinden", "Kooperationen zwischen Initiativen anbahnen.",
         ("Innovation/Transfer",)),
    ),
}  # fmt: skip
INTERACTION_WEIGHTS: tuple[tuple[InteractionKind, int], ...] = (
    (InteractionKind.CALL, 35),
    (InteractionKind.MEETING, 25),
    (InteractionKind.NOTE, 25),
    (InteractionKind.EMAIL, 10),
    (InteractionKind.VISIT, 5),
)
INTERACTION_SUBJECTS: dict[InteractionKind, tuple[str, ...]] = {
    InteractionKind.CALL: (
        "Telefonat zur Mitgliederentwicklung",
        "Rückfrage zum Netzwerktreffen",
        "Telefonat: Interesse an Austausch zu Wasserstoff",
        "Abstimmung Beitrag für den Newsletter",
        "Telefonat zur neuen Geschäftsstelle",
    ),
    InteractionKind.MEETING: (
        "Jahresgespräch mit der Geschäftsstelle",
        "Abstimmung Lange Nacht der Industrie",
        "Strategiegespräch Transformation",
        "Treffen zur Gründung einer Arbeitsgruppe",
    ),
    InteractionKind.EMAIL: ("Anfrage Referent:in für Veranstaltung", "Unterlagen zum Förderaufruf"),
    InteractionKind.VISIT: (
        "Besuch bei einem Mitgliedsunternehmen",
        "Besuch der Jahresversammlung",
    ),
    InteractionKind.NOTE: (
        "Notiz: Kontaktwechsel in der Geschäftsstelle",
        "Notiz: Initiative plant Woche der Industrie",
        "Notiz: Mitgliederzahl aktualisiert",
        "Notiz: Interesse an Vernetzung mit Nachbarregion",
    ),
}
SOURCES = (
    "Website der Initiative",
    "Visitenkarte",
    "Netzwerktreffen",
    "Telefonat",
    "Übernahme aus Altdaten 2021",
    "Empfehlung durch Initiative",
    "E-Mail-Anfrage",
)


# ---------------------------------------------------------------- small helpers


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


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
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


class _Refs:
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
        rows = db.session.execute(
            select(
                Postcode.plz,
                Postcode.place,
                Postcode.kreis_ags,
                Postcode.land_ags,
                Postcode.lat,
                Postcode.lon,
            ).order_by(Postcode.plz, Postcode.place, Postcode.kreis_ags)
        ).all()
        for plz, place, kreis, land_ags, lat, lon in rows:
            if not kreis or land_ags not in self.short:
                continue
            p = Place(plz, place, kreis, land_ags, lat, lon)
            land = self.short[land_ags]
            self.by_land[land].append(p)
            self.by_kreis.setdefault(kreis, []).append(p)
            self.by_name.setdefault((land, place), []).append(p)
        self.places_by_land: dict[str, list[str]] = {s: [] for s in self.ags}
        for land, place in self.by_name:
            self.places_by_land[land].append(place)
        kreise = db.session.execute(
            select(Kreis.ags, Kreis.name, Kreis.land_ags).order_by(Kreis.ags)
        ).all()
        info = _kreis_info()
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


def _kreis_info() -> dict[str, tuple[str, str]]:
    """Friendly label and Kreistyp per Kreis, from the shipped reference files."""
    try:
        from crm.reference import readers

        return {k.ags: (k.label, k.type) for k in readers.read_kreise()}
    except Exception:  # noqa: BLE001 - the labels are a nicety; fall back to the DB names
        return {}


# ---------------------------------------------------------------- the builder


class _Builder:
    """Collects rows for every table, then writes them."""

    def __init__(self, rng: random.Random, spec: SizeSpec) -> None:
        self.rng = rng
        self.spec = spec
        self.refs = _Refs()
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
        kreise.sort(key=lambda k: _dist(self.refs.centroid[k[0]], centre))
        ags = kreise[min(int(self.rng.expovariate(1.0)), min(spread, len(kreise)) - 1)][0]
        return self.pick(self.refs.by_kreis[ags])

    def place_in(self, land: str, city: str) -> Place:
        found = self.refs.find(land, city)
        return self.pick(found) if found else self.pick(self.refs.by_land[land])

    # -- organisations

    def org(
        self,
        otype: OrgType,
        name: str,
        place: Place,
        *,
        legal_name: str | None = None,
        other_names: str | None = None,
        wz: tuple[str, str] | None = None,
        size: SizeClass | None = None,
        parent_id: int | None = None,
    ) -> int:
        existing = self.org_names.get(name)
        if existing is not None:
            return existing
        table = tbl(Organisation)
        oid = self.new_id(table)
        if not self.org_type:
            self.first_org_id = oid
        slug = slugify(name)
        self.add(
            table,
            {
                "id": oid,
                "name": name,
                "sort_name": sort_key(name),
                "legal_name": legal_name,
                "other_names": other_names,
                "type": otype,
                "wz_section": wz[0] if wz else None,
                "wz_division": wz[1] if wz else None,
                "size_class": size,
                "website": f"https://www.{slug}.example.org" if self.chance(0.85) else None,
                "parent_id": parent_id,
                "street": self.street(),
                "plz": place.plz,
                "place": place.place,
                "kreis_ags": place.kreis_ags,
                "land_ags": place.land_ags,
                "lat": place.lat,
                "lon": place.lon,
                "version": 1,
                **self.stamp(self.date_between(dt.date(2021, 1, 4), AS_OF)),
            },
        )
        self.org_names[name] = oid
        self.org_land.append(self.refs.short[place.land_ags])
        self.org_type.append(otype)
        self.org_place.append(place)
        self.org_slug.append(slug)
        self.org_size.append(size)
        return oid

    def oi(self, oid: int) -> int:
        return oid - self.first_org_id

    def institution(self, otype: OrgType, name: str, land: str, city: str) -> int:
        if name in self.org_names:
            return self.org_names[name]
        legal = None
        other = None
        if name.startswith("IHK "):
            legal = "Industrie- und Handelskammer " + name[4:]
            other = legal
        elif name == "Handelskammer Hamburg":
            other = "IHK Hamburg"
        size = SizeClass.GROSS if otype in (OrgType.HOCHSCHULE,) else None
        return self.org(
            otype, name, self.place_in(land, city), legal_name=legal, other_names=other, size=size
        )

    def nearest(
        self, items: Sequence[tuple[str, str]], land: str, centre: tuple[float, float]
    ) -> list[tuple[str, str]]:
        def key(item: tuple[str, str]) -> float:
            found = self.refs.find(land, item[1])
            if not found:
                return 99.0
            return _dist((found[0].lat, found[0].lon), centre)

        return sorted(items, key=key)

    def chamber(self, ihk: bool, land: str, centre: tuple[float, float], rank: int = 0) -> int:
        pool = N.IHKS[land] if ihk else N.HWKS[land]
        ordered = self.nearest(pool, land, centre)
        name, city = ordered[min(rank, len(ordered) - 1)]
        return self.institution(OrgType.IHK if ihk else OrgType.HWK, name, land, city)

    def union(self, land: str, k: int) -> list[int]:
        pool = list(N.UNIONS[land])
        self.rng.shuffle(pool)
        out = []
        for name, city in pool[:k]:
            seat_land = land if self.refs.find(land, city) else self._land_of_city(city, land)
            out.append(self.institution(OrgType.GEWERKSCHAFT, name, seat_land, city))
        return out

    def _land_of_city(self, city: str, fallback: str) -> str:
        for land in self.refs.ags:
            if self.refs.by_name.get((land, city)):
                return land
        return fallback

    def university(self, land: str, centre: tuple[float, float]) -> int:
        ordered = self.nearest(N.UNIVERSITIES[land], land, centre)
        name, city = ordered[min(int(self.rng.expovariate(0.8)), len(ordered) - 1)]
        return self.institution(OrgType.HOCHSCHULE, name, land, city)

    def ministry(self, land: str) -> int:
        name, city = N.MINISTRIES[land]
        return self.institution(OrgType.LAND_MINISTERIUM, name, land, city)

    def kommune(self, land: str, centre: tuple[float, float], city: str | None = None) -> int:
        if city is None:
            place = self.place_near(land, centre)
            city = place.place
        else:
            found = self.refs.find(land, city)
            place = self.pick(found) if found else self.place_near(land, centre)
            city = place.place
        n_plz = len({p.plz for p in self.refs.by_name.get((land, city), [])})
        label = "Stadt" if n_plz >= 2 or self.chance(0.5) else "Gemeinde"
        return self.org(OrgType.KOMMUNE, f"{label} {city}", place)

    def landkreis(self, land: str, centre: tuple[float, float]) -> int:
        kreise = [k for k in self.refs.kreise if k[2] == land and not k[3]]
        if not kreise:
            return self.kommune(land, centre)
        kreise.sort(key=lambda k: _dist(self.refs.centroid[k[0]], centre))
        ags, name, _land, _city = kreise[min(int(self.rng.expovariate(0.7)), len(kreise) - 1)]
        return self.org(OrgType.LANDKREIS, name, self.pick(self.refs.by_kreis[ags]))

    def association(self, land: str, region: str, centre: tuple[float, float]) -> int:
        if self.chance(0.5):
            otype = OrgType.ARBEITGEBERVERBAND
            tpl = self.pick(
                (
                    "Arbeitgeberverband {R}",
                    "Unternehmerverband {R}",
                    "Metall- und Elektroarbeitgeber {R}",
                    "Unternehmerverbände {L}",
                )
            )
        else:
            otype = OrgType.WIRTSCHAFTSVERBAND
            tpl = self.pick(
                (
                    "Industrieverband {R}",
                    "Wirtschaftsvereinigung {R}",
                    "Industrie-Club {R}",
                    "Landesverband der Industrie {L}",
                    "Chemieverband {L}",
                )
            )
        name = tpl.format(R=region, L=N.LAND_NAME[land])
        return self.org(otype, name, self.place_near(land, centre, 2), legal_name=name + " e.V.")

    def other_org(self, land: str, region: str, centre: tuple[float, float]) -> int:
        place = self.place_near(land, centre)
        city = place.place
        otype, tpl = self.pick(
            (
                (OrgType.WIRTSCHAFTSFOERDERUNG, "Wirtschaftsförderung {C}"),
                (OrgType.WIRTSCHAFTSFOERDERUNG, "Wirtschaftsförderung {R}"),
                (OrgType.FORSCHUNG, "Forschungszentrum {T} {R}"),
                (OrgType.FORSCHUNG, "Institut für {T} {C}"),
                (OrgType.BERUFSSCHULE, "Berufsbildende Schulen {C}"),
                (OrgType.BERUFSSCHULE, "Berufskolleg {C}"),
                (OrgType.AGENTUR_FUER_ARBEIT, "Agentur für Arbeit {C}"),
                (OrgType.ZIVILGESELLSCHAFT, "Bürgerstiftung {C}"),
                (OrgType.ZIVILGESELLSCHAFT, "Arbeitskreis Schule-Wirtschaft {R}"),
                (OrgType.CLUSTER_NETZWERK, "Cluster {T} {R}"),
                (OrgType.CLUSTER_NETZWERK, "Netzwerk {T} {R}"),
                (OrgType.SONSTIGE, "Technologie- und Gründerzentrum {C}"),
            )
        )
        topic = self.pick(
            ("Werkstofftechnik", "Produktionstechnik", "Energiesysteme", "Leichtbau", "Chemie",
             "Automation", "Kunststofftechnik", "Logistik")
        )  # fmt: skip
        name = tpl.format(C=city, R=region, T=topic)
        return self.org(otype, name, place)

    def company(self, land: str, centre: tuple[float, float], *, reuse: float = 0.36) -> int:
        """An existing company of the region (sometimes) or a new one near `centre`."""
        pool = self.companies[land]
        if pool and self.chance(reuse):
            if self.big_companies and self.chance(0.3):
                near = [
                    c
                    for c in self.big_companies
                    if self.org_land[self.oi(c)] in (land, *N.NEIGHBOURS[land])
                ]
                if near:
                    return self.pick(near)
            return self.pick(pool)
        return self.new_company(land, self.place_near(land, centre, 6))

    def new_company(self, land: str, place: Place) -> int:
        rng = self.rng
        size = self.weighted(
            (
                (SizeClass.KLEINST, 12),
                (SizeClass.KLEIN, 33),
                (SizeClass.MITTEL, 35),
                (SizeClass.GROSS, 20),
            )
        )
        if self.chance(0.85):
            div = self.weighted(tuple(N.WZ_WEIGHTS.items()))
            wz = ("C", div)
            product = self.pick(N.WZ_PRODUCTS[div])
        else:
            sec, div, products = self.pick(N.OTHER_SECTORS)
            wz = (sec, div)
            product = self.pick(products)
        parent_id = None
        for _attempt in range(20):
            legal = self.weighted(N.LEGAL_FORMS)
            if size is SizeClass.GROSS and legal in ("e.K.", "OHG", "KG") and self.chance(0.8):
                legal = "AG"
            pattern = rng.random()
            last = self.pick(N.LAST_NAMES)
            if pattern < 0.35:
                name = f"{last} {product} {legal}"
            elif pattern < 0.55:
                other = self.pick(N.LAST_NAMES)
                if other == last:
                    continue
                name = (
                    f"{last}-{other} {legal}"
                    if "-" not in last + other
                    else f"{last} & {other} {legal}"
                )
            elif pattern < 0.75:
                adj = self.pick(N.ADJECTIVES[land])
                sep = "" if adj.endswith("-") else " "
                name = f"{adj}{sep}{product} {legal}"
            elif pattern < 0.85:
                name = f"{last} & Söhne {self.pick(('KG', 'GmbH & Co. KG', 'GmbH'))}"
            elif pattern < 0.93:
                letters = "".join(self.pick(N.ACRONYM_LETTERS) for _ in range(rng.randint(2, 3)))
                name = f"{letters} {product} {legal}"
            elif self.big_companies and size is not SizeClass.KLEINST:
                parent_id = self.pick(self.big_companies)
                base = self.rows["organisations"][self.oi(parent_id)]["name"]
                base = re.sub(
                    r"\s+(GmbH & Co\. KGaA|GmbH & Co\. KG|GmbH|AG|SE|KG|OHG|e\.K\.)$", "", base
                )
                name = f"{base} Werk {place.place} GmbH"
            else:
                name = f"{last} {product} {place.place} {legal}"
            if name not in self.org_names:
                break
            parent_id = None
        else:
            name = f"{name} ({place.place})"
            if name in self.org_names:
                return self.org_names[name]
        oid = self.org(
            OrgType.UNTERNEHMEN, name, place, legal_name=name, wz=wz, size=size, parent_id=parent_id
        )
        self.companies[land].append(oid)
        if size is SizeClass.GROSS:
            self.big_companies.append(oid)
        return oid

    def all_institutions(self) -> None:
        for land in self.refs.ags:
            for name, city in N.IHKS[land]:
                self.institution(OrgType.IHK, name, land, city)
            for name, city in N.HWKS[land]:
                self.institution(OrgType.HWK, name, land, city)
            self.union(land, len(N.UNIONS[land]))
            for name, city in N.UNIVERSITIES[land]:
                self.institution(OrgType.HOCHSCHULE, name, land, city)
            self.ministry(land)

    # -- initiatives

    def initiatives(self) -> None:
        spec = self.spec
        reals = [r for r in REAL_INITIATIVES if spec.real is None or r.name in spec.real]
        for r in reals:
            self.ini_names.add(r.name)
            self.used_regions.add((r.land, r.region))
        plans: list[tuple[RealInitiative | None, str]] = [(r, r.land) for r in reals]
        n_syn = spec.initiatives - len(reals)
        n_cross = max(1, n_syn // 16)
        covered = {r.land for r in reals}
        lands = [s for s in self.refs.ags if s not in covered][: n_syn - n_cross]
        while len(lands) < n_syn - n_cross:
            lands.append(self.weighted(tuple(N.LAND_WEIGHT.items())))
        cross = list(N.CROSS_REGIONS)
        self.rng.shuffle(cross)
        land_level_used = {r.land for r in reals if r.type in LAND_LEVEL_TYPES}
        plans.extend((None, land) for land in lands)
        plans.extend((None, f"cross:{i}") for i in range(n_cross))
        for real, land_key in plans:
            if real is not None:
                self.real_initiative(real)
            elif land_key.startswith("cross:"):
                label, laender, city = cross[int(land_key[6:]) % len(cross)]
                self.synthetic_initiative(laender[0], land_level_used, cross=(label, laender, city))
            else:
                self.synthetic_initiative(land_key, land_level_used)

    def real_initiative(self, r: RealInitiative) -> None:
        seat = self.place_in(r.land, r.city)
        recorded = self._recorded(r.members, r.type)
        if r.companies_only and r.members:
            recorded = r.members
        self.initiative_row(
            name=r.name,
            short=r.short,
            itype=r.type,
            level=r.level,
            land=r.land,
            laender=[r.land],
            seat=seat,
            region=r.region,
            legal_form=r.legal_form,
            founded=r.founded,
            reported=r.members,
            recorded=recorded,
            status=InitiativeStatus.AKTIV,
            public=True,
            companies_only=r.companies_only,
        )

    def _recorded(self, reported: int | None, itype: InitiativeType) -> int:
        if itype in LAND_LEVEL_TYPES:
            return self.rng.randint(5, 10)
        base = reported if reported else int(self.rng.lognormvariate(math.log(42), 0.7))
        share = self.rng.uniform(0.55, 1.0) * self.spec.member_scale
        return max(7, min(self.spec.member_cap, round(base * share), base))

    def synthetic_initiative(
        self,
        land: str,
        land_level_used: set[str],
        cross: tuple[str, tuple[str, ...], str] | None = None,
    ) -> None:
        rng = self.rng
        for _attempt in range(50):
            itype = self.weighted(TYPE_WEIGHTS)
            if itype in LAND_LEVEL_TYPES and (cross or land in land_level_used):
                continue
            if cross and itype in (InitiativeType.MASTERPLAN_KOMMUNE, InitiativeType.IHK_PROJEKT):
                continue
            if cross:
                region, laender, city = cross[0], list(cross[1]), cross[2]
            else:
                laender = [land]
                free = [rc for rc in N.REGIONS[land] if (land, rc[0]) not in self.used_regions]
                region, city = self.pick(free or N.REGIONS[land])
            tpl = self.pick(NAME_TEMPLATES[itype])
            name = tpl.format(R=region, C=city, L=N.LAND_NAME[land])
            if name not in self.ini_names:
                break
        else:  # pragma: no cover - the name space is far larger than any size
            raise RuntimeError("no free initiative name")
        self.ini_names.add(name)
        if itype in LAND_LEVEL_TYPES:
            land_level_used.add(land)
            region = N.LAND_NAME[land]
            city = N.MINISTRIES[land][1]
        self.used_regions.add((land, region))
        level = {
            InitiativeType.MASTERPLAN_KOMMUNE: SpatialLevel.KOMMUNE,
            InitiativeType.MASTERPLAN_LAND: SpatialLevel.LAND,
            InitiativeType.LANDESBUENDNIS: SpatialLevel.LAND,
            InitiativeType.IHK_PROJEKT: SpatialLevel.IHK_BEZIRK,
        }.get(itype, SpatialLevel.KREIS if self.chance(0.15) else SpatialLevel.REGION)
        if cross:
            level = SpatialLevel.LAENDERUEBERGREIFEND
        legal = {
            InitiativeType.VEREIN: "e.V.",
            InitiativeType.REGIONALAGENTUR: "GmbH",
            InitiativeType.IHK_PROJEKT: "Projekt der IHK",
        }.get(itype, self.pick(("e.V.", "ohne Rechtsform", "ohne Rechtsform", None)))
        founded = min(2025, max(2006, round(rng.triangular(2006, 2025, 2018))))
        status = self.weighted(
            (
                (InitiativeStatus.AKTIV, 88),
                (InitiativeStatus.RUHEND, 8),
                (InitiativeStatus.AUFGELOEST, 4),
            )
        )
        reported = None if itype in LAND_LEVEL_TYPES and self.chance(0.5) else 0
        recorded = self._recorded(None, itype)
        if reported == 0:
            reported = min(700, max(recorded, round(recorded * rng.uniform(1.0, 1.8))))
        seat = self.place_in(laender[0], city)
        self.initiative_row(
            name=name,
            short=self._short(name) if self.chance(0.4) else None,
            itype=itype,
            level=level,
            land=laender[0],
            laender=laender,
            seat=seat,
            region=region,
            legal_form=legal,
            founded=founded,
            reported=reported,
            recorded=recorded,
            status=status,
            public=status is not InitiativeStatus.AUFGELOEST and self.chance(0.78),
        )

    @staticmethod
    def _short(name: str) -> str:
        words = [w for w in re.split(r"[\s\-./]+", name) if w and w[0].isupper()]
        return "".join(w[0] for w in words)[:8] or name[:8]

    def initiative_row(
        self,
        *,
        name: str,
        short: str | None,
        itype: InitiativeType,
        level: SpatialLevel,
        land: str,
        laender: list[str],
        seat: Place,
        region: str,
        legal_form: str | None,
        founded: int | None,
        reported: int | None,
        recorded: int,
        status: InitiativeStatus,
        public: bool,
        companies_only: bool = False,
    ) -> None:
        table = tbl(Initiative)
        iid = self.new_id(table)
        theme_ids = self._pick_vocab(self.refs.themes, name, itype)
        format_ids = self._pick_vocab(self.refs.formats, "", itype)
        theme_names = [n for i, n in self.refs.themes if i in theme_ids]
        ini = Ini(
            id=iid,
            name=name,
            type=itype,
            land=land,
            laender=laender,
            seat=seat,
            status=status,
            founded=founded,
            reported=reported,
            recorded=recorded,
            companies_only=companies_only,
            region=region,
        )
        self.inis.append(ini)
        desc = (
            f"{name} bringt Unternehmen, Kammern, Gewerkschaften, Kommunen und Hochschulen "
            f"in der Region {region} zusammen. "
            + (f"Seit {founded} " if founded else "Gemeinsam ")
            + f"setzen sich die Partner für {' und '.join(theme_names[:2])} ein."
        )
        goals = "\n".join(
            f"- {g}"
            for g in self.rng.sample(
                [
                    f"Akzeptanz der Industrie in der Region {region} stärken",
                    "Fachkräfte gewinnen und junge Menschen für technische Berufe begeistern",
                    "Industrieflächen sichern und Genehmigungen beschleunigen",
                    "Transformation zu klimaneutraler Produktion begleiten",
                    "Unternehmen, Politik und Zivilgesellschaft ins Gespräch bringen",
                    "Die Region als Industriestandort sichtbar machen",
                ],
                3,
            )
        )
        slug = slugify(short or name)
        self.add(
            table,
            {
                "id": iid,
                "name": name,
                "sort_name": sort_key(name),
                "short_name": short,
                "type": itype,
                "legal_form": legal_form,
                "founded_year": founded,
                "status": status,
                "spatial_level": level,
                "region_label": region,
                "website": f"https://www.{slug}.example.org",
                "description": desc,
                "goals": goals,
                "host_organisation_id": None,  # set once members are chosen
                "member_count": reported,
                "member_count_date": (
                    dt.date(2023, 12, 31)
                    if reported and founded and founded < 2023
                    else (self.date_between(dt.date(2024, 1, 1), AS_OF) if reported else None)
                ),
                "public_listing": public,
                "logo_filename": None,
                "street": self.street(),
                "plz": seat.plz,
                "place": seat.place,
                "kreis_ags": seat.kreis_ags,
                "land_ags": seat.land_ags,
                "lat": seat.lat,
                "lon": seat.lon,
                "version": 1,
                **self.stamp(self.date_between(dt.date(2021, 1, 4), dt.date(2024, 6, 30))),
            },
        )
        for short_land in laender:
            self.add(
                initiative_laender, {"initiative_id": iid, "land_ags": self.refs.ags[short_land]}
            )
        for ags in self._kreise_for(level, laender, seat):
            self.add(initiative_kreise, {"initiative_id": iid, "kreis_ags": ags})
        for tid in theme_ids:
            self.add(initiative_themes, {"initiative_id": iid, "theme_id": tid})
        for fid in format_ids:
            self.add(initiative_formats, {"initiative_id": iid, "format_id": fid})

    def _pick_vocab(
        self, vocab: list[tuple[int, str]], name: str, itype: InitiativeType
    ) -> list[int]:
        if not vocab:
            return []
        k = min(len(vocab), self.rng.randint(2, 5))
        chosen: list[int] = []
        by_name = {n: i for i, n in vocab}
        hints: list[str] = []
        for word, names in THEME_HINTS.items():
            if word in name:
                hints.extend(names)
        if itype in (InitiativeType.VEREIN, InitiativeType.IHK_PROJEKT):
            hints.append("Akzeptanz der Industrie")
        if itype is InitiativeType.GEWERKSCHAFTSPLATTFORM:
            hints.append("Fachkräfte/Ausbildung/MINT")
        for h in hints:
            if h in by_name and by_name[h] not in chosen and len(chosen) < k:
                chosen.append(by_name[h])
        rest = [i for i, _n in vocab if i not in chosen]
        chosen.extend(self.rng.sample(rest, k - len(chosen)))
        return sorted(chosen)

    def _kreise_for(self, level: SpatialLevel, laender: list[str], seat: Place) -> list[str]:
        if level is SpatialLevel.LAND:
            return []
        if level in (SpatialLevel.KOMMUNE, SpatialLevel.KREIS):
            return [seat.kreis_ags]
        k = {SpatialLevel.IHK_BEZIRK: (2, 4), SpatialLevel.REGION: (2, 6)}.get(level, (3, 6))
        lands = set(laender)
        cands = [a for a, _n, land, _c in self.refs.kreise if land in lands]
        centre = (seat.lat, seat.lon)
        cands.sort(key=lambda a: _dist(self.refs.centroid[a], centre))
        chosen = cands[: self.rng.randint(*k)]
        if seat.kreis_ags not in chosen:
            chosen[-1:] = [seat.kreis_ags]
        return sorted(set(chosen))

    # -- memberships

    def memberships(self) -> None:
        for ini in self.inis:
            self.members_of(ini)

    def members_of(self, ini: Ini) -> None:
        rng = self.rng
        land = ini.land
        centre = (ini.seat.lat, ini.seat.lon)
        members: list[int] = []

        def put(oid: int) -> None:
            if oid not in members:
                members.append(oid)

        has_ihk = ini.type is InitiativeType.IHK_PROJEKT or self.chance(0.6)
        if ini.type in LAND_LEVEL_TYPES:
            put(self.ministry(land))
            put(self.chamber(True, land, centre))
            if len(N.IHKS[land]) > 1 and self.chance(0.6):
                put(self.chamber(True, land, centre, 1))
            put(self.chamber(False, land, centre))
            for u in self.union(land, rng.randint(1, 2)):
                put(u)
            put(self.association(land, N.LAND_NAME[land], centre))
            while len(members) < ini.recorded:
                choice = rng.random()
                if choice < 0.3:
                    put(self.university(land, centre))
                elif choice < 0.55:
                    put(self.kommune(land, centre, N.MINISTRIES[land][1]))
                elif choice < 0.8:
                    put(self.association(land, N.LAND_NAME[land], centre))
                else:
                    put(self.other_org(land, ini.region, centre))
            host = members[0]
        elif ini.companies_only:
            while len(members) < ini.recorded:
                put(self.company(land, centre, reuse=0.0))
            host = self.chamber(True, land, centre)  # the IHK runs it, not as a member
        else:
            n = ini.recorded
            n_comp = round(n * rng.uniform(0.6, 0.85))
            rest = n - n_comp
            plan: list[str] = []
            plan.append("ihk" if has_ihk else "hwk")
            plan.append("assoc")
            extras = (
                ["chamber2"] * rng.choice((0, 0, 1, 2))
                + ["union"] * rng.randint(0, 3)
                + ["kommune"] * rng.randint(0, 8)
                + ["uni"] * rng.randint(0, 3)
                + ["assoc"] * rng.randint(0, 3)
                + ["other"] * rng.randint(0, 4)
            )
            if ini.type is InitiativeType.GEWERKSCHAFTSPLATTFORM:
                plan[1:1] = ["union", "union"]
            if ini.type is InitiativeType.MASTERPLAN_KOMMUNE:
                plan.insert(0, "stadt")
            rng.shuffle(extras)
            plan.extend(extras)
            plan = plan[: max(rest, 2 if n >= 7 else 1)]
            n_comp = n - len(plan)
            neighbours = N.NEIGHBOURS[land]
            unions = self.union(land, 3)
            for item in plan:
                if item == "ihk":
                    put(self.chamber(True, land, centre, 0 if self.chance(0.85) else 1))
                elif item == "hwk":
                    put(self.chamber(False, land, centre))
                elif item == "chamber2":
                    put(self.chamber(has_ihk and self.chance(0.5), land, centre, rng.randint(0, 1)))
                elif item == "union":
                    free = [u for u in unions if u not in members]
                    if free:
                        put(free[0])
                    else:
                        put(self.other_org(land, ini.region, centre))
                elif item == "stadt":
                    put(self.kommune(land, centre, ini.seat.place))
                elif item == "kommune":
                    put(
                        self.kommune(land, centre)
                        if self.chance(0.6)
                        else self.landkreis(land, centre)
                    )
                elif item == "uni":
                    put(self.university(land, centre))
                elif item == "assoc":
                    put(self.association(land, ini.region, centre))
                else:
                    put(self.other_org(land, ini.region, centre))
            for _ in range(n_comp):
                other_land = land
                if len(ini.laender) > 1 and self.chance(0.4):
                    other_land = self.pick(ini.laender[1:])
                elif self.chance(0.04):
                    other_land = self.pick(neighbours)
                c = self._centre_of(other_land) if other_land != land else centre
                put(self.company(other_land, c))
            host = self._host(ini, members, has_ihk)
        ini.members = members
        ini.host = host
        self.rows["initiatives"][self._ini_index(ini)]["host_organisation_id"] = host
        self._membership_rows(ini, members, host)

    def _centre_of(self, land: str) -> tuple[float, float]:
        p = self.pick(self.refs.by_land[land])
        return (p.lat, p.lon)

    def _ini_index(self, ini: Ini) -> int:
        return self.inis.index(ini)

    def _host(self, ini: Ini, members: list[int], has_ihk: bool) -> int:
        types = [self.org_type[self.oi(m)] for m in members]

        def first(*wanted: OrgType) -> int | None:
            for m, t in zip(members, types, strict=True):
                if t in wanted:
                    return m
            return None

        found: int | None = None
        if ini.type is InitiativeType.IHK_PROJEKT:
            found = first(OrgType.IHK)
        elif ini.type is InitiativeType.MASTERPLAN_KOMMUNE:
            found = first(OrgType.KOMMUNE)
        elif ini.type is InitiativeType.GEWERKSCHAFTSPLATTFORM:
            found = first(OrgType.GEWERKSCHAFT)
        elif ini.type is InitiativeType.REGIONALAGENTUR:
            found = first(OrgType.WIRTSCHAFTSFOERDERUNG, OrgType.LANDKREIS, OrgType.KOMMUNE)
        elif has_ihk and self.chance(0.65):
            found = first(OrgType.IHK)
        if found is None:
            found = first(
                OrgType.ARBEITGEBERVERBAND,
                OrgType.WIRTSCHAFTSVERBAND,
                OrgType.WIRTSCHAFTSFOERDERUNG,
                OrgType.IHK,
                OrgType.HWK,
            )
        return found if found is not None else members[0]

    def _membership_rows(self, ini: Ini, members: list[int], host: int) -> None:
        table = tbl(Membership)
        founded = ini.founded or self.rng.randint(2012, 2021)
        start = dt.date(founded, 1, 1)
        dissolved = (
            self.date_between(dt.date(max(founded + 1, 2022), 1, 1), dt.date(2026, 6, 30))
            if ini.status is InitiativeStatus.AUFGELOEST
            else None
        )
        for oid in members:
            self.membership(ini, oid, host, start, dissolved, table)

    def membership(
        self,
        ini: Ini,
        oid: int,
        host: int | None,
        start: dt.date,
        dissolved: dt.date | None,
        table: Table,
        late: bool = False,
    ) -> None:
        key = (ini.id, oid)
        if key in self.membership_keys:
            return
        self.membership_keys.add(key)
        otype = self.org_type[self.oi(oid)]
        founding = not late and self.chance(0.3)
        since = start if founding else self.date_between(start, dissolved or AS_OF)
        until = None
        if dissolved:
            since = min(since, dissolved)
            until = dissolved
        elif self.chance(0.03):
            until = self.date_between(since + dt.timedelta(days=200), AS_OF - dt.timedelta(days=1))
            until = max(until, since)
        if oid == host:
            role = (
                MembershipRole.TRAEGER
                if ini.type in (InitiativeType.IHK_PROJEKT, InitiativeType.MASTERPLAN_KOMMUNE)
                else MembershipRole.GESCHAEFTSSTELLE
            )
        elif founding:
            role = MembershipRole.GRUENDUNGSMITGLIED
        elif otype is OrgType.HOCHSCHULE and self.chance(0.3):
            role = MembershipRole.BEIRAT
        elif otype in (OrgType.KOMMUNE, OrgType.LANDKREIS) and self.chance(0.3):
            role = MembershipRole.PARTNER
        elif (
            otype is OrgType.UNTERNEHMEN
            and self.org_size[self.oi(oid)] is SizeClass.GROSS
            and self.chance(0.15)
        ):
            role = MembershipRole.FOERDERMITGLIED
        else:
            role = MembershipRole.MITGLIED
        self.add(
            table,
            {
                "id": self.new_id(table),
                "organisation_id": oid,
                "initiative_id": ini.id,
                "role": role,
                "since": since,
                "until": until,
                **self.stamp(max(since, dt.date(2021, 1, 4))),
            },
        )

    # -- persons

    def person(self, oid: int, ini_id: int | None, *, function: str | None = None) -> int:
        rng = self.rng
        table = tbl(Person)
        pid = self.new_id(table)
        female = self.chance(0.46)
        first = self.pick(N.FEMALE_FIRST if female else N.MALE_FIRST)
        last = self.pick(N.LAST_NAMES)
        if self.chance(0.05):
            other = self.pick(N.LAST_NAMES)
            if other != last and "-" not in last + other:
                last = f"{last}-{other}"
        domain = f"{self.org_slug[self.oi(oid)]}.example.org"
        local = local_part(first, last)
        email = f"{local}@{domain}"
        n = 2
        while email in self.person_email:
            email = f"{local}{n}@{domain}"
            n += 1
        self.person_email.add(email)
        otype = self.org_type[self.oi(oid)]
        title = None
        if otype is OrgType.HOCHSCHULE and self.chance(0.6):
            title = "Prof. Dr."
        elif self.chance(0.09):
            title = self.pick(N.TITLES)
        phone = None
        if self.chance(0.75):
            area, block = PHONE_RANGES[PHONE_AREA_BY_LAND[self.org_land[self.oi(oid)]]]
            phone = f"{area} {block}-{rng.randrange(1000):03d}"
        collected = self.date_between(dt.date(2021, 1, 4), AS_OF)
        lawful = self.weighted(
            (
                (LawfulBasis.LEGITIMATE_INTEREST, 70),
                (LawfulBasis.CONSENT, 20),
                (LawfulBasis.PUBLIC_TASK, 5 if otype is not OrgType.UNTERNEHMEN else 0),
                (LawfulBasis.CONTRACT, 5),
            )
        )
        self.add(
            table,
            {
                "id": pid,
                "salutation": ("Frau" if female else "Herr") if self.chance(0.97) else None,
                "title": title,
                "first_name": first,
                "last_name": last,
                "sort_name": sort_key(last, first),
                "email": email.lower(),
                "phone": phone,
                "preferred_language": "en" if self.chance(0.03) else "de",
                "notes": self.pick(
                    ("Bevorzugt Kontakt per E-Mail.", "Vertretung in der Elternzeit klären.")
                )
                if self.chance(0.04)
                else None,
                "lawful_basis": lawful,
                "source": self.pick(SOURCES),
                "collected_at": self.time_on(collected),
                "restricted": self.chance(0.005),
                "anonymised_at": None,
                "version": 1,
                **self.stamp(collected),
            },
        )
        function = function or self.pick(N.FUNCTIONS[otype.value])
        self.affiliation(pid, oid, function, collected)
        self.persons_by_org.setdefault(oid, []).append(pid)
        self.person_info[pid] = (oid, ini_id, function)
        if otype is OrgType.GEWERKSCHAFT:
            self.union_persons.append(pid)
        return pid

    def affiliation(
        self, pid: int, oid: int, function: str, start: dt.date, until: dt.date | None = None
    ) -> None:
        table = tbl(Affiliation)
        latest = min(start, until) if until else start
        since = self.date_between(dt.date(2005, 1, 1), latest) if self.chance(0.7) else None
        self.add(
            table,
            {
                "id": self.new_id(table),
                "person_id": pid,
                "organisation_id": oid,
                "function": function,
                "since": since,
                "until": until,
                **self.stamp(start),
            },
        )

    def contacts(self) -> None:
        table = tbl(InitiativeRole)
        kinds = [k for k in InitiativeRoleKind if k is not InitiativeRoleKind.ANSPRECHPERSON]
        for ini in self.inis:
            k = self.weighted(((1, 3), (2, 4), (3, 3), (4, 1)))
            roles = [InitiativeRoleKind.ANSPRECHPERSON, *self.rng.sample(kinds, k - 1)]
            for role in roles:
                if (
                    role is InitiativeRoleKind.GESCHAEFTSSTELLE
                    or ini.host is None
                    or self.chance(0.4)
                ):
                    oid = ini.host if ini.host is not None else ini.members[0]
                else:
                    oid = self.pick(ini.members)
                existing = [p for p in self.persons_by_org.get(oid, []) if p not in ini.contacts]
                if existing and self.chance(0.35):
                    pid = self.pick(existing)
                else:
                    pid = self.person(oid, ini.id)
                if pid not in ini.contacts:
                    ini.contacts.append(pid)
                since = self.date_between(dt.date(max(ini.founded or 2015, 2015), 1, 1), AS_OF)
                self.add(
                    table,
                    {
                        "id": self.new_id(table),
                        "person_id": pid,
                        "initiative_id": ini.id,
                        "role": role,
                        "since": since if self.chance(0.6) else None,
                        "until": None,
                        **self.stamp(since),
                    },
                )

    def more_persons(self, target: int) -> None:
        memberships = [(m["organisation_id"], m["initiative_id"]) for m in self.rows["memberships"]]
        n_orgs = len(self.org_type)
        have = len(self.rows.get("persons", []))
        while have < target:
            if self.chance(0.85):
                oid, iid = self.pick(memberships)
                self.person(oid, iid)
            else:
                self.person(self.first_org_id + self.rng.randrange(n_orgs), None)
            have += 1
        self.second_affiliations(self.rows["persons"])

    def second_affiliations(self, persons: list[Row]) -> None:
        n_orgs = len(self.org_type)
        for row in persons:
            if self.chance(0.06):
                pid = row["id"]
                oid = self.first_org_id + self.rng.randrange(n_orgs)
                if oid == self.person_info[pid][0]:
                    continue
                otype = self.org_type[self.oi(oid)]
                start = row["collected_at"].date()
                ended = self.chance(0.6)
                until = self.date_between(dt.date(2019, 1, 1), start) if ended else None
                self.affiliation(pid, oid, self.pick(N.FUNCTIONS[otype.value]), start, until)

    def consents(self) -> None:
        table = tbl(Consent)
        contacts = {p for ini in self.inis for p in ini.contacts}
        unions = set(self.union_persons)
        for row in self.rows["persons"]:
            pid = row["id"]
            collected: dt.datetime = row["collected_at"]
            wants: list[tuple[ConsentPurpose, float]] = (
                [
                    (ConsentPurpose.PUBLIC_LISTING, 0.5),
                    (ConsentPurpose.EVENT_INVITATIONS, 0.7),
                    (ConsentPurpose.NEWSLETTER, 0.45),
                ]
                if pid in contacts
                else [(ConsentPurpose.EVENT_INVITATIONS, 0.3), (ConsentPurpose.NEWSLETTER, 0.25)]
            )
            if pid in unions:
                wants.append((ConsentPurpose.UNION_AFFILIATION, 0.5))
            for purpose, p in wants:
                if not self.chance(p):
                    continue
                status = ConsentStatus.CONFIRMED
                if self.chance(0.05):
                    status = ConsentStatus.REVOKED
                elif purpose is ConsentPurpose.NEWSLETTER and self.chance(0.05):
                    status = ConsentStatus.REQUESTED
                self.consent(table, pid, purpose, status, collected, None)

    def consent(
        self,
        table: Table,
        pid: int,
        purpose: ConsentPurpose,
        status: ConsentStatus,
        after: dt.datetime,
        registration_id: int | None,
        method: ConsentMethod | None = None,
    ) -> None:
        latest = berlin(AS_OF.year, AS_OF.month, AS_OF.day, 12)
        given = min(latest, after + dt.timedelta(minutes=self.rng.randrange(60 * 24 * 60)))
        if registration_id is not None:
            given = after
        method = method or self.weighted(
            (
                (ConsentMethod.WEB_FORM, 5),
                (ConsentMethod.EMAIL, 3),
                (ConsentMethod.PAPER, 1),
                (ConsentMethod.VERBAL, 1),
            )
        )
        self.add(
            table,
            {
                "id": self.new_id(table),
                "person_id": pid,
                "purpose": purpose,
                "status": status,
                "method": method,
                "text_version": "2021-01" if given.year < 2023 else "2023-05",
                "given_at": given,
                "registration_id": registration_id,
                "created_at": given,
                "updated_at": given,
            },
        )

    # -- relationships and interactions

    def relationships(self) -> None:
        table = tbl(Relationship)
        by_org: dict[int, list[int]] = {}
        for ini in self.inis:
            for m in ini.members:
                by_org.setdefault(m, []).append(ini.id)
        shared: dict[tuple[int, int], int] = {}
        for inis in by_org.values():
            for i, a in enumerate(inis):
                for b in inis[i + 1 :]:
                    key = (min(a, b), max(a, b))
                    shared[key] = shared.get(key, 0) + 1
        land_of = {ini.id: ini.land for ini in self.inis}
        cands = sorted(shared, key=lambda k: (-shared[k], k))
        cands = cands[: max(self.spec.relationships * 3, 10)]
        # Half of the links from shared members, the rest between neighbours without any.
        others = [
            (a.id, b.id)
            for a in self.inis
            for b in self.inis
            if a.id < b.id
            and (a.id, b.id) not in shared
            and (b.land == a.land or b.land in N.NEIGHBOURS[a.land])
        ]
        self.rng.shuffle(cands)
        self.rng.shuffle(others)
        half = self.spec.relationships // 2
        pairs = cands[:half] + others[: self.spec.relationships - min(half, len(cands))]
        for a, b in pairs[: self.spec.relationships]:
            kind = self.weighted(
                (
                    (RelationshipKind.KOOPERATION, 55),
                    (RelationshipKind.PARTNERSCHAFT, 35),
                    (RelationshipKind.VERMITTELT, 10),
                )
            )
            since = self.date_between(dt.date(2019, 1, 1), AS_OF)
            note = {
                RelationshipKind.KOOPERATION: "Gemeinsame Veranstaltungen",
                RelationshipKind.PARTNERSCHAFT: "Partnerschaftsvereinbarung",
                RelationshipKind.VERMITTELT: "Von der Servicestelle vermittelt",
            }[kind]
            if land_of[a] != land_of[b]:
                note += " über Landesgrenzen hinweg"
            self.add(
                table,
                {
                    "id": self.new_id(table),
                    "kind": kind,
                    "initiative_a_id": a,
                    "initiative_b_id": b,
                    "organisation_a_id": None,
                    "organisation_b_id": None,
                    "note": note + ".",
                    "since": since,
                    "until": None,
                    **self.stamp(since if since > dt.date(2021, 1, 4) else dt.date(2021, 1, 4)),
                },
            )

    def interactions(self) -> None:
        table = tbl(Interaction)
        for _ in range(self.spec.interactions):
            ini = self.pick(self.inis)
            kind = self.weighted(INTERACTION_WEIGHTS)
            day = self.date_between(dt.date(2021, 1, 4), AS_OF)
            when = self.time_on(day)
            due = None
            done = None
            if self.chance(0.2):
                due = day + dt.timedelta(days=self.rng.randint(7, 90))
                if due < AS_OF and self.chance(0.6):
                    done = self.time_on(min(due, AS_OF))
            iid = self.new_id(table)
            self.add(
                table,
                {
                    "id": iid,
                    "kind": kind,
                    "occurred_at": when,
                    "subject": self.pick(INTERACTION_SUBJECTS[kind]),
                    "notes": f"Gespräch mit {ini.name} ({ini.region}); nächste Schritte vereinbart."
                    if kind is not InteractionKind.NOTE
                    else "Kurze Notiz für das Team.",
                    "initiative_id": ini.id,
                    "organisation_id": ini.host if self.chance(0.3) else None,
                    "author_id": None,
                    "follow_up_due": due,
                    "follow_up_owner_id": None,
                    "follow_up_done_at": done,
                    "created_at": when,
                    "updated_at": when,
                },
            )
            if ini.contacts and kind is not InteractionKind.NOTE:
                self.add(
                    interaction_persons,
                    {"interaction_id": iid, "person_id": self.pick(ini.contacts)},
                )

    # -- events

    def events(self) -> None:
        existing = set(db.session.scalars(select(Event.slug)))
        for key in self.spec.events:
            self.event(key, self.spec.registrations[key], existing)

    def event(self, key: str, n_regs: int, existing_slugs: set[str]) -> None:
        table = tbl(Event)
        # key: title, slug, type, mode, venue, url, day, (plenum), (workshops), status, cap, ws cap,
        # registration window, description
        if key == "nt1":
            title, slug, etype, mode = (
                "1. Netzwerktreffen der Industrieinitiativen",
                "1-netzwerktreffen-2021",
                EventType.NETZWERKTREFFEN,
                EventMode.ONLINE,
            )
            day, venue = dt.date(2021, 3, 16), None
            blocks = [
                (
                    (10, 0),
                    (12, 0),
                    "Plenum: Impulse und industriepolitische Themen",
                    AgendaKind.PLENUM,
                ),
                ((13, 0), (15, 0), "Austausch in fünf parallelen Workshops", AgendaKind.WORKSHOPS),
            ]
            status, capacity, ws_cap = EventStatus.ABGESCHLOSSEN, 200, 40
            opens, closes = berlin(2021, 2, 1, 9), berlin(2021, 3, 12, 23, 59)
        elif key == "nt2":
            title, slug, etype, mode = (
                "2. Netzwerktreffen mit Industrieforum",
                "2-netzwerktreffen-2021",
                EventType.INDUSTRIEFORUM,
                EventMode.ONLINE,
            )
            day, venue = dt.date(2021, 11, 30), None
            blocks = [
                (
                    (10, 0),
                    (12, 0),
                    "Industrieforum: Industriepolitik im Gespräch",
                    AgendaKind.PLENUM,
                ),
                ((13, 0), (15, 0), "Austausch in fünf parallelen Workshops", AgendaKind.WORKSHOPS),
            ]
            status, capacity, ws_cap = EventStatus.ABGESCHLOSSEN, 150, 30
            opens, closes = berlin(2021, 10, 15, 9), berlin(2021, 11, 26, 23, 59)
        elif key == "nt4":
            title, slug, etype, mode = (
                "4. Netzwerktreffen der Industrieinitiativen",
                "4-netzwerktreffen-2023",
                EventType.NETZWERKTREFFEN,
                EventMode.PRAESENZ,
            )
            day, venue = dt.date(2023, 9, 5), "Tagungszentrum Berlin-Mitte, 10117 Berlin"
            blocks = [
                (
                    (10, 30),
                    (12, 30),
                    "Plenum: Bilanz und Ausblick der Initiativen",
                    AgendaKind.PLENUM,
                ),
                (
                    (13, 30),
                    (15, 30),
                    "Austausch in fünf parallelen Workshops",
                    AgendaKind.WORKSHOPS,
                ),
                (
                    (15, 30),
                    (16, 30),
                    "Austausch der Initiativen untereinander",
                    AgendaKind.AUSTAUSCH,
                ),
            ]
            status, capacity, ws_cap = EventStatus.ABGESCHLOSSEN, 60, 12
            opens, closes = berlin(2023, 6, 15, 9), berlin(2023, 8, 29, 23, 59)
        else:
            title, slug, etype, mode = (
                "Netzwerktreffen der Industrieinitiativen 2027",
                "netzwerktreffen-2027",
                EventType.NETZWERKTREFFEN,
                EventMode.HYBRID,
            )
            day, venue = (
                dt.date(2027, 3, 9),
                "Kongresszentrum Frankfurt am Main (Tagungsort wird bekanntgegeben)",
            )
            blocks = [
                (
                    (10, 0),
                    (12, 0),
                    "Plenum: Impulse und industriepolitische Themen",
                    AgendaKind.PLENUM,
                ),
                ((13, 0), (15, 0), "Austausch in fünf parallelen Workshops", AgendaKind.WORKSHOPS),
            ]
            status, capacity, ws_cap = EventStatus.VEROEFFENTLICHT, self.spec.upcoming_capacity, 30
            opens, closes = berlin(2026, 10, 1, 9), berlin(2027, 2, 26, 23, 59)
        base, n = slug, 2
        while slug in existing_slugs:
            slug = f"{base}-{n}"
            n += 1
        existing_slugs.add(slug)
        eid = self.new_id(table)
        starts = berlin(day.year, day.month, day.day, *blocks[0][0])
        ends = berlin(day.year, day.month, day.day, *blocks[-1][1])
        self.add(
            table,
            {
                "id": eid,
                "slug": slug,
                "title": title,
                "type": etype,
                "mode": mode,
                "venue": venue,
                "online_url": f"https://konferenz.example.org/{slug}"
                if mode is not EventMode.PRAESENZ
                else None,
                "starts_at": starts,
                "ends_at": ends,
                "description": (
                    "Bundesweites Treffen der regionalen Industrieinitiativen: Impulse am "
                    "Vormittag, Austausch in fünf parallelen Workshops am Nachmittag. "
                    "Die Teilnahme ist kostenfrei."
                ),
                "capacity": capacity,
                "registration_opens_at": opens,
                "registration_closes_at": closes,
                "is_free": True,
                "fee_note": None,
                "status": status,
                "version": 1,
                "created_at": opens - dt.timedelta(days=14),
                "updated_at": opens - dt.timedelta(days=14),
            },
        )
        ab = tbl(AgendaBlock)
        for (h1, m1), (h2, m2), btitle, kind in blocks:
            self.add(
                ab,
                {
                    "id": self.new_id(ab),
                    "event_id": eid,
                    "starts_at": berlin(day.year, day.month, day.day, h1, m1),
                    "ends_at": berlin(day.year, day.month, day.day, h2, m2),
                    "title": btitle,
                    "kind": kind,
                },
            )
        ws_table = tbl(Workshop)
        theme_ids = {n: i for i, n in self.refs.themes}
        moderators = [p for ini in self.inis for p in ini.contacts]
        workshop_ids: list[int] = []
        for pos, (wtitle, wdesc, wthemes) in enumerate(WORKSHOPS[key], start=1):
            wid = self.new_id(ws_table)
            workshop_ids.append(wid)
            self.add(
                ws_table,
                {
                    "id": wid,
                    "event_id": eid,
                    "position": pos,
                    "title": wtitle,
                    "description": wdesc,
                    "capacity": ws_cap,
                    "moderator_id": self.pick(moderators) if moderators else None,
                    "created_at": opens - dt.timedelta(days=14),
                    "updated_at": opens - dt.timedelta(days=14),
                },
            )
            for t in wthemes:
                if t in theme_ids:
                    self.add(workshop_themes, {"workshop_id": wid, "theme_id": theme_ids[t]})
        self.registrations(key, eid, day, status, n_regs, workshop_ids, ws_cap, opens, closes, mode)
        seat_registrations(self.rows["registrations"], eid, capacity)
        if status is EventStatus.ABGESCHLOSSEN:
            self.assign_workshops(eid, workshop_ids, ws_cap)

    def registrations(
        self,
        key: str,
        eid: int,
        day: dt.date,
        status: EventStatus,
        n_regs: int,
        workshop_ids: list[int],
        ws_cap: int,
        opens: dt.datetime,
        closes: dt.datetime,
        mode: EventMode,
    ) -> None:
        rng = self.rng
        active = {ini.id for ini in self.inis if (ini.founded or 2015) <= day.year}
        with_ini = [p for p, (_o, i, _f) in self.person_info.items() if i in active]
        without = [p for p, (_o, i, _f) in self.person_info.items() if i is None]
        chosen: list[tuple[int, int | None]] = []
        if key == "nt4":
            # 46 attendees, 26 of them from 21 initiatives (the real 2023 meeting).
            by_ini: dict[int, list[int]] = {}
            for p in with_ini:
                by_ini.setdefault(self.person_info[p][1] or 0, []).append(p)
            inis = sorted(by_ini)
            rng.shuffle(inis)
            picked_inis = inis[: min(21, len(inis))]
            pool = [p for i in picked_inis for p in by_ini[i]]
            firsts = [self.pick(by_ini[i]) for i in picked_inis]
            extra = [p for p in pool if p not in firsts]
            rng.shuffle(extra)
            for p in firsts + extra[: 26 - len(firsts)]:
                chosen.append((p, self.person_info[p][1]))
            rest = [p for p in without + with_ini if p not in {c[0] for c in chosen}]
            rng.shuffle(rest)
            for p in rest[: n_regs - len(chosen)]:
                chosen.append((p, None))
        else:
            pool = with_ini + without
            picked = rng.sample(pool, min(n_regs, len(pool)))
            chosen = [(p, self.person_info[p][1]) for p in picked]
        weights = [0.42, 0.2, 0.16, 0.12, 0.10]
        rng.shuffle(weights)
        past = status is EventStatus.ABGESCHLOSSEN
        n = len(chosen)
        statuses: list[RegistrationStatus]
        if key == "nt4":
            statuses = [RegistrationStatus.ATTENDED] * min(46, n)
            statuses += [RegistrationStatus.NO_SHOW, RegistrationStatus.CANCELLED] * n
            statuses = statuses[:n]
            # the 26 from initiatives first, so every one of them attended
        elif past:
            statuses = [
                self.weighted(
                    (
                        (RegistrationStatus.ATTENDED, 85),
                        (RegistrationStatus.NO_SHOW, 8),
                        (RegistrationStatus.CANCELLED, 7),
                    )
                )
                for _ in range(n)
            ]
        else:
            statuses = [
                self.weighted(
                    (
                        (RegistrationStatus.REGISTERED, 87),
                        (RegistrationStatus.WAITLISTED, 8),
                        (RegistrationStatus.CANCELLED, 5),
                    )
                )
                for _ in range(n)
            ]
        last_reg = min(closes, berlin(AS_OF.year, AS_OF.month, AS_OF.day, 18))
        span = int((last_reg - opens).total_seconds())
        reg_table = tbl(Registration)
        pref_table = tbl(WorkshopPreference)
        consent_table = tbl(Consent)
        regs: list[tuple[Row, list[int]]] = []
        for (pid, ini_id), rstatus in zip(chosen, statuses, strict=True):
            oid, _i, function = self.person_info[pid]
            rid = self.new_id(reg_table)
            at = opens + dt.timedelta(seconds=rng.randrange(max(span, 1)))
            token = hashlib.sha256(rng.randbytes(32) + str(rid).encode()).hexdigest()
            org_name = self.rows["organisations"][self.oi(oid)]["name"]
            row = self.add(
                reg_table,
                {
                    "id": rid,
                    "event_id": eid,
                    "person_id": pid,
                    "organisation_id": oid,
                    "organisation_text": org_name,
                    "organisation_confirmed": past or self.chance(0.85),
                    "initiative_id": ini_id,
                    "function": function,
                    "status": rstatus,  # the outcome; `seat_registrations` decides the seats
                    "registered_at": at,
                    "cancelled_at": at + (last_reg - at) / 2
                    if rstatus is RegistrationStatus.CANCELLED
                    else None,
                    "checked_in_at": (
                        berlin(day.year, day.month, day.day, 9, rng.randrange(60))
                        if rstatus is RegistrationStatus.ATTENDED and mode is not EventMode.ONLINE
                        else None
                    ),
                    "assigned_workshop_id": None,
                    "assignment_fixed": False,
                    "token_hash": token,
                    "created_at": at,
                    "updated_at": at,
                },
            )
            k = self.weighted(((1, 15), (2, 30), (3, 55)))
            prefs: list[int] = []
            ws = list(workshop_ids)
            ww = list(weights)
            for _ in range(k):
                j = rng.choices(range(len(ws)), ww)[0]
                prefs.append(ws.pop(j))
                ww.pop(j)
            for rank, wid in enumerate(prefs, start=1):
                self.add(
                    pref_table,
                    {
                        "id": self.new_id(pref_table),
                        "registration_id": rid,
                        "workshop_id": wid,
                        "rank": rank,
                    },
                )
            self.consent(
                consent_table,
                pid,
                ConsentPurpose.EVENT_COMMUNICATION,
                ConsentStatus.CONFIRMED,
                at,
                rid,
                ConsentMethod.WEB_FORM,
            )
            if self.chance(0.4):
                self.consent(
                    consent_table,
                    pid,
                    ConsentPurpose.PARTICIPANT_LIST,
                    ConsentStatus.CONFIRMED,
                    at,
                    rid,
                    ConsentMethod.WEB_FORM,
                )
            if mode is not EventMode.ONLINE and self.chance(0.5):
                self.consent(
                    consent_table,
                    pid,
                    ConsentPurpose.PHOTOS,
                    ConsentStatus.CONFIRMED,
                    at,
                    rid,
                    ConsentMethod.WEB_FORM,
                )
            regs.append((row, prefs))
        self.preferences.update({row["id"]: prefs for row, prefs in regs})

    def assign_workshops(self, eid: int, workshop_ids: list[int], ws_cap: int) -> None:
        """The office assigned workshops back then: in registration order, the first wish
        with room left, else any workshop with room (as `first_come_first_served`)."""
        load = dict.fromkeys(workshop_ids, 0)
        rows = [r for r in self.rows["registrations"] if r["event_id"] == eid]
        for row in sorted(rows, key=lambda r: (r["registered_at"], r["id"])):
            if row["status"] not in SEATED:
                continue
            for wid in [*self.preferences[row["id"]], *workshop_ids]:
                if load[wid] < ws_cap:
                    row["assigned_workshop_id"] = wid
                    load[wid] += 1
                    break

    # -- scale

    def scale_up(self, orgs: int, persons: int) -> None:
        lands = list(N.LAND_WEIGHT.items())
        by_land: dict[str, list[Ini]] = {}
        for ini in self.inis:
            if ini.type not in LAND_LEVEL_TYPES and not ini.companies_only:
                for land in ini.laender:
                    by_land.setdefault(land, []).append(ini)
        table = tbl(Membership)
        first_new = self.first_org_id + len(self.org_type)
        while len(self.org_type) < orgs:
            land = self.weighted(lands)
            place = self.pick(self.refs.by_land[land])
            if self.chance(0.88):
                oid = self.new_company(land, place)
            else:
                oid = self.other_org(land, self.pick(N.REGIONS[land])[0], (place.lat, place.lon))
            if oid < first_new:
                continue
            cands = by_land.get(land)
            if cands and self.chance(0.3):
                ini = self.rng.choices(cands, [max(i.reported or 0, 10) for i in cands])[0]
                start = dt.date(ini.founded or 2015, 1, 1)
                self.membership(ini, oid, None, start, None, table, late=True)
        have = len(self.rows["persons"])
        if persons <= have:
            return
        # Every new organisation gets somebody first, then the rest at random.
        new_orgs = list(range(first_new, self.first_org_id + len(self.org_type)))
        self.rng.shuffle(new_orgs)
        ini_of: dict[int, int] = {}
        for m in self.rows["memberships"]:
            ini_of.setdefault(m["organisation_id"], m["initiative_id"])
        start_rows = len(self.rows["persons"])
        for oid in new_orgs:
            if have >= persons:
                break
            self.person(oid, ini_of.get(oid))
            have += 1
        n_orgs = len(self.org_type)
        while have < persons:
            oid = self.first_org_id + self.rng.randrange(n_orgs)
            self.person(oid, ini_of.get(oid))
            have += 1
        new_rows = self.rows["persons"][start_rows:]
        self.second_affiliations(new_rows)
        consent_table = tbl(Consent)
        for row in new_rows:
            if self.chance(0.3):
                self.consent(
                    consent_table,
                    row["id"],
                    ConsentPurpose.NEWSLETTER,
                    ConsentStatus.CONFIRMED,
                    row["collected_at"],
                    None,
                )

    # -- writing

    def write(self) -> None:
        order = [
            "organisations",
            "initiatives",
            "initiative_laender",
            "initiative_kreise",
            "initiative_themes",
            "initiative_formats",
            "memberships",
            "persons",
            "affiliations",
            "initiative_roles",
            "relationships",
            "interactions",
            "interaction_persons",
            "events",
            "agenda_blocks",
            "workshops",
            "workshop_themes",
            "registrations",
            "workshop_preferences",
            "consents",
        ]
        tables = {t.name: t for t in Organisation.metadata.sorted_tables}
        session = db.session
        for name in order:
            rows = self.rows.get(name)
            if not rows:
                continue
            stmt = tables[name].insert()
            for i in range(0, len(rows), CHUNK):
                session.execute(stmt, rows[i : i + CHUNK])
        if session.get_bind().dialect.name == "postgresql":
            for name in self.next_id:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed table names
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )

    def counts(self) -> dict[str, int]:
        labels = (
            ("Initiativen", "initiatives"),
            ("Organisationen", "organisations"),
            ("Mitgliedschaften", "memberships"),
            ("Personen", "persons"),
            ("Zugehörigkeiten", "affiliations"),
            ("Rollen", "initiative_roles"),
            ("Einwilligungen", "consents"),
            ("Beziehungen", "relationships"),
            ("Kontakte", "interactions"),
            ("Veranstaltungen", "events"),
            ("Workshops", "workshops"),
            ("Anmeldungen", "registrations"),
            ("Workshopwünsche", "workshop_preferences"),
        )
        return {label: len(self.rows.get(table, [])) for label, table in labels}


#: Registration statuses that occupy a seat (as in `crm.events.services`).
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


def seat_registrations(rows: list[Row], event_id: int, capacity: int | None) -> None:
    """Replay the event's registrations and cancellations in time order under the waitlist
    rules of the app, so that the demo obeys them: a newcomer gets a seat only while one is
    free and nobody waits; a cancellation frees a seat for the earliest waiting.

    Each row's drawn status is its outcome (cancelled, or what became of a seat); whoever
    never got a seat ends up waitlisted (and was not checked in).
    """
    mine = [r for r in rows if r["event_id"] == event_id]
    steps = [(r["registered_at"], 0, r["id"], r) for r in mine]
    steps += [(r["cancelled_at"], 1, r["id"], r) for r in mine if r["cancelled_at"] is not None]
    seated: set[int] = set()
    queue: list[int] = []
    for _at, kind, rid, _row in sorted(steps, key=lambda s: s[:3]):
        if kind == 0:
            if capacity is None or (len(seated) < capacity and not queue):
                seated.add(rid)
            else:
                queue.append(rid)
            continue
        if rid in queue:
            queue.remove(rid)
        seated.discard(rid)
        while queue and (capacity is None or len(seated) < capacity):
            seated.add(queue.pop(0))
    for row in mine:
        if row["status"] is RegistrationStatus.CANCELLED:
            continue
        if row["id"] in seated:
            if row["status"] is RegistrationStatus.WAITLISTED:
                row["status"] = RegistrationStatus.REGISTERED
        else:
            row["status"] = RegistrationStatus.WAITLISTED
            row["checked_in_at"] = None


def seed_demo(*, size: str, seed: int, orgs: int = 20_000, persons: int = 60_000) -> dict[str, int]:
    """Add synthetic demo data of `size` ("small", "full" or "scale") to the session.

    Deterministic for `seed`; reference data (Länder, Kreise, postcodes, themes,
    formats) must be loaded. Does not commit. Returns the number of rows per record type.
    """
    if size not in ("small", "full", "scale"):
        raise ValueError(f"unknown size {size!r}")
    spec = SIZES["full" if size == "scale" else size]
    rng = random.Random(seed)
    b = _Builder(rng, spec)
    if spec.all_institutions:
        b.all_institutions()
    b.initiatives()
    b.memberships()
    b.contacts()
    b.more_persons(spec.persons)
    b.relationships()
    b.interactions()
    b.consents()
    b.events()
    if size == "scale":
        b.scale_up(orgs, persons)
    b.write()
    return b.counts()
