"""Charts have a text equivalent and colour is never the only signal (issue 22, item 2).

Every chart on the analysis, weighting and report pages is an `<svg role="img">` with a
name, and every number it draws (apart from its axis ticks) is also in the page's text,
outside any picture, for a reader who does not see the chart. States that the pages
colour (a failed or unverified knock-out, an excluded vendor, a partly scored vendor, a
wide spread of scores) are also said in words or marks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from selector.charts.models import MUTED
from tests.analysis.support import FACILITATOR
from tests.analysis.support import cells
from tests.analysis.support import import_example
from tests.analysis.support import values
from tests.web.conftest import Browser

NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class ChartReader(HTMLParser):
    """The page's charts (their attributes and drawn texts), the text of every element
    with an id, and the page's text outside pictures, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: list[dict] = []
        self.texts_by_id: dict[str, list[str]] = {}
        self.outside: list[str] = []
        self.stack: list[tuple[str, str | None]] = []  # (tag, id)
        self.svg_depth = 0
        self.skip_depth = 0
        self.drawn: dict | None = None  # the <text> being read

    def handle_starttag(self, tag, attrs):
        values_ = {k: v or "" for k, v in attrs}
        if tag == "svg":
            if self.svg_depth == 0:
                self.charts.append({"attrs": values_, "texts": []})
            self.svg_depth += 1
        elif tag in ("script", "style"):
            self.skip_depth += 1
        elif tag == "text" and self.svg_depth:
            self.drawn = {"attrs": values_, "text": ""}
        if tag in VOID:
            return
        self.stack.append((tag, values_.get("id")))
        if values_.get("id"):
            self.texts_by_id[values_["id"]] = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg_depth -= 1
        elif tag in ("script", "style"):
            self.skip_depth -= 1
        elif tag == "text" and self.drawn is not None:
            self.charts[-1]["texts"].append(self.drawn)
            self.drawn = None
        if tag in VOID:
            return
        while self.stack:
            name, _id = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data):
        if self.skip_depth:
            return
        for _tag, element_id in self.stack:
            if element_id:
                self.texts_by_id[element_id].append(data)
        if self.drawn is not None:
            self.drawn["text"] += data
        if not self.svg_depth:
            self.outside.append(data)

    def name_of(self, chart: dict) -> str:
        attrs = chart["attrs"]
        if attrs.get("aria-label"):
            return attrs["aria-label"].strip()
        return " ".join("".join(self.texts_by_id.get(i, [])).strip()
                        for i in attrs.get("aria-labelledby", "").split()).strip()


def read(html: str) -> ChartReader:
    reader = ChartReader()
    reader.feed(html)
    return reader


def drawn_numbers(chart: dict) -> set[str]:
    """The numbers a chart draws, apart from its axis ticks (muted, centred under the
    axis: they are the scale, not the chart's data)."""
    found = set()
    for text in chart["texts"]:
        attrs = text["attrs"]
        if attrs.get("fill") == MUTED and attrs.get("text-anchor") == "middle":
            continue
        found |= set(NUMBER.findall(text["text"]))
    return found


def said(drawn: str, in_text: set[str]) -> bool:
    """Whether the text gives the number a chart draws, maybe more precisely: the heat
    map draws whole scores where its table gives one decimal."""
    def parts(token: str) -> tuple[float, int, bool]:
        digits = token.rstrip("%").replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        return float(digits), decimals, token.endswith("%")

    value_, decimals, percent = parts(drawn)
    return any(
        is_percent == percent and other >= decimals
        and abs(number - value_) <= 0.5 * 10 ** -decimals + 1e-9
        for number, other, is_percent in map(parts, in_text))


@pytest.fixture
def example_sid(dbs, example_doc):
    return import_example(dbs, example_doc)


@pytest.fixture
def facilitator(app):
    """Signs the facilitator in, once the test's selection exists."""
    def sign_in() -> Browser:
        browser = Browser(app)
        browser.login(FACILITATOR)
        return browser
    return sign_in


def fetch(browser: Browser, path: str) -> str:
    response = browser.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


CHART_PAGES = {
    # path: how many charts the example shows there
    "/analysis": 1,
    "/analysis/heat-map": 1,
    "/analysis/perspectives": 1,
    "/analysis/sensitivity": 1,  # the chance of ranking first; the flip gauges besides
    "/weighting/discussion": 1,
    "/report": 4,
}


@pytest.mark.parametrize("path", list(CHART_PAGES))
def test_every_chart_has_a_name_and_its_numbers_in_the_text(facilitator, example_sid,
                                                               path):
    html = fetch(facilitator(), f"/selections/{example_sid}{path}")
    page = read(html)
    charts = [c for c in page.charts if c["attrs"].get("aria-hidden") != "true"]
    figures = [c for c in charts if "chart" in c["attrs"].get("class", "").split()]
    assert len(figures) == CHART_PAGES[path]
    text = " ".join(page.outside)
    in_text = set(NUMBER.findall(text))
    for chart in charts:
        assert chart["attrs"].get("role") == "img"
        name = page.name_of(chart)
        assert len(name) > 10, chart["attrs"]
        numbers = drawn_numbers(chart)
        assert numbers or chart not in figures, name  # a chart of data draws numbers
        missing = sorted(n for n in numbers if not said(n, in_text))
        assert missing == [], (name, missing)


