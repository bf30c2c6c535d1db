"""The requirements chapter: wishes and knock-outs per category, IT's structured answers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from selector.domain import it_catalogue
from selector.report.contents import CategoryCount
from selector.report.contents import ItAnswerLine
from selector.report.contents import RequirementLine
from selector.report.contents import RequirementsSection
from selector.report.contents import RequirementTable
from selector.report.context import ReportContext
from selector.report.i18n import current_language
from selector.report.i18n import t_
from selector.report.labels import domain_label
from selector.report.labels import priority_label
from selector.report.labels import status_label
from selector.report.text import clean


def _requirement_line(context: ReportContext, requirement: Any) -> RequirementLine:
    text = context.requirement_text.get(requirement.code, {})
    if requirement.status != "accepted":
        label = status_label(requirement.status)
    else:
        label = priority_label(requirement.priority)
    return RequirementLine(
        code=requirement.code,
        title=clean(requirement.title),
        category=requirement.category,
        category_name=context.category_name.get(requirement.category, requirement.category),
        priority=requirement.priority,
        priority_label=label,
        knockout=bool(requirement.knockout),
        active=requirement.active,
        weight=context.requirement_weights.get(requirement.code),
        description=clean(text.get("description") or ""),
        rationale=clean(text.get("rationale") or ""),
        knockout_rationale=clean(requirement.knockout_rationale),
        verification_criterion=clean(text.get("verification_criterion") or ""),
    )


def requirements_in_category_order(context: ReportContext) -> list[Any]:
    position = {c.key: j for j, c in enumerate(context.selection.categories)}
    indexed = list(enumerate(context.selection.requirements))
    indexed.sort(key=lambda item: (position.get(item[1].category, len(position)), item[0]))
    return [r for _, r in indexed]


def _it_answers(context: ReportContext, category: str) -> tuple[ItAnswerLine, ...]:
    """IT's structured answers (the file's `it_answers`) whose requirements are in
    `category`, in the catalogue's order of questions."""
    language = current_language()
    order = {key: j for j, key in enumerate(it_catalogue.QUESTIONS)}
    lines = []
    for answer in context.doc.get("it_answers") or []:
        requirement = context.requirement.get(answer.get("requirement"))
        question = it_catalogue.QUESTIONS.get(answer.get("item"))
        if requirement is None or question is None or requirement.category != category:
            continue
        words = it_catalogue.answer_words(question, answer.get("value") or {}, language)
        lines.append((order[question.key], requirement.code, ItAnswerLine(
            question=it_catalogue.words_in(question.label, language),
            answer=clean(words), code=requirement.code)))
    return tuple(line for _, _, line in sorted(lines, key=lambda item: item[:2]))


def build_requirements(context: ReportContext) -> RequirementsSection:
    counts = []
    totals = Counter()
    for category in context.selection.categories:
        mine = [r for r in context.selection.requirements if r.category == category.key]
        row = Counter()
        for r in mine:
            if r.is_knockout:
                row["knockouts"] += 1
            elif r.is_wish:
                row[r.priority] += 1
            else:
                row["not_counted"] += 1
        totals.update(row)
        counts.append(
            CategoryCount(
                key=category.key,
                name=clean(category.name),
                domain_label=domain_label(category.domain),
                must=row["must"],
                should=row["should"],
                could=row["could"],
                knockouts=row["knockouts"],
                not_counted=row["not_counted"],
            )
        )
    total_row = CategoryCount(
        key="",
        name=t_("Total"),
        domain_label="",
        must=totals["must"],
        should=totals["should"],
        could=totals["could"],
        knockouts=totals["knockouts"],
        not_counted=totals["not_counted"],
    )
    ordered = requirements_in_category_order(context)
    knockouts = tuple(_requirement_line(context, r) for r in ordered if r.is_knockout)
    it_tables = []
    for category in context.selection.categories:
        if category.domain != "it":
            continue
        rows = tuple(
            _requirement_line(context, r) for r in ordered if r.category == category.key
        )
        if rows:
            it_tables.append(RequirementTable(category.key, clean(category.name), rows,
                                              _it_answers(context, category.key)))
    wishes = sum(1 for r in context.selection.requirements if r.is_wish)
    intro = t_("The committee drew up {requirements} requirements in {categories} categories: "
               "{wishes} wishes and {knockouts} knock-outs count in this selection.").format(
        requirements=len(context.selection.requirements),
        categories=len(context.selection.categories),
        wishes=wishes,
        knockouts=len(context.knockouts),
    )
    return RequirementsSection(
        intro=intro,
        counts=tuple(counts),
        totals=total_row,
        knockouts=knockouts,
        it_tables=tuple(it_tables),
    )
