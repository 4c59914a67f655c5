"""requirements.lock pins every dependency of pyproject.toml, with hashes, in its range.

`make install` installs only what the lock names (`--require-hashes`, then the app with
`--no-deps`); a dependency added to pyproject.toml without `make lock` would be missing.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def test_every_dependency_is_locked_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {_normal(m.group(1)) for d in declared if (m := _NAME.match(d))}
    locked = _locked()
    missing = sorted(names - locked.keys())
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    assert all("--hash=sha256:" in b for b in blocks if re.match(r"^[A-Za-z0-9].*==", b))


def test_the_environment_runs_the_locked_versions():
    locked = _locked()
    for name in ("flask", "wtforms", "sqlalchemy", "huey"):
        assert version(name) == locked[name], name
