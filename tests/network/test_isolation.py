"""The network module loads neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "import crm.network.suggest, crm.network.analytics, crm.network.regions, "
    "crm.network.evaluate; import sys; "
    "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules, "
    "sorted(name for name in sys.modules if name.startswith(('flask', 'sqlalchemy')))"
)


def test_network_module_imports_neither_flask_nor_sqlalchemy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
