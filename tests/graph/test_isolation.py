"""The network library (every module of crm/graph) loads neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NETWORK = ROOT / "crm" / "graph"


def network_modules() -> list[str]:
    """Dotted names of all modules of crm/graph, found on disk so new ones are included."""
    names = []
    for path in sorted(NETWORK.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_network_module_imports_neither_flask_nor_sqlalchemy() -> None:
    modules = network_modules()
    assert {"crm.graph", "crm.graph.suggest", "crm.graph.assign.solve"} <= set(modules)
    check = (
        f"import {', '.join(modules)}; import sys; "
        "loaded = sorted(m for m in sys.modules if m.startswith(('flask', 'sqlalchemy'))); "
        "assert not loaded, loaded"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
