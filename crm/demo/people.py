"""Demo memberships and persons: which organisations join an initiative, the invented
persons who work there, their affiliations, contact roles and consents.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table

from crm.demo import names as N
from crm.demo.base import AS_OF
from crm.demo.base import Ini
from crm.demo.base import Row
from crm.demo.base import berlin
from crm.demo.base import local_part
from crm.demo.base import tbl
from crm.demo.initiatives import LAND_LEVEL_TYPES
from crm.demo.initiatives import InitiativeBuilder
from crm.models import Affiliation
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import LawfulBasis
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import OrgType
from crm.models import Person
from crm.models import SizeClass
from crm.models.text import sort_key

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


SOURCES = (
    "Website der Initiative",
    "Visitenkarte",
    "Netzwerktreffen",
    "Telefonat",
    "Übernahme aus Altdaten 2021",
    "Empfehlung durch Initiative",
    "E-Mail-Anfrage",
)


class PeopleBuilder(InitiativeBuilder):
    """Members of the initiatives and the persons behind them."""

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
