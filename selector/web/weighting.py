"""The weighting pages: each member's allocation, the discussion of where business and
IT differ (divergence chart, everyone's allocation, the facilitator's balance, final
weights and freeze), requirement weights within a category, the pairwise option, and
how price counts (frozen with the weights).

Thin views: forms are built from the categories they show, `selector.services.weighting`
checks and writes (with the audit trail), and every number shown comes from its
`weighting_state` (the method's group means, combined weights and divergence).
Blind until submitted: a business or IT member sees the group's figures only after
saving their own allocation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from selector.charts.models import COMBINED
from selector.charts.models import weights_chart
from selector.charts.svg import scene_svg
from selector.charts.weighting_svg import divergence_scene
from selector.charts.weighting_svg import points_label
from selector.domain import ahp
from selector.domain import price as pricing
from selector.domain.limits import parse_id
from selector.domain.selection import PRIORITY_POINTS
from selector.forms import error_messages
from selector.forms import show_error
from selector.forms.admin import ActionForm
from selector.forms.weighting import AcceptForm
from selector.forms.weighting import BalanceForm
from selector.forms.weighting import ReopenForm
from selector.forms.weighting import RequirementWeightForm
from selector.forms.weighting import allocation_form
from selector.forms.weighting import allocation_points
from selector.forms.weighting import final_form
from selector.forms.weighting import final_points
from selector.forms.weighting import final_renames
from selector.forms.weighting import pair_name
from selector.forms.weighting import pairwise_form
from selector.forms.weighting import pairwise_judgements
from selector.forms.weighting import pairwise_renames
from selector.forms.weighting import point_renames
from selector.forms.weighting import price_settings_form
from selector.forms.weighting import requirement_weight_form
from selector.forms.weighting import stray_fields
from selector.i18n import DOMAIN_LABELS
from selector.i18n import PRICE_METHOD_LABELS
from selector.i18n import error_text
from selector.models.selection import DOMAINS
from selector.services import weighting as service
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("weighting", __name__, url_prefix="/selections/<int:selection_id>/weighting")


# --------------------------------------------------------------------------- formatting


def share(value: float | None) -> str:
    """A share (0..1) as a percentage with one decimal: 10.3% / 10,3%."""
    return "–" if value is None else format_decimal(value * 100, format="#,##0.0") + "%"


def points(value: float | None) -> str:
    """Points as typed: 12, 12.5 / 12,5."""
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def difference(value: float | None) -> str:
    """Business minus IT in percentage points, signed: +10.1 / −7.3."""
    if value is None:
        return "–"
    text = format_decimal(abs(value) * 100, format="#,##0.0")
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def gap(value: float | None) -> str:
    """How far apart, in percentage points, without a sign: 10.1 / 10,1."""
    return "–" if value is None else format_decimal(abs(value) * 100, format="#,##0.0")


def ratio(value: float | None) -> str:
    """A consistency ratio or index: three decimals."""
    return "–" if value is None else format_decimal(value, format="0.000")


def random_index_text(value: float) -> str:
    """Saaty's random index as published: 0.58, 1.12."""
    return format_decimal(value, format="0.00")


def judgement(value: float, first: str, second: str) -> str:
    """a_ij in words: "Sales 7×", "Marketing 2.5×" (the favoured one first), "equal"."""
    if abs(value - 1) < 1e-9:
        return _("equal")
    name, factor = (first, value) if value > 1 else (second, 1 / value)
    return f"{name} {format_decimal(factor, format='#,##0.#')}×"


def language() -> str:
    return str(get_locale() or "en")[:2]


FORMAT = {"share": share, "points": points, "difference": difference, "gap": gap,
          "ratio": ratio, "judgement": judgement, "random_index": random_index_text}


def tenths(weights: dict[str, float]) -> dict[str, float]:
    """Weights as percentages with one decimal that add up to exactly 100 (largest
    remainder), to prefill the final weights with the combined ones."""
    if not weights:
        return {}
    raw = {key: value * 1000 for key, value in weights.items()}
    floors = {key: int(value) for key, value in raw.items()}
    left = 1000 - sum(floors.values())
    for key in sorted(raw, key=lambda k: floors[k] - raw[k])[:max(left, 0)]:
        floors[key] += 1
    return {key: value / 10 for key, value in floors.items()}


def _render(template: str, access: MemberAccess, status: int = 200, **context: Any):
    return render_template(
        template, selection=access.selection, access=access, fmt=FORMAT,
        DOMAINS=DOMAINS, DOMAIN_LABELS=DOMAIN_LABELS, **context,
    ), status


