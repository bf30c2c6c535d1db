"""Security issue 17, items 2, 3 and 6, each attack as it was made: hostile workbooks
(deep nesting, a sheet moved out of `xl/worksheets/`, parsing while the database is
locked, uploads in a loop), the disk filled with refused uploads and documents, and a
category key that became a live formula in the export's hidden sheet.

The same attack under load (members saving through gunicorn meanwhile) is
`test_upload_load.py`."""

from __future__ import annotations

import io
import re
import sqlite3
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import make_url

from benchmarks import uploadkit
from selector.domain.requirement_mapping import Sheet
from selector.models import Account
from selector.models import Attachment
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.models import UploadAttempt
from selector.services import sandbox
from selector.services import spreadsheets
from selector.services import verdicts
from selector.services.errors import ServiceError
from selector.services.spreadsheets import SpreadsheetError
from tests.requirements.conftest import FENNA
from tests.requirements.conftest import ROLES
from tests.requirements.conftest import build_world
from tests.scoring.conftest import build_scoring_selection
from tests.scoring.helpers import tulip_fails_browser_check
from tests.web.conftest import Browser

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def problems_of(data: bytes, filename: str = "list.xlsx") -> list[str]:
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.read_workbook(data, filename)
    return [str(p) for p in refused.value.problems]


# -- item 2: hostile workbooks ------------------------------------------------------------


def test_two_million_nested_elements_are_refused_at_once():
    data = uploadkit.nested(2_000_000)
    assert len(data) < 20_000  # 15 KB on disk; openpyxl needed 8-14 s for it
    started = time.perf_counter()
    assert problems_of(data) == [
        "This .xlsx file nests its elements more than 64 levels deep, which no spreadsheet "
        "program does; it was not opened."]
    assert time.perf_counter() - started < 4  # the sandbox's start included


def test_rows_are_counted_in_a_sheet_moved_out_of_the_worksheets_folder():
    """200,000 empty rows: refused before openpyxl opens the sheet, wherever it lies
    (a moved sheet was opened, and its empty rows let it through)."""
    too_many = ["The sheet has more than 5000 rows of requirements; split it into smaller "
                "files."]
    assert problems_of(uploadkit.moved_sheet(moved=False)) == too_many
    assert problems_of(uploadkit.moved_sheet(moved=True)) == too_many


def test_the_sandbox_holds_a_parse_to_its_time_and_memory_limits():
    legitimate = uploadkit.legitimate(["sales"], rows=2_000)
    assert len(sandbox.run("xlsx-sheets", legitimate)[0]["rows"]) == 2_001
    flat = uploadkit.flat()
    with pytest.raises(sandbox.Failed) as cpu:
        sandbox.run("xlsx-sheets", flat, sandbox.Limits(cpu_seconds=1))
    assert cpu.value.reason == "time"
    with pytest.raises(sandbox.Failed) as wall:
        sandbox.run("xlsx-sheets", flat, sandbox.Limits(wall_seconds=0.3))
    assert wall.value.reason == "time"
    with pytest.raises(sandbox.Failed) as memory:
        sandbox.run("xlsx-sheets", flat, sandbox.Limits(memory_bytes=64 * 1024 * 1024))
    assert memory.value.reason == "memory"


def test_the_sandbox_gets_no_secrets_and_gives_back_plain_values(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "never-in-the-child")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///never-in-the-child.db")
    env = sandbox._child_env()
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    sheets = sandbox.run("csv-sheets", b"category;title\nsales;=1+1\n")
    assert sheets == [{"name": "", "rows": [[1, ["category", "title"]], [2, ["sales", "=1+1"]]],
                       "wide": False}]
    with pytest.raises(ValueError):
        sandbox.run("no-such-task", b"")


def test_a_refused_upload_is_refused_with_its_message(app, dbs, committee):
    """Through the page: the deep workbook gets its sentence beside the file field."""
    fenna = facilitator(app, committee)
    response = upload(fenna, committee, uploadkit.nested(), "deep.xlsx")
    assert response.status_code == 422
    assert "nests its elements more than 64 levels deep" in response.get_data(as_text=True)


def test_no_transaction_is_open_while_an_upload_is_parsed(app, dbs, committee, monkeypatch):
    """The parse runs with the request's transaction ended: on SQLite another writer
    (a member saving a score) gets the write lock at once meanwhile. Before, the upload
    held BEGIN IMMEDIATE from its first query to its end: saves waited, then failed."""
    from flask import g

    seen: list[tuple[bool, str]] = []
    real = spreadsheets.read_workbook

    def watched(data, filename):
        session = g.get("session")
        open_transaction = session is not None and session.in_transaction()
        seen.append((open_transaction, _probe_write(dbs)))
        return real(data, filename)

    monkeypatch.setattr(spreadsheets, "read_workbook", watched)
    fenna = facilitator(app, committee)
    csv = b"category,title,priority\nsales,Lead scoring,should\n"
    preview = upload(fenna, committee, csv, "catalogue.csv")
    assert preview.status_code == 200
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"',
                      preview.get_data(as_text=True)).group(1)
    committed = fenna.post(f"{base(committee)}/import/commit",
                           {"token": token, "filename": "catalogue.csv"})
    assert committed.status_code == 302
    assert seen == [(False, "written"), (False, "written")]  # the preview, then the commit
    assert requirement_count(dbs) == 1


