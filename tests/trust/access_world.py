"""The world of the trust tests (issue 10, points 1-3): two selections built through the
services from the example file, in a chosen phase, with every kind of object a URL can
point at, and the tools to walk every registered route against them.

* Selection A has a member per role. Its facilitator (Fenna) also facilitates B, so she
  can try A's ids in B's URLs and the other way round. "outsider" is a member of B only;
  "admin" is an instance admin in no selection.
* `fill` builds a URL for any rule, for whatever routes exist at run time: known
  argument names get an object of the right kind, unknown ones a harmless value.
* `harvest` reads every form the pages show (as a given member), so that POSTs carry the
  fields a real browser would send.
* `fingerprint` is what "nothing changed" means: per table its row count and a hash of
  its rows (login bookkeeping aside), the audit trail included.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Rule

from selector import access
from tests.conftest import EXAMPLE
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser

PHASES = ("requirements", "weighting", "scoring", "decision")
MEMBER_ROLES = ("facilitator", "business", "it", "sponsor", "observer")
IDENTITIES = (*MEMBER_ROLES, "outsider", "admin", "anonymous")
EMAILS = {
    "facilitator": "fenna@example.org",
    "business": "bram@example.org",
    "it": "ingrid@example.org",
    "sponsor": "marloes@example.org",
    "observer": "olga@example.org",
    "outsider": "b.bram@example.org",  # business member of B only
    "admin": "ada@example.org",
}
OTHER_BUSINESS = ("sanne@example.org", "youssef@example.org")
OTHER_IT = "koen@example.org"

# Tables whose rows are login bookkeeping, and columns that record a last use: they
# change when someone merely signs in or reads, and are left out of the fingerprint.
# `score_disclosures` records that a page (a refusal's page too) showed a member the
# others' scores (issue 17, item 13).
BOOKKEEPING_TABLES = {"login_sessions", "login_attempts", "upload_attempts", "alembic_version",
                      "score_disclosures"}
BOOKKEEPING_COLUMNS = {"last_used_at", "last_seen_at"}

# URL argument -> the kind of object it names (requirement ids depend on the route).
ARGUMENT_KINDS = {
    "requirement_id": "wish",
    "vendor_id": "vendor",
    "membership_id": "member",
    "category_id": "category",
    "attachment_id": "attachment",
    "report_id": "report",
    "invitation_id": "invitation",
    "question_id": "question",
    "proposal_id": "proposal",
}
MISSING = 987_654  # an id no row has


@dataclass
class Objects:
    """The ids of one selection's objects that URLs point at."""

    id: int
    ids: dict[str, int] = field(default_factory=dict)  # kind -> id
    category_key: str = "sales"


@dataclass
class World:
    phase: str
    a: Objects
    b: Objects
    link: str  # a valid set-password token
    accounts: dict[str, int]  # identity or label -> account id
    tokens: dict[str, tuple[int, str]]  # identity -> (API token id, secret)


# -- building -----------------------------------------------------------------------------


def _example(phase: str) -> dict[str, Any]:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["members"].append({"email": EMAILS["observer"], "name": "Olga Observer",
                           "role": "observer"})
    if phase != "decision":  # scores in a file put the selection in the decision phase
        doc.update(scores=[], consensus=[], knockouts=[])
    if phase == "requirements":
        doc["category_weights"] = []
    return doc


def _selection_b(doc: dict[str, Any]) -> dict[str, Any]:
    """B: the same content, its own committee (but the same facilitator)."""
    other = copy.deepcopy(doc)
    other["selection"]["name"] = "Beta CRM selection"

    def rename(email: str) -> str:
        return email if email == EMAILS["facilitator"] else f"b.{email}"

    for member in other["members"]:
        member["email"] = rename(member["email"])
    for key in ("category_weights", "scores"):
        for row in other.get(key) or []:
            row["member"] = rename(row["member"])
    return other