def test_a_chart_whose_numbers_are_missing_from_the_text_is_found():
    """The check above can fail: a chart that draws a number the page does not say."""
    html = ('<main><svg class="chart" role="img" aria-labelledby="t"><title id="t">'
            'Chance of ranking first</title><g aria-hidden="true"><text x="1" y="2">'
            '61.2%</text><text fill="' + MUTED + '" text-anchor="middle">50%</text></g></svg>'
            '<table><tr><td>38.8%</td></tr></table></main>')
    page = read(html)
    assert page.name_of(page.charts[0]) == "Chance of ranking first"
    assert drawn_numbers(page.charts[0]) == {"61.2%"}
    assert not said("61.2%", set(NUMBER.findall(" ".join(page.outside))))
    assert said("61%", {"61.2%"}) and not said("61%", {"61.2"}) and not said("61.2%", {"61%"})


# --------------------------------------------------------------------------- colour


def visible_text(html: str) -> str:
    """The text a sighted reader sees: pictures, scripts and visually hidden spans out."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def colour_sid(dbs, example_doc):
    """The example with IT's scores for Tulip left out (Tulip's coverage is below 100%)
    and Bram giving Northwind 1 where the others gave 4 (a spread of 3: a discussion
    point in panel health)."""
    it = {m["email"] for m in example_doc["members"] if m["role"] == "it"}
    scores = []
    for score in example_doc["scores"]:
        if score["vendor"] == "tulip" and score["member"] in it:
            continue
        if (score["member"], score["vendor"], score["requirement"]) == (
                "bram@example.org", "northwind", "BUS-SAL-01"):
            score = {**score, "score": 1, "comment": "No source tracking in the demo."}
        scores.append(score)
    return import_example(dbs, {**example_doc, "scores": scores})


def test_ranking_says_partly_scored_excluded_and_knock_out_states_in_words(
        facilitator, colour_sid):
    html = fetch(facilitator(), f"/selections/{colour_sid}/analysis")
    # Tulip is partly scored: a "!" beside its coverage, with words for a screen reader,
    # and the note under the table says what "!" means.
    assert values(html, "partly_scored", vendor="tulip") == ["! (not every wish scored)"]
    assert values(html, "partly_scored", vendor="northwind") == []
    assert "! marks a vendor on which not every wish has been scored." in html
    # An excluded vendor says so by its name, not only in grey.
    knockouts = {c.vendor: c.text for c in cells(html) if c.field == "knockouts"}
    excluded = [c.vendor for c in cells(html) if c.field == "excluded"]
    assert excluded == [key for key, text in knockouts.items() if "✗ Failed" in text]
    assert excluded
    # Failed and unverified knock-out codes carry a mark and a word besides their colour.
    codes = re.findall(r'<span class="ko-code[^"]*"[^>]*data-state="(\w+)"><span '
                       r'aria-hidden="true">(&#10007;|\?)&nbsp;</span>([A-Z-]+\d+)<span '
                       r'class="visually-hidden"> \((\w+)\)</span>', html)
    assert {(state, mark, word) for state, mark, _code, word in codes} == {
        ("failed", "&#10007;", "Failed"), ("unverified", "?", "Unverified")}
    assert len(codes) == html.count('<span class="ko-code') - html.count(
        '<span class="ko-code">')  # every code in the table, none left with colour alone


def test_heat_map_knock_outs_and_panel_health_say_their_states(facilitator, colour_sid):
    base = f"/selections/{colour_sid}/analysis"
    facilitator = facilitator()
    heat = fetch(facilitator, f"{base}/heat-map")
    excluded = re.findall(r'<th scope="col" class="num is-excluded">([^<]+) <span '
                          r'class="small">\(excluded\)</span></th>', heat)
    assert excluded  # visible, not only to a screen reader
    assert "(excluded)" in visible_text(heat)

    matrix = fetch(facilitator, f"{base}/knock-outs")
    states = {c.attrs["data-state"]: c.text for c in cells(matrix) if c.field == "knockout"}
    assert states["passed"].startswith("✓ Passed")
    assert states["failed"].startswith("✗ Failed")

    health = fetch(facilitator, f"{base}/panel-health")
    wide = [c for c in cells(health) if c.field == "range"
            and "spreads__range--wide" in c.attrs.get("class", "")]
    badges = values(health, "discussion_point")
    assert [c.text for c in wide] == ["1–4"]
    assert badges == ["discussion point"]


def test_weighting_discussion_names_its_discussion_points(facilitator, example_sid):
    html = fetch(facilitator(), f"/selections/{example_sid}/weighting/discussion")
    rows = re.findall(r'<tr class="(row--discuss)?" data-category="(\w+)">(.*?)</tr>', html,
                      flags=re.S)
    assert rows
    for marked, _key, row in rows:
        assert ("discussion point" in row) == bool(marked)
