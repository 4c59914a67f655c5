"""Logo uploads: checked by content, re-encoded, stored under random names outside static/.

An upload is trusted for nothing: not its name, not its declared type, not its size
header. Pillow must decode it as one of a few raster formats within a pixel budget; we
then draw it anew as a PNG of at most LOGO_MAX_SIDE pixels a side. Whatever else the
file carried (metadata, a second format appended, scripts) is not in what we store.
Files live in `<instance>/uploads/logos/<32 hex>.png` and are served by one route that
accepts only names of that shape.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from PIL import UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 512
MAX_PIXELS = 25_000_000  # refuses decompression bombs before decoding
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
LOGO_NAME = re.compile(r"^[0-9a-f]{32}\.png$")


class UploadError(ValueError):
    """An upload we refuse; the message is for the person who uploaded it."""


def logo_folder() -> Path:
    """Where logos are stored (created on demand), outside the static folder."""
    folder = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    path = folder / "logos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def reencode_logo(stream: IO[bytes]) -> bytes:
    """The uploaded image redrawn as a PNG, or UploadError saying what is wrong."""
    data = stream.read(LOGO_MAX_BYTES + 1)
    if not data:
        raise UploadError(_l("Die Datei ist leer."))
    if len(data) > LOGO_MAX_BYTES:
        raise UploadError(_l("Das Logo darf höchstens 2 MB groß sein."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise UploadError(_l("Bitte ein Bild als PNG, JPEG, GIF oder WebP hochladen."))
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadError(_l("Das Bild hat zu viele Bildpunkte."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            image.load()
            picture = image.convert("RGBA")
    except UploadError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise UploadError(_l("Die Datei ist kein lesbares Bild.")) from exc
    picture.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def store_logo(stream: IO[bytes]) -> str:
    """Check, re-encode and store an uploaded logo; returns its new random file name."""
    png = reencode_logo(stream)
    name = f"{secrets.token_hex(16)}.png"
    (logo_folder() / name).write_bytes(png)
    return name


def remove_logo(name: str | None) -> None:
    """Delete a stored logo (a name of any other shape is ignored)."""
    if name and LOGO_NAME.match(name):
        (logo_folder() / name).unlink(missing_ok=True)


def logo_path(name: str) -> Path | None:
    """The file of a stored logo, or None for names of the wrong shape or missing files."""
    if not LOGO_NAME.match(name):
        return None
    path = logo_folder() / name
    return path if path.is_file() else None
