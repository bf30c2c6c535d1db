"""IT management's structured questions, once: what is asked, in which area, how an
answer looks, its words in both languages, and the requirement an answer generates.

One catalogue drives IT's form, the generated requirements, the `it_answers` of the
selection file and the report's answer tables (and, later, the same questions put to
vendors). Pure data and pure functions: no Flask, no SQLAlchemy.

Words are pairs per language (`{"en": ..., "nl": ...}`) rather than interface msgids:
the form shows them in the reader's language, the generated requirement and the report
in the selection's language, and both need both.

An answer is a JSON object, one key per `Part` of its question
(`{"hours": 4}`, `{"browser": "edge", "device": "desktop", "min_version": 120}`).
`slot` names what makes an answer unique in a selection: one requirement per slot
(decisions.md: one per browser row; one each for RPO, RTO, retention, restore tests).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

Words = Mapping[str, str]  # language ("en", "nl") -> text

MAX_TEXT = 200  # a free-text answer (a data location, a platform)


def same(text: str) -> Words:
    """A name written the same in both languages ("SAML 2.0")."""
    return {"en": text, "nl": text}


def words_in(words: Words, language: str) -> str:
    """`words` in `language`, English when that language is missing."""
    return words.get(language) or words["en"]


@dataclass(frozen=True)
class Option:
    """One offered choice: its short label (forms, tables) and its words in a sentence."""

    key: str
    label: Words
    text: Words


def _option(key: str, label: Words, text: Words | None = None) -> Option:
    return Option(key, label, text or label)


@dataclass(frozen=True)
class Part:
    """One key of an answer. `kind`: "one" (an option), "many" (one or more options),
    "text", "number" (above 0) or "whole" (a whole number above 0)."""

    key: str
    kind: str
    label: Words
    options: tuple[Option, ...] = ()
    maximum: int = 0
    optional: bool = False  # may be null; then `blank` words stand in the sentences
    hint: Words | None = None
    present: Words | None = None  # the words for a given optional value, "{value}" in it
    blank: Words | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Generated:
    """The requirement's texts in one language; `{part}` placeholders, and
    `{part_words}` for an optional part. `title_blank` replaces the title when an
    optional part is left empty."""

    title: str
    description: str
    criterion: str
    title_blank: str = ""


@dataclass(frozen=True)
class Question:
    """One structured question. `repeat`: "" one answer; "each" one answer per option
    ticked (the norms); "rows" one answer per row (the browsers)."""

    key: str
    area: str
    label: Words
    parts: tuple[Part, ...]
    verification: str
    texts: Mapping[str, Generated]
    slot: str = "{area}.{key}"
    repeat: str = ""
    hint: Words | None = None

    def slot_of(self, value: Mapping[str, Any]) -> str:
        return self.slot.format(area=self.area, key=self.key, **value)


@dataclass(frozen=True)
class Area:
    """An IT area: its heading, the seed category its requirements go to, and its name
    in a generated rationale."""

    key: str
    label: Words
    category: str
    rationale: Words
    questions: tuple[Question, ...] = field(default=())


# -- the options --------------------------------------------------------------------------

DEPLOYMENT_MODELS = (
    _option("saas", same("SaaS")),
    _option("private_cloud", same("Private cloud"), same("private cloud")),
    _option("on_premises", {"en": "On premises", "nl": "On-premises"},
            {"en": "on premises (our own data centre)",
             "nl": "on-premises (ons eigen datacenter)"}),
)
SSO_PROTOCOLS = (
    _option("saml2", same("SAML 2.0")),
    _option("oidc", same("OpenID Connect"), same("OpenID Connect 1.0")),
    _option("ws_federation", same("WS-Federation"), same("WS-Federation 1.2")),
)
API_STYLES = (
    _option("rest", same("REST/JSON")),
    _option("soap", same("SOAP"), same("SOAP 1.2")),
    _option("graphql", same("GraphQL")),
    _option("odata", same("OData"), same("OData 4.0")),
)
ACCESSIBILITY_LEVELS = (
    _option("wcag21_a", same("WCAG 2.1 A"), same("WCAG 2.1 level A")),
    _option("wcag21_aa", same("WCAG 2.1 AA"), same("WCAG 2.1 level AA")),
    _option("wcag22_aa", same("WCAG 2.2 AA"), same("WCAG 2.2 level AA")),
    _option("wcag22_aaa", same("WCAG 2.2 AAA"), same("WCAG 2.2 level AAA")),
    _option("en301549", same("EN 301 549"), same("EN 301 549 (WCAG 2.1 AA)")),
)
NORMS = (
    _option("iso27001", same("ISO/IEC 27001")),
    _option("bio", same("BIO"), same("BIO 2")),
    _option("nen7510", same("NEN 7510")),
    _option("gdpr", {"en": "GDPR (AVG)", "nl": "AVG (GDPR)"},
            {"en": "the GDPR (AVG)", "nl": "de AVG (GDPR)"}),
    _option("soc2", same("SOC 2 Type II")),
    _option("nis2", same("NIS2")),
)
BROWSERS = (
    _option("chrome", same("Google Chrome")),
    _option("edge", same("Microsoft Edge")),
    _option("firefox", same("Mozilla Firefox")),
    _option("safari", same("Apple Safari")),
    _option("samsung", same("Samsung Internet")),
)
DEVICES = (
    _option("desktop", {"en": "Desktop and laptop", "nl": "Desktop en laptop"},
            {"en": "desktop and laptop", "nl": "desktop en laptop"}),
    _option("mobile", {"en": "Mobile phone", "nl": "Smartphone"},
            {"en": "mobile phones", "nl": "smartphones"}),
    _option("tablet", same("Tablet"), same("tablets")),
)
RESTORE_FREQUENCIES = (
    _option("monthly", {"en": "Monthly", "nl": "Maandelijks"},
            {"en": "every month (12 times a year)", "nl": "elke maand (12 keer per jaar)"}),
    _option("quarterly", {"en": "Quarterly", "nl": "Elk kwartaal"},
            {"en": "every quarter (4 times a year)", "nl": "elk kwartaal (4 keer per jaar)"}),
    _option("half_yearly", {"en": "Every half year", "nl": "Elk halfjaar"},
            {"en": "every half year (2 times a year)", "nl": "elk halfjaar (2 keer per jaar)"}),
    _option("yearly", {"en": "Yearly", "nl": "Jaarlijks"},
            {"en": "every year (1 time a year)", "nl": "elk jaar (1 keer per jaar)"}),
)
RESTORERS = (
    _option("vendor", {"en": "The vendor", "nl": "De leverancier"},
            {"en": "the vendor", "nl": "de leverancier"}),
    _option("our_it", {"en": "Our IT management", "nl": "Ons ICT-beheer"},
            {"en": "our IT management", "nl": "ons ICT-beheer"}),
    _option("jointly", {"en": "Together", "nl": "Samen"},
            {"en": "the vendor and our IT management together",
             "nl": "de leverancier en ons ICT-beheer samen"}),
)

# -- the questions --------------------------------------------------------------------------

_HOSTING = (
    Question(
        "deployment_model", "hosting",
        {"en": "Deployment model (any of)", "nl": "Implementatiemodel (een van)"},
        (Part("models", "many", {"en": "Deployment model", "nl": "Implementatiemodel"},
              DEPLOYMENT_MODELS),),
        "contract",
        {
            "en": Generated(
                "Deployment model: {models}",
                "The CRM system is offered and run as {models}.",
                "The offer and the draft contract name the deployment model ({models}) for "
                "100% of the modules offered."),
            "nl": Generated(
                "Implementatiemodel: {models}",
                "Het CRM-systeem wordt aangeboden en beheerd als {models}.",
                "De offerte en het conceptcontract noemen het implementatiemodel ({models}) "
                "voor 100% van de aangeboden modules."),
        },
    ),
    Question(
        "data_location", "hosting",
        {"en": "Data location", "nl": "Locatie van de gegevens"},
        (Part("location", "text", {"en": "Data location", "nl": "Locatie van de gegevens"},
              maximum=MAX_TEXT),),
        "contract",
        {
            "en": Generated(
                "Data stored in {location}",
                "All production data, back-ups and log files are stored and processed in "
                "{location} only.",
                "The contract and the processing agreement list every data centre and "
                "sub-processor; 100% of them are in {location}."),
            "nl": Generated(
                "Gegevens opgeslagen in {location}",
                "Alle productiegegevens, back-ups en logbestanden worden uitsluitend in "
                "{location} opgeslagen en verwerkt.",
                "Het contract en de verwerkersovereenkomst noemen elk datacenter en elke "
                "subverwerker; 100% daarvan bevindt zich in {location}."),
        },
        hint={"en": "For example: the EU/EEA, the Netherlands.",
              "nl": "Bijvoorbeeld: de EU/EER, Nederland."},
    ),
    Question(
        "platform", "hosting",
        {"en": "Hardware or platform it must run on",
         "nl": "Hardware of platform waarop het moet draaien"},
        (Part("platform", "text", {"en": "Platform", "nl": "Platform"}, maximum=MAX_TEXT),),
        "test",
        {
            "en": Generated(
                "Runs on {platform}",
                "The application runs on the hardware and platform IT management sets: "
                "{platform}.",
                "The vendor confirms in writing that the offered version is supported on "
                "{platform}; on our acceptance environment the 5 core tasks of the demo "
                "script run without errors."),
            "nl": Generated(
                "Draait op {platform}",
                "De applicatie draait op de hardware en het platform die ICT-beheer "
                "voorschrijft: {platform}.",
                "De leverancier bevestigt schriftelijk dat de aangeboden versie op "
                "{platform} wordt ondersteund; op onze acceptatieomgeving werken de 5 "
                "kerntaken uit het demoscript zonder fouten."),
        },
        hint={"en": "For example: Windows Server 2022 on VMware vSphere 8.",
              "nl": "Bijvoorbeeld: Windows Server 2022 op VMware vSphere 8."},
    ),
)

_STANDARDS = (
    Question(
        "sso", "standards",
        {"en": "Single sign-on (any of)", "nl": "Single sign-on (een van)"},
        (Part("protocols", "many", same("Single sign-on"), SSO_PROTOCOLS),),
        "test",
        {
            "en": Generated(
                "Single sign-on with {protocols}",
                "Users sign in through our identity provider with {protocols}; the "
                "application keeps no passwords of its own for them.",
                "In the test environment, 3 test users sign in through our identity "
                "provider with {protocols}, without a separate password."),
            "nl": Generated(
                "Single sign-on met {protocols}",
                "Gebruikers loggen in via onze identity provider met {protocols}; de "
                "applicatie bewaart geen eigen wachtwoorden voor hen.",
                "In de testomgeving loggen 3 testgebruikers via onze identity provider in "
                "met {protocols}, zonder apart wachtwoord."),
        },
    ),
    Question(
        "api", "standards",
        {"en": "API style (any of)", "nl": "API-stijl (een van)"},
        (Part("styles", "many", {"en": "API style", "nl": "API-stijl"}, API_STYLES),),
        "test",
        {
            "en": Generated(
                "API in {styles}",
                "Every object that users can see is available through a documented "
                "{styles} API for reading and writing.",
                "The published API documentation covers 100% of the objects in the demo "
                "script; our developer reads and writes 1 contact through the API in the "
                "test environment."),
            "nl": Generated(
                "API in {styles}",
                "Elk object dat gebruikers zien is via een gedocumenteerde {styles}-API te "
                "lezen en te schrijven.",
                "De gepubliceerde API-documentatie dekt 100% van de objecten uit het "
                "demoscript; onze ontwikkelaar leest en schrijft in de testomgeving 1 "
                "contactpersoon via de API."),
        },
    ),
    Question(
        "accessibility", "standards",
        {"en": "Accessibility level", "nl": "Toegankelijkheidsniveau"},
        (Part("level", "one", {"en": "Accessibility level", "nl": "Toegankelijkheidsniveau"},
              ACCESSIBILITY_LEVELS),),
        "document",
        {
            "en": Generated(
                "Accessibility: {level}",
                "The screens users work with meet {level}.",
                "An accessibility report of at most 12 months old shows that the screens of "
                "the 5 core tasks meet {level}."),
            "nl": Generated(
                "Toegankelijkheid: {level}",
                "De schermen waarmee gebruikers werken voldoen aan {level}.",
                "Een toegankelijkheidsrapport van maximaal 12 maanden oud toont dat de "
                "schermen van de 5 kerntaken aan {level} voldoen."),
        },
    ),
    Question(
        "norm", "standards",
        {"en": "Security and privacy norms", "nl": "Normen voor beveiliging en privacy"},
        (Part("norm", "one", {"en": "Norm", "nl": "Norm"}, NORMS),),
        "document",
        {
            "en": Generated(
                "Complies with {norm}",
                "The vendor and the service offered comply with {norm}.",
                "The vendor shows a valid certificate, assessment or audit report for {norm} "
                "of at most 12 months old, covering the service offered."),
            "nl": Generated(
                "Voldoet aan {norm}",
                "De leverancier en de aangeboden dienst voldoen aan {norm}.",
                "De leverancier toont een geldig certificaat, assessment of auditrapport "
                "voor {norm} van maximaal 12 maanden oud dat de aangeboden dienst dekt."),
        },
        slot="standards.norm.{norm}",
        repeat="each",
        hint={"en": "Each norm you tick becomes its own requirement.",
              "nl": "Elke norm die u aanvinkt wordt een eigen eis of wens."},
    ),
)

_BROWSERS = (
    Question(
        "browser", "browsers",
        {"en": "Browsers and devices", "nl": "Browsers en apparaten"},
        (
            Part("browser", "one", same("Browser"), BROWSERS),
            Part("device", "one", {"en": "Device", "nl": "Apparaat"}, DEVICES),
            Part("min_version", "whole", {"en": "Minimum version", "nl": "Minimale versie"},
                 maximum=10_000, optional=True,
                 present={"en": "version {value} or later", "nl": "versie {value} of nieuwer"},
                 blank={"en": "the 2 most recent major versions",
                        "nl": "de 2 nieuwste hoofdversies"}),
        ),
        "test",
        {
            "en": Generated(
                "{browser} {min_version} or later on {device}",
                "All modules work in {browser} ({min_version_words}) on {device}.",
                "The 5 core tasks of the demo script run without errors in {browser} "
                "({min_version_words}) on {device}.",
                title_blank="{browser}, the 2 most recent major versions, on {device}"),
            "nl": Generated(
                "{browser} {min_version} of nieuwer op {device}",
                "Alle modules werken in {browser} ({min_version_words}) op {device}.",
                "De 5 kerntaken uit het demoscript werken zonder fouten in {browser} "
                "({min_version_words}) op {device}.",
                title_blank="{browser}, de 2 nieuwste hoofdversies, op {device}"),
        },
        slot="browsers.{browser}.{device}",
        repeat="rows",
        hint={"en": "One row per browser and device; each row becomes one requirement. Leave "
                    "the version empty for “the 2 most recent major versions”.",
              "nl": "Eén rij per browser en apparaat; elke rij wordt één eis of wens. Laat de "
                    "versie leeg voor “de 2 nieuwste hoofdversies”."},
    ),
)

_BACKUP = (
    Question(
        "rpo", "backup",
        {"en": "RPO: data loss at most (hours)",
         "nl": "RPO: hooguit zoveel gegevensverlies (uren)"},
        (Part("hours", "number", {"en": "Hours", "nl": "Uren"}, maximum=24 * 365),),
        "contract",
        {
            "en": Generated(
                "Recovery point objective (RPO) of at most {hours} hours",
                "After a disaster, at most the data of the last {hours} hours can be lost.",
                "The SLA states an RPO of at most {hours} hours for all production data; "
                "the back-up policy shows at least 1 back-up per {hours} hours."),
            "nl": Generated(
                "Recovery point objective (RPO) van maximaal {hours} uur",
                "Na een calamiteit gaan hooguit de gegevens van de laatste {hours} uur "
                "verloren.",
                "De SLA vermeldt een RPO van maximaal {hours} uur voor alle "
                "productiegegevens; het back-upbeleid toont minimaal 1 back-up per {hours} "
                "uur."),
        },
        hint={"en": "Recovery point objective: how many hours of data may be lost at most.",
              "nl": "Recovery point objective: hoeveel uur aan gegevens hooguit verloren mag "
                    "gaan."},
    ),
    Question(
        "rto", "backup",
        {"en": "RTO: back in service within (hours)",
         "nl": "RTO: weer in bedrijf binnen (uren)"},
        (Part("hours", "number", {"en": "Hours", "nl": "Uren"}, maximum=24 * 365),),
        "contract",
        {
            "en": Generated(
                "Recovery time objective (RTO) of at most {hours} hours",
                "After a disaster, the application is available again within {hours} hours.",
                "The SLA states an RTO of at most {hours} hours; the last restore test "
                "report shows a full restore within {hours} hours."),
            "nl": Generated(
                "Recovery time objective (RTO) van maximaal {hours} uur",
                "Na een calamiteit is de applicatie binnen {hours} uur weer beschikbaar.",
                "De SLA vermeldt een RTO van maximaal {hours} uur; het laatste "
                "hersteltestrapport toont een volledig herstel binnen {hours} uur."),
        },
        hint={"en": "Recovery time objective: within how many hours the system is back.",
              "nl": "Recovery time objective: binnen hoeveel uur het systeem weer werkt."},
    ),
    Question(
        "retention", "backup",
        {"en": "Retention of back-ups (days)", "nl": "Bewaartermijn van back-ups (dagen)"},
        (Part("days", "whole", {"en": "Days", "nl": "Dagen"}, maximum=365 * 30),),
        "contract",
        {
            "en": Generated(
                "Back-ups kept for {days} days",
                "Back-ups are kept for {days} days, so that data lost or damaged unnoticed "
                "can still be restored.",
                "The back-up policy in the contract states a retention of at least {days} "
                "days for all production data."),
            "nl": Generated(
                "Back-ups {days} dagen bewaard",
                "Back-ups worden {days} dagen bewaard, zodat ook ongemerkt verloren of "
                "beschadigde gegevens nog te herstellen zijn.",
                "Het back-upbeleid in het contract vermeldt een bewaartermijn van minimaal "
                "{days} dagen voor alle productiegegevens."),
        },
    ),
    Question(
        "restore_test", "backup",
        {"en": "Restore test", "nl": "Hersteltest"},
        (
            Part("frequency", "one", {"en": "Restore test", "nl": "Hersteltest"},
                 RESTORE_FREQUENCIES),
            Part("restored_by", "one", {"en": "Who restores", "nl": "Wie herstelt"},
                 RESTORERS),
        ),
        "contract",
        {
            "en": Generated(
                "Restore tested {frequency}, by {restored_by}",
                "A restore of production data is tested {frequency}; restores are carried "
                "out by {restored_by}.",
                "The contract requires a restore test {frequency} by {restored_by}; the "
                "vendor shows the reports of the last 2 restore tests."),
            "nl": Generated(
                "Herstel getest {frequency}, door {restored_by}",
                "Het herstel van productiegegevens wordt {frequency} getest; herstel wordt "
                "uitgevoerd door {restored_by}.",
                "Het contract vereist {frequency} een hersteltest door {restored_by}; de "
                "leverancier toont de rapporten van de laatste 2 hersteltests."),
        },
    ),
)

AREAS: tuple[Area, ...] = (
    Area("hosting", {"en": "Hosting and hardware", "nl": "Hosting en hardware"}, "hosting",
         {"en": "hosting and hardware", "nl": "hosting en hardware"}, _HOSTING),
    Area("standards", {"en": "Standards", "nl": "Standaarden"}, "standards",
         {"en": "standards", "nl": "standaarden"}, _STANDARDS),
    Area("browsers", {"en": "Browsers and devices", "nl": "Browsers en apparaten"}, "browsers",
         same("browsers"), _BROWSERS),
    Area("backup", {"en": "Back-up and recovery", "nl": "Back-up en herstel"}, "backup",
         {"en": "back-up and recovery", "nl": "back-up en herstel"}, _BACKUP),
)
AREA = {a.key: a for a in AREAS}
QUESTIONS: dict[str, Question] = {q.key: q for a in AREAS for q in a.questions}

RATIONALE: Words = {"en": "IT management's requirement for {area}.",
                    "nl": "Eis van ICT-beheer voor {area}."}
OR: Words = {"en": "or", "nl": "of"}


# -- checking an answer ---------------------------------------------------------------------


class AnswerRefused(ValueError):
    """An answer breaks its question's rule. `part` is the key it concerns ("" for the
    answer as a whole); `reason` one of: not_object, unknown_key, missing, not_option,
    none_chosen, not_list, not_text, empty, too_long, not_number, out_of_range,
    not_whole. The form and the file each word it for their reader."""

    def __init__(self, reason: str, part: str = "", *, maximum: int = 0,
                 detail: Any = None) -> None:
        super().__init__(reason)
        self.reason, self.part, self.maximum, self.detail = reason, part, maximum, detail


def _check_part(part: Part, value: Any) -> Any:
    def refuse(reason: str, detail: Any = value) -> AnswerRefused:
        return AnswerRefused(reason, part.key, maximum=part.maximum, detail=detail)

    if part.kind == "one":
        if not isinstance(value, str) or value not in part.keys:
            raise refuse("not_option")
        return value
    if part.kind == "many":
        if not isinstance(value, list | tuple):
            raise refuse("not_list")
        if not value:
            raise refuse("none_chosen")
        wrong = [v for v in value if not isinstance(v, str) or v not in part.keys]
        if wrong or len(set(value)) != len(value):
            raise refuse("not_option", wrong[0] if wrong else value)
        return [k for k in part.keys if k in value]  # the catalogue's order
    if part.kind == "text":
        if not isinstance(value, str):
            raise refuse("not_text")
        text = " ".join(value.split())
        if not text:
            raise refuse("empty")
        if len(text) > part.maximum:
            raise refuse("too_long", len(text))
        return text
    # number or whole; `true` is no number, and a form's text is converted by the form
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse("not_number")
    if not math.isfinite(value) or value <= 0 or value > part.maximum:
        raise refuse("out_of_range")
    if part.kind == "whole":
        if value != int(value):
            raise refuse("not_whole")
        return int(value)
    return int(value) if value == int(value) else value


def check_answer(question: Question, value: Any) -> dict[str, Any]:
    """The answer checked and normalised (texts trimmed, options in catalogue order,
    3.0 as 3); `AnswerRefused` naming the part otherwise."""
    if not isinstance(value, Mapping):
        raise AnswerRefused("not_object")
    known = {p.key for p in question.parts}
    for key in value:
        if key not in known:
            raise AnswerRefused("unknown_key", str(key))
    result: dict[str, Any] = {}
    for part in question.parts:
        given = value.get(part.key)
        if part.optional and given is None:
            result[part.key] = None
        elif part.key not in value:
            raise AnswerRefused("missing", part.key)
        else:
            result[part.key] = _check_part(part, given)
    return result


# -- the generated requirement --------------------------------------------------------------


def number_text(number: float | int, language: str) -> str:
    text = f"{number:g}"
    return text.replace(".", ",") if language == "nl" else text


def value_words(part: Part, value: Any, language: str, *, in_sentence: bool = True) -> str:
    """An answer's part as words: options by their sentence words (or their labels for a
    table), several joined with "or", numbers in the language's notation."""
    if value is None:
        return words_in(part.blank, language) if part.blank else ""
    if part.kind in ("one", "many"):
        chosen = [value] if part.kind == "one" else list(value)
        names = []
        for key in chosen:
            option = part.option(key)
            words = (option.text if in_sentence else option.label) if option else same(key)
            names.append(words_in(words, language))
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + f" {words_in(OR, language)} " + names[-1]
    if part.kind in ("number", "whole"):
        return number_text(value, language)
    return str(value)


