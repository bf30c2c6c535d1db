"""The analysis pages: ranking, heat map with drill-down, knock-outs, perspectives,
sensitivity with the facilitator's what-if, and panel health; and the score-matrix
workbook (.xlsx) they offer.

Thin views: each page asks `selector.services.analysis` for one `Analysis` (one load,
one rank) and renders what its builders give. Numbers are formatted here, in the
reader's language; charts are drawn by `selector.charts` in the selection's language.

Blind scoring (decisions.md): before scoring closes, only a facilitator with "see
everything" on sees numbers derived from scores; everyone else reads "available when
scoring is closed". The knock-out matrix is shown throughout (verdicts are not scores),
with the vendors in alphabetical order so that it does not reveal the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint
from flask import Response
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import format_percent
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from selector.access import SELECTION_RULES
from selector.charts.analysis_svg import flip_gauge
from selector.charts.svg import render_svg
from selector.charts.svg import text_equivalent_html
from selector.i18n import DOMAIN_LABELS
from selector.i18n import PRICE_METHOD_LABELS
from selector.i18n import _l
from selector.services import analysis as service
from selector.services import reports
from selector.services.errors import ServiceError
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import can
from selector.web.guard import requires

blueprint = Blueprint(
    "analysis", __name__, url_prefix="/selections/<int:selection_id>/analysis"
)

# The analysis pages in the order of their sub-navigation: (endpoint, label, action).
PAGES = (
    ("analysis.ranking", "Ranking", "analysis.view"),
    ("analysis.heat_map", "Heat map", "analysis.view"),
    ("analysis.knockouts", "Knock-outs", "analysis.view"),
    ("analysis.perspectives", "Perspectives", "analysis.view"),
    ("analysis.sensitivity", "Sensitivity", "analysis.view"),
    ("analysis.panel_health", "Panel health", "analysis.panel_health"),
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PRIORITY_NAMES = {
    "must": _l("Must have"),
    "should": _l("Should have"),
    "could": _l("Could have"),
    "wont": _l("Won't have"),
}

# Pages of the scoring area (issue 7) this area links to; a link appears only when the
# endpoint exists and the reader's role may use it (see `link`).
LINKS = {
    "sheet": ("scoring.sheet", "scoring.view"),
    "consensus": ("scoring.consensus", "consensus.view"),
    "verdicts": ("verdicts.index", "verdicts.view"),
    "document": ("verdicts.document", "verdicts.view"),
}


# --------------------------------------------------------------------------- formatting
# The page formats; the tests format the engine's numbers with these same functions.


def points(value: float | None) -> str:
    """A score or total on the 0..100 scale: one decimal (70.9 / 70,9)."""
    return "–" if value is None else format_decimal(value, format="#,##0.0")


def distinct_points(values: Sequence[float]) -> list[str]:
    """Totals with one decimal, or two or three where two different totals would read
    the same (69.5 and 69.5 side by side, yet one ranks above the other)."""
    labels: list[str] = []
    for decimals in (1, 2, 3):
        labels = [format_decimal(v, format="#,##0." + "0" * decimals) for v in values]
        rounded = [round(v, 9) for v in values]
        if not any(
            labels[i] == labels[j] and rounded[i] != rounded[j]
            for i in range(len(values)) for j in range(i + 1, len(values))
        ):
            break
    return labels


def share(value: float | None) -> str:
    """A share as a percentage with one decimal (99.2% / 99,2%)."""
    return "–" if value is None else format_percent(value, format="#,##0.0%")


def whole_percent(value: float | None) -> str:
    return "–" if value is None else format_percent(value, format="#,##0%")


def score(value: float | None) -> str:
    """An aggregated score on the member's scale: up to two decimals (3.67 / 4)."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def percent_pair(threshold: float, weight: float) -> tuple[str, str]:
    """A flip threshold and the weight now as whole percentages, with one decimal
    where whole ones would read the same ("rises above 10% (now 10%)" says nothing)."""
    if round(threshold * 100) != round(weight * 100):
        return whole_percent(threshold), whole_percent(weight)
    return share(threshold), share(weight)


def flip_sentence(flip: service.FlipPoint, winner: str) -> str:
    threshold, now = percent_pair(flip.threshold, flip.weight)
    if flip.direction == "above":
        return _(
            "%(winner)s stays first unless the weight of %(category)s rises above "
            "%(threshold)s (now %(weight)s); then %(new_winner)s comes first.",
            winner=winner, category=flip.name, threshold=threshold, weight=now,
            new_winner=flip.new_winner_name,
        )
    return _(
        "%(winner)s stays first unless the weight of %(category)s falls below "
        "%(threshold)s (now %(weight)s); then %(new_winner)s comes first.",
        winner=winner, category=flip.name, threshold=threshold, weight=now,
        new_winner=flip.new_winner_name,
    )


