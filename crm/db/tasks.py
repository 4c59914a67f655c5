"""Nightly backup with rotation, and pruning of old job records and job files."""

from __future__ import annotations

from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import crontab
from crm.jobs import exclusive
from crm.jobs import periodic_job


@periodic_job(crontab(hour="2", minute="30"))
def nightly_backup() -> str:
    """Back up the database and uploads, then rotate (BACKUP_KEEP_DAILY/WEEKLY)."""
    from crm.db.backup import create_backup
    from crm.db.backup import rotate_configured

    with exclusive("backup") as held:
        if not held:
            return "ein anderer Lauf sichert gerade"
        result = create_backup(db.engine)
        removed = rotate_configured()
    return f"{result.path.name}; {len(removed)} alte entfernt"


@periodic_job(crontab(hour="3", minute="15"))
def prune_job_runs() -> str:
    """Forget recorded job runs older than two weeks; remove the files jobs prepared for
    download (large exports) a day after."""
    from crm.jobs import files
    from crm.jobs.monitoring import prune_runs

    with writing():
        runs = prune_runs()
    return f"{runs} entfernt, {files.prune()} Dateien entfernt"
