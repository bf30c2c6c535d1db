"""Every area package under `selector/services/` has the same inner shape (issue 21):

* `rules.py`: checks and decisions that need no database. It imports neither SQLAlchemy
  nor Flask nor the models; of `selector` only the domain, `selector.i18n` (messages)
  and `selector.services.errors` and `.written` (its refusals and the written-text check).
* `reads.py`: the queries behind pages and files. It never adds, deletes, flushes or
  commits, executes no INSERT, UPDATE or DELETE, and writes no audit entry.
* `writes.py`: every change, with its audit entry.
* `__init__.py`: imports and an `__all__` naming the area's public names; nothing else.

The sources are read with `ast`, as in `test_import_graph.py`.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "selector" / "services"
SHAPE = {"__init__.py", "writes.py", "reads.py", "rules.py"}
RULES_MAY_IMPORT = ("selector.domain", "selector.i18n", "selector.services.errors",
                    "selector.services.written")
RULES_MAY_NOT_IMPORT = ("sqlalchemy", "flask", "flask_babel", "flask_login", "flask_wtf")
WRITING_METHODS = {"add", "add_all", "delete", "flush", "commit", "merge", "bulk_save_objects"}
WRITING_STATEMENTS = {"insert", "update", "delete"}


def area_packages() -> list[Path]:
    return sorted(path.parent for path in SERVICES.glob("*/__init__.py"))


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def imported(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import, at the top or inside a function."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", [a.name for a in node.names]))
    return found


def rules_problems(source: str, where: str) -> list[str]:
    """What a rules module imports that needs the database or the web."""
    problems = []
    for line, module, names in imported(ast.parse(source)):
        # `from selector.services import errors` imports the module selector.services.errors
        for name in [f"{module}.{n}" for n in names] or [module]:
            if within(name, RULES_MAY_NOT_IMPORT) or (
                    within(name, ("selector",)) and not within(name, RULES_MAY_IMPORT)
                    and not within(module, RULES_MAY_IMPORT)):
                problems.append(f"{where}:{line}: a rule imports {module}")
                break
    return problems


def _builds_a_write(statement: ast.AST) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id in WRITING_STATEMENTS for node in ast.walk(statement))


def reads_problems(source: str, where: str) -> list[str]:
    """Every place where a reads module changes the database or writes the audit trail."""
    tree = ast.parse(source)
    problems = []
    for line, module, names in imported(tree):
        if within(module, ("selector.services.audit",)) or (
                module == "selector.services" and "audit" in names):
            problems.append(f"{where}:{line}: reads imports the audit recorder")
        if within(module, ("sqlalchemy",)) and WRITING_STATEMENTS & set(names):
            problems.append(f"{where}:{line}: reads imports {module}'s "
                            f"{', '.join(sorted(WRITING_STATEMENTS & set(names)))}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method in WRITING_METHODS:
            problems.append(f"{where}:{node.lineno}: reads calls .{method}(")
        elif method == "execute" and any(_builds_a_write(arg) for arg in node.args):
            problems.append(f"{where}:{node.lineno}: reads executes an INSERT, UPDATE or DELETE")
        elif method == "record" and ast.unparse(node.func.value).endswith("audit"):
            problems.append(f"{where}:{node.lineno}: reads writes an audit entry")
    return problems


def init_problems(source: str, where: str) -> list[str]:
    """An area's `__init__` only re-exports: imports, `__all__`, its docstring."""
    problems = []
    tree = ast.parse(source)
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__all__"]:
            continue
        problems.append(f"{where}:{node.lineno}: __init__ does more than re-export")
    return problems


def shape_problems(package: Path, root: Path = ROOT) -> list[str]:
    """Everything about one area package that leaves the shape."""
    where = package.relative_to(root)
    problems = [f"{where}/{path.name}: not one of {sorted(SHAPE)}"
                for path in sorted(package.iterdir())
                if path.name != "__pycache__" and path.name not in SHAPE]
    checks = {"rules.py": rules_problems, "reads.py": reads_problems,
              "__init__.py": init_problems}
    for name, check in checks.items():
        path = package / name
        if path.exists():
            problems += check(path.read_text(encoding="utf-8"), f"{where}/{name}")
    return problems


