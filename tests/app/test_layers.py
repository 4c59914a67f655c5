"""The direction of imports that the README's "Architecture" section describes.

Layers, lowest first; a module may import (at load time) from its own package and from the
layers below, never from a layer above. Imports inside functions are not counted (see
tests/app/test_architecture.py, whose import graph this reuses).
"""

from __future__ import annotations

import pytest

from tests.app.test_architecture import import_graph

# package (second part of the module name) → layer
LAYERS: dict[str, int] = {
    "graph": 0,  # the pure networkx library
    "models": 1,
    "extensions": 2,
    "config": 2,
    "permissions": 2,
    "db": 3,
    "jobs": 3,
    "web": 4,
    "formats": 4,
    "reference": 4,
    "search": 4,
}
FEATURE = 5  # every other package: one per feature
APP = 6  # the factory, the CLI entry and the package itself
TOP = {"app", "cli", "__init__"}


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in TOP:
        return APP
    return LAYERS.get(parts[1], FEATURE)


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_no_module_imports_from_a_layer_above(graph) -> None:
    upward = sorted(
        f"{a} → {b}"
        for a, b in graph.edges()
        if package(a) != package(b) and layer(b) > layer(a) and package(a) != "migrations"
    )
    assert not upward, "imports that point upward:\n" + "\n".join(upward)


def test_the_pure_library_and_the_models_import_nothing_above_them(graph) -> None:
    for base in ("graph", "models"):
        outside = sorted(
            f"{a} → {b}" for a, b in graph.edges() if package(a) == base and package(b) != base
        )
        assert not outside, outside


def test_layers_name_existing_packages() -> None:
    from tests.app.test_architecture import PACKAGE

    for name in LAYERS:
        assert (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file(), name
