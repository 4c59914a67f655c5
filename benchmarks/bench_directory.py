"""Benchmark of the directory at scale: `python -m benchmarks.bench_directory` (or `make bench`).

One run, per backend (a scratch SQLite file in a temporary directory, and a scratch
PostgreSQL database `crm_bench_<pid>` when 127.0.0.1:5432 answers; both are removed
afterwards):

1. `init-db` (migrations + reference data) and `seed-demo --size scale`
   (20,000 organisations, 60,000 persons), timed;
2. in-process, with the Flask test client logged in as staff: p50/p95 over
   `--requests` requests (after a warm-up) of the list pages at the first, middle and
   last page, the search page (if the route exists), and the detail pages (the
   organisation and person pages only if their routes exist); SQL statements per page
   (a `before_cursor_execute` listener), both in total and as the list's own part
   (total minus a trivial logged-in page, `/account/password`: that removes the
   session's user load and the navigation's follow-up count);
3. with `wrk` installed: req/s of `/initiatives/` and `/persons/` next to
   `/_bench/hello`, all served by one gunicorn (2 sync workers) on a loopback port,
   16 connections, `--wrk-seconds` each. wrk cannot log in, so the benchmark logs in
   once with the test client under the same SECRET_KEY and hands wrk that session
   cookie (and the same User-Agent, so Flask-Login's session protection is satisfied);
   `/_bench/hello` is requested without a cookie (see `benchmarks.bench_wsgi`).

The figures are printed as a Markdown table next to the targets of issue 3 and
written to `bench-output/bench.md`. Loopback addresses only; every step is bounded.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess  # noqa: S404 - gunicorn and wrk are started with fixed argument lists
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output" / "bench.md"
POSTGRES_ADMIN_URL = os.environ.get(
    "CRM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
USER_AGENT = "crm-bench"
BENCH_EMAIL = "bench-staff@example.org"
BASELINE = "/account/password"

TARGET_P95_MS = 10.0
TARGET_LAST_FIRST = 1.5
TARGET_STATEMENTS = 3
TARGET_THROUGHPUT = 0.12


def bench_config(database_url: str, secret_key: str) -> dict[str, Any]:
    """The app configuration of the benchmark (in-process and under gunicorn alike)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secret_key,
        "SESSION_COOKIE_SECURE": False,  # plain HTTP on loopback
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@dataclass
class PageResult:
    """Timings and statement counts of one page."""

    group: str
    label: str
    path: str
    status: int
    p50: float = 0.0
    p95: float = 0.0
    statements: int = 0
    own_statements: int = 0
    is_list: bool = False
    is_search: bool = False


@dataclass
class BackendResult:
    """Everything measured on one database backend."""

    name: str
    init_seconds: float = 0.0
    seed_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    pages: list[PageResult] = field(default_factory=list)
    throughput: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


# --- databases ----------------------------------------------------------------------


def postgres_reachable() -> bool:
    """Does the scratch PostgreSQL server answer on loopback?"""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return False


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    """A fresh SQLite database file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite"


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database `crm_bench_<pid>`, dropped afterwards."""
    import psycopg

    name = f"crm_bench_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(app: Flask, result: BackendResult, size: str) -> None:
    """init-db and seed-demo, timed; then one staff account for the measurements."""
    from flask_migrate import upgrade

    from crm.accounts.services import create_user
    from crm.db.engine import writing
    from crm.demo.seed import seed_demo
    from crm.extensions import db
    from crm.reference.loader import load_reference_data

    with app.app_context():
        started = time.perf_counter()
        upgrade()
        with writing():
            load_reference_data()
            db.session.commit()
        result.init_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with writing():
            result.counts = seed_demo(size=size, seed=2021)
            db.session.commit()
        result.seed_seconds = time.perf_counter() - started
        with writing():
            create_user(BENCH_EMAIL, "staff", bench_password(app))
            db.session.commit()


