"""Demo of the invitations (#18): one campaign to the upcoming network meeting, inviting the
contact persons (Ansprechpersonen) of the initiatives, not sent yet, so that its preview
(who is invited, who is left out and why, the mail in German and English) shows something.
Staff send it from the preview; the recipients are chosen then."""

from __future__ import annotations

from crm.demo.base import AS_OF
from crm.demo.base import BuilderBase
from crm.demo.base import berlin
from crm.demo.base import tbl
from crm.models import InitiativeRoleKind
from crm.models import InvitationCampaign

#: The event of the demo campaign (crm/demo/events.py MEETINGS).
SLUG = "netzwerktreffen-2027"
TABLES = ("invitation_campaigns",)


def add_invitations(b: BuilderBase) -> None:
    """Add the campaign to the builder's rows (nothing without the upcoming meeting)."""
    event = next((e for e in b.rows.get("events", []) if e["slug"] == SLUG), None)
    if event is None:
        return
    table = tbl(InvitationCampaign)
    at = berlin(AS_OF.year, AS_OF.month, AS_OF.day, 10)
    b.add(
        table,
        {
            "id": b.new_id(table),
            "event_id": event["id"],
            "name": "Einladung an die Ansprechpersonen der Initiativen",
            "filters": {"role": InitiativeRoleKind.ANSPRECHPERSON.value},
            "subject_de": f"Einladung: {event['title']}",
            "subject_en": "Invitation: network meeting of the industry initiatives 2027",
            "intro_de": (
                "wir laden Sie herzlich zum Netzwerktreffen der Industrieinitiativen ein: "
                "vormittags das Programm, nachmittags fünf parallele Workshops zum Austausch "
                "unter Praktikerinnen und Praktikern. Die Teilnahme ist kostenfrei."
            ),
            "intro_en": (
                "we cordially invite you to the network meeting of the industry initiatives: "
                "the programme in the morning, five parallel workshops for practitioners in "
                "the afternoon. Participation is free of charge (the meeting is held in German)."
            ),
            "sent_at": None,
            "reminded_at": None,
            "version": 1,
            "created_at": at,
            "updated_at": at,
        },
    )
