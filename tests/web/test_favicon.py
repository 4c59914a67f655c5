"""The favicon: an SVG, an ICO fallback at /favicon.ico (public) and an apple-touch icon,
linked from every page."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("make_favicon", ROOT / "scripts/make_favicon.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_favicon_ico_answers_anonymous_visitors(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.ico.sizes())


def test_svg_and_touch_icon_are_served(client):
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(svg.data)  # noqa: S314 - our own committed file
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 64 64"
    touch = client.get("/static/apple-touch-icon.png")
    assert touch.status_code == 200
    assert Image.open(io.BytesIO(touch.data)).size == (180, 180)


def test_committed_svg_is_the_scripts_drawing():
    assert (ROOT / "static/favicon.svg").read_text(encoding="utf-8") == _script().svg()


def test_raster_has_the_header_blue_and_transparent_corners():
    image = _script().raster(32)
    assert image.size == (32, 32)
    assert image.getpixel((0, 0))[3] < 32  # rounded corner (nearly transparent)
    assert image.getpixel((4, 28))[:3] == (0x0A, 0x58, 0xCA)


@pytest.mark.parametrize("role", [None, "staff"])
def test_pages_link_the_icons(client, login_as, role):
    if role:
        login_as(role)
    html = client.get("/login" if role is None else "/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="apple-touch-icon" href="/static/apple-touch-icon.png">' in html
