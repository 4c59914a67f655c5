"""Bench-only WSGI entry point, started by `benchmarks.bench_directory` under gunicorn.

Never used in production. It builds the real application on the benchmark's scratch
database (named in the environment by `benchmarks.bench_directory`) and adds one public
route, `/_bench/hello`, that returns a constant: the "bare Flask" baseline served by the
same gunicorn workers. Requests to the list pages carry a session cookie that
`benchmarks.bench_directory` obtained by logging in with
the test client under the same SECRET_KEY, so nothing here logs anyone in.
"""

from __future__ import annotations

import os

from benchmarks.bench_directory import bench_config
from crm import create_app
from crm.accounts.session import public

app = create_app(
    bench_config(os.environ["CRM_BENCH_DATABASE_URL"], os.environ["CRM_BENCH_SECRET_KEY"])
)


@public
def hello() -> str:
    """The baseline: a constant answer through the same app, hooks and workers."""
    return "hello"


app.add_url_rule("/_bench/hello", "bench_hello", hello)
