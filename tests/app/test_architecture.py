"""The shape of the code base: no import cycles between the modules of ``crm/``.

(That the network library loads neither Flask nor SQLAlchemy is checked in
tests/graph/test_isolation.py.)

An edge A → B means: importing module A runs an import of module B. Counted are the
imports executed when a module is loaded: at module level, in module-level ``if`` / ``try``
/ ``with`` blocks and in class bodies. Imports inside functions run later, when the function
is called, and do not count; neither do imports under ``if TYPE_CHECKING:``, which never
run. ``from crm.x import y`` points to the submodule ``crm.x.y`` when there is one, else to
``crm.x``; relative imports are resolved against the importing module's package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "crm"


def module_name(path: Path, root: Path = ROOT) -> str:
    """Dotted name of a source file under the root (the folder that holds the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def load_time_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when a module with this body is loaded."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from load_time_imports(node.body)
            yield from load_time_imports(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, node.orelse, node.finalbody):
                yield from load_time_imports(block)
            for handler in node.handlers:
                yield from load_time_imports(handler.body)
        elif isinstance(node, ast.With | ast.For | ast.While | ast.ClassDef):
            yield from load_time_imports(node.body)


def imported_modules(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: set[str]
) -> set[str]:
    """The modules of ``modules`` that one import statement loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if node.level:
        package = importer if is_package else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph(package: Path = PACKAGE) -> nx.DiGraph:
    """Every module of the package and its load-time imports of the package's other modules."""
    paths = sorted(package.rglob("*.py"))
    modules = {module_name(path, package.parent) for path in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(modules))
    for path in paths:
        importer = module_name(path, package.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in load_time_imports(tree.body):
            is_package = path.name == "__init__.py"
            for target in imported_modules(node, importer, is_package, modules):
                if target != importer:
                    graph.add_edge(importer, target)
    return graph


def test_graph_sees_the_imports() -> None:
    graph = import_graph()
    assert len(graph) > 50
    # a plain, a `from package import submodule` and a relative-free `from module import name`
    assert graph.has_edge("crm.events.views", "crm.events.queries")
    assert graph.has_edge("crm.graph", "crm.graph.assign")
    assert graph.has_edge("crm.graph.assign.solve", "crm.graph.assign.flow")


def test_rules_of_the_graph() -> None:
    source = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from .. import cousin\n"
        "from .inner import name\n"
        "if TYPE_CHECKING:\n"
        "    from crm.pkg import hidden\n"
        "else:\n"
        "    import crm.pkg.shown\n"
        "try:\n"
        "    from crm.pkg.sub import thing\n"
        "except ImportError:\n"
        "    pass\n"
        "class Spec:\n"
        "    import crm.pkg.in_class\n"
        "def later():\n"
        "    import crm.pkg.in_function\n"
    )
    modules = {
        "crm.top.cousin",
        "crm.top.pkg.sibling",
        "crm.top.pkg.inner",
        "crm.pkg",
        "crm.pkg.hidden",
        "crm.pkg.shown",
        "crm.pkg.sub",
        "crm.pkg.in_class",
        "crm.pkg.in_function",
    }
    found: set[str] = set()
    for node in load_time_imports(source.body):
        found |= imported_modules(node, "crm.top.pkg.here", False, modules)
    assert found == {
        "crm.top.pkg.sibling",
        "crm.top.cousin",
        "crm.top.pkg.inner",
        "crm.pkg.shown",
        "crm.pkg.sub",
        "crm.pkg.in_class",
    }


def cycles_of(graph: nx.DiGraph) -> list[str]:
    """The graph's cycles, each written from its alphabetically first module, sorted."""
    found = []
    for cycle in nx.simple_cycles(graph):
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        found.append(" → ".join([*cycle, cycle[0]]))
    return sorted(found)


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "crm"
    (package / "events").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "events" / "__init__.py").write_text("")
    (package / "events" / "views.py").write_text("from crm.events import assignment\nbp = 1\n")
    (package / "events" / "assignment.py").write_text("from .views import bp\n")
    (package / "people.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from crm.directory import Org\n"
    )
    (package / "directory.py").write_text("from crm.people import Person\n")
    assert cycles_of(import_graph(package)) == [
        "crm.events.assignment → crm.events.views → crm.events.assignment"
    ]


def test_no_import_cycles_between_modules_of_crm() -> None:
    cycles = cycles_of(import_graph())
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)