def bench_password(app: Flask) -> str:
    """A per-run password derived from the per-run secret key (never stored anywhere)."""
    return "bench-" + str(app.config["SECRET_KEY"])[:24]


# --- in-process measurements --------------------------------------------------------


class StatementCounter:
    """Counts the statements an engine executes (a `before_cursor_execute` listener)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.count = 0

    def _on_execute(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def login(app: Flask) -> FlaskClient:
    """A test client logged in as the benchmark's staff account."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    response = client.post("/login", data={"email": BENCH_EMAIL, "password": bench_password(app)})
    if response.status_code != 302 or response.headers["Location"].startswith("/login"):
        raise RuntimeError(f"bench login failed: {response.status_code}")
    return client


def statements_of(app: Flask, client: FlaskClient, path: str) -> tuple[int, int]:
    """(status, statements) of one request."""
    from crm.extensions import db

    with app.app_context():
        engine = db.engine
    with StatementCounter(engine) as counter:
        status = client.get(path).status_code
    return status, counter.count


def measure(
    app: Flask, client: FlaskClient, page: PageResult, requests: int, warmup: int, base: int
) -> None:
    """Fill in p50/p95 and statement counts of `page`."""
    for _ in range(warmup):
        client.get(page.path)
    page.status, page.statements = statements_of(app, client, page.path)
    page.own_statements = page.statements - base
    timings: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(page.path)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    page.p50, page.p95 = statistics.median(timings), cuts[94]


def has_route(app: Flask, rule: str) -> bool:
    """Is `rule` (e.g. "/search") routed in this app?"""
    return any(r.rule == rule for r in app.url_map.iter_rules())


