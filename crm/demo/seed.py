"""Synthetic, deterministic demo data at three sizes (small, full, scale).

`seed_demo` builds every row as a plain dict first (ids assigned here, starting after
the largest id already in each table), then writes them with Core bulk inserts in
foreign-key order. One `random.Random(seed)` drives every choice and no wall clock
enters the data, so the same seed gives the same data. Real initiatives carry only
their public organisation-level facts; all persons are invented, their e-mail
addresses end in ``example.org`` and their phone numbers lie in the never-assigned
"drama" ranges of the Bundesnetzagentur. The caller commits.

The builder is put together from one part per kind of data, each in its own module:
`crm.demo.base` (reference data, ids, random helpers), `organisations`, `initiatives`,
`people` (memberships, persons, affiliations, contact roles, consents), `network`
(relationships, interactions) and `events` (meetings, workshops, registrations).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text

from crm.demo import names as N
from crm.demo.base import AS_OF
from crm.demo.base import Ini
from crm.demo.base import SizeSpec
from crm.demo.base import tbl
from crm.demo.events import EventBuilder
from crm.demo.initiatives import LAND_LEVEL_TYPES
from crm.demo.initiatives import REAL_INITIATIVES
from crm.demo.invitations import TABLES as INVITATION_TABLES
from crm.demo.invitations import add_invitations
from crm.demo.matchmaking import TABLES as MATCHMAKING_TABLES
from crm.demo.matchmaking import add_matchmaking
from crm.demo.network import NetworkBuilder
from crm.demo.people import PHONE_RANGES
from crm.extensions import db
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Membership
from crm.models import Organisation

__all__ = ["AS_OF", "PHONE_RANGES", "REAL_INITIATIVES", "SIZES", "seed_demo"]

CHUNK = 5000

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


class _Builder(EventBuilder, NetworkBuilder):
    """Collects rows for every table, then writes them."""

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
            *MATCHMAKING_TABLES,
            *INVITATION_TABLES,
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
    add_matchmaking(b)
    add_invitations(b)
    if size == "scale":
        b.scale_up(orgs, persons)
    b.write()
    return b.counts()
