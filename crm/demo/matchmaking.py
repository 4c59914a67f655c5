"""Demo of the practitioner exchange (#25) at the upcoming network meeting: matchmaking on,
every seated participant opted in (with the consent), wishes and requests between them,
and a computed draft of the 1:1 meetings (not yet published), so that every page of the
exchange shows something.

Rows are collected on the demo builder and bulk-inserted with the rest (`write`); the draft
comes from a small greedy plan here, not from the solver, to keep seeding fast.
"""

from __future__ import annotations

import datetime as dt

from crm.demo.base import AS_OF
from crm.demo.base import BERLIN
from crm.demo.base import BuilderBase
from crm.demo.base import Row
from crm.demo.base import berlin
from crm.demo.base import tbl
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import MeetingRequestStatus
from crm.models import MeetingSource
from crm.models import MeetingVideoMode
from crm.models import MeetingWishLevel
from crm.models import RegistrationStatus
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from crm.models.matchmaking import MeetingRequest
from crm.models.matchmaking import MeetingWish

#: The event of the demo exchange (crm/demo/events.py MEETINGS).
SLUG = "netzwerktreffen-2027"
#: The window: after the workshop round (13–15), four meetings of 20 minutes.
WINDOW = ((15, 0), (16, 20))
MINUTES = 20
PATTERN = "https://meet.example.org/industrienetz-{token}"
#: Tables of the registration rows the exchange adds columns to (default values).
OPT_IN_DEFAULTS: Row = {"matchmaking_opt_in": False, "matchmaking_opted_at": None}
MESSAGES = (
    "Wir arbeiten beide an der Fachkräftesicherung – kurzer Austausch?",
    "Ich würde gern von Ihren Erfahrungen mit der Langen Nacht der Industrie hören.",
    "Wasserstoff in der Region: Lassen Sie uns sprechen.",
    None,
)


def _day(b: BuilderBase) -> tuple[int, dt.date] | None:
    event = next((e for e in b.rows.get("events", []) if e["slug"] == SLUG), None)
    if event is None:
        return None
    local = event["starts_at"].astimezone(BERLIN)
    return int(event["id"]), local.date()


def add_matchmaking(b: BuilderBase) -> None:
    """Add the exchange of the upcoming meeting to the builder's rows (nothing without it)."""
    for row in b.rows.get("registrations", []):
        for key, value in OPT_IN_DEFAULTS.items():
            row.setdefault(key, value)
    found = _day(b)
    if found is None:
        return
    event_id, day = found
    participants = [
        r
        for r in b.rows["registrations"]
        if r["event_id"] == event_id and r["status"] is RegistrationStatus.REGISTERED
    ]
    start = berlin(day.year, day.month, day.day, *WINDOW[0])
    end = berlin(day.year, day.month, day.day, *WINDOW[1])
    opted = berlin(AS_OF.year, AS_OF.month, AS_OF.day, 9)
    settings = tbl(MatchmakingSettings)
    settings_row = b.add(
        settings,
        {
            "id": b.new_id(settings),
            "event_id": event_id,
            "enabled": True,
            "meeting_minutes": MINUTES,
            "window_starts_at": start,
            "window_ends_at": end,
            "max_meetings_per_person": 4,
            "max_open_sent": 5,
            "max_open_received": 8,
            "request_expiry_hours": 72,
            "fixed_at": None,
            "video_mode": MeetingVideoMode.PATTERN,
            "video_pattern": PATTERN,
            "video_tables": None,
            "published_at": None,
            "plan_report": None,  # set by the draft below
            "version": 1,
            "created_at": opted,
            "updated_at": opted,
        },
    )
    consents = tbl(Consent)
    for row in participants:
        row["matchmaking_opt_in"] = True
        row["matchmaking_opted_at"] = max(row["registered_at"], opted - dt.timedelta(days=7))
        b.add(
            consents,
            {
                "id": b.new_id(consents),
                "person_id": row["person_id"],
                "purpose": ConsentPurpose.MATCHMAKING,
                "status": ConsentStatus.CONFIRMED,
                "method": ConsentMethod.WEB_FORM,
                "text_version": "2026-11",
                "given_at": row["matchmaking_opted_at"],
                "registration_id": row["id"],
                "created_at": row["matchmaking_opted_at"],
                "updated_at": row["matchmaking_opted_at"],
            },
        )
    ids = [int(r["id"]) for r in participants]
    wanted = _wishes(b, ids, opted)
    accepted = _requests(b, event_id, ids, opted)
    settings_row["plan_report"] = _draft(b, event_id, start, end, wanted, accepted)