def _objects(session, selection_id: int) -> Objects:
    from selector.models import Account
    from selector.models import AnswerDocument
    from selector.models import Attachment
    from selector.models import Category
    from selector.models import FinalReport
    from selector.models import Invitation
    from selector.models import Membership
    from selector.models import Requirement
    from selector.models import Vendor
    from selector.models import VendorQuestion
    from selector.models import VerdictProposal

    def first(statement) -> int:
        found = session.scalar(statement.limit(1))
        return found if found is not None else MISSING

    objects = Objects(selection_id)
    objects.ids["wish"] = first(select(Requirement.id).where(
        Requirement.selection_id == selection_id, Requirement.code == "BUS-SAL-01"))
    objects.ids["knockout"] = first(select(Requirement.id).where(
        Requirement.selection_id == selection_id, Requirement.code == "IT-HST-01"))
    objects.ids["vendor"] = first(select(Vendor.id).where(
        Vendor.selection_id == selection_id, Vendor.key == "northwind"))
    objects.ids["member"] = first(
        select(Membership.id).join(Account, Account.id == Membership.account_id).where(
            Membership.selection_id == selection_id,
            Account.email.in_([EMAILS["business"], EMAILS["outsider"]])))
    objects.ids["spare_member"] = first(
        select(Membership.id).join(Account, Account.id == Membership.account_id).where(
            Membership.selection_id == selection_id,
            Account.email.in_(["youssef@example.org", "b.youssef@example.org"])))
    objects.ids["category"] = first(select(Category.id).where(
        Category.selection_id == selection_id).order_by(Category.position))
    objects.category_key = session.scalar(select(Category.key).where(
        Category.id == objects.ids["category"]))
    objects.ids["attachment"] = first(select(Attachment.id).where(
        Attachment.selection_id == selection_id, Attachment.verdict_id.is_not(None)))
    objects.ids["answer_document"] = first(
        select(AnswerDocument.attachment_id).join(Attachment,
                                                  Attachment.id == AnswerDocument.attachment_id)
        .where(Attachment.selection_id == selection_id))
    objects.ids["answering_vendor"] = first(select(Vendor.id).where(
        Vendor.selection_id == selection_id, Vendor.key == "polder"))
    objects.ids["report"] = first(select(FinalReport.id).where(
        FinalReport.selection_id == selection_id))
    objects.ids["invitation"] = first(select(Invitation.id).where(
        Invitation.selection_id == selection_id))
    objects.ids["question"] = first(select(VendorQuestion.id).where(
        VendorQuestion.selection_id == selection_id))
    objects.ids["proposal"] = first(select(VerdictProposal.id).where(
        VerdictProposal.selection_id == selection_id))
    return objects


def _vendor_answers(session, selection_id: int) -> None:
    """PolderSuite answers "no" to knock-out IT-HST-01 (a proposed verdict), with a
    document, and asks a question: the forms that confirm, override and publish then
    show."""
    from selector.models import Requirement
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import vendors
    from selector.services import verdicts

    selection = session.get(Selection, selection_id)
    polder = session.scalar(select(Vendor).where(
        Vendor.selection_id == selection_id, Vendor.key == "polder"))
    requirement = session.scalar(select(Requirement.id).where(
        Requirement.selection_id == selection_id, Requirement.code == "IT-HST-01"))
    vendors.save_answer(session, selection, polder, requirement,
                               vendors.AnswerInput("no", "Hosted in Virginia."), None,
                               actor_name="vendor:polder")
    vendors.add_document(  # the scoring sheet serves it to members
        session, selection, polder, requirement,
        verdicts.Upload("hosting.pdf", b"%PDF-1.4\n% hosting\n%%EOF\n"),
        actor_name="vendor:polder")
    vendors.ask_question(session, selection, polder, "Is single sign-on required?",
                         actor_name="vendor:polder")


def _attach_document(session, selection_id: int) -> None:
    """A verdict with a PDF document on knock-out IT-HST-01 for northwind."""
    from selector.models import Account
    from selector.models import Membership
    from selector.models import Requirement
    from selector.models import Selection
    from selector.models import Vendor
    from selector.models import Verdict
    from selector.services import verdicts

    selection = session.get(Selection, selection_id)
    fenna = session.scalar(select(Account).where(Account.email == EMAILS["facilitator"]))
    membership = session.scalar(select(Membership).where(
        Membership.selection_id == selection_id, Membership.account_id == fenna.id))
    requirement = session.scalar(select(Requirement.id).where(
        Requirement.selection_id == selection_id, Requirement.code == "IT-HST-01"))
    vendor = session.scalar(select(Vendor.id).where(
        Vendor.selection_id == selection_id, Vendor.key == "northwind"))
    version = session.scalar(select(Verdict.version).where(
        Verdict.vendor_id == vendor, Verdict.requirement_id == requirement))
    verdicts.record_verdict(
        session, selection, membership, fenna, vendor_id=vendor, requirement_id=requirement,
        passed=True, evidence="Hosting contract annex B, checked by the committee.",
        version=version,
        upload=verdicts.Upload("annex-b.pdf", b"%PDF-1.4\n% annex B\n%%EOF\n"))


