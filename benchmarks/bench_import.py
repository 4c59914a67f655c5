"""The import of a big organisation file: time and peak memory of the dry run and of the
import, on a fresh SQLite database (outside the test suite).

``python -m benchmarks.bench_import [ROWS]`` (default 20000). Run it with two sizes to see
that memory does not grow with the file (the peak is measured per phase in this process).
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from crm import create_app
from crm.db.engine import writing
from crm.extensions import db
from crm.imports.services import prepare
from crm.imports.services import run_import
from crm.models import Postcode
from crm.reference.loader import load_reference_data

WORDS = [
    "Stahl",
    "Nord",
    "Süd",
    "Rhein",
    "Ruhr",
    "Elbe",
    "Main",
    "Alpen",
    "Küsten",
    "Harz",
    "Eifel",
    "Weser",
    "Donau",
    "Spree",
    "Mosel",
    "Neckar",
    "Saar",
    "Oder",
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    app = create_app(
        {
            "SECRET_KEY": "bench-" + "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        upgrade()
        with writing():
            load_reference_data()
            db.session.commit()
        plz = list(db.session.scalars(select(Postcode.plz).distinct()))
    rng = random.Random(15)  # noqa: S311 - synthetic test data
    path = folder / "organisationen.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        handle.write("Firma;Straße;PLZ;Ort;Webseite;Art\r\n")
        for i in range(rows):
            handle.write(
                f"{rng.choice(WORDS)} {rng.choice(WORDS)}werk {i} GmbH;"
                f"Industriestraße {i % 200 + 1};{rng.choice(plz)};;"
                f"{'www.werk' + str(i) + '.example' if i % 3 == 0 else ''};Unternehmen\r\n"
            )
    print(f"{rows} Zeilen, {path.stat().st_size / 1e6:.1f} MB; Start: {_peak_mb():.0f} MB")
    with app.app_context():
        spec = prepare("organisations", path, path.name)
        for label, dry_run in (("Probelauf", True), ("Import", False), ("Zweiter Import", False)):
            start = time.perf_counter()
            outcome = run_import(spec, dry_run=dry_run)
            took = time.perf_counter() - start
            print(
                f"{label}: {took:.1f} s, {outcome.created} neu, {outcome.updated} aktualisiert,"
                f" {outcome.unchanged} unverändert, {outcome.error_count} Fehler;"
                f" Spitze bisher {_peak_mb():.0f} MB"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
