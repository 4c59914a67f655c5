"""Periodic work of the follow-up: uploaded material files that no material refers to any
more (their workshop or event was deleted) are removed after a grace period."""

from __future__ import annotations

from crm.extensions import db
from crm.followup import files
from crm.followup import services
from crm.jobs import crontab
from crm.jobs import periodic_job


@periodic_job(crontab(hour="3", minute="45"))
def prune_material_files() -> str:
    """Remove material files that no material has referred to for `files.ORPHAN_GRACE`."""
    referenced = services.stored_names()
    db.session.rollback()  # end the read; the files are not in the database
    return f"{files.prune_orphans(referenced)} verwaiste Unterlagen entfernt"
