"""The report preview's own words (`t_` and `tn_` in templates/reports/) come from the
report's catalogue, as the PDF's do: each must be there, with a Dutch translation, or the
preview of a Dutch selection would show English."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def preview_messages() -> set:
    return {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / "templates" / "reports"), [("**.html", "jinja2")],
            keywords={"t_": None, "tn_": (1, 2)},
        )
    }


def test_every_word_of_the_preview_is_in_the_report_catalogue():
    messages = preview_messages()
    assert len(messages) > 100 and "Executive summary" in messages
    for language in ("en", "nl"):
        path = ROOT / "selector" / "translations" / language / "LC_MESSAGES" / "report.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language, domain="report")
        for message in messages:
            key = message if isinstance(message, str) else message[0]
            entry = catalogue.get(key)
            assert entry is not None, f"not in {language}/report.po: {key!r}"
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            assert all(s and s.strip() for s in strings), f"untranslated: {key!r}"
