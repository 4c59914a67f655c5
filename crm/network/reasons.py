"""The wording of suggestion reasons (web layer): `crm.graph` gives each reason a code
and its data, Babel words it at render time, so each user reads it in their language."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from crm.graph import Reason
from crm.models import OrgType
from crm.web.labels import label

#: The message of each reason code (`crm.graph.suggest.WORDING` has the same in German).
MESSAGES = {
    "shared_theme": _l("Beide arbeiten zu %(label)s"),
    "same_workshop": _l("Beide waren im Workshop %(label)s"),
    "same_event": _l("Beide waren beim %(label)s"),
    "shared_member": _l("Beide haben %(label)s als Mitglied"),
    "shared_membership": _l("Beide sind Mitglied in %(label)s"),
    "same_employer": _l("Beide arbeiten bei %(label)s"),
    "active_in_both": _l("%(label)s ist bei beiden aktiv"),
    "shared_connection": _l("Gemeinsame Verbindung über %(label)s"),
    "member_there": _l("%(label)s ist dort Mitglied"),
    "active_there": _l("%(label)s ist dort aktiv"),
    "connection": _l("Verbindung über %(label)s"),
    "path": _l("Indirekte Verbindung über %(label)s"),
    "same_region": _l("Gleiches Bundesland"),
    "neighbouring_region": _l("Nachbarregion"),
    "complementary_mix": _l("Ergänzende Mitglieder: %(types)s"),
    # the practitioner exchange (crm.matchmaking.proposals)
    "complementary_sector": _l("Ergänzende Perspektive: %(types)s"),
    "shared_contact": _l("Eine gemeinsame Kontaktperson"),
    "already_linked": _l("Sie kennen sich schon"),
}


def _type_name(value: str) -> str:
    try:
        return str(label(OrgType(value)))
    except ValueError:
        return value


def reason_text(reason: Reason) -> str:
    """The reason in the current language; organisation types named by their labels."""
    return _worded(reason, {})


def reason_texts(groups: Iterable[Iterable[Reason]]) -> list[tuple[str, ...]]:
    """`reason_text` of the reasons of each group (e.g. of each suggestion of a panel), with
    each message translated once: a panel words about 40 reasons with a handful of them."""
    translated: dict[str, str] = {}
    return [tuple(_worded(reason, translated) for reason in group) for group in groups]


def _worded(reason: Reason, translated: dict[str, str]) -> str:
    """`reason` in the current language; `translated` keeps the messages already looked up
    (code → message in the current language)."""
    data = reason.data
    if reason.code in ("further", "further_one"):
        count = int(data.get("count", 1))
        return ngettext(
            "… und %(num)d weitere gemeinsame Verbindung",
            "… und %(num)d weitere gemeinsame Verbindungen",
            count,
        )
    message = translated.get(reason.code)
    if message is None:
        lazy = MESSAGES.get(reason.code)
        if lazy is None:
            return str(data.get("label", reason.text))
        message = translated[reason.code] = str(lazy)
    if reason.code in ("complementary_mix", "complementary_sector"):
        names = sorted(_type_name(value) for value in data.get("types", ()))
        return message % {"types": ", ".join(names)}
    return message % {key: str(value) for key, value in data.items()}