def generate(question: Question, value: Mapping[str, Any], language: str) -> dict[str, str]:
    """Title, description, verification criterion and rationale of the requirement one
    (checked) answer generates, in `language`."""
    texts = question.texts.get(language) or question.texts["en"]
    params: dict[str, str] = {}
    blank = False
    for part in question.parts:
        given = value.get(part.key)
        if part.optional:
            blank = blank or given is None
            params[part.key] = "" if given is None else str(given)
            params[f"{part.key}_words"] = (
                words_in(part.present, language).format(value=given)
                if given is not None and part.present else value_words(part, given, language))
        else:
            params[part.key] = value_words(part, given, language)
    title = (texts.title_blank if blank and texts.title_blank else texts.title).format(**params)
    area = AREA[question.area]
    return {
        "title": title[0].upper() + title[1:],
        "description": texts.description.format(**params),
        "verification_criterion": texts.criterion.format(**params),
        "rationale": words_in(RATIONALE, language).format(
            area=words_in(area.rationale, language)),
    }


def answer_words(question: Question, value: Mapping[str, Any], language: str) -> str:
    """An answer as a short line for a table, with the options' labels ("Microsoft Edge ·
    Desktop and laptop · version 120 or later")."""
    shown = []
    for part in question.parts:
        given = value.get(part.key)
        if part.optional:
            words = part.present if given is not None else part.blank
            shown.append(words_in(words, language).format(value=given) if words else "")
        else:
            shown.append(value_words(part, given, language, in_sentence=False))
    return " · ".join(s for s in shown if s)