def _back(endpoint: str, access: MemberAccess, **values: Any):
    return redirect(url_for(endpoint, selection_id=access.selection.id, **values))


# --------------------------------------------------------------------------- my allocation


def _index_page(access: MemberAccess, form=None, status: int = 200):
    state = service.weighting_state(db_session(), access.selection)
    own = state.member(access.membership.id)
    may_edit = access.can("weighting.allocate") and not state.frozen_at and own is not None
    if form is None and may_edit:
        form = allocation_form(state.categories, own.points if own else {})
    return _render(
        "weighting/index.html", access, status,
        state=state, own=own, form=form, may_edit=may_edit,
        sees_group=state.sees_group_figures(access.membership),
        weighed=sum(1 for m in state.members if m.submitted),
    )


@blueprint.route("")
@requires("weighting.view")
def index(access: MemberAccess):
    return _index_page(access)


@blueprint.route("/allocation", methods=["POST"])
@requires("weighting.allocate")
def allocate(access: MemberAccess):
    state = service.weighting_state(db_session(), access.selection)
    form = allocation_form(state.categories, {}, formdata=request.form)
    if not form.validate_on_submit():
        return _index_page(access, form, 422)
    if stray_fields(request.form, "points", state.categories):
        form.form_errors.append(_("A category on this page no longer exists or no longer "
                                  "carries weight. Nothing was saved: check the points "
                                  "below and save again."))
        return _index_page(access, form, 422)
    try:
        service.save_allocation(db_session(), access.selection, access.membership,
                                current_user.account, allocation_points(form, state.categories))
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error, point_renames(state.categories))
        return _index_page(access, form, 422)
    flash(_("Your allocation is saved."), "success")
    return _back("weighting.index", access)


# --------------------------------------------------------------------------- the discussion


def divergence_chart(state: service.WeightingState) -> tuple[Markup, list[tuple[str, str]]]:
    """The chart (the shared weights model, discussion points highlighted) and the
    discussion points as (category name, difference) pairs."""
    lang = language()
    by_key = state.by_key
    divergence = {d.category: d for d in state.divergence}
    rows = [
        (by_key[d.category].name, d.business, d.it, state.joint.get(d.category, 0.0))
        for d in state.divergence
    ]
    chart = weights_chart(rows, language=lang)
    # The third series is the combined weight of the two groups (method.md section 3);
    # final weights, where set, are in the table beside the chart.
    chart = replace(chart, series=tuple(
        replace(s, label=_("Combined weight")) if s.colour == COMBINED else s
        for s in chart.series))
    flags = [divergence[c.key].discussion_point for c in state.categories]
    notes = [points_label(divergence[c.key].difference, lang) for c in state.categories]
    discussion = [(by_key[d.category].name, difference(d.difference))
                  for d in state.discussion_points]
    description = ""
    if discussion:
        description = _("Discussion points, where business and IT are 10 points or more "
                        "apart: %(list)s.",
                        list="; ".join(f"{name} ({value})" for name, value in discussion))
    svg = scene_svg(divergence_scene(
        chart, flags, notes, highlight_label=_("10 points or more apart"),
        description=description,
    ), "divergence")
    return Markup(svg), discussion  # noqa: S704 - scene_svg escapes every text


def _discussion_page(access: MemberAccess, *, balance_form=None, final=None, accept=None,
                     reopen=None, status: int = 200):
    selection = access.selection
    state = service.weighting_state(db_session(), selection)
    sees = state.sees_group_figures(access.membership)
    manage = access.can("weighting.manage")
    chart = discussion = None
    if sees and state.categories:
        chart, discussion = divergence_chart(state)
    if manage and balance_form is None:
        balance_form = BalanceForm(formdata=None)
        balance_form.business_share.data = points(state.balance[0] * 100)
    if manage and final is None:
        start = state.final or tenths(state.joint)
        final = final_form(state.categories, start, selection.final_weights_rationale)
    return _render(
        "weighting/discussion.html", access, status,
        state=state, sees_group=sees, chart=chart, discussion=discussion, manage=manage,
        balance_form=balance_form, final_form=final,
        accept_form=accept or AcceptForm(formdata=None),
        freeze_form=ActionForm(formdata=None),
        reopen_form=reopen or ReopenForm(formdata=None),
    )


@blueprint.route("/discussion")
@requires("weighting.view")
def discussion(access: MemberAccess):
    return _discussion_page(access)


