"""No import circles among the project's own modules (issue 19).

The graph is read from the source with `ast`: every import counts, those inside functions
too (an import moved into a function hides a circle from Python, not from the reader), except
the ones under `if TYPE_CHECKING:`, which never run. `from pkg import name` is an edge to
`pkg.name` when that is a module, else to `pkg` itself.
"""
from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["portal", "admin", "item_banks", "norms"]
EXCLUDED = {ROOT / "portal" / "migrations"}


def _modules() -> dict[str, Path]:
    found = {"wsgi": ROOT / "wsgi.py"}
    for package in PACKAGES:
        for file in (ROOT / package).rglob("*.py"):
            if any(excluded in file.parents for excluded in EXCLUDED):
                continue
            parts = file.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = file
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every import statement in the tree, skipping `if TYPE_CHECKING:` bodies."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
        else:
            yield from _imports(node)


def _targets(module: str, file: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in modules]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if file.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    targets = []
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            targets.append(f"{base}.{alias.name}")
        elif base in modules:
            targets.append(base)
    return targets


def import_graph() -> dict[str, dict[str, str]]:
    """module -> {imported module: "file:line" of the first import of it}."""
    modules = _modules()
    graph: dict[str, dict[str, str]] = {module: {} for module in modules}
    for module, file in modules.items():
        for node in _imports(ast.parse(file.read_text(encoding="utf-8"))):
            for target in _targets(module, file, node, modules):
                if target != module:
                    graph[module].setdefault(target, f"{file.relative_to(ROOT)}:{node.lineno}")
    return graph


def _components(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _shortest_cycle(graph: dict[str, dict[str, str]], start: str, members: set[str]) -> list[str]:
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child == start:
                chain = [node]
                while previous[chain[-1]] is not None:
                    chain.append(previous[chain[-1]])
                return chain[::-1] + [start]
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    return []


def cycles(graph: dict[str, dict[str, str]]) -> list[str]:
    """A shortest circle through each module of each component, as readable chains."""
    lines = []
    for component in _components(graph):
        members = set(component)
        seen = set()
        for start in component:
            chain = _shortest_cycle(graph, start, members)
            key = frozenset(zip(chain, chain[1:]))
            if key in seen:
                continue
            seen.add(key)
            steps = " -> ".join(
                f"{a} ({graph[a][b]})" for a, b in zip(chain, chain[1:])
            )
            lines.append(f"{steps} -> {chain[-1]}")
    return lines


def test_cycle_finder_reports_a_circle():
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:2"}, "c": {"a": "c.py:3"}, "d": {"a": "d.py:4"}}
    assert cycles(graph) == ["a (a.py:1) -> b (b.py:2) -> c (c.py:3) -> a"]


def test_imports_inside_functions_count_but_not_type_checking_ones():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from portal import models\n"
        "def f():\n    from portal.services import journey\n"
    )
    assert [node.module for node in _imports(tree)] == ["typing", "portal.services"]


def test_no_import_circles():
    graph = import_graph()
    assert graph["portal"], "the graph sees the application's imports"
    found = cycles(graph)
    assert not found, "import circles (module (where it imports the next) -> ...):\n" + "\n".join(found)
