"""Every UI string reaches the catalogue: Babel's extractor does not look inside f-strings,
so a `_('…')` written in one would stay German in every language."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# an f-string (f"…" or f'…') with a gettext call inside one of its {…} fields
IN_FSTRING = re.compile(r"""\bf(["'])[^"'\n]*\{\s*(?:_|_l|gettext|ngettext|pgettext)\(""")


def test_no_gettext_call_inside_an_fstring() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "crm").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if IN_FSTRING.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_check_sees_one() -> None:
    assert IN_FSTRING.search("""name = f"{_('teilnehmende')}-{slug}.csv\"""")
    assert not IN_FSTRING.search("""name = _("teilnehmende") + f"-{slug}.csv\"""")
