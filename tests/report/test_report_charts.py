"""Chart models and their two renderers (SVG for the pages, Drawings for the PDF)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import String

from selector.charts import models
from selector.charts.layout import Rect
from selector.charts.layout import Text
from selector.charts.layout import heat_colour
from selector.charts.layout import layout
from selector.charts.pdf import render_drawing
from selector.charts.svg import render_svg
from selector.charts.svg import text_equivalent_html

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<b>R&D</b> "quoted" <script>alert(1)</script>'


def charts(language: str = "en") -> list[models.Chart]:
    categories = [("sales", "Sales & leads"), ("it", HOSTILE)]
    return [
        models.weights_chart(
            [("Sales & leads", 0.6, 0.3, 0.45), (HOSTILE, 0.4, 0.7, 0.55)], language=language
        ),
        models.contribution_chart(
            [
                ("Northwind", {"sales": 30.0, "it": 40.0}, 70.0, False),
                ("Polder", {"sales": 35.0, "it": 38.0}, 73.0, True),
            ],
            categories,
            language=language,
        ),
        models.heat_map(
            [("sales", "Sales & leads", 0.45), ("it", HOSTILE, 0.55)],
            [("northwind", "Northwind", False), ("polder", "Polder", True)],
            {"northwind": {"sales": 66.7, "it": 80.0}, "polder": {"sales": 90.0}},
            language=language,
        ),
        models.p_first_chart([("Northwind", 0.9921), ("Tulip", 0.0079)], language=language),
    ]


@pytest.mark.parametrize("chart", charts(), ids=lambda c: c.kind)
def test_svg_is_well_formed_accessible_and_escaped(chart):
    svg = render_svg(chart, id_prefix="c1")
    root = ET.fromstring(svg)  # well-formed, so every text was escaped
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.description
    assert "<script>" not in svg and "<b>" not in svg
    assert list(root.iter(f"{SVG}script")) == []
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts  # labels are drawn as text, so they can be selected and read


@pytest.mark.parametrize("chart", charts(), ids=lambda c: c.kind)
def test_the_pdf_drawing_has_the_same_shapes(chart):
    drawing = render_drawing(chart, 400)
    assert isinstance(drawing, Drawing)
    scene = layout(chart, 400)
    strings = [s for s in drawing.getContents()[0].contents if isinstance(s, String)]
    assert [s.text for s in strings] == [t.text for t in scene.shapes if isinstance(t, Text)]
    assert all(s.fontName.startswith("DejaVuSans") for s in strings)


def test_text_equivalents_hold_every_number():
    weights, contribution, heat, p_first = charts()
    header, rows = weights.text_equivalent()
    assert header == ("", "Business", "IT", "Joint weight")
    assert rows[0] == ("Sales & leads", "60.0%", "30.0%", "45.0%")
    header, rows = contribution.text_equivalent()
    assert rows[1][0] == "Polder (excluded)" and rows[1][-1] == "73.0"
    header, rows = heat.text_equivalent()
    assert rows[1][1:] == ("80", "–")
    html = text_equivalent_html(heat)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert p_first.text_equivalent()[1][0] == ("Northwind", "99.2%")


def test_charts_speak_dutch():
    weights, contribution, heat, p_first = charts("nl")
    assert weights.title == "Gewicht per categorie: business, IT en gezamenlijk"
    assert weights.series[0].value_labels[0] == "60,0%"
    assert p_first.title == "Kans op de eerste plaats"
    assert contribution.bars[1].label == "Polder (uitgesloten)"


def test_colours_follow_the_same_order_in_both_media():
    contribution = charts()[1]
    scene = layout(contribution, 400)
    fills = [s.fill for s in scene.shapes if isinstance(s, Rect)]
    assert fills[:2] == [models.PALETTE[0], models.PALETTE[1]]
    svg = render_svg(contribution)
    assert svg.index(models.PALETTE[0]) < svg.index(models.PALETTE[1])
    assert heat_colour(0) == "#F5F8FC" and heat_colour(100) == "#123F78"


def test_long_labels_are_shortened_to_fit():
    chart = models.p_first_chart([("x" * 400, 0.5), ("y", 0.5)], language="en")
    scene = layout(chart, 300)
    label = next(s for s in scene.shapes if isinstance(s, Text) and s.text.startswith("x"))
    assert label.text.endswith("…") and len(label.text) < 100


def test_the_report_figures_render_for_the_web_and_the_pdf():
    import json

    from selector.files.selection_file import validate
    from selector.files.to_domain import selection_from_file
    from selector.report.build import build_report_data
    from selector.report.figures import report_figures
    from selector.services.ranking import rank_selection
    from tests.report.helpers import EXAMPLE

    doc = validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    selection = selection_from_file(doc)
    report = build_report_data(doc, rank_selection(selection), language="nl")
    figures = report_figures(report)
    for index, chart in enumerate(
        (figures.weights, figures.contributions, figures.heat_map, figures.p_first)
    ):
        assert chart is not None and chart.language == "nl"
        ET.fromstring(render_svg(chart, id_prefix=f"f{index}"))
        assert render_drawing(chart, 480).width == 480
    assert figures.heat_map.columns == ("Northwind CRM", "Tulip Cloud CRM", "PolderSuite")
    assert figures.heat_map.muted_columns == (False, False, True)