def _declare_conflict(session, selection_id: int) -> None:
    """The business member declares a conflict with northwind (the facilitator's page
    then offers to exclude him: one more form with ids)."""
    from selector.models import Account
    from selector.models import Membership
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import scoring

    account, membership = session.execute(
        select(Account, Membership).join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == selection_id,
               Account.email.in_([EMAILS["business"], EMAILS["outsider"]]))).first()
    vendor = session.scalar(select(Vendor.id).where(
        Vendor.selection_id == selection_id, Vendor.key == "northwind"))
    scoring.declare_conflict(session, session.get(Selection, selection_id), membership,
                             account, vendor, "declared", "My brother-in-law sells it.")


def build_world(dbs, phase: str = "scoring", *, final_reports: bool = True) -> World:
    """Selections A and B in `phase`, every object URLs name, accounts with the test
    password (one cheap hash shared by all), API tokens and a set-password link."""
    from selector.models import Account
    from selector.models import Membership
    from selector.models import Selection
    from selector.services import accounts
    from selector.services import api_tokens
    from selector.services import invitations
    from selector.services import logins
    from selector.services import reports
    from selector.services import selection_file
    from selector.services import selections
    from selector.services import weighting

    assert phase in PHASES
    doc = _example(phase)
    with dbs.transaction() as session:
        ids = [selection_file.import_selection(session, doc),
               selection_file.import_selection(session, _selection_b(doc))]
        password_hash = accounts.hash_password(PASSWORD)
        session.add(Account(email=EMAILS["admin"], name="Ada Admin", is_admin=True,
                            password_hash=password_hash))
        session.add(Account(email="tara@example.org", name="Tara Spare",
                            password_hash=password_hash))
        newcomer = accounts.ensure_account(session, "nina@example.org", "Nina New")
        session.flush()
        for account in session.scalars(select(Account)):
            if account.password_hash is None and account.id != newcomer.id:
                account.password_hash = password_hash
        link = logins.issue_password_link(session, newcomer)
        fenna = session.scalar(select(Account).where(Account.email == EMAILS["facilitator"]))
        for selection_id in ids:
            selection = session.get(Selection, selection_id)
            membership = session.scalar(select(Membership).where(
                Membership.selection_id == selection_id, Membership.account_id == fenna.id))
            if phase == "scoring":
                weighting.freeze_weights(session, selection, membership, fenna)
                selections.change_phase(session, selection, fenna, "forward")
            if phase in ("scoring", "decision"):
                _attach_document(session, selection_id)
            if phase == "decision":  # the sponsor's page then shows the decision form
                reports.write_recommendation(
                    session, selection, membership, fenna,
                    text="Choose Northwind CRM.\n\nIt fits the sales process best.")
            if phase == "scoring":
                _declare_conflict(session, selection_id)
            invitations.invite(session, selection, fenna,
                               f"ivo.{selection_id}@example.org", "observer")
            _vendor_answers(session, selection_id)
        session.flush()
        if phase == "decision" and final_reports:
            for selection_id in ids:
                reports.issue_final_report(session, selection_id, fenna, "en")
        tokens = {}
        account_ids = {}
        for identity, email in EMAILS.items():
            account = session.scalar(select(Account).where(Account.email == email))
            account_ids[identity] = account.id
            created = api_tokens.create_token(session, account, "trust tests")
            tokens[identity] = (created.token.id, created.secret)
        account_ids["spare"] = session.scalar(
            select(Account.id).where(Account.email == "tara@example.org"))
        a, b = (_objects(session, selection_id) for selection_id in ids)
    return World(phase, a, b, link.token, account_ids, tokens)


# -- signing in ---------------------------------------------------------------------------


def sign_in(app, identity: str) -> Browser:
    browser = Browser(app)
    if identity == "anonymous":
        browser.refresh_token()
    else:
        browser.login(EMAILS[identity], PASSWORD)
    return browser


# -- routes and URLs ----------------------------------------------------------------------


def routes(app) -> list[Rule]:
    """Every registered rule but static files, in a stable order."""
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                  key=lambda r: (r.rule, r.endpoint))


def action_of(app, rule: Rule) -> str:
    return access.declared_action(app.view_functions[rule.endpoint], rule.endpoint)


def is_selection_route(rule: Rule) -> bool:
    return "selection_id" in rule.arguments


def writes(rule: Rule) -> bool:
    return bool(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})


