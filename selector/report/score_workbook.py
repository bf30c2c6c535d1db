"""The score-matrix workbook (issue 22): the ranking with its category scores, the
weights per member, per group and combined, and every score with its argument, the
consensus and the aggregated score, one sheet each.

Laid out from a ranked selection, like the report, in the selection's language. Every
number is the engine's (the ranking document, `method.aggregated_scores`,
`method.member_weights`, `method.group_means`) and goes in as a number with a display
format, never as text, so a committee can sort, filter and recompute in Excel.

Every text passes through the caller's `text` function on its way into a cell: the
service (`selector.services.reports`) neutralises formula injection there. The
workbook is written in openpyxl's write-only mode, in which cells cannot be read back
and neutralised afterwards; it also halves the time for a large matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from selector.domain import method
from selector.domain.ranked import RankedSelection
from selector.domain.selection import GROUPS
from selector.domain.selection import Requirement
from selector.report.i18n import report_language
from selector.report.i18n import t_
from selector.report.labels import domain_label
from selector.report.labels import role_label

Text = Callable[[str], str]

# Display formats; the cells hold the engine's unrounded numbers.
POINTS = "0.00"  # totals, quality, category and price scores (0..100)
SCORE = "0.00"  # an aggregated score on the member's scale
SHARE = "0.0%"  # weights, coverage, chance of ranking first
EUROS = "#,##0"  # a fictitious price

_BOLD = Font(bold=True)


class _Sheet:
    """One write-only sheet: a bold header row that stays in view, then rows."""

    def __init__(self, workbook: Workbook, title: str, text: Text,
                 columns: Sequence[tuple[str, float]]) -> None:
        self.sheet = workbook.create_sheet(title)
        self.text = text
        self.width = len(columns)
        for index, (_label, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        header = []
        for label, _width in columns:
            cell = WriteOnlyCell(self.sheet, value=text(label))
            cell.font = _BOLD
            header.append(cell)
        self.sheet.append(header)
        self.rows = 1

    def row(self, values: Sequence[Any], formats: Sequence[str | None] = ()) -> None:
        """`formats[i]` is the number format of column i. An empty text is an empty
        cell. Only a number with a format becomes a styled cell: a large matrix is
        written in half the time."""
        cells: list[Any] = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                value = self.text(value) if value else None
            number_format = formats[index] if index < len(formats) else None
            if number_format and value is not None:
                value = WriteOnlyCell(self.sheet, value=value)
                value.number_format = number_format
            cells.append(value)
        self.sheet.append(cells)
        self.rows += 1

    def note(self, sentence: str) -> None:
        """A sentence below the table, after an empty row."""
        self.sheet.append([])
        self.sheet.append([self.text(sentence)])

    def filter(self) -> None:
        """Excel's filter buttons on the header of the table."""
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(self.width)}{self.rows}"


def build_score_workbook(ranked: RankedSelection, language: str, *, text: Text) -> Workbook:
    """The workbook of a ranked selection in `language` ("en" or "nl")."""
    workbook = Workbook(write_only=True)
    with report_language(language):
        _ranking_sheet(workbook, ranked, text)
        _weights_sheet(workbook, ranked, text)
        _score_sheet(workbook, ranked, text)
    return workbook


def _yes(flag: bool) -> str:
    return t_("yes") if flag else t_("no")


def _ranking_sheet(workbook: Workbook, ranked: RankedSelection, text: Text) -> None:
    """One row per vendor in rank order: the document's totals and category scores."""
    categories = list(ranked.weights)
    documents = {v["key"]: v for v in ranked.ranking["vendors"]}
    priced = any(v["price_score"] is not None for v in documents.values())
    fictitious = any(v.get("fictitious_price") is not None for v in documents.values())
    columns = [(t_("Rank"), 8), (t_("Vendor"), 28), (t_("Total"), 10), (t_("Quality"), 10)]
    columns += [(ranked.category_names.get(key, key), 14) for key in categories]
    if priced:
        columns.append((t_("Price score"), 12))
    if fictitious:
        columns.append((t_("Fictitious price"), 16))
    columns += [(t_("Coverage"), 10), (t_("Chance of ranking first"), 14),
                (t_("Excluded"), 10), (t_("Below the quality threshold"), 14),
                (t_("Failed knock-outs"), 20), (t_("Unverified knock-outs"), 20)]
    sheet = _Sheet(workbook, t_("Ranking"), text, columns)
    formats: list[str | None] = [None, None, POINTS, POINTS] + [POINTS] * len(categories)
    formats += [POINTS] * priced + [EUROS] * fictitious + [SHARE, SHARE]
    for row in ranked.rows:
        values: list[Any] = [row.rank, row.name, row.total, row.quality]
        values += [row.category_scores[key] for key in categories]
        if priced:
            values.append(row.price_score)
        if fictitious:
            values.append(documents[row.key].get("fictitious_price"))
        values += [row.coverage, row.p_first, _yes(row.excluded), _yes(row.below_threshold),
                   ", ".join(row.knockouts_failed), ", ".join(row.knockouts_unverified)]
        sheet.row(values, formats)
    sheet.filter()


