"""Uploaded materials: checked by content, stored under random names outside static/.

Accepted: PDF, PowerPoint (PPTX), Word (DOCX), Excel (XLSX) and images (PNG, JPEG, GIF,
WebP). The declared type and the name are trusted for nothing: a PDF must start like one,
an Office file must be a zip with that format's parts, an image must be decoded by
Pillow. Files live in `<instance>/materials/<32 hex>.<ext>` and are always served as
downloads (attachment, nosniff), with a cleaned name.

A file no material refers to any more (its workshop or event was deleted: the rows go by
the database's cascade; or a save failed after the file was written) is removed by the
nightly job `prune_material_files` once it has been found so for `ORPHAN_GRACE`: a row
that comes back within it (restored, created again) still finds its file.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from PIL import UnidentifiedImageError

from crm.jobs.files import instance_folder
from crm.jobs.files import write_json
from crm.web.uploads import MAX_PIXELS
from crm.web.uploads import UploadError

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|pptx|docx|xlsx|png|jpg|gif|webp)$")
MIMETYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
_OFFICE_PARTS = {"pptx": "ppt/", "docx": "word/", "xlsx": "xl/"}
_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
_UNSAFE = re.compile(r"[^\w.\- ]+")
#: How long a file stays after it was first found without a material (seconds).
ORPHAN_GRACE = 7 * 24 * 3600
#: When each unreferenced file was first found so (a JSON object beside the files).
ORPHANS_STATE = ".orphans.json"


@dataclass(frozen=True)
class StoredFile:
    """A material file as stored: its random name, download name, type and size."""

    stored_name: str
    filename: str
    mimetype: str
    size: int


def max_bytes() -> int:
    """The size limit of one material (config FOLLOWUP_MATERIAL_MAX_BYTES)."""
    return int(current_app.config.get("FOLLOWUP_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES))


def folder() -> Path:
    """Where material files are stored (never under static/)."""
    return instance_folder("materials")


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for kind, prefix in _OFFICE_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def _image_kind(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = _IMAGE_FORMATS.get(probe.format or "")
            if kind is None or probe.width * probe.height > MAX_PIXELS:
                return None
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


def file_kind(data: bytes) -> str | None:
    """The accepted type of `data` by its content (pdf, pptx, …), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return _image_kind(data)


def safe_filename(name: str, kind: str) -> str:
    """The download name: the uploaded name without folders and odd characters, with the
    extension of the detected type ("Präsentation Workshop 2.pptx")."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rpartition("/")[2])
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:120] or "material"
    return f"{stem}.{kind}"


def store(stream: IO[bytes], filename: str) -> StoredFile:
    """Check and store an uploaded material; UploadError says what is wrong."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise UploadError(_l("Die Datei ist leer."))
    if len(data) > limit:
        raise UploadError(
            _l(
                "Die Datei darf höchstens %(mb)s MB groß sein; größere Unterlagen bitte als Link.",
                mb=limit // (1024 * 1024),
            )
        )
    kind = file_kind(data)
    if kind is None:
        raise UploadError(
            _l("Bitte eine PDF-, PowerPoint-, Word- oder Excel-Datei oder ein Bild hochladen.")
        )
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    (folder() / stored_name).write_bytes(data)
    return StoredFile(stored_name, safe_filename(filename, kind), MIMETYPES[kind], len(data))


def path_of(stored_name: str | None) -> Path | None:
    """The file of a stored material, or None (wrong shape of name, or missing)."""
    if not stored_name or not STORED_NAME.match(stored_name):
        return None
    path = folder() / stored_name
    return path if path.is_file() else None


def remove(stored_name: str | None) -> None:
    """Delete a stored file (names of any other shape are ignored)."""
    path = path_of(stored_name)
    if path is not None:
        path.unlink(missing_ok=True)


def _orphans_seen(base: Path) -> dict[str, float]:
    try:
        state = json.loads((base / ORPHANS_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict):
        return {}
    return {k: float(v) for k, v in state.items() if isinstance(v, int | float)}


def prune_orphans(referenced: set[str], now: float | None = None) -> int:
    """Remove the stored files that no material refers to (`referenced`: the stored names
    of all materials, removed ones too) and that were found so at least ORPHAN_GRACE ago;
    the others are remembered from now on (a file that a material names again is
    forgotten). Files of any other shape are left alone. Safe to run twice; returns how
    many files were removed."""
    now = time.time() if now is None else now
    base = folder()
    seen = _orphans_seen(base)
    still: dict[str, float] = {}
    removed = 0
    for path in base.iterdir():
        name = path.name
        if not STORED_NAME.match(name) or name in referenced or not path.is_file():
            continue
        since = seen.get(name, now)
        if now - since >= ORPHAN_GRACE:
            path.unlink(missing_ok=True)
            removed += 1
        else:
            still[name] = since
    write_json(base / ORPHANS_STATE, still)
    return removed
