"""deploy/gunicorn.conf.py with two workers: /metrics sums the requests of every worker."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
TOKEN = "metrics-token-for-the-gunicorn-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)  # noqa: S310 - a local test server
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _livez_count(text: str) -> float:
    pattern = r'industrienetz_http_requests_total\{method="GET",route="/livez",status="200"\} (\S+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


@pytest.mark.slow
def test_two_gunicorn_workers_report_one_sum(app, database_url, tmp_path):
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": "gunicorn-test-" + "x" * 24,
        "FLASK_METRICS_TOKEN": TOKEN,
        "FLASK_BACKUP_FOLDER": str(tmp_path / "backups"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(base + "/livez")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.5)
        start = _livez_count(_get(base + "/metrics", TOKEN)[1])
        for _ in range(30):
            assert _get(base + "/livez")[0] == 200
        counts = {_livez_count(_get(base + "/metrics", TOKEN)[1]) for _ in range(6)}
        # whichever worker answers the scrape, it reports the sum of both
        assert counts == {start + 30}
        assert _get(base + "/metrics")[0] == 403
        status, body = _get(base + "/readyz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert len(list(metrics_dir.glob("*.db"))) >= 2  # one file set per worker
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    request_lines = [json.loads(line) for line in lines if line.startswith('{"time"')]
    assert any(entry["route"] == "/livez" for entry in request_lines)  # JSON in production
