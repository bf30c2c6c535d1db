"""The documentation points to files that exist, and lists every command.

docs/method.md and docs/formats.md are public contracts that users read beside the code:
a link to a moved or never-made file sends them nowhere.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ("docs/method.md", "docs/formats.md")
LINK = re.compile(r"\]\(([^)#\s]+)[^)]*\)")
# A file named in code quotes: `tests/data/crm-selection.json`, `formats.md`.
QUOTED_FILE = re.compile(r"`([\w./-]+\.(?:json|md|py|csv|xlsx|toml|txt|html))`")


def named_files(text: str) -> list[str]:
    links = [target for target in LINK.findall(text) if "://" not in target]
    return links + QUOTED_FILE.findall(text)


def exists(document: Path, name: str) -> bool:
    """Relative to the document (as a link is read), or to the project's root."""
    return (document.parent / name).exists() or (ROOT / name).exists()


def test_the_reader_finds_links_and_quoted_files():
    text = "see [`a.md`](../x/a.md) and `examples/b.json`, not [site](https://e.org/c.md)"
    assert named_files(text) == ["../x/a.md", "a.md", "examples/b.json"]


def test_method_and_formats_name_only_files_that_exist():
    missing = []
    for name in CONTRACTS:
        document = ROOT / name
        named = named_files(document.read_text(encoding="utf-8"))
        assert named, f"{name} names no file: the reader above is broken"
        missing += [f"{name}: {target}" for target in named if not exists(document, target)]
    assert missing == []


def command_words(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
                  ) -> list[tuple[str, ...]]:
    """Every command the parser accepts, as words: ("db", "upgrade"), ("list",)..."""
    found = []
    for action in parser._actions:  # argparse keeps its sub-commands there, nowhere public
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += command_words(sub, (*prefix, name)) or [(*prefix, name)]
    return found


def test_the_readme_lists_every_command():
    from selector.cli.main import build_parser

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## The command line")[1]
    first_cells = [line.split(" | ")[0] for line in section.split("\n## ")[0].splitlines()
                   if line.startswith("| `selector ")]
    commands = command_words(build_parser())
    assert ("requirements", "export") in commands and ("list",) in commands
    missing = [" ".join(words) for words in commands
               if not any(re.search(rf"`selector {' '.join(words)}[ `]", cell)
                          for cell in first_cells)]
    assert missing == []
