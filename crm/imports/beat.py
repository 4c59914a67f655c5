"""The sign of life of a running import, kept in the job queue's storage (which every
worker and web process shares): written when the import starts and after every chunk.
A "running" import whose last sign is older than STALE_AFTER was interrupted."""

from __future__ import annotations

import datetime as dt
import logging

from crm.jobs import huey
from crm.models.base import utcnow

log = logging.getLogger(__name__)

KEY = "import-beat-{}"
#: A running import that wrote no chunk for this long was interrupted (a chunk is 500 rows).
STALE_AFTER = dt.timedelta(minutes=15)


def record(batch_id: int) -> None:
    """The import of `batch_id` is alive. A queue storage that does not answer for a
    moment does not stop the import (its chunks still check that it runs)."""
    try:
        huey.put(KEY.format(batch_id), utcnow().isoformat())
    except Exception:
        log.warning("import %s: sign of life not written", batch_id, exc_info=True)


def last(batch_id: int) -> dt.datetime | None:
    """When the import of `batch_id` last showed a sign of life (None: never, or it is over)."""
    value = huey.get(KEY.format(batch_id), peek=True)
    return dt.datetime.fromisoformat(str(value)) if value else None


def forget(batch_id: int) -> None:
    """The import is over."""
    try:
        huey.get(KEY.format(batch_id))  # a read without peek removes the key
    except Exception:
        log.warning("import %s: sign of life not removed", batch_id, exc_info=True)


def stale(batch_id: int, now: dt.datetime | None = None) -> bool:
    """No sign of life for more than STALE_AFTER (or none at all)."""
    seen = last(batch_id)
    return seen is None or (now or utcnow()) - seen > STALE_AFTER
