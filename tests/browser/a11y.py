"""Checks axe-core does not make, run in the page with one `page.evaluate` each: the
contrast of every focus indicator (WCAG 2.4.7, 1.4.11, 2.4.13) and reflow at 320 px
(WCAG 1.4.10).

Both are shared by the all-pages test (test_accessibility_crawl.py) and the keyboard
journeys (test_keyboard_journeys.py).
"""

from __future__ import annotations

from typing import Any

# Colour arithmetic shared by the scripts below: parse a computed colour, blend with alpha,
# relative luminance and contrast ratio as WCAG 2 defines them, and the colour behind an
# element (its ancestors' backgrounds blended up to the canvas, which is white).
_COLOURS = r"""
const parse = (text) => {
  if (!text) return null;
  let m = text.match(/^rgba?\(([^)]*)\)$/);
  if (m) {
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  m = text.match(/^color\(srgb ([^)]*)\)$/);
  if (m) {
    const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
    return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
  }
  return null;
};
const over = (top, below) => {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const behind = (start) => {
  const layers = [];
  for (let e = start; e && e.nodeType === 1; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) {
      layers.push(c);
      if (c[3] >= 1) break;
    }
  }
  let colour = [255, 255, 255, 1];
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
};
const describe = (e) => {
  const text = (e.getAttribute("aria-label") || e.textContent || e.value || "")
    .trim().replace(/\s+/g, " ").slice(0, 40);
  const id = e.id ? "#" + e.id : "";
  const cls = e.classList.length ? "." + [...e.classList].slice(0, 2).join(".") : "";
  return `${e.tagName.toLowerCase()}${id}${cls} "${text}"`;
};
"""

# Focus every focusable, visible element in turn and measure its indicator: the outline
# and the colours of the box shadows (Bootstrap's focus ring), each blended over the colour
# behind the element (an outline or outer shadow is drawn over what surrounds the element;
# an inset one over the element's own background). Where neither exists, the indicator may
# be a change of border or background colour: then that colour against the one it had.
# Returns one finding per element below 3:1.
_FOCUS = (
    "() => {"
    + _COLOURS
    + r"""
const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
  + '[tabindex]:not([tabindex="-1"])';
const shown = (e) => {
  if (e.disabled || e.closest('[inert], [hidden]')) return false;
  const s = getComputedStyle(e);
  return s.visibility !== 'hidden' && e.getClientRects().length > 0;
};
const shadows = (text) => {
  if (!text || text === 'none') return [];
  return text.split(/,(?![^(]*\))/).map((part) => {
    const m = part.match(/(rgba?\([^)]*\)|color\([^)]*\))/);
    const lengths = part.replace(/(rgba?|color)\([^)]*\)/, '').match(/-?[\d.]+px/g) || [];
    const spread = lengths.length > 3 ? parseFloat(lengths[3]) : 0;
    const blur = lengths.length > 2 ? parseFloat(lengths[2]) : 0;
    return { colour: m ? parse(m[1]) : null, inset: /inset/.test(part), size: spread + blur };
  }).filter((s) => s.colour && s.colour[3] > 0 && s.size > 0);
};
const snapshot = (e) => {
  const s = getComputedStyle(e);
  return { border: s.borderTopColor, background: s.backgroundColor, outline: s.outlineStyle,
           shadow: s.boxShadow };
};
// Elements alike (same tag, type, classes and colour behind them) show the same focus
// style: the first of each kind is focused, which keeps a page of 300 links fast (a focus
// makes the browser compute styles again).
const kinds = new Map();
for (const e of document.querySelectorAll(selector)) {
  if (!shown(e)) continue;
  const kind = [e.tagName, e.type || '', e.className, e.getAttribute('role') || '',
                behind(e.parentElement).join(','), behind(e).join(','),
                !!e.closest('header')].join('|');
  if (!kinds.has(kind)) kinds.set(kind, [e, snapshot(e)]);
}
const findings = [];
let checked = 0;
const before = document.activeElement;
for (const [e, idle] of kinds.values()) {
  e.focus({ preventScroll: true });
  if (document.activeElement !== e) continue;
  checked += 1;
  const s = getComputedStyle(e);
  const around = behind(e.parentElement);
  const own = behind(e);
  const ratios = [];
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) {
    const colour = parse(s.outlineColor);
    const base = parseFloat(s.outlineOffset) < 0 ? own : around;
    if (colour) ratios.push(['outline', contrast(over(colour, base), base)]);
  }
  for (const shadow of shadows(s.boxShadow)) {
    const base = shadow.inset ? own : around;
    ratios.push(['box-shadow', contrast(over(shadow.colour, base), base)]);
  }
  if (!ratios.length) {
    const borderNow = parse(s.borderTopColor);
    const borderIdle = parse(idle.border);
    const bordered = parseFloat(s.borderTopWidth) > 0;
    if (s.borderTopColor !== idle.border && borderNow && borderIdle && bordered)
      ratios.push(['border', contrast(over(borderNow, around), over(borderIdle, around))]);
    if (s.backgroundColor !== idle.background)
      ratios.push(['background', contrast(own, behind(e.parentElement))]);
  }
  const best = ratios.reduce((a, b) => (b[1] > a[1] ? b : a), ['none', 1]);
  if (best[1] < 3)
    findings.push(`${describe(e)}: ${best[0]} ${best[1].toFixed(2)}:1`);
}
if (before && before.focus) before.focus({ preventScroll: true });
else document.activeElement && document.activeElement.blur();
return { checked, findings };
}"""
)