def pages_to_measure(app: Flask) -> list[PageResult]:
    """The pages of the benchmark, with ids chosen from the seeded data."""
    from crm.extensions import db
    from crm.models import Affiliation
    from crm.models import Initiative
    from crm.models import Membership
    from crm.models import Organisation
    from crm.models import Person

    pages: list[PageResult] = []
    per_page = int(app.config["PAGE_SIZE"])
    with app.app_context():
        for path, model in (
            ("/initiatives/", Initiative),
            ("/organisations/", Organisation),
            ("/persons/", Person),
        ):
            total = int(db.session.scalar(select(func.count()).select_from(model)) or 0)
            last = max(1, math.ceil(total / per_page))
            for label, number in (("first", 1), ("middle", max(1, last // 2)), ("last", last)):
                pages.append(
                    PageResult(
                        path, f"{label} page ({number})", f"{path}?page={number}", 0, is_list=True
                    )
                )
        if has_route(app, "/search"):
            person = db.session.scalar(
                select(Person)
                .order_by(Person.id)
                .offset(int(db.session.scalar(select(func.count(Person.id))) or 0) // 2)
                .limit(1)
            )
            fragment = (person.last_name[:5] if person else "mül").lower()
            for q in ("stahl", fragment):
                pages.append(PageResult("/search", f"q={q}", f"/search?q={q}", 0, is_search=True))

        busiest = (  # the initiative and the organisation with the most memberships
            ("/initiatives/<int:initiative_id>", Membership.initiative_id, "initiative", "members"),
            (
                "/organisations/<int:organisation_id>",
                Membership.organisation_id,
                "organisation",
                "memberships",
            ),
        )
        for rule, column, kind, counted in busiest:
            if not has_route(app, rule):
                continue
            record_id = db.session.scalar(
                select(column).group_by(column).order_by(func.count().desc()).limit(1)
            )
            if record_id is not None:
                url = f"/{kind}s/{record_id}"
                pages.append(PageResult("detail", f"{kind} (most {counted})", url, 0))
        if has_route(app, "/persons/<int:person_id>"):
            person_id = db.session.scalar(select(Affiliation.person_id).limit(1))
            if person_id is not None:
                pages.append(PageResult("detail", "person", f"/persons/{person_id}", 0))
    return pages


# --- gunicorn + wrk -------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(url: str, cookie: str | None = None, timeout: float = 5.0) -> int:
    """Status of one GET (redirects not followed); 0 when nothing answers."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: Any, **_kw: Any) -> None:
            return None

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    if cookie:
        request.add_header("Cookie", f"session={cookie}")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


@contextmanager
def gunicorn(database_url: str, secret_key: str) -> Iterator[str]:
    """Serve `benchmarks.bench_wsgi` with 2 sync workers on a loopback port; yields the base URL."""
    port = free_port()
    env = os.environ | {
        "CRM_BENCH_DATABASE_URL": database_url,
        "CRM_BENCH_SECRET_KEY": secret_key,
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments, our own interpreter
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "benchmarks.bench_wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while http_status(f"{base}/_bench/hello", timeout=1) != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wrk(url: str, seconds: int, cookie: str | None) -> tuple[float, int]:
    """(requests per second, non-2xx/3xx responses) of `url`: 2 threads, 16 connections."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return (float(rate.group(1)) if rate else 0.0), (int(bad.group(1)) if bad else 0)


def throughput(
    result: BackendResult, database_url: str, secret_key: str, cookie: str, seconds: int
) -> None:
    """req/s of the hello endpoint and two list pages under one gunicorn."""
    with gunicorn(database_url, secret_key) as base:
        status = http_status(f"{base}/initiatives/", cookie)
        if status != 200:
            result.notes.append(f"wrk skipped: the session cookie got {status} from gunicorn")
            return
        for label, path, with_cookie in (
            ("hello", "/_bench/hello", False),
            ("/initiatives/", "/initiatives/", True),
            ("/persons/", "/persons/", True),
        ):
            rate, bad = wrk(base + path, seconds, cookie if with_cookie else None)
            result.throughput[label] = rate
            if bad:
                result.notes.append(f"wrk {path}: {bad} responses were not 2xx/3xx")


# --- one backend ----------------------------------------------------------------------


def run_backend(name: str, database_url: str, args: argparse.Namespace) -> BackendResult:
    """Seed, measure in-process and (optionally) under gunicorn on one database."""
    from crm import create_app
    from crm.extensions import db

    result = BackendResult(name)
    secret_key = secrets.token_hex(32)
    app = create_app(bench_config(database_url, secret_key))
    try:
        print(f"[{name}] init-db + seed-demo --size {args.size} …", flush=True)  # noqa: T201
        prepare(app, result, args.size)
        print(  # noqa: T201
            f"[{name}] seeded in {result.seed_seconds:.1f} s; measuring pages …", flush=True
        )
        client = login(app)
        for _ in range(args.warmup):
            client.get(BASELINE)
        _, base = statements_of(app, client, BASELINE)
        result.notes.append(f"baseline {BASELINE}: {base} statements (user load, nav count)")
        for page in pages_to_measure(app):
            measure(app, client, page, args.requests, args.warmup, base)
            result.pages.append(page)
        cookie = client.get_cookie("session")
        if args.wrk_seconds <= 0:
            result.notes.append("wrk disabled (--wrk-seconds 0)")
        elif shutil.which("wrk") is None:
            result.notes.append("wrk not installed: throughput not measured")
        elif cookie is None:
            result.notes.append("wrk skipped: no session cookie")
        else:
            print(f"[{name}] wrk, {args.wrk_seconds} s per endpoint …", flush=True)  # noqa: T201
            throughput(result, database_url, secret_key, cookie.value, args.wrk_seconds)
    except Exception as exc:  # noqa: BLE001 - report and go on with the next backend
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return result


# --- report -------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "✅" if good else "❌"


def report(results: list[BackendResult], args: argparse.Namespace) -> str:
    """The Markdown report."""
    lines = [
        "# Benchmark: directory at scale",
        "",
        f"`python -m benchmarks.bench_directory --size {args.size}`, "
        f"{args.requests} requests per page after {args.warmup} warm-up requests, "
        "in-process (Flask test client, logged in as staff). "
        "SQL = statements per request: total / the page's own (total minus a trivial "
        f"logged-in page, `{BASELINE}`).",
        "",
    ]
    for r in results:
        lines += [f"## {r.name}", ""]
        counts = ", ".join(f"{v:,} {k}" for k, v in r.counts.items())
        lines += [
            f"init-db {r.init_seconds:.1f} s; seed-demo {r.seed_seconds:.1f} s ({counts}).",
            "",
        ]
        if r.error:
            lines += [f"**Error:** `{r.error}`", ""]
        if r.pages:
            lines += [
                "| page | status | p50 ms | p95 ms | target p95 | SQL total / own | target SQL |",
                "|---|---|---:|---:|---|---|---|",
            ]
            for p in r.pages:
                timed = p.is_list or p.is_search
                p95_target = (
                    f"≤ {TARGET_P95_MS:.0f} ms {_ok(p.p95 <= TARGET_P95_MS)}" if timed else "–"
                )
                sql_target = (
                    f"≤ {TARGET_STATEMENTS} {_ok(p.own_statements <= TARGET_STATEMENTS)}"
                    if p.is_list
                    else "–"
                )
                lines.append(
                    f"| `{p.path}` | {p.status} | {p.p50:.1f} | {p.p95:.1f} | {p95_target} "
                    f"| {p.statements} / {p.own_statements} | {sql_target} |"
                )
            lines += [
                "",
                "| list | p95 first ms | p95 last ms | last / first | target |",
                "|---|---:|---:|---:|---|",
            ]
            for group in ("/initiatives/", "/organisations/", "/persons/"):
                rows = [p for p in r.pages if p.group == group]
                if len(rows) == 3 and rows[0].p95 > 0:
                    ratio = rows[2].p95 / rows[0].p95
                    lines.append(
                        f"| `{group}` | {rows[0].p95:.1f} | {rows[2].p95:.1f} | {ratio:.2f} "
                        f"| ≤ {TARGET_LAST_FIRST} {_ok(ratio <= TARGET_LAST_FIRST)} |"
                    )
            lines.append("")
        if r.throughput:
            hello = r.throughput.get("hello", 0.0)
            lines += [
                f"gunicorn, 2 sync workers, wrk 2 threads / 16 connections, "
                f"{args.wrk_seconds} s per endpoint:",
                "",
                "| endpoint | req/s | share of hello | target |",
                "|---|---:|---:|---|",
            ]
            for label, rate in r.throughput.items():
                if label == "hello":
                    lines.append(f"| `/_bench/hello` | {rate:,.0f} | 100 % | – |")
                    continue
                share = rate / hello if hello else 0.0
                lines.append(
                    f"| `{label}` | {rate:,.0f} | {share:.1%} "
                    f"| ≥ {TARGET_THROUGHPUT:.0%} {_ok(share >= TARGET_THROUGHPUT)} |"
                )
            lines.append("")
        if r.notes:
            lines += [f"- {note}" for note in r.notes] + [""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (defaults: the issue's scale run)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_directory", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", choices=["small", "full", "scale"], default="scale")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="0 skips wrk")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    args = parser.parse_args(argv)
    args.requests = max(2, min(args.requests, 10_000))
    args.warmup = max(0, min(args.warmup, 1_000))
    args.wrk_seconds = max(0, min(args.wrk_seconds, 120))
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the report and write it to bench-output/bench.md."""
    args = parse_args(argv)
    wanted = {b.strip() for b in args.backends.split(",")}
    results: list[BackendResult] = []
    if "sqlite" in wanted:
        with scratch_sqlite() as url:
            results.append(run_backend("SQLite", url, args))
    if "postgresql" in wanted:
        if postgres_reachable():
            with scratch_postgres() as url:
                results.append(run_backend("PostgreSQL", url, args))
        else:
            print("PostgreSQL not reachable on 127.0.0.1:5432: skipped", flush=True)  # noqa: T201
    text = report(results, args)
    print(text)  # noqa: T201
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
