"""The import graph of the ``screening`` package has no cycles (issue 21, "one home per fact").

Every ``src/screening/**/*.py`` is parsed with :mod:`ast` (nothing is imported) and every
``import screening.x`` / ``from screening.x import y`` / relative import becomes an edge, wherever it sits:
at module level or inside a function (a function-level import only hides a cycle, it does not remove it).
Imports under ``if TYPE_CHECKING:`` never run and are left out.

Names taken from a package are followed to the submodule they come from: ``from screening.entries import
load_source`` is an edge to ``screening.entries.sources`` when ``entries/__init__.py`` re-exports it from
there, and ``from screening.entries import mp`` is an edge to the submodule ``screening.entries.mp``. A
name the package defines itself is an edge to the package (its ``__init__``). The implicit import of a
submodule's parent packages is not an edge (every submodule would otherwise depend on its package).

A cycle is a strongly connected component of more than one module; the test prints each one with the
edges (file and line) that close it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "screening"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / ROOT).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every Import/ImportFrom node outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _existing(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` or its longest prefix that is a module of the package."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in modules:
            return cand
        parts.pop()
    return None


class Graph:
    def __init__(self) -> None:
        self.modules = _modules()
        self.trees = {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in self.modules.items()}
        self._origin_cache: dict[tuple[str, str], str] = {}
        self.edges: dict[str, list[Edge]] = defaultdict(list)
        for module, tree in self.trees.items():
            for node in _imports(tree):
                for target in self._targets(module, node):
                    if target != module:
                        self.edges[module].append(Edge(module, target, node.lineno))

    def _is_package(self, module: str) -> bool:
        return self.modules[module].name == "__init__.py"

    def _targets(self, module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name == ROOT or a.name.startswith(ROOT + ".")]
            return [t for t in (_existing(n, self.modules) for n in names) if t]
        base = _absolute(module, self._is_package(module), node)
        if base != ROOT and not base.startswith(ROOT + "."):
            return []
        out = []
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            if sub in self.modules:
                out.append(sub)
            elif base in self.modules:
                out.append(self.origin(base, alias.name))
            else:
                found = _existing(base, self.modules)
                if found:
                    out.append(found)
        return out

    def origin(self, package: str, name: str, depth: int = 0) -> str:
        """The module that defines ``name`` as seen from ``package`` (following ``__init__`` re-exports)."""
        key = (package, name)
        if key in self._origin_cache:
            return self._origin_cache[key]
        result = package
        if self._is_package(package) and depth < 10 and name != "*":
            for node in self.trees[package].body:  # re-exports are module-level imports of the __init__
                if isinstance(node, ast.ImportFrom):
                    base = _absolute(package, True, node)
                    for alias in node.names:
                        if (alias.asname or alias.name) != name:
                            continue
                        sub = f"{base}.{alias.name}"
                        if sub in self.modules:
                            result = sub
                        elif base in self.modules and base != package:
                            result = self.origin(base, alias.name, depth + 1)
        self._origin_cache[key] = result
        return result

    def cycles(self) -> list[list[str]]:
        """Strongly connected components with more than one module (Tarjan, iterative)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        out: list[list[str]] = []
        counter = 0
        succ = {m: sorted({e.target for e in self.edges.get(m, [])}) for m in self.modules}
        for start in sorted(self.modules):
            if start in index:
                continue
            work = [(start, 0)]
            while work:
                v, i = work.pop()
                if i == 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack.add(v)
                recurse = False
                for j in range(i, len(succ[v])):
                    w = succ[v][j]
                    if w not in index:
                        work.append((v, j + 1))
                        work.append((w, 0))
                        recurse = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if recurse:
                    continue
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
        return sorted(out)

    def describe(self, component: list[str]) -> str:
        members = set(component)
        lines = [" <-> ".join(component)]
        for m in component:
            for e in self.edges.get(m, []):
                if e.target in members:
                    lines.append(f"    {self.modules[m].relative_to(SRC)}:{e.line} imports {e.target}")
        return "\n".join(lines)

    def reachable(self, start: str) -> set[str]:
        seen = {start}
        todo = [start]
        while todo:
            for e in self.edges.get(todo.pop(), []):
                if e.target not in seen:
                    seen.add(e.target)
                    todo.append(e.target)
        return seen


_GRAPH: Graph | None = None


def graph() -> Graph:
    global _GRAPH
    if _GRAPH is None:
        _GRAPH = Graph()
    return _GRAPH


def test_the_graph_sees_the_package():
    g = graph()
    assert "screening.thermo.engine" in g.modules
    assert "screening.entries" in g.modules
    # a function-level import is an edge; a name re-exported by a package resolves to its home module
    targets = {e.target for e in g.edges["screening.cli"]}
    assert "screening.entries.mp" in targets or any(t.startswith("screening.entries.mp.") for t in targets)
    assert g.origin("screening.entries", "load_source") == "screening.entries.sources"


def test_no_import_cycles():
    g = graph()
    found = g.cycles()
    assert not found, "import cycles among the package's modules:\n" + "\n".join(g.describe(c) for c in found)


def test_thermo_never_imports_report_or_plots():
    g = graph()
    bad = []
    for m in g.modules:
        if m == "screening.thermo" or m.startswith("screening.thermo."):
            for target in sorted(g.reachable(m) - {m}):
                if target.split(".")[1] in ("report", "plots"):
                    bad.append(f"{m} reaches {target}")
    assert not bad, "the engine must not depend on the report or the plots:\n" + "\n".join(bad)


def test_cycle_finder_finds_a_cycle():
    g = Graph.__new__(Graph)
    g.modules = {"a": Path("a.py"), "b": Path("b.py"), "c": Path("c.py"), "d": Path("d.py")}
    g.edges = defaultdict(list)
    for s, t in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]:
        g.edges[s].append(Edge(s, t, 1))
    assert g.cycles() == [["a", "b", "c"]]