@blueprint.route("/balance", methods=["POST"])
@requires("weighting.manage")
def balance(access: MemberAccess):
    form = BalanceForm()
    if form.validate_on_submit():
        try:
            business, it = service.set_group_balance(
                db_session(), access.selection, access.membership, current_user.account,
                form.business_share.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The group balance is now business %(business)s, IT %(it)s.",
                    business=share(business), it=share(it)), "success")
            return _back("weighting.discussion", access)
    return _discussion_page(access, balance_form=form, status=422)


@blueprint.route("/final", methods=["POST"])
@requires("weighting.manage")
def final(access: MemberAccess):
    state = service.weighting_state(db_session(), access.selection)
    form = final_form(state.categories, {}, "", formdata=request.form)
    if stray_fields(request.form, "final", state.categories):
        form.form_errors.append(_("A category on this page no longer exists or no longer "
                                  "carries weight. Nothing was saved: check the points "
                                  "below and save again."))
    elif form.validate_on_submit():
        try:
            service.set_final_weights(
                db_session(), access.selection, access.membership, current_user.account,
                final_points(form, state.categories), form.rationale.data or "")
        except ServiceError as error:
            show_error(form, error, final_renames(state.categories))
        else:
            flash(_("The final weights are saved with your rationale."), "success")
            return _back("weighting.discussion", access)
    return _discussion_page(access, final=form, status=422)