def _probe_write(dbs) -> str:
    """On SQLite: take the write lock without waiting, as another worker's save would."""
    if dbs.url.get_backend_name() != "sqlite":
        return "written"
    connection = sqlite3.connect(make_url(str(dbs.url)).database, timeout=0,
                                 isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return "written"
    except sqlite3.OperationalError as error:
        return str(error)  # "database is locked"
    finally:
        connection.close()


def test_uploads_are_limited_per_account_per_minute(app, dbs, committee):
    """A loop of uploads: the first `PER_MINUTE` are parsed (refused or not, they
    count), the next is answered 429 with Retry-After and is never parsed; the record
    is in the database, so every worker sees it."""
    fenna = facilitator(app, committee)
    hostile = uploadkit.nested(10_000)
    statuses = [upload(fenna, committee, hostile, "deep.xlsx").status_code
                for _ in range(spreadsheets.UPLOADS_PER_MINUTE)]
    assert statuses == [422] * spreadsheets.UPLOADS_PER_MINUTE
    limited = upload(fenna, committee, hostile, "deep.xlsx")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Too many uploads: at most 6 a minute." in limited.get_data(as_text=True)
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(UploadAttempt)) == 6
    # Another account is not held back by this one's uploads.
    with dbs.transaction() as session:
        spreadsheets.admit_upload(session, _account_id(session, committee.emails["it"]),
                                  "requirements", 1)


# -- item 3: the disk ---------------------------------------------------------------------


def test_refused_uploads_leave_nothing_on_disk(app, dbs, committee):
    """Files of almost 5 MB, refused: none stays in the upload folder (they stayed a day).
    (A file with problems in its rows is not refused: it goes to the mapping step.)"""
    fenna = facilitator(app, committee)
    junk = b"x" * (5 * 1024 * 1024 - 100)
    bad_rows = b"naam,adres\n" + b"Lead,Dorpsstraat 1\n" * 200  # no header row to map
    for data, name in ((junk, "junk.xlsx"), (bad_rows, "rows.csv"), (junk, "junk.csv")):
        assert upload(fenna, committee, data, name).status_code == 422
    assert stash_files(app) == []


def test_a_commit_refused_or_done_deletes_its_upload(app, dbs, committee):
    fenna = facilitator(app, committee)
    csv = b"category,title,priority\nsales,Lead scoring,should\n"
    token = preview_token(upload(fenna, committee, csv, "catalogue.csv"))
    assert len(stash_files(app)) == 1
    with dbs.transaction() as session:  # scoring opens: an import now needs a reason
        session.get(Selection, committee.selection_id).phase = "scoring"
    refused = fenna.post(f"{base(committee)}/import/commit",
                         {"token": token, "filename": "catalogue.csv"})
    assert refused.status_code == 422 and requirement_count(dbs) == 0
    assert stash_files(app) == []
    with dbs.transaction() as session:
        session.get(Selection, committee.selection_id).phase = "requirements"
    token = preview_token(upload(fenna, committee, csv, "catalogue.csv"))
    done = fenna.post(f"{base(committee)}/import/commit",
                      {"token": token, "filename": "catalogue.csv"})
    assert done.status_code == 302 and requirement_count(dbs) == 1
    assert stash_files(app) == []


def test_one_accounts_stash_is_capped(tmp_path):
    """Twenty previews of 5 MB left uncommitted: the account keeps at most the quota,
    its newest uploads; another account's stash is left alone."""
    other = spreadsheets.stash(tmp_path, 2, 1, b"category,title,priority\n", "other.csv")
    big = b"category,title,priority\n" + b"x" * (spreadsheets.MAX_UPLOAD - 30)
    tokens = [spreadsheets.stash(tmp_path, 1, 1, big, "big.csv") for _ in range(20)]
    assert spreadsheets.stashed_bytes(tmp_path, 1) <= spreadsheets.STASH_QUOTA
    assert spreadsheets.unstash(tmp_path, 1, 1, tokens[-1])[0] == big  # the newest stays
    with pytest.raises(SpreadsheetError):
        spreadsheets.unstash(tmp_path, 1, 1, tokens[0])  # the oldest made way
    assert spreadsheets.unstash(tmp_path, 2, 1, other)[1] == "csv"


