"""Sending invitations in batches: INVITATIONS_PER_MINUTE mails a minute go into the outbox
(the outbox then delivers at MAIL_RATE_PER_MINUTE). The first batch is written at once,
the next ones by the worker a minute apart; every batch is safe to run twice."""

from __future__ import annotations

from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.invitations import services
from crm.jobs import crontab
from crm.jobs import job
from crm.jobs import periodic_job
from crm.models import Event
from crm.models import InvitationCampaign
from crm.models.base import utcnow

#: Seconds between two batches of a campaign.
BATCH_INTERVAL = 60


def send_batch(campaign_id: int) -> tuple[int, int]:
    """Write the next batch of a campaign's invitations into the outbox, each recipient with
    its own commit. Returns (mails queued, recipients still waiting)."""
    queued = 0
    with services.link_context():
        ids = services.unmailed(campaign_id, services.batch_size())
        db.session.rollback()  # end the read: each write below begins its own transaction
        for recipient_id in ids:
            with writing():
                if services.mail_recipient(recipient_id):
                    queued += 1
                db.session.commit()
    with writing():
        services.refresh_statuses(campaign_id)
        db.session.commit()
    return queued, len(services.unmailed(campaign_id, 1))


def start_sending(campaign_id: int) -> int:
    """The first batch now; the rest by the worker (`invitation_batch`). Returns the
    number of mails queued now."""
    queued, waiting = send_batch(campaign_id)
    if waiting:
        invitation_batch.schedule((campaign_id,), delay=BATCH_INTERVAL)
    return queued


@job(retries=3, retry_delay=60)
def invitation_batch(campaign_id: int) -> str:
    """One batch of a campaign; schedules the next one while recipients are waiting."""
    if db.session.get(InvitationCampaign, campaign_id) is None:
        return "Einladung gibt es nicht mehr"
    queued, waiting = send_batch(campaign_id)
    if waiting:
        invitation_batch.schedule((campaign_id,), delay=BATCH_INTERVAL)
    more = "weitere folgen" if waiting else "fertig"
    return f"{queued} Einladungen in den Postausgang, {more}"


@periodic_job(crontab(minute="*/5"))
def invitation_statuses() -> str:
    """Store the current status of the recipients of sent campaigns of coming events."""
    ids = list(
        db.session.scalars(
            select(InvitationCampaign.id)
            .join(Event, Event.id == InvitationCampaign.event_id)
            .where(InvitationCampaign.sent_at.is_not(None), Event.ends_at > utcnow())
        )
    )
    for campaign_id in ids:
        with writing():
            services.refresh_statuses(campaign_id)
            db.session.commit()
    return f"{len(ids)} Einladungen aktualisiert"
