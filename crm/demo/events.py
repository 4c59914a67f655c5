"""Demo events: the network meetings with their agenda, workshops, registrations,
workshop wishes and the consents given with a registration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from crm.demo.base import AS_OF
from crm.demo.base import Row
from crm.demo.base import berlin
from crm.demo.base import tbl
from crm.demo.people import PeopleBuilder
from crm.extensions import db
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.events import workshop_themes

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

Block = tuple[tuple[int, int], tuple[int, int], str, AgendaKind]  # from, to, title, kind
IMPULSES: Block = (
    (10, 0),
    (12, 0),
    "Plenum: Impulse und industriepolitische Themen",
    AgendaKind.PLENUM,
)
WORKSHOP_ROUND: Block = (
    (13, 0),
    (15, 0),
    "Austausch in fünf parallelen Workshops",
    AgendaKind.WORKSHOPS,
)


@dataclass(frozen=True)
class Meeting:
    """One network meeting of the demo (its workshops: `WORKSHOPS`)."""

    title: str
    slug: str
    type: EventType
    mode: EventMode
    day: dt.date
    venue: str | None
    blocks: tuple[Block, ...]
    status: EventStatus
    capacity: int | None  # None: the size's `upcoming_capacity`
    workshop_capacity: int
    opens: dt.datetime  # registration window
    closes: dt.datetime


MEETINGS: dict[str, Meeting] = {
    "nt1": Meeting(
        "1. Netzwerktreffen der Industrieinitiativen", "1-netzwerktreffen-2021",
        EventType.NETZWERKTREFFEN, EventMode.ONLINE, dt.date(2021, 3, 16), None,
        (IMPULSES, WORKSHOP_ROUND), EventStatus.ABGESCHLOSSEN, 200, 40,
        berlin(2021, 2, 1, 9), berlin(2021, 3, 12, 23, 59),
    ),
    "nt2": Meeting(
        "2. Netzwerktreffen mit Industrieforum", "2-netzwerktreffen-2021",
        EventType.INDUSTRIEFORUM, EventMode.ONLINE, dt.date(2021, 11, 30), None,
        (
            ((10, 0), (12, 0), "Industrieforum: Industriepolitik im Gespräch", AgendaKind.PLENUM),
            WORKSHOP_ROUND,
        ),
        EventStatus.ABGESCHLOSSEN, 150, 30,
        berlin(2021, 10, 15, 9), berlin(2021, 11, 26, 23, 59),
    ),
    "nt4": Meeting(
        "4. Netzwerktreffen der Industrieinitiativen", "4-netzwerktreffen-2023",
        EventType.NETZWERKTREFFEN, EventMode.PRAESENZ, dt.date(2023, 9, 5),
        "Tagungszentrum Berlin-Mitte, 10117 Berlin",
        (
            ((10, 30), (12, 30), "Plenum: Bilanz und Ausblick der Initiativen", AgendaKind.PLENUM),
            ((13, 30), (15, 30), "Austausch in fünf parallelen Workshops", AgendaKind.WORKSHOPS),
            ((15, 30), (16, 30), "Austausch der Initiativen untereinander", AgendaKind.AUSTAUSCH),
        ),
        EventStatus.ABGESCHLOSSEN, 60, 12,
        berlin(2023, 6, 15, 9), berlin(2023, 8, 29, 23, 59),
    ),
    "nt2027": Meeting(
        "Netzwerktreffen der Industrieinitiativen 2027", "netzwerktreffen-2027",
        EventType.NETZWERKTREFFEN, EventMode.HYBRID, dt.date(2027, 3, 9),
        "Kongresszentrum Frankfurt am Main (Tagungsort wird bekanntgegeben)",
        (IMPULSES, WORKSHOP_ROUND), EventStatus.VEROEFFENTLICHT, None, 30,
        berlin(2026, 10, 1, 9), berlin(2027, 2, 26, 23, 59),
    ),
}  # fmt: skip
#: What became of the registrations of a past meeting, and of an upcoming one.
PAST_OUTCOMES = (
    (RegistrationStatus.ATTENDED, 85),
    (RegistrationStatus.NO_SHOW, 8),
    (RegistrationStatus.CANCELLED, 7),
)
UPCOMING_OUTCOMES = (
    (RegistrationStatus.REGISTERED, 87),
    (RegistrationStatus.WAITLISTED, 8),
    (RegistrationStatus.CANCELLED, 5),
)
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


class EventBuilder(PeopleBuilder):
    """The meetings and who registered for them."""

    def events(self) -> None:
        existing = set(db.session.scalars(select(Event.slug)))
        for key in self.spec.events:
            self.event(key, self.spec.registrations[key], existing)

    def event(self, key: str, n_regs: int, existing_slugs: set[str]) -> None:
        table = tbl(Event)
        meeting = MEETINGS[key]
        day, blocks, opens = meeting.day, meeting.blocks, meeting.opens
        capacity = self.spec.upcoming_capacity if meeting.capacity is None else meeting.capacity
        slug, mode = meeting.slug, meeting.mode
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
                "title": meeting.title,
                "type": meeting.type,
                "mode": mode,
                "venue": meeting.venue,
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
                "registration_closes_at": meeting.closes,
                "is_free": True,
                "fee_note": None,
                "status": meeting.status,
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
                    "capacity": meeting.workshop_capacity,
                    "moderator_id": self.pick(moderators) if moderators else None,
                    "created_at": opens - dt.timedelta(days=14),
                    "updated_at": opens - dt.timedelta(days=14),
                },
            )
            for t in wthemes:
                if t in theme_ids:
                    self.add(workshop_themes, {"workshop_id": wid, "theme_id": theme_ids[t]})
        self.registrations(key, eid, meeting, n_regs, workshop_ids)
        seat_registrations(self.rows["registrations"], eid, capacity)
        if meeting.status is EventStatus.ABGESCHLOSSEN:
            self.assign_workshops(eid, workshop_ids, meeting.workshop_capacity)

    def registrations(
        self, key: str, eid: int, meeting: Meeting, n_regs: int, workshop_ids: list[int]
    ) -> None:
        rng = self.rng
        day, opens, mode = meeting.day, meeting.opens, meeting.mode
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
        past = meeting.status is EventStatus.ABGESCHLOSSEN
        n = len(chosen)
        statuses: list[RegistrationStatus]
        if key == "nt4":
            statuses = [RegistrationStatus.ATTENDED] * min(46, n)
            statuses += [RegistrationStatus.NO_SHOW, RegistrationStatus.CANCELLED] * n
            statuses = statuses[:n]
            # the 26 from initiatives first, so every one of them attended
        else:
            outcomes = PAST_OUTCOMES if past else UPCOMING_OUTCOMES
            statuses = [self.weighted(outcomes) for _ in range(n)]
        last_reg = min(meeting.closes, berlin(AS_OF.year, AS_OF.month, AS_OF.day, 18))
        span = int((last_reg - opens).total_seconds())
        reg_table = tbl(Registration)
        pref_table = tbl(WorkshopPreference)
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
            self.form_consent(pid, ConsentPurpose.EVENT_COMMUNICATION, at, rid)
            if self.chance(0.4):
                self.form_consent(pid, ConsentPurpose.PARTICIPANT_LIST, at, rid)
            if mode is not EventMode.ONLINE and self.chance(0.5):
                self.form_consent(pid, ConsentPurpose.PHOTOS, at, rid)
            regs.append((row, prefs))
        self.preferences.update({row["id"]: prefs for row, prefs in regs})

    def form_consent(
        self, pid: int, purpose: ConsentPurpose, at: dt.datetime, registration_id: int
    ) -> None:
        """A consent confirmed on the registration form."""
        self.consent(
            tbl(Consent),
            pid,
            purpose,
            ConsentStatus.CONFIRMED,
            at,
            registration_id,
            ConsentMethod.WEB_FORM,
        )

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
