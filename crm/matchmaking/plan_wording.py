"""The wording of the plan (web layer): the library's codes for people below their target
and the stored reasons of a meeting, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm.graph import Reason
from crm.network.reasons import reason_text as suggestion_reason_text

# The codes of crm.graph.meetings, spelled out: importing that module loads OR-Tools
# (about a second), which pages that only word its results should not pay for
# (tests/matchmaking/test_planning_schedule.py checks they are the same).
PARTNERS_FULL = "partners_full"
SLOTS_TAKEN = "slots_taken"
PARTNERS_BUSY = "partners_busy"
FEW_PARTNERS = "few_partners"
FEW_FREE_SLOTS = "few_free_slots"
CAP = "cap"

#: Why someone has fewer meetings than their target (`crm.graph.meetings.Unmet.reason`).
UNMET = {
    PARTNERS_FULL: _l("Alle gewünschten Partner haben schon so viele Treffen wie erlaubt."),
    SLOTS_TAKEN: _l(
        "Mit allen gewünschten Partnern sind die gemeinsamen freien Zeitfenster belegt."
    ),
    PARTNERS_BUSY: _l(
        "Einige gewünschte Partner sind ausgebucht, mit den anderen sind die gemeinsamen "
        "Zeitfenster belegt."
    ),
}
#: Why someone's target is below the minimum (`MeetingSchedule.limited_by`).
LIMITED_BY = {
    FEW_PARTNERS: _l("wenige mögliche Partner"),
    FEW_FREE_SLOTS: _l("wenige freie Zeitfenster"),
    CAP: _l("Höchstzahl der Treffen"),
}


def unmet_text(code: str) -> str:
    """The reason code of a person below their target, worded."""
    message = UNMET.get(code)
    return str(message) if message is not None else code


def reason_text(reason: Any) -> str:
    """A stored reason of a meeting (code, data, German text) in the current language."""
    if isinstance(reason, dict):
        return suggestion_reason_text(
            Reason(
                kind=str(reason.get("code", "")),
                via=None,
                weight=0.0,
                text=str(reason.get("text", "")),
                code=str(reason.get("code", "label")),
                data=dict(reason.get("data") or {}),
            )
        )
    return str(reason)
