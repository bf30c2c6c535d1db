"""Vendors: the candidates a selection compares, with their cost breakdown and TCO.

A vendor can be added at any point of the process and withdrawn (it stays on record,
shown as withdrawn, and takes no part in the ranking). Its TCO is computed from the
breakdown over the selection's `tco_years`, whatever the contract length (formats.md):
implementation + tco_years x (licence per year + hosting and support per year). A vendor
without a breakdown may carry a TCO entered directly (or none).

Costs are not secret from the database's point of view; who may *see* them is decided by
`selector.domain.visibility.costs_visible` (decisions.md, "Blind scoring and prices").
Every change is audited in the same transaction.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import Account, Selection, Vendor
from selector.services import audit
from selector.services.errors import NotFound, ServiceError

COST_KEYS = ("licence_per_year", "implementation", "hosting_support_per_year", "contract_years")
MAX_AMOUNT = limits.MAX_AMOUNT  # euros; anything larger is a typing error
LENGTHS = limits.LENGTHS["vendor"]  # the same limits as `selector import`
MAX_NOTES = LENGTHS["notes"]
MAX_REASON = limits.REASON_LENGTH


@dataclass(frozen=True)
class VendorInput:
    """What a form (or a script) gives for a vendor. Empty strings mean "not given"."""

    name: str
    product: str = ""
    website: str = ""
    contact: str = ""
    notes: str = ""
    licence_per_year: float | None = None
    implementation: float | None = None
    hosting_support_per_year: float | None = None
    contract_years: float | None = None
    tco: float | None = None  # only used without a breakdown

    def costs(self) -> dict[str, float | None]:
        return {key: getattr(self, key) for key in COST_KEYS}


def compute_tco(
    implementation: float, licence_per_year: float, hosting_support_per_year: float,
    tco_years: int,
) -> float:
    """formats.md: every vendor's TCO covers the selection's `tco_years`."""
    return implementation + tco_years * (licence_per_year + hosting_support_per_year)


# -- reading ------------------------------------------------------------------------------


def vendors_of(session: Session, selection: Selection) -> list[Vendor]:
    """All vendors of the selection, withdrawn ones last, then by name."""
    return list(
        session.scalars(
            select(Vendor)
            .where(Vendor.selection_id == selection.id)
            .order_by(Vendor.withdrawn, Vendor.name, Vendor.key)
        )
    )


def get_vendor(session: Session, selection: Selection, vendor_id: int) -> Vendor:
    """A vendor of this selection; an id from another selection is not found."""
    vendor = session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.selection_id == selection.id)
    )
    if vendor is None:
        raise NotFound(_l("There is no such vendor in this selection."))
    return vendor


def snapshot(vendor: Vendor) -> dict[str, Any]:
    """The audited fields of a vendor."""
    return {
        "name": vendor.name, "product": vendor.product, "website": vendor.website,
        "contact": vendor.contact, "notes": vendor.notes, "tco": vendor.tco,
        "withdrawn": vendor.withdrawn, **{key: getattr(vendor, key) for key in COST_KEYS},
    }


# -- checking -----------------------------------------------------------------------------


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit), field
        )
    return value


def _website(value: str) -> str:
    """Only web addresses (`limits.check_web_address`, as for `selector import`): a
    "javascript:" link must never reach a page. A bare host name as people type it
    ("www.example.nl") gets https:// in front first."""
    value = (value or "").strip()
    if not value:
        return ""
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        value = "https://" + value
    try:
        return limits.check_web_address(value)
    except limits.Refused as refused:
        if refused.reason == "too_long":
            raise ServiceError(_l("This can have at most %(count)d characters.",
                                  count=LENGTHS["website"]), "website") from None
        raise ServiceError(_l("Enter a web address starting with https:// or http://."),
                           "website") from None


