"""The shape of the package: no import cycles inside `selector/`, and a pure core.

A cycle makes the import order matter and hides which layer depends on which (the style
guide: data flows one way, web or cli → services → models, services → domain). The graph
is read from the source with `ast`, so imports inside functions count too: they only
postpone a cycle to the first call, they do not remove it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "selector"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of `selector` that `name` imports, at the top or inside a function.

    `from a.b import c` names the submodule `a.b.c` when there is one, otherwise the
    module `a.b` (c is a name defined in it).
    """
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = name.split(".") if is_package else name.split(".")[:-1]
                base = package[: len(package) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else source)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def describe(component: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = [f"{source} -> {target}" for source in sorted(component)
             for target in sorted(graph[source] & component)]
    return "; ".join(edges)


def test_the_graph_reader_sees_function_level_and_submodule_imports():
    graph = import_graph()
    # A top-level `from selector.domain.vocabulary import ...`.
    assert "selector.domain.vocabulary" in graph["selector.services.selections"]
    # `from selector.web import database, guard, ...` names the submodules.
    assert "selector.web.guard" in graph["selector.web.app"]
    # An import inside a function (the command line imports its commands late).
    assert "selector.cli.commands" in graph["selector.cli.main"]
    # A made-up cycle is found, with both ends.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        frozenset({"a", "b", "c"})]


def test_no_import_cycles_inside_selector():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph) for c in found)


def outside(graph: dict[str, set[str]], packages: tuple[str, ...],
            allowed: tuple[str, ...]) -> dict[str, list[str]]:
    """Imports of modules in `packages` that leave `allowed`, per module."""
    def within(name: str, prefixes: tuple[str, ...]) -> bool:
        return any(name == p or name.startswith(p + ".") for p in prefixes)

    return {
        source: sorted(target for target in targets if not within(target, allowed))
        for source, targets in graph.items()
        if within(source, packages) and any(not within(target, allowed) for target in targets)
    }


def test_the_domain_imports_nothing_else_of_selector():
    assert outside(import_graph(), ("selector.domain",), ("selector.domain",)) == {}


def test_the_report_takes_plain_data_and_imports_no_service_model_or_web_module():
    """Data flows one way: services build the report's input (plain data types that the
    report defines, such as `ProcessInfo`); the report never reaches back into them."""
    graph = import_graph()
    assert any(target.startswith("selector.report.") for source, targets in graph.items()
               if source.startswith("selector.services.") for target in targets)
    pure = ("selector.domain", "selector.report", "selector.charts", "selector.paths")
    assert outside(graph, ("selector.report", "selector.charts"), pure) == {}


def loaded_web_and_database(modules: list[str]) -> list[str]:
    """The Flask and SQLAlchemy modules that importing `modules` loads, in a fresh process."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_babel', 'flask_login'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_domain_and_report_load_neither_flask_nor_sqlalchemy():
    """The method and the report drawing run without the web and the database."""
    pure = sorted(name for name in all_modules()
                  if name.startswith(("selector.domain", "selector.report")))
    assert "selector.domain.method" in pure and "selector.report.pdf" in pure
    assert loaded_web_and_database(pure) == []
    assert "flask" in loaded_web_and_database(["selector.web.guard"])  # the check can fail


def test_the_permission_table_loads_no_flask():
    """The request guard is the web's (`selector.web.guard`); the table is plain data."""
    assert not [m for m in loaded_web_and_database(["selector.access"]) if "flask" in m]
