"""Backup and restore: one archive with the database, the uploads and a manifest.

An archive (`industrienetz-<UTC time>.tar.gz`) holds
- `manifest.json`: time, app version, migration revision, backend, rows per table and the
  SHA-256 checksum and size of every other member;
- `database.sqlite` (SQLite's online backup API: one consistent copy while the app keeps
  writing) or `database.pgdump` (`pg_dump -Fc` in a snapshot exported by the transaction
  that counted the rows, so the counts and the dump see the same data);
- `uploads/...`: the files of UPLOAD_FOLDER (logos);
- `materials/...`: the uploaded materials of events (`<instance>/materials`, see
  crm.followup.files).

Restore reads and checks the whole archive (every checksum, the manifest, the revision)
before it touches anything; it restores only into a database without records, in one
step (SQLite: the backup API into the target file; PostgreSQL: one psql transaction that
also checks the row counts), then migrates an archive from an older schema to the head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore/psql with argument lists, no shell
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy import text

from crm.db import epoch
from crm.db.common import DbOpsError
from crm.db.common import count_sql
from crm.db.common import database_revision
from crm.db.common import head_revision
from crm.db.common import is_known_revision
from crm.db.common import libpq_url
from crm.db.common import quote
from crm.db.common import refuse_unless_empty
from crm.db.common import row_counts
from crm.db.common import script_directory
from crm.db.common import table_names

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
UPLOADS_PREFIX = "uploads/"
MATERIALS_PREFIX = "materials/"
FORMAT_VERSION = 1
NAME_PATTERN = re.compile(r"^industrienetz-(\d{8}T\d{6}Z)\.tar\.gz$")
STALE_AFTER = dt.timedelta(days=2)


class BackupError(DbOpsError):
    """A backup or restore refused or failed; the target is unchanged."""


@dataclass
class BackupResult:
    """What `create_backup` wrote."""

    path: Path
    manifest: dict[str, Any]
    size: int
    seconds: float


@dataclass
class RestoreResult:
    """What `restore_backup` did."""

    manifest: dict[str, Any]
    counts: dict[str, int]
    migrated_from: str | None
    revision: str | None
    uploads: int
    seconds: float


@dataclass
class BackupStatus:
    """The newest good backup in the backup folder, for the admin page and the dashboard."""

    folder: Path
    path: Path | None = None
    created_at: dt.datetime | None = None
    size: int = 0
    count: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def age(self) -> dt.timedelta | None:
        """How old the newest backup is."""
        if self.created_at is None:
            return None
        return dt.datetime.now(dt.UTC) - self.created_at

    @property
    def stale(self) -> bool:
        """No backup, or the newest is older than two days: admins are warned."""
        age = self.age
        return age is None or age > STALE_AFTER


# --------------------------------------------------------------------------- folders


def configured_backup_folder() -> Path:
    """BACKUP_FOLDER, default `<instance>/backups` (not created)."""
    return Path(
        current_app.config.get("BACKUP_FOLDER") or Path(current_app.instance_path) / "backups"
    )


def backup_folder() -> Path:
    """BACKUP_FOLDER, default `<instance>/backups` (created on demand)."""
    folder = configured_backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_folder() -> Path:
    """UPLOAD_FOLDER, default `<instance>/uploads` (the same rule as crm.web.uploads)."""
    return Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )


def material_folder() -> Path:
    """Where uploaded event materials are stored (crm.followup.files; not created)."""
    return Path(current_app.instance_path) / "materials"


def _file_folders() -> dict[str, Path]:
    """The folders of uploaded files an archive holds, by their prefix in it."""
    return {UPLOADS_PREFIX: upload_folder(), MATERIALS_PREFIX: material_folder()}


def app_version() -> str:
    """The installed version of the package."""
    try:
        return metadata.version("industrienetz")
    except metadata.PackageNotFoundError:
        return "unbekannt"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- backup


def create_backup(engine: Engine, target: Path | None = None) -> BackupResult:
    """Write a consistent archive of the database and the uploads; returns where and what."""
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if target is None:
        target = backup_folder() / f"industrienetz-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crm-backup-") as tmp:
        work = Path(tmp)
        if engine.dialect.name == "sqlite":
            member = SQLITE_MEMBER
            counts, revision = _dump_sqlite(engine, work / member)
        elif engine.dialect.name == "postgresql":
            member = PG_MEMBER
            counts, revision = _dump_postgresql(engine, work / member)
        else:
            raise BackupError(f"Sicherung für {engine.dialect.name} wird nicht unterstützt.")
        files: dict[str, Path] = {member: work / member}
        for prefix, folder in _file_folders().items():
            if folder.is_dir():
                files.update(_copy_files(folder, work, prefix))
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "app_version": app_version(),
            "backend": engine.dialect.name,
            "revision": revision,
            "database": member,
            "tables": counts,
            "members": {
                name: {"sha256": _sha256(path), "size": path.stat().st_size}
                for name, path in files.items()
            },
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in files.items():
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, target)  # only complete archives carry the final name
    return BackupResult(target, manifest, target.stat().st_size, time.perf_counter() - started)


def _copy_files(folder: Path, work: Path, prefix: str) -> dict[str, Path]:
    """Copy the files of `folder` into `work/prefix` (the archive then holds exactly what
    its manifest lists, even when a file is added or removed meanwhile); archive member
    name → copy. Hidden files are bookkeeping (e.g. the pruning job's .orphans.json)."""
    copies: dict[str, Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue
        name = prefix + path.relative_to(folder).as_posix()
        copy = work / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, copy)
        except FileNotFoundError:  # removed since it was listed: not in this backup
            continue
        copies[name] = copy
    return copies


def _dump_sqlite(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """SQLite's online backup API: one consistent copy even while others write."""
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("Eine SQLite-Datenbank im Arbeitsspeicher lässt sich nicht sichern.")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(dest)
    try:
        source.backup(copy)  # all pages in one step: a single read snapshot
    finally:
        source.close()
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
        counts = {n: copy.execute(count_sql(n)).fetchone()[0] for n in names}
        revision = None
        if "alembic_version" in names:
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        copy.close()
    return counts, revision


def pg_tool(name: str, engine: Engine | None = None) -> str:
    """The path of a PostgreSQL client tool whose major version fits the server.

    PG_BIN_DIR (configuration) wins; else Debian's /usr/lib/postgresql/<server major>/bin;
    else the tool on PATH, which must not be older than the server.
    """
    configured = current_app.config.get("PG_BIN_DIR")
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured) / name)
    server_major = None
    if engine is not None:
        with engine.connect() as conn:
            server_major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / name)
    found = next((str(c) for c in candidates if c.is_file()), None) or shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} wurde nicht gefunden. Bitte die PostgreSQL-Client-Programme installieren "
            "oder PG_BIN_DIR setzen."
        )
    if server_major is not None:
        out = subprocess.run(  # noqa: S603
            [found, "--version"], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", out)
        tool_major = int(match.group(1)) if match else 0
        if tool_major < server_major:
            raise BackupError(
                f"{found} hat Version {tool_major}, der Server {server_major}. Ein älteres "
                f"{name} kann das nicht; bitte die Client-Programme {server_major} "
                "installieren oder PG_BIN_DIR auf deren bin-Ordner setzen."
            )
    return found


def _dump_postgresql(engine: Engine, dest: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump -Fc in the snapshot in which the rows were counted."""
    pg_dump = pg_tool("pg_dump", engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = row_counts(conn)
        revision = database_revision(conn)
        result = subprocess.run(  # noqa: S603
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dest}",
                f"--dbname={libpq_url(engine)}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump ist fehlgeschlagen: {result.stderr.strip()}")
    return counts, revision


# --------------------------------------------------------------------------- reading


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack `archive` into `into` and check it completely; returns its manifest.

    BackupError for anything wrong: missing, not a tar archive, truncated, a member
    missing, added or changed, a manifest that does not fit.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Die Datei {archive} gibt es nicht.")
    broken = f"Das Archiv {archive.name} ist beschädigt oder unvollständig"
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()  # reads to the end: a truncated file fails here
            names = [m.name for m in members]
            if MANIFEST not in names:
                raise BackupError(f"{broken}: es enthält kein {MANIFEST}.")
            for member in members:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"{broken}: unerwarteter Eintrag {member.name!r}.")
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse odd members too
                tar.extractall(into, members=members, filter="data")
            else:  # names and types were checked above
                tar.extractall(into, members=members)  # noqa: S202
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise BackupError(f"{broken} ({exc}).") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        expected: dict[str, dict[str, Any]] = manifest["members"]
        tables: dict[str, int] = manifest["tables"]
        database = manifest["database"]
        backend = manifest["backend"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{broken}: das Manifest ist unlesbar ({exc}).") from exc
    if (
        not isinstance(tables, dict)
        or not all(isinstance(k, str) and type(v) is int for k, v in tables.items())
        or backend not in ("sqlite", "postgresql")
        or not isinstance(expected, dict)
    ):
        raise BackupError(f"{broken}: das Manifest ist unlesbar.")
    present = set(names) - {MANIFEST}
    if present != set(expected) or database not in expected:
        raise BackupError(f"{broken}: die Dateien passen nicht zum Manifest.")
    for name, info in expected.items():
        path = into / name
        if path.stat().st_size != info.get("size") or _sha256(path) != info.get("sha256"):
            raise BackupError(f"{broken}: die Prüfsumme von {name} stimmt nicht.")
    return manifest


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


# --------------------------------------------------------------------------- restore


def restore_backup(engine: Engine, archive: Path) -> RestoreResult:
    """Restore `archive` into the empty database of `engine` and the upload folder.

    Refuses (nothing changed) a broken archive, a newer schema, another backend, a target
    with records. Migrates an older schema to the head afterwards.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as tmp:
        work = Path(tmp)
        manifest = read_archive(archive, work)
        revision = manifest.get("revision")
        if not is_known_revision(revision):
            raise BackupError(
                f"Das Archiv stammt aus einer neueren Version (Migration {revision}, diese "
                f"Version kennt höchstens {head_revision()}). Bitte erst die Software "
                "aktualisieren."
            )
        if manifest["backend"] != engine.dialect.name:
            raise BackupError(
                f"Das Archiv ist eine {manifest['backend']}-Sicherung, die Zieldatenbank ist "
                f"{engine.dialect.name}. Für den Wechsel von SQLite zu PostgreSQL: "
                "erst in SQLite wiederherstellen, dann copy-db."
            )
        refuse_unless_empty(engine, "Die Zieldatenbank")
        database = work / manifest["database"]
        if engine.dialect.name == "sqlite":
            _restore_sqlite(engine, database, manifest["tables"])
        else:
            _restore_postgresql(engine, database, manifest["tables"])
        engine.dispose()
        epoch.bump(engine)  # written around the engine: nothing kept from before counts
        uploads = _restore_uploads(work)
    with engine.connect() as conn:
        counts = row_counts(conn, list(manifest["tables"]))
    migrated_from = None
    if revision != head_revision():
        from flask_migrate import upgrade

        upgrade()
        migrated_from = revision or "leer"
    with engine.connect() as conn:
        now_at = database_revision(conn)
    return RestoreResult(
        manifest, counts, migrated_from, now_at, uploads, time.perf_counter() - started
    )


def _restore_sqlite(engine: Engine, source: Path, expected: dict[str, int]) -> None:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("In eine SQLite-Datenbank im Arbeitsspeicher geht das nicht.")
    check = sqlite3.connect(source)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Die Datenbank im Archiv ist beschädigt (integrity_check).")
        _compare(
            expected,
            {n: check.execute(count_sql(n)).fetchone()[0] for n in expected},
        )
        engine.dispose()
        target = sqlite3.connect(database, timeout=30)
        try:
            check.backup(target)  # replaces every page of the target in one step
        finally:
            target.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Die Datenbank im Archiv ist unlesbar ({exc}).") from exc
    finally:
        check.close()


def _restore_postgresql(engine: Engine, dump: Path, expected: dict[str, int]) -> None:
    pg_restore = pg_tool("pg_restore", engine)
    psql = pg_tool("psql", engine)
    script = dump.with_suffix(".sql")
    made = subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise BackupError(f"pg_restore kann das Archiv nicht lesen: {made.stderr.strip()}")
    checks = "\n".join(
        f"  IF (SELECT COUNT(*) FROM public.{quote(name)}) <> {int(n)} THEN "  # noqa: S608
        f"RAISE EXCEPTION 'Zeilenzahl von % weicht ab', '{name.replace(chr(39), '')}'; END IF;"
        for name, n in expected.items()
    )
    engine.dispose()
    result = subprocess.run(  # noqa: S603
        [
            psql,
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={libpq_url(engine)}",
            "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
            f"--file={script}",
            f"--command=DO $$ BEGIN\n{checks}\nEND $$;",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            "Das Zurückholen in PostgreSQL ist fehlgeschlagen; die Datenbank ist unverändert: "
            + result.stderr.strip()[-2000:]
        )


def _compare(expected: dict[str, int], actual: dict[str, int]) -> None:
    wrong = {n: (expected[n], actual.get(n)) for n in expected if actual.get(n) != expected[n]}
    if wrong:
        detail = ", ".join(f"{n}: {a} statt {e}" for n, (e, a) in sorted(wrong.items()))
        raise BackupError(f"Die Zeilenzahlen stimmen nicht mit dem Manifest überein: {detail}")


def _restore_uploads(work: Path) -> int:
    copied = 0
    for prefix, target in _file_folders().items():
        source = work / prefix
        if not source.is_dir():
            continue
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            copied += 1
    return copied


def verify_counts(engine: Engine, manifest: dict[str, Any]) -> dict[str, int]:
    """The row counts of `engine`'s database for the manifest's tables (for reports)."""
    with engine.connect() as conn:
        present = set(table_names(conn))
        return row_counts(conn, [n for n in manifest["tables"] if n in present])


# --------------------------------------------------------------------------- rotation


def _archives(folder: Path) -> Iterator[tuple[dt.datetime, Path]]:
    for path in folder.iterdir() if folder.is_dir() else []:
        match = NAME_PATTERN.match(path.name)
        if match and path.is_file():
            when = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            yield when, path


def rotate_backups(folder: Path, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete old archives: keep the newest of each of the last `keep_daily` days and of
    each of the last `keep_weekly` ISO weeks (that have a backup); the newest always stays.
    Returns the deleted files. Files not named like our archives are never touched."""
    archives = sorted(_archives(folder), reverse=True)
    keep: set[Path] = set()
    days: dict[dt.date, Path] = {}
    weeks: dict[tuple[int, int], Path] = {}
    for when, path in archives:  # newest first: the first seen per day/week is the newest
        days.setdefault(when.date(), path)
        weeks.setdefault(tuple(when.isocalendar())[:2], path)  # type: ignore[arg-type]
    keep.update(list(days.values())[: max(keep_daily, 0)])
    keep.update(list(weeks.values())[: max(keep_weekly, 0)])
    if archives:
        keep.add(archives[0][1])
    removed = []
    for _when, path in archives:
        if path not in keep:
            path.unlink()
            removed.append(path)
    return removed


def rotate_configured() -> list[Path]:
    """Rotation with BACKUP_KEEP_DAILY / BACKUP_KEEP_WEEKLY in BACKUP_FOLDER."""
    cfg = current_app.config
    return rotate_backups(
        backup_folder(), int(cfg.get("BACKUP_KEEP_DAILY", 7)), int(cfg.get("BACKUP_KEEP_WEEKLY", 4))
    )


# --------------------------------------------------------------------------- status


def backup_status(folder: Path | None = None) -> BackupStatus:
    """The newest archive in the backup folder whose manifest can be read."""
    folder = folder or configured_backup_folder()
    status = BackupStatus(folder=folder)
    archives = sorted(_archives(folder), reverse=True)
    status.count = len(archives)
    for _when, path in archives:
        try:
            with tarfile.open(path, "r:gz") as tar:
                first = tar.next()
                if first is None or first.name != MANIFEST:
                    raise BackupError("kein Manifest am Anfang")
                handle = tar.extractfile(first)
                manifest = json.loads(handle.read() if handle else b"")
            status.path = path
            status.size = path.stat().st_size
            status.created_at = dt.datetime.fromisoformat(manifest["created_at"])
            return status
        except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError, KeyError) as exc:
            status.errors.append(f"{path.name}: {exc}")
        except BackupError as exc:
            status.errors.append(f"{path.name}: {exc}")
    return status


def known_revisions() -> list[str]:
    """Every revision of the shipped migrations (newest first)."""
    return [s.revision for s in script_directory().walk_revisions()]


# --------------------------------------------------------------------------- restore hooks

#: The key in `app.extensions` of the restore hooks: each is called with the archive
#: before `flask --app crm restore` restores it and returns the step to run afterwards
#: (which returns a line to print, or None). The privacy feature re-applies erasures so.
RESTORE_HOOKS = "crm.restore_hooks"

RestoreHook = Callable[[Path], Callable[[], str | None]]


def add_restore_hook(app: Flask, hook: RestoreHook) -> None:
    """Run `hook` around every restore of `app` (once, however often it is added)."""
    hooks: list[RestoreHook] = app.extensions.setdefault(RESTORE_HOOKS, [])
    if hook not in hooks:
        hooks.append(hook)


def restore_hooks() -> list[RestoreHook]:
    """The restore hooks of the current app."""
    return list(current_app.extensions.get(RESTORE_HOOKS, []))
