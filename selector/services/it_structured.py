"""IT management's structured requirements: hosting and hardware, standards, browsers,
back-up and recovery (the four areas the source texts name).

IT answers a short form; each answer becomes one requirement (decisions.md: one per
browser row; one each for RPO, RTO, retention and restore tests) in the right IT
category, with the priority IT chooses (default should) and optionally as a knock-out
with its rationale. The answer itself is kept in `Requirement.structured` as
`{"area", "item", "slot", "value"}`, so the report can draw a clean table from it and
the form can be filled in again. Saving the form again updates the requirements made
before (matched by `slot`); an answer left empty changes nothing.

The generated text follows the selection's language, like library items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account, Category, Requirement, Selection
from selector.models.selection import PRIORITIES
from selector.services import requirements as requirement_service
from selector.services.categories import ensure_seed_category
from selector.services.errors import Conflict, ServiceError

AREAS = ("hosting", "standards", "browsers", "backup")
AREA_CATEGORY = {"hosting": "hosting", "standards": "standards", "browsers": "browsers",
                 "backup": "backup"}
ITEMS = {
    "hosting": ("deployment_model", "data_location", "platform"),
    "standards": ("sso", "api", "accessibility", "norm"),
    "browsers": ("browser",),
    "backup": ("rpo", "rto", "retention", "restore_test"),
}

DEPLOYMENT_MODELS = ("saas", "private_cloud", "on_premises")
SSO_PROTOCOLS = ("saml2", "oidc", "ws_federation")
API_STYLES = ("rest", "soap", "graphql", "odata")
ACCESSIBILITY_LEVELS = ("wcag21_a", "wcag21_aa", "wcag22_aa", "wcag22_aaa", "en301549")
NORMS = ("iso27001", "bio", "nen7510", "gdpr", "soc2", "nis2")
BROWSERS = ("chrome", "edge", "firefox", "safari", "samsung")
DEVICES = ("desktop", "mobile", "tablet")
RESTORE_FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly")
RESTORERS = ("vendor", "our_it", "jointly")
MAX_HOURS = 24 * 365
MAX_DAYS = 365 * 30
MAX_VERSION = 10_000
MAX_TEXT = 200

# Names that are the same in both languages.
NAMES: dict[str, str] = {
    "saas": "SaaS", "saml2": "SAML 2.0", "oidc": "OpenID Connect 1.0",
    "ws_federation": "WS-Federation 1.2", "rest": "REST/JSON", "soap": "SOAP 1.2",
    "graphql": "GraphQL", "odata": "OData 4.0", "wcag21_a": "WCAG 2.1 level A",
    "wcag21_aa": "WCAG 2.1 level AA", "wcag22_aa": "WCAG 2.2 level AA",
    "wcag22_aaa": "WCAG 2.2 level AAA", "en301549": "EN 301 549 (WCAG 2.1 AA)",
    "iso27001": "ISO/IEC 27001", "bio": "BIO 2", "nen7510": "NEN 7510",
    "soc2": "SOC 2 Type II", "nis2": "NIS2", "chrome": "Google Chrome",
    "edge": "Microsoft Edge", "firefox": "Mozilla Firefox", "safari": "Apple Safari",
    "samsung": "Samsung Internet",
}

# The generated texts, per language. Kept here rather than in the interface's
# catalogues: they follow the selection's language, not the reader's.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "or": "or",
        "private_cloud": "private cloud",
        "on_premises": "on premises (our own data centre)",
        "gdpr": "the GDPR (AVG)",
        "desktop": "desktop and laptop",
        "mobile": "mobile phones",
        "tablet": "tablets",
        "monthly": "every month (12 times a year)",
        "quarterly": "every quarter (4 times a year)",
        "half_yearly": "every half year (2 times a year)",
        "yearly": "every year (1 time a year)",
        "vendor": "the vendor",
        "our_it": "our IT management",
        "jointly": "the vendor and our IT management together",
        "deployment_model.title": "Deployment model: {models}",
        "deployment_model.description": "The CRM system is offered and run as {models}.",
        "deployment_model.criterion": "The offer and the draft contract name the deployment "
        "model ({models}) for 100% of the modules offered.",
        "data_location.title": "Data stored in {location}",
        "data_location.description": "All production data, back-ups and log files are "
        "stored and processed in {location} only.",
        "data_location.criterion": "The contract and the processing agreement list every "
        "data centre and sub-processor; 100% of them are in {location}.",
        "platform.title": "Runs on {platform}",
        "platform.description": "The application runs on the hardware and platform IT "
        "management sets: {platform}.",
        "platform.criterion": "The vendor confirms in writing that the offered version is "
        "supported on {platform}; on our acceptance environment the 5 core tasks of the "
        "demo script run without errors.",
        "sso.title": "Single sign-on with {protocols}",
        "sso.description": "Users sign in through our identity provider with {protocols}; "
        "the application keeps no passwords of its own for them.",
        "sso.criterion": "In the test environment, 3 test users sign in through our "
        "identity provider with {protocols}, without a separate password.",
        "api.title": "API in {styles}",
        "api.description": "Every object that users can see is available through a "
        "documented {styles} API for reading and writing.",
        "api.criterion": "The published API documentation covers 100% of the objects in the "
        "demo script; our developer reads and writes 1 contact through the API in the test "
        "environment.",
        "accessibility.title": "Accessibility: {level}",
        "accessibility.description": "The screens users work with meet {level}.",
        "accessibility.criterion": "An accessibility report of at most 12 months old shows "
        "that the screens of the 5 core tasks meet {level}.",
        "norm.title": "Complies with {norm}",
        "norm.description": "The vendor and the service offered comply with {norm}.",
        "norm.criterion": "The vendor shows a valid certificate, assessment or audit report "
        "for {norm} of at most 12 months old, covering the service offered.",
        "browser.title": "{browser} {version} or later on {device}",
        "browser.title_latest": "{browser}, the 2 most recent major versions, on {device}",
        "browser.description": "All modules work in {browser} ({version_text}) on {device}.",
        "browser.version_text": "version {version} or later",
        "browser.version_latest": "the 2 most recent major versions",
        "browser.criterion": "The 5 core tasks of the demo script run without errors in "
        "{browser} ({version_text}) on {device}.",
        "rpo.title": "Recovery point objective (RPO) of at most {hours} hours",
        "rpo.description": "After a disaster, at most the data of the last {hours} hours can "
        "be lost.",
        "rpo.criterion": "The SLA states an RPO of at most {hours} hours for all production "
        "data; the back-up policy shows at least 1 back-up per {hours} hours.",
        "rto.title": "Recovery time objective (RTO) of at most {hours} hours",
        "rto.description": "After a disaster, the application is available again within "
        "{hours} hours.",
        "rto.criterion": "The SLA states an RTO of at most {hours} hours; the last restore "
        "test report shows a full restore within {hours} hours.",
        "retention.title": "Back-ups kept for {days} days",
        "retention.description": "Back-ups are kept for {days} days, so that data lost or "
        "damaged unnoticed can still be restored.",
        "retention.criterion": "The back-up policy in the contract states a retention of at "
        "least {days} days for all production data.",
        "restore_test.title": "Restore tested {frequency}, by {restorer}",
        "restore_test.description": "A restore of production data is tested {frequency}; "
        "restores are carried out by {restorer}.",
        "restore_test.criterion": "The contract requires a restore test {frequency} by "
        "{restorer}; the vendor shows the reports of the last 2 restore tests.",
        "rationale": "IT management's requirement for {area}.",
        "area.hosting": "hosting and hardware",
        "area.standards": "standards",
        "area.browsers": "browsers",
        "area.backup": "back-up and recovery",
    },
    "nl": {
        "or": "of",
        "private_cloud": "private cloud",
        "on_premises": "on-premises (ons eigen datacenter)",
        "gdpr": "de AVG (GDPR)",
        "desktop": "desktop en laptop",
        "mobile": "smartphones",
        "tablet": "tablets",
        "monthly": "elke maand (12 keer per jaar)",
        "quarterly": "elk kwartaal (4 keer per jaar)",
        "half_yearly": "elk halfjaar (2 keer per jaar)",
        "yearly": "elk jaar (1 keer per jaar)",
        "vendor": "de leverancier",
        "our_it": "ons ICT-beheer",
        "jointly": "de leverancier en ons ICT-beheer samen",
        "deployment_model.title": "Implementatiemodel: {models}",
        "deployment_model.description": "Het CRM-systeem wordt aangeboden en beheerd als "
        "{models}.",
        "deployment_model.criterion": "De offerte en het conceptcontract noemen het "
        "implementatiemodel ({models}) voor 100% van de aangeboden modules.",
        "data_location.title": "Gegevens opgeslagen in {location}",
        "data_location.description": "Alle productiegegevens, back-ups en logbestanden "
        "worden uitsluitend in {location} opgeslagen en verwerkt.",
        "data_location.criterion": "Het contract en de verwerkersovereenkomst noemen elk "
        "datacenter en elke subverwerker; 100% daarvan bevindt zich in {location}.",
        "platform.title": "Draait op {platform}",
        "platform.description": "De applicatie draait op de hardware en het platform die "
        "ICT-beheer voorschrijft: {platform}.",
        "platform.criterion": "De leverancier bevestigt schriftelijk dat de aangeboden "
        "versie op {platform} wordt ondersteund; op onze acceptatieomgeving werken de 5 "
        "kerntaken uit het demoscript zonder fouten.",
        "sso.title": "Single sign-on met {protocols}",
        "sso.description": "Gebruikers loggen in via onze identity provider met "
        "{protocols}; de applicatie bewaart geen eigen wachtwoorden voor hen.",
        "sso.criterion": "In de testomgeving loggen 3 testgebruikers via onze identity "
        "provider in met {protocols}, zonder apart wachtwoord.",
        "api.title": "API in {styles}",
        "api.description": "Elk object dat gebruikers zien is via een gedocumenteerde "
        "{styles}-API te lezen en te schrijven.",
        "api.criterion": "De gepubliceerde API-documentatie dekt 100% van de objecten uit "
        "het demoscript; onze ontwikkelaar leest en schrijft in de testomgeving 1 "
        "contactpersoon via de API.",
        "accessibility.title": "Toegankelijkheid: {level}",
        "accessibility.description": "De schermen waarmee gebruikers werken voldoen aan "
        "{level}.",
        "accessibility.criterion": "Een toegankelijkheidsrapport van maximaal 12 maanden "
        "oud toont dat de schermen van de 5 kerntaken aan {level} voldoen.",
        "norm.title": "Voldoet aan {norm}",
        "norm.description": "De leverancier en de aangeboden dienst voldoen aan {norm}.",
        "norm.criterion": "De leverancier toont een geldig certificaat, assessment of "
        "auditrapport voor {norm} van maximaal 12 maanden oud dat de aangeboden dienst "
        "dekt.",
        "browser.title": "{browser} {version} of nieuwer op {device}",
        "browser.title_latest": "{browser}, de 2 nieuwste hoofdversies, op {device}",
        "browser.description": "Alle modules werken in {browser} ({version_text}) op "
        "{device}.",
        "browser.version_text": "versie {version} of nieuwer",
        "browser.version_latest": "de 2 nieuwste hoofdversies",
        "browser.criterion": "De 5 kerntaken uit het demoscript werken zonder fouten in "
        "{browser} ({version_text}) op {device}.",
        "rpo.title": "Recovery point objective (RPO) van maximaal {hours} uur",
        "rpo.description": "Na een calamiteit gaan hooguit de gegevens van de laatste "
        "{hours} uur verloren.",
        "rpo.criterion": "De SLA vermeldt een RPO van maximaal {hours} uur voor alle "
        "productiegegevens; het back-upbeleid toont minimaal 1 back-up per {hours} uur.",
        "rto.title": "Recovery time objective (RTO) van maximaal {hours} uur",
        "rto.description": "Na een calamiteit is de applicatie binnen {hours} uur weer "
        "beschikbaar.",
        "rto.criterion": "De SLA vermeldt een RTO van maximaal {hours} uur; het laatste "
        "hersteltestrapport toont een volledig herstel binnen {hours} uur.",
        "retention.title": "Back-ups {days} dagen bewaard",
        "retention.description": "Back-ups worden {days} dagen bewaard, zodat ook "
        "ongemerkt verloren of beschadigde gegevens nog te herstellen zijn.",
        "retention.criterion": "Het back-upbeleid in het contract vermeldt een bewaartermijn "
        "van minimaal {days} dagen voor alle productiegegevens.",
        "restore_test.title": "Herstel getest {frequency}, door {restorer}",
        "restore_test.description": "Het herstel van productiegegevens wordt {frequency} "
        "getest; herstel wordt uitgevoerd door {restorer}.",
        "restore_test.criterion": "Het contract vereist {frequency} een hersteltest door "
        "{restorer}; de leverancier toont de rapporten van de laatste 2 hersteltests.",
        "rationale": "Eis van ICT-beheer voor {area}.",
        "area.hosting": "hosting en hardware",
        "area.standards": "standaarden",
        "area.browsers": "browsers",
        "area.backup": "back-up en herstel",
    },
}

VERIFICATION = {
    "deployment_model": "contract", "data_location": "contract", "platform": "test",
    "sso": "test", "api": "test", "accessibility": "document", "norm": "document",
    "browser": "test", "rpo": "contract", "rto": "contract", "retention": "contract",
    "restore_test": "contract",
}


@dataclass
class StructuredItem:
    """One structured answer: what IT asks for, how important, and whether a knock-out."""

    area: str
    item: str
    value: dict[str, Any]
    priority: str = "should"
    knockout: bool = False
    knockout_rationale: str = ""
    version: int | None = None  # the version the form showed, for an existing requirement
    field: str = ""  # the form field that errors are shown beside (default: the slot)

    @property
    def slot(self) -> str:
        """What makes this answer unique in a selection (one requirement per slot)."""
        if self.item == "browser":
            return f"browsers.{self.value.get('browser')}.{self.value.get('device')}"
        if self.item == "norm":
            return f"standards.norm.{self.value.get('norm')}"
        return f"{self.area}.{self.item}"


@dataclass
class SaveResult:
    created: list[Requirement] = field(default_factory=list)
    updated: list[Requirement] = field(default_factory=list)
    unchanged: int = 0


# -- validation -------------------------------------------------------------------------


def _refuse(slot: str, message) -> ServiceError:
    return ServiceError(message, slot)


def _number(value: Any, slot: str, *, maximum: float, whole: bool = False) -> float | int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _refuse(slot, _l("Enter a number.")) from None
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0 or number > maximum:
        raise _refuse(slot, _l("Enter a number above 0 and at most %(max)d.", max=int(maximum)))
    if whole:
        if number != int(number):
            raise _refuse(slot, _l("Enter a whole number."))
        return int(number)
    return int(number) if number == int(number) else number


def _one_of(value: Any, allowed: tuple[str, ...], slot: str) -> str:
    if value not in allowed:
        raise _refuse(slot, _l("Choose one of the offered options."))
    return value


def _some_of(values: Any, allowed: tuple[str, ...], slot: str) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise _refuse(slot, _l("Choose at least one option."))
    chosen = [v for v in allowed if v in values]
    if len(chosen) != len(set(values)):
        raise _refuse(slot, _l("Choose one of the offered options."))
    return chosen


def _free_text(value: Any, slot: str) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise _refuse(slot, _l("This field is required."))
    if len(text) > MAX_TEXT:
        raise _refuse(slot, _l("This can have at most %(count)d characters.", count=MAX_TEXT))
    return text


def clean_value(item: StructuredItem) -> dict[str, Any]:
    """The answer checked and normalised; ServiceError naming the item's field."""
    slot, v = item.field or item.slot, item.value
    if item.area not in AREAS or item.item not in ITEMS[item.area]:
        raise _refuse(slot, _l("Choose one of the offered options."))
    if item.item == "deployment_model":
        return {"models": _some_of(v.get("models"), DEPLOYMENT_MODELS, slot)}
    if item.item == "data_location":
        return {"location": _free_text(v.get("location"), slot)}
    if item.item == "platform":
        return {"platform": _free_text(v.get("platform"), slot)}
    if item.item == "sso":
        return {"protocols": _some_of(v.get("protocols"), SSO_PROTOCOLS, slot)}
    if item.item == "api":
        return {"styles": _some_of(v.get("styles"), API_STYLES, slot)}
    if item.item == "accessibility":
        return {"level": _one_of(v.get("level"), ACCESSIBILITY_LEVELS, slot)}
    if item.item == "norm":
        return {"norm": _one_of(v.get("norm"), NORMS, slot)}
    if item.item == "browser":
        version = v.get("min_version")
        return {
            "browser": _one_of(v.get("browser"), BROWSERS, slot),
            "device": _one_of(v.get("device"), DEVICES, slot),
            "min_version": None if version in (None, "")
            else _number(version, slot, maximum=MAX_VERSION, whole=True),
        }
    if item.item in ("rpo", "rto"):
        return {"hours": _number(v.get("hours"), slot, maximum=MAX_HOURS)}
    if item.item == "retention":
        return {"days": _number(v.get("days"), slot, maximum=MAX_DAYS, whole=True)}
    return {  # restore_test
        "frequency": _one_of(v.get("frequency"), RESTORE_FREQUENCIES, slot),
        "restored_by": _one_of(v.get("restored_by"), RESTORERS, slot),
    }