def _amount(value: float | None, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError(_l("Enter an amount in euros."), field)
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ServiceError(_l("Enter an amount of 0 or more."), field)
    if value > MAX_AMOUNT:
        raise ServiceError(_l("This amount is too large."), field)
    return value


def _checked(selection: Selection, given: VendorInput) -> dict[str, Any]:
    """The column values for `given`, or a ServiceError naming the field."""
    name = _text(given.name, "name", LENGTHS["name"])
    if not name:
        raise ServiceError(_l("Give the vendor a name."), "name")
    values: dict[str, Any] = {
        "name": name,
        "product": _text(given.product, "product", LENGTHS["product"]),
        "website": _website(given.website),
        "contact": _text(given.contact, "contact", LENGTHS["contact"]),
        "notes": _text(given.notes, "notes", MAX_NOTES),
    }
    costs = {key: _amount(value, key) for key, value in given.costs().items()}
    given_costs = [key for key, value in costs.items() if value is not None]
    if given_costs and len(given_costs) < len(COST_KEYS):
        missing = next(key for key in COST_KEYS if costs[key] is None)
        raise ServiceError(
            _l("Fill in all four cost fields, or none (then enter the TCO directly)."), missing
        )
    values.update(costs)
    if given_costs:
        tco = compute_tco(
            costs["implementation"], costs["licence_per_year"],
            costs["hosting_support_per_year"], selection.tco_years,
        )
        # A TCO of 0 cannot be compared (method.md divides by it): no TCO instead.
        values["tco"] = tco if tco > 0 else None
    else:
        tco = _amount(given.tco, "tco")
        if tco is not None and tco <= 0:
            raise ServiceError(_l("A TCO is more than 0, or left empty."), "tco")
        values["tco"] = tco
    return values


def _unique_key(session: Session, selection: Selection, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "vendor"
    taken = set(session.scalars(select(Vendor.key).where(Vendor.selection_id == selection.id)))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


# -- writing ------------------------------------------------------------------------------


def add_vendor(
    session: Session, selection: Selection, actor: Account, given: VendorInput
) -> Vendor:
    """A new vendor; its key is made from the name (unique in the selection)."""
    values = _checked(selection, given)
    vendor = Vendor(
        selection_id=selection.id, key=_unique_key(session, selection, values["name"]),
        **values,
    )
    session.add(vendor)
    session.flush()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.VENDOR,
        entity_key=vendor.key, new=snapshot(vendor),
    )
    return vendor


def update_vendor(
    session: Session, selection: Selection, actor: Account | None, vendor_id: int,
    given: VendorInput, keep_costs: bool = False, actor_name: str = "",
) -> Vendor:
    """Change a vendor's details; with `keep_costs` (the costs were not shown, so not
    given) the cost breakdown and TCO stay as they are. `actor_name`: the vendor itself,
    giving its costs through the portal."""
    vendor = get_vendor(session, selection, vendor_id)
    if keep_costs:
        given = replace(given, tco=vendor.tco,
                        **{key: getattr(vendor, key) for key in COST_KEYS})
    values = _checked(selection, given)
    if keep_costs:
        values["tco"] = vendor.tco  # as stored, even if tco_years changed meanwhile
    old = snapshot(vendor)
    for key, value in values.items():
        setattr(vendor, key, value)
    new = snapshot(vendor)
    if new != old:
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
            entity=AuditEntity.VENDOR,
            entity_key=vendor.key, old=old, new=new, actor_name=actor_name,
        )
    session.flush()
    return vendor


def set_withdrawn(
    session: Session, selection: Selection, actor: Account, vendor_id: int, withdrawn: bool,
    reason: str = "",
) -> Vendor:
    """Withdraw a vendor (kept on record, out of the ranking), or bring it back."""
    vendor = get_vendor(session, selection, vendor_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            _l("Say why the vendor is withdrawn.") if withdrawn
            else _l("Say why the vendor takes part again."),
            "reason",
        )
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _l("The reason can have at most %(count)d characters.", count=MAX_REASON), "reason"
        )
    if vendor.withdrawn == withdrawn:
        raise ServiceError(
            _l("This vendor is withdrawn already.") if withdrawn
            else _l("This vendor takes part already."),
            "reason",
        )
    vendor.withdrawn = withdrawn
    audit.record(
        session, selection_id=selection.id, actor=actor,
        action=AuditAction.WITHDRAW if withdrawn else AuditAction.REINSTATE,
        entity=AuditEntity.VENDOR,
        entity_key=vendor.key, old={"withdrawn": not withdrawn}, new={"withdrawn": withdrawn},
        reason=reason,
    )
    session.flush()
    return vendor


def refresh_tcos(session: Session, selection: Selection, actor: Account | None) -> int:
    """Recompute every breakdown's TCO (after `tco_years` changed); returns how many
    changed. For whoever changes the selection's settings."""
    changed = 0
    for vendor in vendors_of(session, selection):
        costs = [getattr(vendor, key) for key in COST_KEYS]
        if any(value is None for value in costs):
            continue
        tco = compute_tco(vendor.implementation, vendor.licence_per_year,
                          vendor.hosting_support_per_year, selection.tco_years)
        tco = tco if tco > 0 else None
        if tco != vendor.tco:
            audit.record(
                session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                entity=AuditEntity.VENDOR, entity_key=vendor.key, old={"tco": vendor.tco},
                new={"tco": tco}, reason=f"tco_years = {selection.tco_years}",
            )
            vendor.tco = tco
            changed += 1
    session.flush()
    return changed
