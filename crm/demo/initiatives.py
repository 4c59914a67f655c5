"""Demo initiatives: the real ones with their public facts, and invented ones named after
their type and region, each with its Länder, Kreise, themes and formats.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from crm.demo import names as N
from crm.demo.base import AS_OF
from crm.demo.base import Ini
from crm.demo.base import Place
from crm.demo.base import slugify
from crm.demo.base import sq_distance
from crm.demo.base import tbl
from crm.demo.organisations import OrganisationBuilder
from crm.models import Initiative
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import SpatialLevel
from crm.models import initiative_formats
from crm.models import initiative_kreise
from crm.models import initiative_laender
from crm.models import initiative_themes
from crm.models.text import sort_key


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


class InitiativeBuilder(OrganisationBuilder):
    """Makes the initiatives (their members come later)."""

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
        cands.sort(key=lambda a: sq_distance(self.refs.centroid[a], centre))
        chosen = cands[: self.rng.randint(*k)]
        if seat.kreis_ags not in chosen:
            chosen[-1:] = [seat.kreis_ags]
        return sorted(set(chosen))
