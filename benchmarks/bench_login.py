"""Hello with a login cookie against hello without (issue #23, target 4: at least 70 %).

    python -m benchmarks.bench_login [--rounds 15] [--batch 300] [--backends sqlite postgresql]

In-process, with the Flask test client, on a scratch database per backend (migrated, one
staff account; the session check reads the account and indexed maxima, so the amount of
data does not matter): `/_bench/hello` requested by a client without a cookie and by one
logged in, in alternating batches so that both see the same load on the machine. Prints per
backend the requests per second of each (medians over the rounds) and their ratio, by wall
time and by this process's CPU time (the latter is steadier on a busy machine, but leaves
out the database server's share on PostgreSQL). Nothing is asserted: timings belong here.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import statistics
import time
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from benchmarks.bench_directory import HELLO
from benchmarks.bench_directory import TARGET_LOGIN
from benchmarks.bench_directory import USER_AGENT
from benchmarks.bench_directory import add_hello
from benchmarks.bench_directory import bench_account
from benchmarks.bench_directory import bench_config
from benchmarks.bench_directory import login
from benchmarks.bench_directory import postgres_reachable
from benchmarks.bench_directory import scratch_postgres
from benchmarks.bench_directory import scratch_sqlite


@dataclass
class Rates:
    """Seconds per request of each batch, wall and CPU, without and with the cookie."""

    wall: tuple[list[float], list[float]]
    cpu: tuple[list[float], list[float]]

    def rate(self, with_cookie: bool, *, cpu: bool = False) -> float:
        """Requests per second (median of the batches)."""
        return 1 / statistics.median((self.cpu if cpu else self.wall)[with_cookie])

    def ratio(self, *, cpu: bool = False) -> float:
        """Hello with the cookie as a share of hello without."""
        return self.rate(True, cpu=cpu) / self.rate(False, cpu=cpu)


def prepared_app(database_url: str) -> Flask:
    """The app on a migrated scratch database with the benchmark's staff account."""
    from flask_migrate import upgrade

    from crm import create_app

    app = create_app(bench_config(database_url, secrets.token_hex(32)))
    add_hello(app)
    with app.app_context():
        upgrade()
    bench_account(app)
    return app


def measure(app: Flask, rounds: int, batch: int) -> Rates:
    """Alternating batches of hello without and with the login cookie."""
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    clients: tuple[FlaskClient, FlaskClient] = (anonymous, login(app))
    for client in clients:
        for _ in range(batch):
            if client.get(HELLO).status_code != 200:
                raise RuntimeError("hello did not answer 200")
    rates = Rates(wall=([], []), cpu=([], []))
    for _ in range(rounds):
        for index, client in enumerate(clients):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(batch):
                client.get(HELLO)
            rates.wall[index].append((time.perf_counter() - wall) / batch)
            rates.cpu[index].append((time.process_time() - cpu) / batch)
    return rates


def report(name: str, rates: Rates) -> str:
    """One line per backend."""
    verdict = "ok" if rates.ratio() >= TARGET_LOGIN else "below target"
    return (
        f"{name:10s} without {rates.rate(False):6.0f} req/s, with cookie {rates.rate(True):6.0f}"
        f" req/s: {rates.ratio():.0%} (CPU time: {rates.ratio(cpu=True):.0%});"
        f" target ≥ {TARGET_LOGIN:.0%}: {verdict}"
    )


def main() -> None:
    """Measure each backend and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=300)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    logging.getLogger("crm.requests").disabled = True  # one line per request on stderr
    lines = []
    for name in args.backends:
        if name == "postgresql" and not postgres_reachable():
            lines.append(f"{name:10s} skipped: no PostgreSQL on 127.0.0.1:5432")
            continue
        scratch = scratch_sqlite() if name == "sqlite" else scratch_postgres()
        with scratch as url:
            app = prepared_app(url)
            try:
                lines.append(report(name, measure(app, args.rounds, args.batch)))
            finally:
                from crm.extensions import db

                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()
