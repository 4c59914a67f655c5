"""gunicorn configuration for Industrienetz: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden from the environment (the systemd unit sets them), so the
file itself stays the same on every host.

- Workers: sync workers, (2 × cores) + 1 by default; each is one Python process with its
  own database pool and about 126 MB of memory (README "Deployment" → Sizing).
- Timeouts: a request that takes longer than `timeout` seconds is killed (long work runs
  in the job worker, not in a request); `graceful_timeout` lets running requests finish
  on restart.
- Forwarded headers: nginx on the same host terminates TLS. gunicorn trusts
  X-Forwarded-Proto only from FORWARDED_ALLOW_IPS; the app itself reads X-Forwarded-For
  and -Proto through TRUSTED_PROXIES (instance/config.py: TRUSTED_PROXIES = 1).
- Metrics: with PROMETHEUS_MULTIPROC_DIR set (the unit sets it to a folder under
  /run/industrienetz), every worker writes its metrics there and /metrics sums them; the
  folder is emptied when gunicorn starts and a dead worker's files are marked.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# recycle workers now and then (bounded memory growth), not all at the same moment
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# the app logs one line per request itself (LOG_FORMAT); gunicorn's access log is off
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# no preload: each worker builds its own app (and database pool) after the fork
preload_app = False


def on_starting(server: Any) -> None:
    """Empty the metrics folder: values of an earlier run must not be added again."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.is_dir():
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges no longer count (prometheus multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
