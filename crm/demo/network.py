"""Demo links between initiatives (relationships) and the office's contact log
(interactions).
"""

from __future__ import annotations

import datetime as dt

from crm.demo import names as N
from crm.demo.base import AS_OF
from crm.demo.base import tbl
from crm.demo.people import PeopleBuilder
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import interaction_persons

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


class NetworkBuilder(PeopleBuilder):
    """Relationships between initiatives and interactions with them."""

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
