"""The nightly retention run (the same service as `flask --app crm retention --apply`)."""

from __future__ import annotations

from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import crontab
from crm.jobs import periodic_job
from crm.privacy import services


def run_retention() -> services.RetentionReport:
    """Apply the retention rules and commit; the write-ahead log is emptied afterwards."""
    with writing():
        report = services.apply_retention(apply=True)
        db.session.commit()
    if report.persons:
        services.after_erasure()
    return report


@periodic_job(crontab(hour="3", minute="30"))
def retention_nightly() -> str:
    """Anonymise, erase and delete what the retention rules say is due (every night)."""
    report = run_retention()
    return (
        f"{report.registrations} Anmeldungen anonymisiert, {report.persons} Personen "
        f"gelöscht, {report.consents} Einwilligungen gelöscht"
    )