# -- text -------------------------------------------------------------------------------


def _number_text(number: float | int, language: str) -> str:
    text = f"{number:g}"
    return text.replace(".", ",") if language == "nl" else text


def _name(key: str, words: dict[str, str]) -> str:
    return words.get(key) or NAMES.get(key, key)


def _alternatives(keys: list[str], words: dict[str, str]) -> str:
    names = [_name(k, words) for k in keys]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {words['or']} " + names[-1]


def texts(item: str, value: dict[str, Any], language: str) -> dict[str, str]:
    """Title, description and verification criterion of one answer, in `language`."""
    words = TEXTS.get(language) or TEXTS["en"]
    params: dict[str, Any] = {}
    key = item
    if item == "deployment_model":
        params["models"] = _alternatives(value["models"], words)
    elif item == "data_location":
        params["location"] = value["location"]
    elif item == "platform":
        params["platform"] = value["platform"]
    elif item == "sso":
        params["protocols"] = _alternatives(value["protocols"], words)
    elif item == "api":
        params["styles"] = _alternatives(value["styles"], words)
    elif item == "accessibility":
        params["level"] = _name(value["level"], words)
    elif item == "norm":
        params["norm"] = _name(value["norm"], words)
    elif item == "browser":
        params["browser"] = _name(value["browser"], words)
        params["device"] = _name(value["device"], words)
        version = value.get("min_version")
        params["version"] = version
        params["version_text"] = (words["browser.version_text"].format(version=version)
                                  if version else words["browser.version_latest"])
    elif item in ("rpo", "rto"):
        params["hours"] = _number_text(value["hours"], language)
    elif item == "retention":
        params["days"] = _number_text(value["days"], language)
    elif item == "restore_test":
        params["frequency"] = words[value["frequency"]]
        params["restorer"] = words[value["restored_by"]]
    title_key = f"{key}.title"
    if item == "browser" and not value.get("min_version"):
        title_key = "browser.title_latest"
    title = words[title_key].format(**params)
    return {
        "title": title[0].upper() + title[1:],
        "description": words[f"{key}.description"].format(**params),
        "verification_criterion": words[f"{key}.criterion"].format(**params),
    }