@blueprint.route("/accept", methods=["POST"])
@requires("weighting.manage")
def accept(access: MemberAccess):
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            service.accept_combined_weights(
                db_session(), access.selection, access.membership, current_user.account,
                form.rationale.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The combined weights are accepted as they are."), "success")
            return _back("weighting.discussion", access)
    return _discussion_page(access, accept=form, status=422)


@blueprint.route("/freeze", methods=["POST"])
@requires("weighting.manage")
def freeze(access: MemberAccess):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            service.freeze_weights(db_session(), access.selection, access.membership,
                                   current_user.account)
        except ServiceError as error:
            flash(error_text(error), "error")
        else:
            flash(_("The weights are frozen. Scoring can open now."), "success")
            return _back("weighting.discussion", access)
    return _discussion_page(access, status=422)


@blueprint.route("/reopen", methods=["POST"])
@requires("weighting.manage")
def reopen(access: MemberAccess):
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            service.reopen_weights(db_session(), access.selection, access.membership,
                                   current_user.account, form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The weights are open again."), "success")
            return _back("weighting.discussion", access)
    if not access.selection.weights_frozen:  # the page shows no reopen form to hold them
        for message in error_messages(form):
            flash(message, "error")
    return _discussion_page(access, reopen=form, status=422)


# --------------------------------------------------------------------------- requirement weights


def _requirements_page(access: MemberAccess, failed: tuple[int, Any] | None = None,
                       status: int = 200):
    selection = access.selection
    categories = service.requirement_weights(db_session(), selection)
    frozen = selection.weights_frozen
    editable = {
        entry.category.id for entry in categories
        if not frozen and access.can("weighting.requirement_weight")
        and service.may_weigh_requirements(access.membership, entry.category)
    }
    forms = {}
    for entry in categories:
        if entry.category.id in editable:
            for wish in entry.wishes:
                rid = wish.requirement.id
                forms[rid] = failed[1] if failed and failed[0] == rid else \
                    requirement_weight_form(wish.requirement)
    if failed and failed[0] not in forms:  # no row of the page holds it (not a wish)
        for message in error_messages(failed[1]):
            flash(message, "error")
    return _render(
        "weighting/requirements.html", access, status,
        categories=categories, forms=forms, frozen=frozen, moscow=PRIORITY_POINTS,
    )


@blueprint.route("/requirements")
@requires("weighting.view")
def requirements(access: MemberAccess):
    return _requirements_page(access)


@blueprint.route("/requirements/<int:requirement_id>", methods=["POST"])
@requires("weighting.requirement_weight")
def requirement_weight(access: MemberAccess, requirement_id: int):
    try:
        category = service.requirement_category(db_session(), access.selection, requirement_id)
    except NotFound:
        abort(404)
    if not service.may_weigh_requirements(access.membership, category):
        abort(403)  # the facilitator or the category's owner group only
    form = RequirementWeightForm(prefix=f"r{requirement_id}")
    if form.validate_on_submit():
        version = form.version.data
        try:
            requirement = service.set_requirement_weight(
                db_session(), access.selection, access.membership, current_user.account,
                requirement_id, form.weight.data, form.weight_reason.data or "",
                version=parse_id(version))
        except NotFound:
            abort(404)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The weight of %(code)s is saved.", code=requirement.code), "success")
            return redirect(url_for("weighting.requirements", selection_id=access.selection.id,
                                    _anchor=f"r{requirement_id}"))
    return _requirements_page(access, (requirement_id, form), 422)


# --------------------------------------------------------------------------- pairwise


def _domain(value: str) -> str:
    if value not in DOMAINS:
        abort(404)
    return value


def _pairwise_page(access: MemberAccess, domain: str, form=None, status: int = 200):
    page = service.pairwise_page(db_session(), access.selection, access.membership, domain)
    categories, refusal = page.categories, page.refusal  # said instead of offering the pairs
    may_edit = access.can("weighting.allocate") and not page.state.frozen_at
    if form is None and refusal is None:
        form = pairwise_form(categories, page.stored,
                             page.domain_points or service.DEFAULT_DOMAIN_POINTS)
    by_key = {c.key: c for c in categories}
    pair_rows = [] if refusal is not None else [
        (by_key[a], by_key[b], form[pair_name(by_key[a], by_key[b])])
        for a, b in ahp.pairs([c.key for c in categories])]
    return _render(
        "weighting/pairwise.html", access, status,
        domain=domain, categories=categories, by_key=by_key, form=form, pair_rows=pair_rows,
        flagged=sum(1 for _, _, field in pair_rows if field.errors),
        refusal=None if refusal is None else str(refusal),  # escaped as plain text
        result=page.result, missing=page.missing, may_edit=may_edit, own=page.own,
        state=page.state,
        limit=ahp.CR_LIMIT, random_index=ahp.RANDOM_INDEX,
        random_index_source=ahp.RANDOM_INDEX_SOURCE,
    )


@blueprint.route("/pairwise/<domain>")
@requires("weighting.compare")
def pairwise(access: MemberAccess, domain: str):
    return _pairwise_page(access, _domain(domain))


@blueprint.route("/pairwise/<domain>", methods=["POST"])
@requires("weighting.allocate")
def save_pairwise(access: MemberAccess, domain: str):
    domain = _domain(domain)
    categories = service.pairwise_categories(db_session(), access.selection, domain)
    form = pairwise_form(categories, None, 0, formdata=request.form)
    if form.validate_on_submit():
        try:
            outcome = service.save_pairwise(
                db_session(), access.selection, access.membership, current_user.account,
                domain, pairwise_judgements(form, categories), form.domain_points.data)
        except ServiceError as error:
            show_error(form, error, pairwise_renames(categories))
        else:
            if outcome.result.acceptable:
                flash(_("Your comparison is saved and its weights are in your allocation."),
                      "success")
            else:
                flash(_("Your comparison is saved, but it is not consistent enough "
                        "(consistency ratio above 0.10): look again at the pair named below."),
                      "warning")
            return _back("weighting.pairwise", access, domain=domain)
    return _pairwise_page(access, domain, form, 422)


# --------------------------------------------------------------------------- how price counts


def _price_given(form) -> service.PriceInput:
    return service.PriceInput(**{name: form[name].data for name in service.PRICE_FIELDS})


def _price_page(access: MemberAccess, form=None, status: int = 200):
    selection = access.selection
    may_edit = access.can("weighting.price") and not selection.weights_frozen
    if form is None and may_edit:
        form = price_settings_form(selection)
    # The example follows what the page shows: the typed values when they are possible.
    settings = service.preview_price_settings(_price_given(form)) if form is not None else None
    settings = settings or selection.price
    return _render(
        "weighting/price.html", access, status,
        form=form if may_edit else None, settings=settings,
        # A refused post on a page that shows no form (frozen meanwhile) says why above.
        refusals=[] if may_edit or form is None else [str(e) for e in form.form_errors],
        bids=service.price_example(settings),
        example_bids=service.EXAMPLE_BIDS, methods=PRICE_METHOD_LABELS,
        relative=pricing.RELATIVE_METHODS,
    )


@blueprint.route("/price")
@requires("weighting.view")
def price(access: MemberAccess):
    return _price_page(access)


@blueprint.route("/price", methods=["POST"])
@requires("weighting.price")
def save_price(access: MemberAccess):
    form = price_settings_form(access.selection, formdata=request.form)
    if form.validate_on_submit():
        try:
            changed = service.save_price_settings(
                db_session(), access.selection, access.membership, current_user.account,
                _price_given(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The price settings are saved.") if changed
                  else _("Nothing changed: the price settings were already these."), "success")
            return _back("weighting.price", access)
    return _price_page(access, form, 422)