def kind_of(rule: Rule, argument: str) -> str | None:
    if argument == "requirement_id" and "verdict" in rule.endpoint:
        return "knockout"  # verdicts are recorded on knock-outs
    if rule.endpoint == "scoring.answer_document":  # PolderSuite's evidence (issue 20)
        return {"vendor_id": "answering_vendor",
                "attachment_id": "answer_document"}.get(argument)
    return ARGUMENT_KINDS.get(argument)


def fill(rule: Rule, world: World, objects: Objects | None = None, *,
         swap: str | None = None, identity: str = "facilitator",
         values_of: dict[str, Any] | None = None) -> str:
    """A URL for `rule` in selection `objects` (A by default). With `swap`, the argument
    of that name takes the same kind of object from the other selection; `values_of`
    sets arguments outright."""
    objects = objects or world.a
    other = world.b if objects is world.a else world.a
    values: dict[str, Any] = {}
    for name in rule.arguments:
        source = other if name == swap else objects
        kind = kind_of(rule, name)
        if name == "selection_id":
            values[name] = objects.id
        elif kind is not None:
            values[name] = source.ids.get(kind, MISSING)
        elif name == "category":
            values[name] = source.category_key
        elif name == "domain":
            values[name] = "business"
        elif name == "token":
            values[name] = world.link
        elif name == "token_id":
            values[name] = world.tokens.get(identity, (MISSING, ""))[0]
        elif name == "account_id":
            values[name] = world.accounts["spare"]
        elif isinstance(rule._converters.get(name), IntegerConverter):
            values[name] = 1  # a route added later with an id this module does not know
        else:
            values[name] = "x"
    values.update({k: v for k, v in (values_of or {}).items() if k in rule.arguments})
    _, path = rule.build(values, append_unknown=False)
    return path


def swappable(rule: Rule) -> list[str]:
    """The id arguments of a selection route that name an object of the selection."""
    return [name for name in rule.arguments
            if name != "selection_id" and kind_of(rule, name) is not None]


