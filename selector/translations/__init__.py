"""The Dutch and English message catalogues (`<lang>/LC_MESSAGES/messages.po`).

`compile_catalogues` turns each .po into the .mo that gettext reads. It imports only
Babel, so the build hook (`hatch_build.py`) can load this file by path and compile the
catalogues at install time, before Flask or Selector are importable.
"""

from __future__ import annotations

import os
from pathlib import Path

CATALOGUES = Path(__file__).resolve().parent
DOMAIN = "messages"


def catalogue_files(source: Path = CATALOGUES) -> list[Path]:
    """Every .po file under `source`, one per language."""
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(source: Path = CATALOGUES, target: Path | None = None) -> list[Path]:
    """Compile each .po under `source` (every domain: the web app's `messages`, the
    report's `report`) into a .mo under `target` (default: beside it) when the .mo is
    missing or older; return the .mo paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = source if target is None else target
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as stream:
                catalogue = read_po(stream, locale=po.parent.parent.name, domain=po.stem)
            mo.parent.mkdir(parents=True, exist_ok=True)
            partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
            with partial.open("wb") as stream:
                write_mo(stream, catalogue, use_fuzzy=False)
            partial.replace(mo)  # atomic: a second worker never reads half a file
        written.append(mo)
    return written


# -- keeping the catalogues complete ------------------------------------------------------

KEYWORDS_EXTRA = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def extract(root: Path):
    """Every translatable message in `selector/` and `templates/` (per `babel.cfg`)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.extract import extract_from_dir

    try:
        from babel.messages.frontend import parse_mapping_cfg as parse_mapping
    except ImportError:  # Babel < 2.14
        from babel.messages.frontend import parse_mapping

    with (root / "babel.cfg").open(encoding="utf-8") as stream:
        method_map, options_map = parse_mapping(stream)
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS_EXTRA}
    catalogue = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords, strip_comment_tags=True
    ):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments,
                      context=context)
    return catalogue


def update(root: Path, source: Path = CATALOGUES) -> dict[str, list[str]]:
    """Bring every .po in line with the code: new messages added (English: the message
    itself; other languages: empty, to be translated), unused ones dropped. Returns the
    untranslated messages per language."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po
    from babel.messages.pofile import write_po

    template = extract(root)
    missing: dict[str, list[str]] = {}
    for po in catalogue_files(source):
        language = po.parent.parent.name
        with po.open("rb") as stream:
            old = read_po(stream, locale=language, domain=DOMAIN)
        new = Catalog(locale=language, domain=DOMAIN, project="Selector",
                      header_comment=old.header_comment, fuzzy=False)
        for message in template:
            if not message.id:
                continue
            known = old.get(message.id, context=message.context)
            string = known.string if known is not None else None
            if not _translated(string) and language == "en":
                string = message.id
            if not string:
                string = ("", "") if message.pluralizable else ""
            new.add(message.id, string, context=message.context,
                    flags=[f for f in message.flags if f != "fuzzy"])
            if not _translated(new.get(message.id, context=message.context).string):
                missing.setdefault(language, []).append(
                    message.id if isinstance(message.id, str) else message.id[0])
        with po.open("wb") as stream:
            write_po(stream, new, width=0, no_location=True, sort_output=True,
                     omit_header=False)
    return missing


def _translated(string) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)
