"""Accessibility check for browser tests: run axe-core (the npm devDependency) in a page.

The app's CSP forbids inline scripts, so `page.add_script_tag` would be blocked. axe is
injected with `page.evaluate` instead: code evaluated through the DevTools protocol is not
subject to the page's CSP, and the page under test keeps its real policy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa")
# every WCAG 2.0, 2.1 and 2.2 A and AA rule: the all-pages test (test_accessibility_crawl.py)
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
FAILING_IMPACTS = frozenset({"serious", "critical"})

_RUN = """
async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "),
      summary: n.failureSummary || "",
    })),
  }));
}
"""


@cache
def axe_source() -> str:
    """The axe-core script text; skips the test when `npm ci` has not installed it."""
    if not AXE_PATH.exists():
        pytest.skip(f"axe-core not installed at {AXE_PATH} (run `make assets` / `npm ci`)")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Any, tags: tuple[str, ...] = AXE_TAGS) -> list[dict[str, Any]]:
    """Run axe on the page's current document and return its violations of the rules
    tagged `tags` (WCAG 2.0 A/AA unless told)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Wrapped in a function so the UMD bundle runs as a statement, not an expression.
        page.evaluate(f"() => {{ {axe_source()}\n}}")
    violations: list[dict[str, Any]] = page.evaluate(_RUN, list(tags))
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One readable block per violation: id, impact, help text and the offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def check_accessibility(page: Any, *, context_name: str) -> list[dict[str, Any]]:
    """Fail the test if axe finds serious or critical WCAG 2 A/AA violations on the page.

    `context_name` names the page in the failure message. Returns the minor/moderate
    violations (which do not fail the test) so a caller may inspect them.
    """
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if serious:
        pytest.fail(
            f"axe-core: {len(serious)} serious/critical accessibility violation(s) on "
            f"{context_name} ({page.url}):\n{format_violations(serious)}",
            pytrace=False,
        )
    return [v for v in violations if v["impact"] not in FAILING_IMPACTS]