# -- reading and saving -----------------------------------------------------------------


def current_answers(session: Session, selection_id: int) -> dict[str, tuple[Requirement, dict]]:
    """Slot -> (requirement, its structured answer) for this selection's IT answers."""
    found = {}
    for requirement in session.scalars(
        select(Requirement).where(Requirement.selection_id == selection_id,
                                  Requirement.structured.is_not(None))
        .order_by(Requirement.id)
    ):
        answer = requirement_service.structured_of(requirement)
        if answer and answer.get("slot"):
            found[answer["slot"]] = (requirement, answer)
    return found


def save_answers(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    items: list[StructuredItem],
    *,
    reason: str = "",
) -> SaveResult:
    """Turn IT's answers into requirements (new ones proposed, earlier ones updated);
    all or none."""
    requirement_service.check_writer(role)
    result = SaveResult()
    seen: set[str] = set()
    existing = current_answers(session, selection.id)
    categories = {c.key: c for c in session.scalars(
        select(Category).where(Category.selection_id == selection.id))}
    codes = requirement_service.CodeAllocator(session, selection.id)
    words = TEXTS.get(selection.language) or TEXTS["en"]
    for given in items:
        value = clean_value(given)
        item = StructuredItem(given.area, given.item, value, given.priority, given.knockout,
                              given.knockout_rationale, given.version, given.field)
        slot, where = item.slot, item.field or item.slot
        if slot in seen:
            raise _refuse(where, _l("This answer is given twice."))
        seen.add(slot)
        if item.priority not in PRIORITIES:
            raise _refuse(where, _l("Choose one of the offered options."))
        if item.knockout and not item.knockout_rationale.strip():
            raise ServiceError(
                _l("A knock-out needs its rationale: why must a vendor that fails it drop "
                   "out?"), where)
        answer = {"area": item.area, "item": item.item, "slot": slot, "value": value}
        generated = texts(item.item, value, selection.language)
        key = AREA_CATEGORY[item.area]
        category = categories.get(key)
        if category is None:
            category = ensure_seed_category(session, selection, actor, key)
            categories[key] = category
        previous = existing.get(slot)
        if previous is not None:
            requirement, old_answer = previous
            if item.version is not None and item.version != requirement.version:
                raise Conflict(_l(
                    "Someone else changed this requirement while you were editing it (it is "
                    "now at version %(version)d). Reload it to see their change, then make "
                    "yours again.", version=requirement.version), where)
            if (old_answer.get("value") == value and requirement.priority == item.priority
                    and requirement.knockout == item.knockout
                    and (requirement.knockout_rationale == item.knockout_rationale.strip()
                         or not item.knockout)):
                result.unchanged += 1
                continue
            values = requirement_service.RequirementFields.of(requirement)
            if old_answer.get("value") != value:  # new answer, new text
                values.title = generated["title"]
                values.description = generated["description"]
                values.verification_criterion = generated["verification_criterion"]
            values.priority = item.priority
            values.knockout = item.knockout
            values.knockout_rationale = item.knockout_rationale
            requirement_service.update_requirement(
                session, requirement, actor, role, values, expected_version=None,
                reason=reason, structured=answer)
            result.updated.append(requirement)
            continue
        values = requirement_service.RequirementFields(
            category_id=category.id,
            title=generated["title"],
            description=generated["description"],
            rationale=words["rationale"].format(area=words[f"area.{item.area}"]),
            intent="achieve",
            verification=VERIFICATION[item.item],
            verification_criterion=generated["verification_criterion"],
            priority=item.priority,
            knockout=item.knockout,
            knockout_rationale=item.knockout_rationale,
            owner_group="it",
        )
        result.created.append(
            requirement_service.create_requirement(
                session, selection, actor, role, values, structured=answer, codes=codes,
                reason=reason, refresh=False)
        )
    if result.created:
        requirement_service.refresh_quality(session, selection.id, result.created)
    return result


def answer_table(session: Session, selection_id: int) -> dict[str, list[dict[str, Any]]]:
    """The structured answers per area, for the report's table and the form: each with
    the requirement's code, title, priority, knock-out and status."""
    table: dict[str, list[dict[str, Any]]] = {area: [] for area in AREAS}
    for slot, (requirement, answer) in sorted(current_answers(session, selection_id).items()):
        area = answer.get("area")
        if area not in table:
            continue
        table[area].append({
            "slot": slot, "item": answer.get("item"), "value": answer.get("value") or {},
            "code": requirement.code, "title": requirement.title,
            "priority": requirement.priority, "knockout": requirement.knockout,
            "knockout_rationale": requirement.knockout_rationale,
            "status": requirement.status, "version": requirement.version,
            "id": requirement.id,
        })
    return table
