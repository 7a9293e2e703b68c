"""Which parts of the project may import which: no two apps import each other (directly or
round a longer loop), and the shared core ``lms`` imports no app. Read from the source with
``ast``, nothing imported: absolute, relative and function-local imports count, those under
``if TYPE_CHECKING:`` (type hints only) do not.

An app is a folder with an ``apps.py``; a module belongs to the deepest unit above it. The
project's wiring (``lms.urls``, settings, wsgi, asgi, celery) stands above every app and is left
out; tests, migrations, bench/ and tools/ are not read. A further rule between parts of one app
is one more call of ``imports_between`` with those parts as its units."""

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_READ = {"tests", "bench", "tools", "migrations", "var", "build", ".venv", ".git"}
WIRING = {"lms.urls", "lms.settings", "lms.wsgi", "lms.asgi", "lms.celery"}
CORE = "lms"


@dataclass(frozen=True, order=True)
class Import:
    module: str  # the importing module
    line: int
    name: str  # what it imports, absolute: a module, or a module and one of its names

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}) imports {self.name}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_files(pattern: str) -> list[Path]:
    """The files of the project's packages (folders with an __init__.py) that are read."""
    return [
        path
        for path in sorted(ROOT.glob(f"*/**/{pattern}"))
        if (path.parent / "__init__.py").exists()
        and not NOT_READ & set(path.relative_to(ROOT).parts)
    ]


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (its ``else:`` runs, so it is kept)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


@cache
def project_imports() -> tuple[Import, ...]:
    """Every import of every module of the project's packages (wiring included)."""
    found = []
    for path in _project_files("*.py"):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(module, node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                source = ".".join(filter(None, [base, node.module]))
                found += [Import(module, node.lineno, f"{source}.{a.name}") for a in node.names]
    return tuple(found)


def apps() -> list[str]:
    return sorted(_module_name(path.parent / "__init__.py") for path in _project_files("apps.py"))


def unit_of(name: str, units: Iterable[str]) -> str | None:
    """The deepest of ``units`` that ``name`` lies in; None for the wiring and the rest."""
    if any(name == w or name.startswith(w + ".") for w in WIRING):
        return None
    inside = [unit for unit in units if name == unit or name.startswith(unit + ".")]
    return max(inside, key=len, default=None)


def imports_between(units: Iterable[str]) -> dict[tuple[str, str], list[Import]]:
    """``(importing unit, imported unit)``: the imports from a module of one into the other."""
    units = list(units)
    edges: dict[tuple[str, str], list[Import]] = {}
    for imp in project_imports():
        source, target = unit_of(imp.module, units), unit_of(imp.name, units)
        if source and target and source != target:
            edges.setdefault((source, target), []).append(imp)
    return edges


def cycles(edges: Iterable[tuple[str, str]]) -> list[set[str]]:
    """The sets (two or more) of units that each reach all the others through imports."""
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for unit in graph.get(todo.pop(), set()) - seen:
                seen.add(unit)
                todo.append(unit)
        return seen

    reached = {unit: reach(unit) for unit in graph}
    loops = {frozenset({u} | {v for v in reached[u] if u in reached.get(v, set())}) for u in graph}
    return sorted((set(loop) for loop in loops if len(loop) > 1), key=sorted)


def _described(edges: dict[tuple[str, str], list[Import]], units: set[str]) -> str:
    return "\n".join(
        f"  {source} -> {target}:\n" + "\n".join(f"    {imp}" for imp in sorted(imports))
        for (source, target), imports in sorted(edges.items())
        if source in units and target in units
    )


def test_the_apps_are_found():
    assert {"lms.accounts", "courses", "media", "tracking"} <= set(apps())


def test_no_two_apps_import_each_other():
    edges = imports_between([*apps(), CORE])

    found = cycles(edges)

    assert not found, "Apps that import each other:\n" + "\n".join(
        _described(edges, loop) for loop in found
    )


def test_the_core_imports_no_app():
    edges = imports_between([*apps(), CORE])

    into_apps = {pair: imports for pair, imports in edges.items() if pair[0] == CORE}

    assert not into_apps, "The core imports apps:\n" + _described(into_apps, {CORE, *apps()})


# Rooms of one app, and the rooms each may not import (docs/architecture.md, "The rooms").
ROOMS_NOT_IMPORTED = {
    "tracking.lrs": {"tracking.progress", "tracking.attendance"},
    "tracking.progress": {"tracking.attendance"},
}
ROOMS = ["tracking.lrs", "tracking.progress", "tracking.attendance"]


def test_the_rooms_are_found():
    modules = {imp.module for imp in project_imports()}
    for room in ROOMS:
        assert any(module.startswith(room + ".") for module in modules), room


def test_lower_rooms_know_nothing_of_those_above():
    """The LRS nothing of the engine, neither of attendance: attendance stands on both."""
    edges = imports_between(ROOMS)

    forbidden = {
        (source, target): imports
        for (source, target), imports in edges.items()
        if target in ROOMS_NOT_IMPORTED.get(source, set())
    }

    assert not forbidden, "Rooms import what they must not:\n" + _described(forbidden, set(ROOMS))