def flip_figure(flip: service.FlipPoint, index: int) -> Markup:
    """The flip point on a 0–100% scale, beside its sentence."""
    threshold, now = percent_pair(flip.threshold, flip.weight)
    return Markup(flip_gauge(  # noqa: S704 - the figure escapes every text it draws
        flip.weight,
        flip.threshold,
        now_label=_("now %(weight)s", weight=now),
        threshold_label=threshold,
        title=_("Flip point of %(category)s", category=flip.name),
        description=_(
            "The weight now is %(weight)s; at %(threshold)s another vendor comes first.",
            weight=now, threshold=threshold,
        ),
        id_prefix=f"flip-{index}",
    ))


def chart_svg(chart: Any, width: float, id_prefix: str) -> Markup:
    """An accessible SVG chart; the renderer escapes every text it draws."""
    return Markup(render_svg(chart, width=width, id_prefix=id_prefix))  # noqa: S704


def chart_table(chart: Any) -> Markup:
    return Markup(text_equivalent_html(chart, css_class="table chart-table"))  # noqa: S704


def link(name: str, **values: Any) -> str | None:
    """The URL of another area's page (`LINKS`), or None when that page does not exist
    or the current member may not use it."""
    endpoint, action = LINKS[name]
    if action not in SELECTION_RULES or not can(action):
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "points": points,
        "share": share,
        "whole_percent": whole_percent,
        "score": score,
        "chart_svg": chart_svg,
        "chart_table": chart_table,
        "link": link,
        "DOMAIN_LABELS": DOMAIN_LABELS,
        "PRICE_METHOD_LABELS": PRICE_METHOD_LABELS,
        "PRIORITY_NAMES": PRIORITY_NAMES,
        "ANALYSIS_PAGES": _pages(),
    }


def _pages() -> list[tuple[str, str, str]]:
    labels = {
        "analysis.ranking": _("Ranking"),
        "analysis.heat_map": _("Heat map"),
        "analysis.knockouts": _("Knock-outs"),
        "analysis.perspectives": _("Perspectives"),
        "analysis.sensitivity": _("Sensitivity"),
        "analysis.panel_health": _("Panel health"),
    }
    return [(endpoint, labels[endpoint], action) for endpoint, _label, action in PAGES]


# --------------------------------------------------------------------------- gathering


def _analysis(access: MemberAccess) -> service.Analysis:
    """The one load and one rank of this request (kept for the rest of it)."""
    if "analysis" not in g:
        g.analysis = service.analyse(db_session(), access.selection)
    return g.analysis


def _render(template: str, access: MemberAccess, status: int = 200, **context: Any):
    selection = access.selection
    context.setdefault("always_visible", False)
    return render_template(
        template,
        selection=selection,
        access=access,
        visible=access.sees_scores,
        costs=access.sees_costs,
        **context,
    ), status


def _refused(template: str, access: MemberAccess, error: ServiceError):
    return _render(template, access, status=200, problem=error.message)


# --------------------------------------------------------------------------- pages