def test_the_areas_are_found():
    names = [package.name for package in area_packages()]
    assert {"requirements", "weighting"} <= set(names)


@pytest.mark.parametrize("package", area_packages(), ids=lambda path: path.name)
def test_every_area_has_the_shape(package):
    assert shape_problems(package) == []


@pytest.mark.parametrize("package", area_packages(), ids=lambda path: path.name)
def test_every_area_states_its_public_names(package):
    area = importlib.import_module(f"selector.services.{package.name}")
    public = area.__all__
    assert public and len(public) == len(set(public))
    assert [name for name in public if not hasattr(area, name)] == []
    # Whatever the package imports from its modules, it exports.
    imported_names = {alias.asname or alias.name for node in ast.parse(
        (package / "__init__.py").read_text(encoding="utf-8")).body
        if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert imported_names - {"annotations"} == set(public)


# The checks catch what they are for (each made-up module breaks the shape once).
RULES_THAT_BREAK_THE_SHAPE = [
    "from sqlalchemy import select",
    "import sqlalchemy.orm",
    "from flask import request",
    "from selector.models import Requirement",
    "from selector.services import audit",
    "from selector.services.requirements.reads import get_requirement",
    "def check():\n    from selector.db import Database\n",
]
READS_THAT_BREAK_THE_SHAPE = [
    "def save(session, row):\n    session.add(row)\n",
    "def forget(session, row):\n    session.delete(row)\n",
    "def save(session):\n    session.flush()\n",
    "def save(self):\n    self.session.commit()\n",
    "def rename(session, t):\n    session.execute(update(t).where(t.c.id == 1).values(name='x'))\n",
    "def purge(session, t):\n    session.execute(delete(t))\n",
    "from sqlalchemy import insert, select\n",
    "from selector.services import audit\n",
    "def note(session):\n    audit.record(session, selection_id=1, actor=None)\n",
]


@pytest.mark.parametrize("source", RULES_THAT_BREAK_THE_SHAPE)
def test_the_rules_check_catches_a_database_or_web_import(source):
    assert len(rules_problems(source, "rules.py")) == 1


@pytest.mark.parametrize("source", READS_THAT_BREAK_THE_SHAPE)
def test_the_reads_check_catches_a_write(source):
    assert len(reads_problems(source, "reads.py")) == 1


def test_the_checks_leave_what_belongs_alone():
    assert rules_problems("from selector.domain import quality\n"
                          "from selector.domain.vocabulary import WRITERS\n"
                          "from selector.i18n import _l\n"
                          "from selector.services.errors import ServiceError\n"
                          "from selector.services import errors\n", "rules.py") == []
    assert reads_problems("from sqlalchemy import func, select\n"
                          "def rows(session, t):\n"
                          "    return session.execute(select(t).where(t.c.id == 1)).all()\n",
                          "reads.py") == []
    assert init_problems('"""An area."""\nfrom a import b\n__all__ = ["b"]\n', "i") == []
    assert len(init_problems("def helper():\n    pass\n", "i")) == 1


def test_a_module_outside_the_shape_and_a_bad_rule_are_named(tmp_path):
    area = tmp_path / "area"
    area.mkdir()
    (area / "__init__.py").write_text('__all__ = []\n', encoding="utf-8")
    (area / "helpers.py").write_text("", encoding="utf-8")
    (area / "rules.py").write_text("from selector.models import Vendor\n", encoding="utf-8")
    assert shape_problems(area, root=tmp_path) == [
        "area/helpers.py: not one of ['__init__.py', 'reads.py', 'rules.py', 'writes.py']",
        "area/rules.py:1: a rule imports selector.models",
    ]