def _weights_sheet(workbook: Workbook, ranked: RankedSelection, text: Text) -> None:
    """One row per active category: each counted member's own weights, the group means
    G(g, c), the joint weights and the weight W(c) the ranking uses."""
    selection = ranked.selection
    own = method.member_weights(selection)
    weighers = sorted(
        (m for m in selection.members if m.role in GROUPS),
        key=lambda m: (GROUPS.index(m.role), m.name, m.email))
    means = method.group_means(selection)
    joint = method.combined_weights(replace(selection, final_weights=None))
    domains = {c.key: c.domain for c in selection.categories}
    columns = [(t_("Category"), 28), (t_("Domain"), 10)]
    columns += [(f"{m.name or m.email} ({domain_label(m.role)})", 16) for m in weighers]
    columns += [(t_("Business"), 12), (t_("IT"), 12), (t_("Joint"), 12),
                (t_("Weight in the ranking"), 14)]
    sheet = _Sheet(workbook, t_("Weights"), text, columns)
    formats = [None, None] + [SHARE] * (len(weighers) + 4)
    for key, weight in ranked.weights.items():
        values: list[Any] = [ranked.category_names.get(key, key), domain_label(domains[key])]
        values += [own[m.email][key] if m.email in own else None for m in weighers]
        values += [None if means[g] is None else means[g][key] for g in GROUPS]
        values += [joint[key], weight]
        sheet.row(values, formats)
    if selection.final_weights:
        sheet.note(t_("The ranking uses the final weights that the facilitator set after the "
                      "weighting discussion; the joint weights of the groups are shown "
                      "beside them."))
    elif means["business"] is None and means["it"] is None:
        sheet.note(t_("Nobody allocated points, so every category weighs the same."))
    else:
        sheet.note(t_("The ranking uses the joint weights of business and IT."))


def _wishes(ranked: RankedSelection) -> list[Requirement]:
    """The wishes `method.aggregated_scores` covers, by category (the selection's
    order), then code."""
    position = {c.key: i for i, c in enumerate(ranked.selection.categories)}
    found: dict[str, Requirement] = {}
    for requirement in ranked.selection.requirements:
        if requirement.is_wish and requirement.category in position:
            found.setdefault(requirement.code, requirement)
    return sorted(found.values(), key=lambda r: (position[r.category], r.code))


def _score_sheet(workbook: Workbook, ranked: RankedSelection, text: Text) -> None:
    """One row per vendor, wish and member who scored it (one row without a member
    where nobody did), vendors in rank order; the counted scores only, as the method
    reads them."""
    selection = ranked.selection
    aggregated = method.aggregated_scores(selection)
    weights = ranked.ranking["requirement_weights"]
    consensus = {(c.vendor, c.requirement): c for c in selection.consensus}
    members = {m.email: m for m in selection.members}
    wishes = _wishes(ranked)
    codes = {w.code for w in wishes}
    given: dict[tuple[str, str], list[tuple[str, str, str, int, str]]] = {}
    for score in selection.scores:
        if score.requirement in codes:
            member = members[score.member]
            given.setdefault((score.vendor, score.requirement), []).append(
                (member.name or member.email, member.email, member.role, score.score,
                 score.comment))
    columns = [(t_("Vendor"), 24), (t_("Code"), 12), (t_("Requirement"), 40),
               (t_("Category"), 20), (t_("Weight"), 10), (t_("Member"), 22), (t_("Role"), 12),
               (t_("Score"), 8), (t_("Argument"), 50), (t_("Consensus score"), 12),
               (t_("Consensus rationale"), 40), (t_("Aggregated score"), 12)]
    sheet = _Sheet(workbook, t_("Score matrix"), text, columns)
    formats = [None, None, None, None, SHARE, None, None, None, None, None, None, SCORE]
    for vendor in ranked.rows:
        for wish in wishes:
            cell = (vendor.key, wish.code)
            agreed = consensus.get(cell)
            first = [vendor.name, wish.code, wish.title,
                     ranked.category_names.get(wish.category, wish.category),
                     weights.get(wish.code)]
            last = [agreed.score if agreed else None, agreed.rationale if agreed else "",
                    aggregated.get(cell)]
            scored = sorted(given.get(cell, ()))
            if not scored:
                sheet.row([*first, "", "", None, "", *last], formats)
            for name, _email, role, value, comment in scored:
                sheet.row([*first, name, role_label(role), value, comment, *last], formats)
    sheet.filter()