@blueprint.route("")
@requires("analysis.view")
def ranking(access: MemberAccess):
    if not access.sees_scores:
        return _render("analysis/ranking.html", access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/ranking.html", access, error)
    chart = service.contribution_chart(result)
    sensitivity = service.sensitivity(result)
    rows = service.ranking_rows(result)
    return _render(
        "analysis/ranking.html",
        access,
        result=result,
        rows=rows,
        totals=dict(zip([r.key for r in rows], distinct_points([r.total for r in rows]),
                        strict=True)),
        chart=chart,
        nearest_flip=sensitivity.flips[0] if sensitivity.flips else None,
        flip_sentence=flip_sentence,
        requirement_titles={code: r.title for code, r in result.requirements.items()},
    )


@blueprint.route("/heat-map")
@requires("analysis.view")
def heat_map(access: MemberAccess):
    if not access.sees_scores:
        return _render("analysis/heat_map.html", access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/heat_map.html", access, error)
    return _render(
        "analysis/heat_map.html", access, result=result, chart=service.heat_map_chart(result)
    )


@blueprint.route("/heat-map/<path:category>")  # a key may hold "/" (a file sets it)
@requires("analysis.view")
def category(access: MemberAccess, category: str):
    if not access.sees_scores:
        return _render("analysis/category.html", access, detail=None)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/category.html", access, error)
    detail = service.category_detail(db_session(), result, category)  # NotFound: 404
    return _render("analysis/category.html", access, result=result, detail=detail)


@blueprint.route("/knock-outs")
@requires("analysis.view")
def knockouts(access: MemberAccess):
    visible = access.sees_scores
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/knockouts.html", access, error)
    return _render(
        "analysis/knockouts.html",
        access,
        always_visible=True,  # verdicts are not scores; the order stays alphabetical
        result=result,
        matrix=service.knockout_matrix(
            result, ranked=visible, documents=service.verdict_documents(db_session(), result)
        ),
    )


@blueprint.route("/perspectives")
@requires("analysis.view")
def perspectives(access: MemberAccess):
    if not access.sees_scores:
        return _render("analysis/perspectives.html", access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/perspectives.html", access, error)
    views = service.perspectives(result)
    labels = {}
    for group in ("business", "joint", "it"):
        entries = getattr(views, group)
        if entries is not None:
            labels[group] = dict(
                zip([e.key for e in entries], distinct_points([e.total for e in entries]),
                    strict=True)
            )
    return _render(
        "analysis/perspectives.html", access, result=result, views=views, labels=labels,
        weights_chart=service.weights_chart(result),
    )


def _sensitivity_page(access: MemberAccess, what_if: dict[str, Any] | None = None,
                      status: int = 200):
    if not access.sees_scores:
        return _render("analysis/sensitivity.html", access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/sensitivity.html", access, error)
    facilitator = access.can("analysis.what_if")
    model = None
    if facilitator:
        model = service.what_if_model(
            result, with_prices=access.sees_costs
        )
    sensitivity = service.sensitivity(result)
    winner = sensitivity.winner.name if sensitivity.winner else ""
    sentences = [flip_sentence(f, winner) for f in sensitivity.flips]
    return _render(
        "analysis/sensitivity.html",
        access,
        status=status,
        result=result,
        sensitivity=sensitivity,
        sentences=sentences,
        figures=[flip_figure(f, i) for i, f in enumerate(sensitivity.flips)],
        what_if_model=model,
        what_if=what_if,
    )


@blueprint.route("/sensitivity")
@requires("analysis.view")
def sensitivity(access: MemberAccess):
    return _sensitivity_page(access)


def _what_if_input(result: service.Analysis, may_price: bool) -> tuple[
    dict[str, float], float | None, dict[str, str]
]:
    """Weights (points per category) and the price weight from the query string.

    A missing category keeps its current weight; what cannot be read is named.
    """
    weights: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key, current in result.weights.items():
        raw = request.args.get(f"w-{key}", "").strip().replace(",", ".")
        if not raw:
            weights[key] = 100.0 * current
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not (value >= 0 and value < float("inf")):
            errors[f"w-{key}"] = _("Enter a number of points of at least 0.")
            weights[key] = 100.0 * current
        else:
            weights[key] = value
    price = None
    raw = request.args.get("price", "").strip().replace(",", ".")
    if raw and may_price:
        try:
            price = float(raw) / 100.0
        except ValueError:
            price = -1.0
        if not 0.0 <= price < 1.0:
            errors["price"] = str(service.PRICE_WEIGHT_REFUSED)
            price = None
    return weights, price, errors


@blueprint.route("/what-if")
@requires("analysis.what_if")
def what_if(access: MemberAccess):
    """The what-if ranking for other weights, never stored: the page's live panel
    computes it in the browser; this answers the form without JavaScript, and JSON
    to a client that asks for it."""
    wants_json = request.accept_mimetypes.best == "application/json"
    if not access.sees_scores:
        if wants_json:
            return jsonify(error="available when scoring is closed"), 409
        return _sensitivity_page(access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        if wants_json:
            return jsonify(error=str(error.message)), 422
        return _refused("analysis/sensitivity.html", access, error)
    may_price = access.sees_costs
    weights, price, errors = _what_if_input(result, may_price)
    rows: list[dict[str, Any]] = []
    if not errors:
        try:
            rows = service.what_if(result, weights, price)
        except ServiceError as error:
            errors[error.field or "weights"] = str(error.message)
    if wants_json:
        if errors:
            return jsonify(error="invalid input", fields=errors), 422
        return jsonify(vendors=rows)
    answer = {
        "weights": weights,
        "price": result.price_weight if price is None else price,
        "rows": rows,
        "errors": errors,
    }
    return _sensitivity_page(access, what_if=answer, status=422 if errors else 200)


@blueprint.route("/panel-health")
@requires("analysis.panel_health")
def panel_health(access: MemberAccess):
    if not access.sees_scores:
        return _render("analysis/panel_health.html", access)
    try:
        result = _analysis(access)
    except ServiceError as error:
        return _refused("analysis/panel_health.html", access, error)
    health = service.panel_health(db_session(), result)
    return _render("analysis/panel_health.html", access, result=result, health=health)


@blueprint.route("/score-matrix.xlsx")
@requires("analysis.workbook")  # refused (403) while scoring is blind to the member
def workbook(access: MemberAccess):
    """The ranking, the weights and the score matrix as one .xlsx workbook."""
    try:
        data = reports.score_workbook(db_session(), access.selection)
    except ServiceError as error:
        return _render("analysis/ranking.html", access, status=409, problem=error.message)
    response = Response(data, mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment",
                         filename=reports.score_workbook_filename(access.selection))
    response.headers["Cache-Control"] = "no-store"  # scores and arguments: not kept
    return response
