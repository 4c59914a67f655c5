"""Logo uploads: the corpus of things people (or attackers) upload instead of a logo."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from PIL import Image

from crm.web.uploads import LOGO_MAX_BYTES
from crm.web.uploads import LOGO_MAX_SIDE
from crm.web.uploads import UploadError
from crm.web.uploads import logo_path
from crm.web.uploads import reencode_logo
from crm.web.uploads import remove_logo
from crm.web.uploads import store_logo


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "navy").save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def upload_app(tmp_path) -> Flask:
    app = Flask(__name__)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return app


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_accepted_formats_come_out_as_png(fmt):
    png = reencode_logo(io.BytesIO(image_bytes(fmt)))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (40, 20)


def test_large_images_are_scaled_down():
    png = reencode_logo(io.BytesIO(image_bytes("PNG", (2000, 1000))))
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (LOGO_MAX_SIDE, LOGO_MAX_SIDE // 2)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "leer"),
        (b"hello, I am a text file", "kein lesbares Bild"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "kein lesbares Bild"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "kein lesbares Bild",
        ),
        (b"<html><script>alert(1)</script></html>", "kein lesbares Bild"),
        (image_bytes("PNG")[:60], "kein lesbares Bild"),  # truncated
    ],
    ids=["empty", "text", "pdf", "svg", "html", "truncated-png"],
)
def test_non_images_are_refused(payload, message):
    with pytest.raises(UploadError, match=message):
        reencode_logo(io.BytesIO(payload))


def test_other_image_formats_are_refused():
    with pytest.raises(UploadError, match="PNG, JPEG, GIF oder WebP"):
        reencode_logo(io.BytesIO(image_bytes("BMP")))


def test_oversized_files_are_refused_without_reading_them_whole():
    big = io.BytesIO(image_bytes("PNG") + b"\0" * (LOGO_MAX_BYTES + 10))
    with pytest.raises(UploadError, match="2 MB"):
        reencode_logo(big)
    assert big.tell() == LOGO_MAX_BYTES + 1


def test_decompression_bombs_are_refused():
    bomb = image_bytes("PNG", (6000, 6000), mode="1")  # 36 million pixels in a few KB
    assert len(bomb) < LOGO_MAX_BYTES
    with pytest.raises(UploadError):
        reencode_logo(io.BytesIO(bomb))


@pytest.mark.parametrize(
    "tail",
    [
        b"<script>alert(document.cookie)</script>",
        b"PK\x03\x04" + b"\0" * 26 + b"evil.php<?php system($_GET['c']); ?>",
    ],
    ids=["gif-js-polyglot", "gif-zip-polyglot"],
)
def test_polyglots_lose_their_payload(tail):
    polyglot = image_bytes("GIF") + tail
    png = reencode_logo(io.BytesIO(polyglot))
    assert tail not in png
    assert b"script" not in png and b"php" not in png
    assert png.startswith(b"\x89PNG")


def test_store_uses_a_random_name_outside_static_whatever_the_upload_was_called(upload_app):
    with upload_app.app_context():
        upload = io.BytesIO(image_bytes())
        upload.name = "../../../etc/passwd.png"  # the client's file name is never used
        first = store_logo(upload)
        second = store_logo(io.BytesIO(image_bytes()))
        assert first != second
        path = logo_path(first)
        assert path is not None and path.parent.name == "logos"
        assert "static" not in path.parts
        assert path.read_bytes().startswith(b"\x89PNG")
        remove_logo(first)
        assert logo_path(first) is None


@pytest.mark.parametrize(
    "name",
    ["../config.py", "..%2Fconfig.py", "/etc/passwd", "abc.png", "A" * 32 + ".png", "x.svg", ""],
)
def test_only_names_of_our_shape_are_served(upload_app, name):
    with upload_app.app_context():
        assert logo_path(name) is None
        remove_logo(name)  # ignored, never touches anything
