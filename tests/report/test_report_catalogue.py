"""Every word of the report exists in English and Dutch (gettext domain "report")."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from selector.report import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t_": None, "tn_": (1, 2)}


def marked_messages() -> set:
    found = set()
    for folder in ("selector/report", "selector/charts"):
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / folder), [("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message)
    return found


def catalogue(language: str):
    path = ROOT / "selector" / "translations" / language / "LC_MESSAGES" / "report.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain="report")


def test_strings_are_marked():
    messages = marked_messages()
    assert len(messages) > 250
    assert "Executive summary" in messages
    assert ("{n} vendor", "{n} vendors") in messages


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_marked_string_is_in_the_catalogue(language):
    po = catalogue(language)
    missing, untranslated = [], []
    for message in marked_messages():
        key = message if isinstance(message, str) else message[0]
        entry = po.get(key)
        if entry is None:
            missing.append(key)
            continue
        if language == "nl":
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if not all(s and s.strip() for s in strings):
                untranslated.append(key)
    assert not missing, f"not in {language}/report.po: {missing}"
    assert not untranslated, f"no Dutch for: {untranslated}"


def test_dutch_placeholders_match_the_english():
    import re

    po = catalogue("nl")
    for entry in po:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(re.findall(r"\{(\w+)\}", ids[-1]))
        for string in strings:
            assert set(re.findall(r"\{(\w+)\}", string)) <= wanted | {"n"}, entry.id
            assert set(re.findall(r"\{(\w+)\}", string)) >= wanted - {"n"}, entry.id


def test_a_fresh_checkout_compiles_the_catalogue_in_memory(tmp_path, monkeypatch):
    import shutil

    for language in ("en", "nl"):  # only the .po files, as in a fresh checkout
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "selector" / "translations" / language / "LC_MESSAGES" / "report.po",
                    folder / "report.po")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with i18n.report_language("nl"):
            assert i18n.t_("Executive summary") == "Managementsamenvatting"
            assert i18n.tn_("{n} vendor", "{n} vendors", 1) == "{n} leverancier"
            assert i18n.tn_("{n} vendor", "{n} vendors", 3) == "{n} leveranciers"
            assert i18n.percent(0.103) == "10,3%"
            assert i18n.money(182000) == "€ 182.000"
        with i18n.report_language("en"):
            assert i18n.percent(0.103) == "10.3%"
            assert i18n.money(182000) == "€182,000"
            assert i18n.number(-0.04, 1) == "0.0"
        assert not list(tmp_path.rglob("*.mo"))  # nothing written
        with pytest.raises(ValueError):
            i18n.catalogue("de")
    finally:
        i18n.catalogue.cache_clear()


def test_the_in_memory_compilation_reads_the_po():
    po = (ROOT / "selector" / "translations" / "nl" / "LC_MESSAGES" / "report.po").read_bytes()
    assert read_po(io.BytesIO(po), locale="nl").get("Draft").string == "Concept"
