"""User text is shown, never interpreted: markup, huge words and empty fields make a PDF."""

from __future__ import annotations

import copy
import dataclasses
import io
import json

import pytest
from pypdf import PdfReader

from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.report.build import build_report_data
from selector.report.pdf import render_pdf
from selector.report.text import markup
from selector.report.text import shorten
from selector.services.ranking import rank_selection
from tests.report.helpers import EXAMPLE
from tests.report.helpers import ExtractedPdf
from tests.report.helpers import normalise
from tests.report.helpers import run_selector

BOLD_MARKUP = "<b>R&D</b> <font size=40>"
LINK = '<link href="file:///etc/passwd">x</link>'
IMAGE = '<img src="/etc/passwd"/>'
LONG_WORD = "Ω" + "x" * 398 + "Я"
DESCRIPTION = ("Lorem ipsum dolor sit amet, <i>consectetur</i> & adipiscing elit. " * 80)[:5000]


def hostile_doc() -> dict:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    # Names and titles as long as a file may make them (docs/formats.md, "Limits").
    doc["selection"]["name"] = f"{BOLD_MARKUP} selection {LONG_WORD}"[:200]
    doc["selection"]["organisation"] = "Gemeente Ëëïé – “quotes” ‘single’ € 1.000"
    categories = doc["categories"]
    categories[0]["name"] = BOLD_MARKUP
    categories[1]["name"] = LINK
    categories[5]["name"] = IMAGE  # an IT category: its requirements get their own table
    categories[2]["name"] = "a<b"
    categories[3]["name"] = "Klantbeeld Ëëïé – “quotes” ‘single’ € 1.000"
    requirements = doc["requirements"]
    requirements[0]["title"] = BOLD_MARKUP
    requirements[1]["title"] = LONG_WORD[:300]
    requirements[2]["title"] = IMAGE
    for r in requirements:
        if r["category"] == "hosting":
            r["description"] = DESCRIPTION
            r["verification_criterion"] = LONG_WORD
    requirements[18]["knockout_rationale"] = LINK + " " + LONG_WORD
    vendors = doc["vendors"]
    vendors[0]["name"] = "Νορθγουιντ <b>CRM</b>"  # Greek, and markup
    vendors[1]["name"] = ("Полдер & Co " + LONG_WORD)[:200]
    for score in doc["scores"][:40]:
        score["comment"] = LONG_WORD + " " + IMAGE
    for score in doc["scores"][40:80]:
        score["comment"] = DESCRIPTION
    for verdict in doc["knockouts"]:
        verdict["evidence"] = LINK if verdict["passed"] else IMAGE + " " + LONG_WORD
    doc["members"][1]["name"] = "a<b & c>d"
    return doc


@pytest.fixture(scope="module")
def hostile_pdf(tmp_path_factory):
    doc = validate(hostile_doc())
    selection = selection_from_file(doc)
    # Empty fields the file format refuses but the database may hold.
    selection = dataclasses.replace(
        selection,
        members=tuple(
            dataclasses.replace(m, name="") if m.role == "it" else m for m in selection.members
        ),
    )
    doc = copy.deepcopy(doc)
    doc["selection"]["organisation"] = ""
    data = build_report_data(doc, rank_selection(selection), process=None, language="en")
    pdf = render_pdf(data)
    path = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    path.write_bytes(pdf)
    return ExtractedPdf(path)


def test_markup_is_shown_literally(hostile_pdf):
    text = hostile_pdf.text
    assert "<b>R&D</b>" in text
    assert "<font size=40>" in text
    assert "a<b" in text
    assert "<img src=\"/etc/passwd\"/>" in text
    assert "file:///etc/passwd" in text
    assert "Νορθγουιντ <b>CRM</b>" in text
    assert "Ëëïé" in text and "€" in text and "“quotes”" in text and "‘single’" in text


def test_markup_does_not_embed_files_or_make_links(hostile_pdf):
    reader = hostile_pdf.reader
    for page in reader.pages:
        resources = page["/Resources"]
        for xobject in resources.get("/XObject", {}).values():
            assert xobject.get_object().get("/Subtype") != "/Image"
        for annotation in page.get("/Annots", []) or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                assert action.get_object().get("/S") != "/URI"
    raw = hostile_pdf.path.read_bytes()
    assert b"root:x:0:0" not in raw  # nothing of /etc/passwd


def test_long_words_and_long_descriptions_are_laid_out(hostile_pdf):
    text = hostile_pdf.text.replace(" ", "")
    # A 400-character word is broken over lines but nothing of it is lost.
    assert "x" * 120 in text
    assert normalise(DESCRIPTION)[:200].replace(" ", "") in text
    assert len(hostile_pdf.pages) > 15


def test_empty_fields_show_a_placeholder(hostile_pdf):
    assert "(no name)" in hostile_pdf.text


def test_the_command_makes_a_valid_pdf_from_a_hostile_file(tmp_path):
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(hostile_doc(), ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "hostile.pdf"
    result = run_selector("report", str(source), "-o", str(output), "--lang", "nl")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO(output.read_bytes()))
    text = normalise(" ".join(page.extract_text() for page in reader.pages))
    assert "<b>R&D</b>" in text
    assert "pagina 1 van" in text


def test_the_escape_function():
    assert markup('<b>R&D</b> "x" \'y\'') == "&lt;b&gt;R&amp;D&lt;/b&gt; &quot;x&quot; &#39;y&#39;"
    assert markup(None) == "" and markup("") == ""
    assert markup("one\ntwo") == "one<br/>two"
    assert markup("bell\x07") == "bell"
    assert shorten("word " * 100, 20).endswith("…") and len(shorten("word " * 100, 20)) <= 20