def test_a_document_whose_transaction_rolls_back_is_deleted(db, example_doc, tmp_path,
                                                            monkeypatch):
    folder = tmp_path / "instance"
    monkeypatch.setenv("SELECTOR_INSTANCE", str(folder))
    ids = build_scoring_selection(db, example_doc)
    with pytest.raises(RuntimeError), db.transaction() as session:
        tulip_fails_browser_check(session, ids, verdicts.Upload("a.pdf", PDF))
        assert len(list((folder / "attachments").iterdir())) == 1  # written...
        raise RuntimeError("the request failed after the document was stored")
    assert list((folder / "attachments").iterdir()) == []  # ...and gone with the rollback
    with db.transaction() as session:  # a committed one stays
        saved = tulip_fails_browser_check(session, ids, verdicts.Upload("a.pdf", PDF))
        stored = saved.attachment.id
    assert [p.name for p in (folder / "attachments").iterdir()] == [str(stored)]


def test_one_accounts_documents_are_capped(db, example_doc, tmp_path, monkeypatch):
    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setattr(verdicts, "MAX_ACCOUNT_ATTACHMENTS", 3 * len(PDF))
    ids = build_scoring_selection(db, example_doc)
    version = None
    for _ in range(3):
        with db.transaction() as session:
            version = tulip_fails_browser_check(
                session, ids, verdicts.Upload("a.pdf", PDF), version).verdict.version
    with pytest.raises(ServiceError) as refused, db.transaction() as session:
        tulip_fails_browser_check(session, ids, verdicts.Upload("a.pdf", PDF), version)
    assert refused.value.field == "document"
    assert "the most one account may keep" in str(refused.value.message)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 3
    assert len(list((tmp_path / "instance" / "attachments").iterdir())) == 3


# -- item 6: every cell of every sheet ----------------------------------------------------

FORMULA_KEYS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1)",
                "\tTAB", "'=quoted"]


def test_every_cell_of_every_sheet_of_the_export_is_neutralised(db):
    """Category keys that look like formulas (as an imported selection file may hold
    them) in the hidden Lists sheet, the requirement rows and the help sheet: no cell
    is a formula, and the export still imports as it was."""
    world = build_world(db)
    with db.transaction() as session:
        categories = list(session.scalars(select(Category).where(
            Category.selection_id == world.selection).order_by(Category.id)))
        for category, key in zip(categories, FORMULA_KEYS, strict=False):
            category.key = key
        selection = session.get(Selection, world.selection)
        account = session.get(Account, world.accounts[FENNA])
        rows = [(1, ("category", "title", "priority"))] + [
            (n + 2, (FORMULA_KEYS[n % 4], f"=Wish {n}", "must")) for n in range(6)]
        spreadsheets.commit_import(session, selection, account, ROLES[FENNA],
                                   [Sheet("x.csv", tuple(rows))], "x.csv")
    with db.transaction(write=False) as session:
        selection = session.get(Selection, world.selection)
        exported = spreadsheets.export_requirements(session, selection)
        template = spreadsheets.template(session, selection)
    for data in (exported, template):
        book = load_workbook(io.BytesIO(data))
        assert {"Requirements", "Lists", "Columns"} <= set(book.sheetnames)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.value[:1] not in spreadsheets.FORMULA_START, (
                            sheet.title, cell.coordinate, cell.value)
    lists = load_workbook(io.BytesIO(exported))["Lists"]
    keys = [c.value for (c,) in lists.iter_rows(min_row=2, min_col=7, max_col=7)]
    assert keys[:len(FORMULA_KEYS)] == [spreadsheets.neutralise(k) for k in FORMULA_KEYS]
    # The round trip stays exact: the export imports again without a change.
    with db.transaction() as session:
        selection = session.get(Selection, world.selection)
        sheets = spreadsheets.read_workbook(exported, "export.xlsx")
        plan = spreadsheets.plan_import(session, selection, sheets)
        assert plan.problems == []
        assert {r.action for r in plan.rows} == {"unchanged"}
        titles = set(session.scalars(select(Requirement.title)))
    assert titles == {f"=Wish {n}" for n in range(6)}


# -- helpers ------------------------------------------------------------------------------


def base(committee) -> str:
    return f"/selections/{committee.selection_id}/requirements"


def facilitator(app, committee) -> Browser:
    browser = Browser(app)
    browser.login(committee.emails["facilitator"])
    browser.refresh_token(f"{base(committee)}/import")
    return browser


def upload(browser: Browser, committee, data: bytes, name: str):
    return browser.post(f"{base(committee)}/import", {"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def preview_token(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"',
                     response.get_data(as_text=True)).group(1)


def stash_files(app) -> list[str]:
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads" / "requirements"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def requirement_count(dbs) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Requirement))


def _account_id(session, email: str) -> int:
    return session.scalar(select(Account.id).where(
        Account.email == email))