# Reflow at 320 px: the document is no wider than the viewport; the widest elements that
# stick out (outside a box that scrolls on its own) name the culprit.
_REFLOW = r"""() => {
const width = window.innerWidth;
const total = document.documentElement.scrollWidth;
if (total <= width) return null;
const scrolls = (e) => {
  for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX;
    if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
  }
  return false;
};
const wide = [];
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.right > width + 1 && r.width > 0 && !scrolls(e)) {
    const cls = e.classList.length ? '.' + [...e.classList].slice(0, 2).join('.') : '';
    const name = `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls}`;
    wide.push(`${name} (${Math.round(r.right)} px)`);
  }
}
return { total, width, wide: wide.slice(0, 4) };
}"""


def focus_findings(page: Any) -> tuple[int, list[str]]:
    """(how many elements were focused, one line per focus indicator below 3:1)."""
    result: dict[str, Any] = page.evaluate(_FOCUS)
    return int(result["checked"]), list(result["findings"])


def reflow_finding(page: Any) -> str | None:
    """None when the page fits the viewport's width, else why not."""
    result: dict[str, Any] | None = page.evaluate(_REFLOW)
    if result is None:
        return None
    return f"document {result['total']} px wide at {result['width']} px: " + ", ".join(
        result["wide"]
    )


def focus_ratio(page: Any) -> float:
    """The contrast of the focus indicator of the element that has the focus now (0 when
    nothing but the body has it)."""
    return float(page.evaluate(_FOCUSED_RATIO))


_FOCUSED_RATIO = (
    "() => {"
    + _COLOURS
    + r"""
const e = document.activeElement;
if (!e || e === document.body) return 0;
const s = getComputedStyle(e);
const around = behind(e.parentElement);
let best = 1;
if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) {
  const c = parse(s.outlineColor);
  const base = parseFloat(s.outlineOffset) < 0 ? behind(e) : around;
  if (c) best = Math.max(best, contrast(over(c, base), base));
}
for (const m of (s.boxShadow || '').matchAll(/(rgba?\([^)]*\))/g)) {
  const c = parse(m[1]);
  if (c && c[3] > 0) best = Math.max(best, contrast(over(c, around), around));
}
return best;
}"""
)