def _wishes(b: BuilderBase, ids: list[int], at: dt.datetime) -> dict[frozenset[int], float]:
    """About five marks per participant; returns the weight of each pair both may meet."""
    table = tbl(MeetingWish)
    levels: dict[tuple[int, int], MeetingWishLevel] = {}
    for rid in ids:
        others = [o for o in ids if o != rid]
        for target in b.rng.sample(others, min(5, len(others))):
            level = b.weighted(
                (
                    (MeetingWishLevel.MUST, 2),
                    (MeetingWishLevel.GLADLY, 6),
                    (MeetingWishLevel.NO, 1),
                )
            )
            levels[rid, target] = level
            b.add(
                table,
                {
                    "id": b.new_id(table),
                    "registration_id": rid,
                    "target_registration_id": target,
                    "level": level,
                    "created_at": at,
                    "updated_at": at,
                },
            )
    score = {MeetingWishLevel.MUST: 3.0, MeetingWishLevel.GLADLY: 1.0}
    weights: dict[frozenset[int], float] = {}
    for (rid, target), level in levels.items():
        back = levels.get((target, rid))
        if MeetingWishLevel.NO in (level, back):
            weights[frozenset((rid, target))] = 0.0
            continue
        pair = frozenset((rid, target))
        if weights.get(pair, 1.0) > 0:
            weights[pair] = weights.get(pair, 0.0) + score[level]
    return {pair: w for pair, w in weights.items() if w > 0}


def _requests(
    b: BuilderBase, event_id: int, ids: list[int], at: dt.datetime
) -> list[frozenset[int]]:
    """A request from about every fourth participant: open, accepted or declined.
    Returns the accepted pairs."""
    table = tbl(MeetingRequest)
    accepted: list[frozenset[int]] = []
    asked: set[frozenset[int]] = set()
    for rid in ids[::4]:
        target = b.pick([o for o in ids if o != rid])
        pair = frozenset((rid, target))
        if pair in asked:
            continue
        asked.add(pair)
        status = b.weighted(
            (
                (MeetingRequestStatus.OPEN, 3),
                (MeetingRequestStatus.ACCEPTED, 3),
                (MeetingRequestStatus.DECLINED, 1),
            )
        )
        sent = at - dt.timedelta(hours=b.rng.randrange(1, 48))
        b.add(
            table,
            {
                "id": b.new_id(table),
                "event_id": event_id,
                "sender_registration_id": rid,
                "recipient_registration_id": target,
                "message": b.pick(MESSAGES),
                "status": status,
                "created_at": sent,
                "answered_at": None
                if status is MeetingRequestStatus.OPEN
                else sent + dt.timedelta(hours=3),
                # open ones stay open for the demo (expiry counts from today's date)
                "expires_at": sent + dt.timedelta(days=3650),
            },
        )
        if status is MeetingRequestStatus.ACCEPTED:
            accepted.append(pair)
    return accepted


def _draft(
    b: BuilderBase,
    event_id: int,
    start: dt.datetime,
    end: dt.datetime,
    weights: dict[frozenset[int], float],
    accepted: list[frozenset[int]],
) -> dict[str, object]:
    """A greedy draft: accepted requests first, then the heaviest wished pairs, each in the
    first slot free for both, at most four meetings each."""
    slots: list[dt.datetime] = []
    at = start
    while at + dt.timedelta(minutes=MINUTES) <= end:
        slots.append(at)
        at += dt.timedelta(minutes=MINUTES)
    busy: dict[int, set[dt.datetime]] = {}
    table = tbl(Meeting)
    stamp = berlin(AS_OF.year, AS_OF.month, AS_OF.day, 10)
    ordered = [(p, True) for p in accepted] + [
        (p, False) for p, _w in sorted(weights.items(), key=lambda i: (-i[1], sorted(i[0])))
    ]
    planned: set[frozenset[int]] = set()
    for pair, fixed in ordered:
        if pair in planned:
            continue
        a, c = sorted(pair)
        if len(busy.get(a, ())) >= 4 or len(busy.get(c, ())) >= 4:
            continue
        slot = next((s for s in slots if s not in busy.get(a, set()) | busy.get(c, set())), None)
        if slot is None:
            continue
        planned.add(pair)
        busy.setdefault(a, set()).add(slot)
        busy.setdefault(c, set()).add(slot)
        b.add(
            table,
            {
                "id": b.new_id(table),
                "event_id": event_id,
                "starts_at": slot,
                "a_registration_id": a,
                "b_registration_id": c,
                "video_url": PATTERN.replace("{token}", b.rng.randbytes(16).hex()),
                "source": MeetingSource.REQUEST if fixed else MeetingSource.PLANNED,
                "reasons": [],
                "held": None,
                "rating_a": None,
                "rating_b": None,
                "cancelled_at": None,
                "cancelled_reason": None,
                "reminded_at": None,
                "interaction_id": None,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
    return {
        "computed_at": stamp.isoformat(),
        "method": "heuristic",
        "optimal": False,
        "seconds": 0.0,
        "weights": {"-".join(str(x) for x in sorted(p)): w for p, w in weights.items()},
        "unmet": [],
        "limited_by": {},
    }


#: Tables the exchange writes, in insert order (after the registrations and consents).
TABLES = ("matchmaking_settings", "meeting_wishes", "meeting_requests", "meetings")
