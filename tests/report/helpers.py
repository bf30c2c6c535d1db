"""Helpers for the report tests: run the real `selector report` command, read PDFs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "data" / "crm-selection.json"


def run_selector(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m selector.cli.main ARGS` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "selector.cli.main", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def normalise(text: str) -> str:
    """Text with every run of white space as one space (lines wrap anywhere)."""
    return " ".join(text.split())


class ExtractedPdf:
    """A PDF read with pypdf: pages' text, the whole text flattened, the outline titles."""

    def __init__(self, path: Path) -> None:
        from pypdf import PdfReader

        self.path = path
        self.reader = PdfReader(str(path))
        self.pages = [page.extract_text() or "" for page in self.reader.pages]
        self.text = normalise(" ".join(self.pages))
        self.outline = list(_titles(self.reader.outline))


def _titles(items):
    for item in items:
        if isinstance(item, list):
            yield from _titles(item)
        else:
            yield item.title
