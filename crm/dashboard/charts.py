"""Geometry of horizontal bar charts, drawn as plain SVG by the templates.

Pure: numbers in, coordinates and already formatted labels out. No Flask, no database.
A chart has one row per category and one bar per series in each row (grouped bars);
the scale runs from zero to a "nice" maximum (1, 2, 2.5, 3, 4 or 5 times a power of ten).
Colours come from CSS classes (`series-0`, `series-1`, ...), never from attributes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

Formatter = Callable[[float], str]

WIDTH = 720  # viewBox units; the SVG scales to its container
BAR_HEIGHT = 16
BAR_GAP = 2  # between the bars of one row
ROW_GAP = 10  # between rows
TOP = 24  # room for the tick labels
BOTTOM = 8
CHAR_WIDTH = 7.4  # generous average width of a 12px sans-serif character (DejaVu is wide)
MIN_LABEL_WIDTH = 60
MAX_LABEL_WIDTH = 280
VALUE_ROOM = 56  # right of the longest bar, for its value label
LABEL_PAD = 8


def plain(value: float) -> str:
    """Fallback formatter: integers without decimals, others with one (German comma)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle, its series and its value label."""

    x: float
    y: float
    width: float
    height: float
    series: int
    value: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Row:
    """One category: its label (right-aligned before the bars) and its bars."""

    label: str
    text: str  # the label as drawn, shortened if very long
    text_x: float
    text_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    """A scale mark with its vertical grid line."""

    x: float
    value: float
    text: str


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw the chart."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    maximum: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    series: tuple[str, ...]

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {coord(self.width)} {coord(self.height)}"


def coord(value: float) -> str:
    """A coordinate for an SVG attribute: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_maximum(value: float) -> float:
    """The smallest 1, 2, 2.5, 3, 4 or 5 × 10^n that is at least `value` (1 for empty charts)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value - 1e-9:
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def tick_values(maximum: float, *, count: int = 5) -> list[float]:
    """Evenly spaced marks from 0 to `maximum`; whole numbers when the maximum is small."""
    if maximum <= count and float(maximum).is_integer():
        return [float(v) for v in range(int(maximum) + 1)]
    step = maximum / count
    return [round(step * i, 10) for i in range(count + 1)]


def shorten(text: str, max_chars: int) -> str:
    """`text`, cut with an ellipsis when longer than `max_chars`.

    A closing "(…)" such as an event's date is kept whole and the text before it is cut,
    so that a label never shows half a date ("16.03.20…").
    """
    if len(text) <= max_chars:
        return text
    head, sep, tail = text.rpartition(" (")
    keep = max_chars - len(sep) - len(tail) - 1
    if sep and head and tail.endswith(")") and keep >= 4:
        return head[:keep].rstrip() + "…" + sep + tail
    return text[: max(max_chars - 1, 1)].rstrip() + "…"


def bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    fmt: Formatter = plain,
    width: float = WIDTH,
) -> Chart:
    """Lay out a horizontal (grouped) bar chart.

    `rows` are (category label, one value per series); `series` names the series.
    Negative values are drawn as empty bars (counts are never negative).
    """
    n_series = max(len(series), 1)
    values = [max(float(v), 0.0) for _, vals in rows for v in vals]
    maximum = nice_maximum(max(values, default=0.0))
    longest = max((len(label) for label, _ in rows), default=0)
    label_width = min(max(longest * CHAR_WIDTH, MIN_LABEL_WIDTH), MAX_LABEL_WIDTH)
    max_chars = max(int(MAX_LABEL_WIDTH / CHAR_WIDTH), 4)
    plot_left = label_width + LABEL_PAD
    plot_right = width - VALUE_ROOM
    span = plot_right - plot_left
    row_height = n_series * BAR_HEIGHT + (n_series - 1) * BAR_GAP

    laid_out = []
    y = float(TOP)
    for label, vals in rows:
        bars = []
        for i, raw in enumerate(vals):
            value = float(raw)
            bar_y = y + i * (BAR_HEIGHT + BAR_GAP)
            bar_width = span * max(value, 0.0) / maximum
            bars.append(
                Bar(
                    x=plot_left,
                    y=bar_y,
                    width=bar_width,
                    height=BAR_HEIGHT,
                    series=i,
                    value=value,
                    text=fmt(value),
                    text_x=plot_left + bar_width + 4,
                    text_y=bar_y + BAR_HEIGHT / 2,
                )
            )
        laid_out.append(
            Row(
                label=label,
                text=shorten(label, max_chars),
                text_x=plot_left - LABEL_PAD,
                text_y=y + row_height / 2,
                bars=tuple(bars),
            )
        )
        y += row_height + ROW_GAP
    plot_bottom = y - ROW_GAP if rows else y
    ticks = tuple(
        Tick(x=plot_left + span * value / maximum, value=value, text=fmt(value))
        for value in tick_values(maximum)
    )
    return Chart(
        width=width,
        height=plot_bottom + BOTTOM,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=float(TOP),
        plot_bottom=plot_bottom,
        maximum=maximum,
        rows=tuple(laid_out),
        ticks=ticks,
        series=tuple(series),
    )
