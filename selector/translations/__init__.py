"""The Dutch and English message catalogues (`<lang>/LC_MESSAGES/messages.po`).

`compile_catalogues` turns each .po into the .mo that gettext reads. It imports only
Babel, so the build hook (`hatch_build.py`) can load this file by path and compile the
catalogues at install time, before Flask or Selector are importable.
"""

from __future__ import annotations

from pathlib import Path

CATALOGUES = Path(__file__).resolve().parent
DOMAIN = "messages"


def catalogue_files(source: Path = CATALOGUES) -> list[Path]:
    """Every .po file under `source`, one per language."""
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(source: Path = CATALOGUES, target: Path | None = None) -> list[Path]:
    """Compile each .po under `source` into a .mo under `target` (default: beside it)
    when the .mo is missing or older; return the .mo paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = source if target is None else target
    written = []
    for po in catalogue_files(source):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as stream:
                catalogue = read_po(stream, locale=po.parent.parent.name, domain=DOMAIN)
            mo.parent.mkdir(parents=True, exist_ok=True)
            partial = mo.with_suffix(".mo.tmp")
            with partial.open("wb") as stream:
                write_mo(stream, catalogue, use_fuzzy=False)
            partial.replace(mo)  # atomic: a second worker never reads half a file
        written.append(mo)
    return written
