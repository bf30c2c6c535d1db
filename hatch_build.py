"""Build hook: compile the message catalogues (.po -> .mo) when the package is built,
so a fresh install, editable or from a wheel, has them (issue 4). The .mo files are
not in version control (.gitignore); the wheel takes them as build artifacts.

The compiler lives in `selector/translations/__init__.py`, which imports only Babel
(a build requirement); it is loaded by path because Selector itself is not importable
while it is being built.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        path = root / "selector" / "translations" / "__init__.py"
        spec = importlib.util.spec_from_file_location("_selector_translations", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        compiled = module.compile_catalogues(path.parent)
        if self.target_name == "wheel" and version != "editable":
            build_data["artifacts"].extend(
                str(mo.relative_to(root).as_posix()) for mo in compiled
            )