# -- forms --------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form method=post> of a page: its action and the fields it would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []
        self._fields: list[tuple[str, str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = []
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._fields.append((a["name"], kind + "-unchecked", a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                self._fields.append((a["name"], kind, a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._fields is None:
            return
        if tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options if v]
            self._fields.append((self._select, "select", chosen[0] if chosen else ""))
            self._fields.append((self._select, "options", "\x1f".join(
                v for v, _ in self._options)))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, "textarea", self._text))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def parse_forms(page_path: str, html: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    parser = _Forms()
    parser.feed(html)
    found = []
    for action, fields in parser.forms:
        target = action or page_path
        found.append((target.split("#")[0], fields))
    return found


def plausible(fields: list[tuple[str, str, str]]) -> dict[str, Any]:
    """What a person filling in the form would send: shown values, something in every
    empty text field, the chosen option, checked boxes."""
    data: dict[str, Any] = {}
    for name, kind, value in fields:
        if name.endswith("csrf_token"):
            continue  # the sender puts its own session's token in (see `with_token`)
        if kind in ("options", "file") or kind.endswith("-unchecked"):
            continue
        if not value and kind in ("text", "textarea", "search", "url", "tel"):
            value = "Checked by the trust tests."
        elif not value and kind == "number":
            value = "1"
        elif not value and kind == "email":
            value = "trust@example.org"
        elif not value and kind == "password":
            value = PASSWORD
        add_field(data, name, value)
    return data


def add_field(data: dict[str, Any], name: str, value: str) -> None:
    """Put a field as the browser sends it: a name that repeats posts all its values."""
    if name in data:
        existing = data[name]
        data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        data[name] = value


DOWNLOADS = (".pdf", ".xlsx", ".json", ".csv", ".svg", ".png")


def harvest(app, world: World, identities=("facilitator", "business"), endpoints=None
            ) -> dict[str, list[list[tuple[str, str, str]]]]:
    """path -> the forms (field lists) that post to it, from every GET page of A (and
    the account pages) as these members see them; only the pages of `endpoints` when
    given."""
    found: dict[str, list[list[tuple[str, str, str]]]] = {}
    for identity in identities:
        browser = sign_in(app, identity)
        for rule in routes(app):
            if "GET" not in rule.methods or rule.rule.endswith(DOWNLOADS):
                continue
            if endpoints is not None and rule.endpoint not in endpoints:
                continue
            path = fill(rule, world, identity=identity)
            response = browser.get(path)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            for target, fields in parse_forms(path, response.get_data(as_text=True)):
                found.setdefault(target.split("?")[0], []).append(fields)
    return found


def mapping_step_forms(app, world: World) -> dict[str, list[list[tuple[str, str, str]]]]:
    """The form of the requirement import's mapping step, which only an upload shows (so
    `harvest` never sees it): a Dutch tender workbook uploaded by A's facilitator. The
    same form posts to "Check again" and to the import (the second button's
    `formaction`)."""
    from tests.requirements.test_own_files import tender_workbook

    browser = sign_in(app, "facilitator")
    base = f"/selections/{world.a.id}/requirements/import"
    response = browser.client.post(base, data={
        "csrf_token": browser.csrf, "file": (io.BytesIO(tender_workbook()), "pve.xlsx")},
        content_type="multipart/form-data")
    found: dict[str, list[list[tuple[str, str, str]]]] = {}
    if response.status_code != 200:
        return found
    for target, fields in parse_forms(base, response.get_data(as_text=True)):
        if target.endswith("/import/check"):
            found.setdefault(target, []).append(fields)
            found.setdefault(f"{base}/commit", []).append(fields)
    return found


# Pages and downloads filtered by a GET form (the query string): no form posts there, so
# `harvest` never sees them. Endpoint -> the fields the filter form sends.
AUDIT_FILTERS = ("person", "kind", "since", "until", "page")
QUERY_FILTERS = {
    "audit.page": AUDIT_FILTERS,
    "audit.export_xlsx": AUDIT_FILTERS,
    "audit.export_csv": AUDIT_FILTERS,
}


def has_form(forms: dict, path: str) -> bool:
    """Does some page show a form that posts to `path`?"""
    return path.split("?")[0] in forms


def form_data(forms: dict, path: str) -> dict[str, Any]:
    """The plausible data of the forms that post to `path` (merged), or {}. A form with
    a prefix has its own token field: it is listed with an empty value."""
    merged: dict[str, Any] = {}
    for fields in forms.get(path.split("?")[0], []):
        for name, value in plausible(fields).items():
            merged.setdefault(name, value)
        for name, _kind, _value in fields:
            if name.endswith("csrf_token") and name != "csrf_token":
                merged.setdefault(name, "")
    return merged


def with_token(data: dict[str, Any], token: str) -> dict[str, Any]:
    """`data` with this session's CSRF token in `csrf_token` and in every prefixed token
    field (`v15-1-csrf_token`)."""
    return {**{k: (token if k.endswith("csrf_token") else v) for k, v in data.items()},
            "csrf_token": token}


# -- what changed -------------------------------------------------------------------------


def _fingerprint_queries(dbs) -> list[tuple[str, str]]:
    from selector.models import Base

    queries = []
    quote = dbs.engine.dialect.identifier_preparer.quote
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING_TABLES:
            continue
        columns = ", ".join(quote(c.name) for c in table.columns
                            if c.name not in BOOKKEEPING_COLUMNS)
        order = ", ".join(quote(c.name) for c in table.primary_key.columns)
        queries.append((table.name, f"SELECT {columns} FROM {quote(table.name)} ORDER BY {order}"))
    return queries


def _postgres_fingerprint_query(dbs) -> str:
    """One statement for all tables: PostgreSQL hashes each table's rows itself, so a
    fingerprint is one round trip instead of one query (and all rows) per table."""
    parts = []
    for name, query in _fingerprint_queries(dbs):
        columns, rest = query.removeprefix("SELECT ").split(" FROM ", 1)
        table, order = rest.split(" ORDER BY ", 1)
        parts.append(
            f"SELECT '{name}', count(*), md5(coalesce(string_agg(ROW({columns})::text, '|' "
            f"ORDER BY {order}), '')) FROM {table}")
    return " UNION ALL ".join(parts)


def fingerprint(dbs) -> dict[str, tuple[int, str]]:
    """Per table: the number of rows and a hash of their contents (plain SQL through
    the driver: it runs after every refused request, so it must be cheap)."""
    if dbs.engine.dialect.name == "postgresql":
        with dbs.engine.connect() as connection:
            rows = connection.exec_driver_sql(_postgres_fingerprint_query(dbs)).fetchall()
        return {name: (count, digest) for name, count, digest in rows}
    result = {}
    with dbs.engine.connect() as connection:
        for name, query in _fingerprint_queries(dbs):
            rows = connection.exec_driver_sql(query).fetchall()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            result[name] = (len(rows), digest)
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


# -- reading responses --------------------------------------------------------------------


def response_text(response) -> str:
    """What a response says, PDFs and spreadsheets (zip) included, for leak searches."""
    body = response.get_data()
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(body))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # a stub PDF (an uploaded document): its raw bytes
            return body.decode("latin-1")
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist())
    return body.decode("utf-8", "replace")


def visible_text(html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)
