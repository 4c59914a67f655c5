"""Demo organisations: chambers, unions, universities, ministries, Kommunen, Kreise,
associations, other bodies and companies, named and placed near where they are needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from crm.demo import names as N
from crm.demo.base import AS_OF
from crm.demo.base import BuilderBase
from crm.demo.base import Place
from crm.demo.base import slugify
from crm.demo.base import sq_distance
from crm.demo.base import tbl
from crm.models import Organisation
from crm.models import OrgType
from crm.models import SizeClass
from crm.models.text import sort_key


class OrganisationBuilder(BuilderBase):
    """Finds or makes the organisations of a region."""

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
            return sq_distance((found[0].lat, found[0].lon), centre)

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
        kreise.sort(key=lambda k: sq_distance(self.refs.centroid[k[0]], centre))
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
