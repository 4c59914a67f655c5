"""Draw the favicon: static/favicon.svg, favicon.ico (16/32/48 px) and
apple-touch-icon.png (180 px), all from the same shapes.

The mark is a small network (three linked nodes, one highlighted) on the header's blue.
The files are committed; run this again only after changing the shapes:

    .venv/bin/python scripts/make_favicon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PIL import ImageDraw

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"

VIEW = 64  # the SVG's coordinate system: 64 × 64
BLUE = "#0a58ca"  # the header's primary (white on it reaches 4.5:1)
WHITE = "#ffffff"
AMBER = "#ffc107"
CORNER = 12
LINE = 4
NODE = 7
NODES = [((32, 18), WHITE), ((17, 45), WHITE), ((47, 45), AMBER)]
EDGES = [(0, 1), (0, 2), (1, 2)]
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
TOUCH_SIZE = 180
SUPERSAMPLE = 8  # draw large, then scale down: smooth edges without an SVG renderer


def svg() -> str:
    """The mark as SVG."""
    lines = [
        f'<line x1="{NODES[a][0][0]}" y1="{NODES[a][0][1]}" '
        f'x2="{NODES[b][0][0]}" y2="{NODES[b][0][1]}"/>'
        for a, b in EDGES
    ]
    circles = [f'<circle cx="{x}" cy="{y}" r="{NODE}" fill="{fill}"/>' for (x, y), fill in NODES]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW} {VIEW}" '
            f'width="{VIEW}" height="{VIEW}">',
            "<title>Industrienetz</title>",
            f'<rect width="{VIEW}" height="{VIEW}" rx="{CORNER}" fill="{BLUE}"/>',
            f'<g stroke="{WHITE}" stroke-width="{LINE}" stroke-linecap="round">',
            *lines,
            "</g>",
            *circles,
            "</svg>",
            "",
        ]
    )


def raster(size: int) -> Image.Image:
    """The mark as a `size` × `size` RGBA image."""
    big = size * SUPERSAMPLE
    scale = big / VIEW
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(CORNER * scale), fill=BLUE)
    for a, b in EDGES:
        (x1, y1), (x2, y2) = NODES[a][0], NODES[b][0]
        draw.line(
            (x1 * scale, y1 * scale, x2 * scale, y2 * scale), fill=WHITE, width=round(LINE * scale)
        )
    for (x, y), fill in NODES:
        r = NODE * scale
        draw.ellipse((x * scale - r, y * scale - r, x * scale + r, y * scale + r), fill=fill)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    """Write the three files into static."""
    (STATIC / "favicon.svg").write_text(svg(), encoding="utf-8")
    raster(max(w for w, _ in ICO_SIZES) * 4).save(
        STATIC / "favicon.ico", format="ICO", sizes=ICO_SIZES
    )
    raster(TOUCH_SIZE).save(STATIC / "apple-touch-icon.png", format="PNG", optimize=True)
    print("wrote favicon.svg, favicon.ico and apple-touch-icon.png into static")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
