"""Hostile and legitimate requirement workbooks, and a facilitator who uploads them in a
loop while the committee scores (security issue 17, item 2). Shared by the trust tests
(`tests/trust/test_upload_attacks.py`, `tests/trust/test_upload_load.py`), the import
tests (`tests/requirements/test_spreadsheets.py`) and the benchmark
`benchmarks/upload_load.py`.

The workbooks are written by hand (a minimal .xlsx: content types, relationships, a
workbook and one sheet of inline strings), so a hostile one takes milliseconds to make:

* `nested`: 2,000,000 elements nested in one row, 15 KB on disk (openpyxl: 8-14 s);
* `moved_sheet`: 200,000 empty rows in a sheet stored outside `xl/worksheets/`, which
  the row count once skipped;
* `flat`: as many cells of long text as the unpacked-size limit allows (openpyxl works
  on it for seconds: the sandbox's CPU limit ends it);
* `legitimate`: a 5,000-row catalogue with the selection's own categories.

Only loopback traffic (127.0.0.1), every loop bounded in count and time.
"""

from __future__ import annotations

import http.client
import io
import re
import threading
import time
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from xml.sax.saxutils import escape

from benchmarks.scoring_load import PASSWORD
from benchmarks.scoring_load import HttpBrowser

MAIN = "http://schemas.openxmlformats.org"
HEADER = ("category", "title", "priority")


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row(number: int, values) -> str:
    cells = "".join(f'<c r="{_column(i)}{number}" t="inlineStr"><is><t>{escape(str(v))}'
                    f"</t></is></c>" for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def workbook(sheet_xml: bytes, *, sheet_path: str = "xl/worksheets/sheet1.xml",
             filler: bytes = b"") -> bytes:
    """A minimal .xlsx whose one sheet, "Requirements", is `sheet_xml` at `sheet_path`;
    `filler`, if any, is stored beside it as a media part."""
    target = sheet_path[3:] if sheet_path.startswith("xl/") else "/" + sheet_path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<Types xmlns="{MAIN}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/{sheet_path}" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            f'<Relationships xmlns="{MAIN}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{MAIN}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{MAIN}/spreadsheetml/2006/main" '
            f'xmlns:r="{MAIN}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Requirements" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{MAIN}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{MAIN}/officeDocument/2006/relationships/worksheet" '
            f'Target="{target}"/></Relationships>'))
        archive.writestr(sheet_path, sheet_xml)
        if filler:
            archive.writestr("xl/media/filler.bin", filler)
    return buffer.getvalue()


def _sheet(body: str) -> bytes:
    return (f'<worksheet xmlns="{MAIN}/spreadsheetml/2006/main"><sheetData>{body}'
            "</sheetData></worksheet>").encode()


def sheet(rows) -> bytes:
    """A sheet of inline strings: one row per item of `rows`, one cell per value."""
    return _sheet("".join(_row(number, values) for number, values in enumerate(rows, 1)))


def nested(depth: int = 2_000_000) -> bytes:
    """A header, one requirement, and a row with `depth` nested elements."""
    body = _row(1, HEADER) + _row(2, ("sales", "Lead scoring", "must"))
    return workbook(_sheet(body + '<row r="3">' + "<a>" * depth + "</a>" * depth + "</row>"))


def moved_sheet(rows: int = 200_000, *, moved: bool = True) -> bytes:
    """A header, one requirement, then `rows` empty rows, in a sheet stored outside
    `xl/worksheets/` (or inside, `moved=False`)."""
    body = (_row(1, HEADER) + _row(2, ("sales", "Lead scoring", "must"))
            + "".join(f'<row r="{n}"/>' for n in range(3, rows + 3)))
    path = "xl/data/list.xml" if moved else "xl/worksheets/sheet1.xml"
    return workbook(_sheet(body), sheet_path=path)


def flat(limit: int = 24 * 1024 * 1024) -> bytes:
    """Rows of 30 long text cells up to about `limit` bytes unpacked: under every
    structural limit, but long work for a parser."""
    text = "x" * 300
    row_size = len(_row(9999, [text] * 30))
    count = min(5_000, limit // row_size)
    body = _row(1, HEADER) + "".join(_row(n, [text] * 30) for n in range(2, count + 2))
    return workbook(_sheet(body))


def legitimate(category_keys: list[str], rows: int = 5_000) -> bytes:
    """A catalogue of `rows` new requirements, written by openpyxl as Excel would."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Requirements"
    sheet.append(["category", "title", "description", "priority", "verification_criterion"])
    for n in range(rows):
        sheet.append([category_keys[n % len(category_keys)], f"Imported wish {n}: lead "
                      f"registration variant {n * 7919 % 10007}",
                      "What the organisation wants to achieve, described at some length. " * 2,
                      ("must", "should", "could")[n % 3], f"In the demo, case {n} works."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_uploads(url: str, selection_id: int) -> list[tuple[str, bytes]]:
    """The workbooks (kind, content) the facilitator uploads in a loop, heavy ones first;
    the legitimate catalogue uses the categories of the selection in the database at `url`."""
    from sqlalchemy import create_engine
    from sqlalchemy import select

    from selector.models import Category

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            keys = list(connection.scalars(select(Category.key).where(
                Category.selection_id == selection_id)))
    finally:
        engine.dispose()
    return [("long texts", flat()), ("nested", nested()), ("5,000 rows", legitimate(keys)),
            ("moved sheet", moved_sheet())]


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with `fields` and one file field named "file"."""
    boundary = f"----selector{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


_CSRF = re.compile(rb'name="csrf-token" content="([^"]+)"')


@dataclass
class UploadLog:
    """What the uploader saw: status counts and seconds per kind of workbook."""

    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, *statuses: int) -> int:
        return sum(n for by_status in self.statuses.values()
                   for s, n in by_status.items() if s in statuses)

    def server_errors(self) -> dict[str, dict[int, int]]:
        return {kind: {s: n for s, n in counts.items() if s >= 500}
                for kind, counts in self.statuses.items() if any(s >= 500 for s in counts)}


class Uploader(HttpBrowser):
    """A facilitator in a browser, uploading workbooks to the import page."""

    def __init__(self, port: int, email: str, selection_id: int, log: UploadLog) -> None:
        super().__init__(port, timeout=60)
        self.email = email
        self.path = f"/selections/{selection_id}/requirements/import"
        self.log = log

    request = HttpBrowser.exchange  # the uploads read Retry-After

    def log_in(self) -> str:
        from urllib.parse import urlencode

        _, page, _ = self.request("GET", "/login")
        token = _CSRF.search(page).group(1).decode()
        status, _, _ = self.request(
            "POST", "/login",
            urlencode({"email": self.email, "password": PASSWORD, "csrf_token": token})
            .encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (self.email, status)
        status, page, _ = self.request("GET", self.path)
        assert status == 200, (self.email, status)
        return _CSRF.search(page).group(1).decode()

    def upload(self, token: str, kind: str, filename: str, content: bytes) -> int:
        body, content_type = multipart({"csrf_token": token}, filename, content)
        started = time.perf_counter()
        status, _, _ = self.request("POST", self.path, body, {"Content-Type": content_type})
        with self.log.lock:
            self.log.statuses[kind][status] += 1
            self.log.seconds[kind].append(time.perf_counter() - started)
        return status


def upload_loop(port: int, email: str, selection_id: int, files: list[tuple[str, bytes]],
                until: float, log: UploadLog, max_uploads: int = 200) -> None:
    """Upload `files` (kind, content) one after another, round and round, until `until`
    (but at least one round)."""
    uploader = Uploader(port, email, selection_id, log)
    try:
        token = uploader.log_in()
        for number in range(max_uploads):
            if time.monotonic() >= until and number >= len(files):
                return
            kind, content = files[number % len(files)]
            uploader.upload(token, kind, f"{kind}.xlsx", content)
    except (OSError, http.client.HTTPException, AssertionError) as error:
        with log.lock:
            log.failures.append(f"{email}: {type(error).__name__} {error}")


def start_uploaders(port: int, email: str, selection_id: int, files: list[tuple[str, bytes]],
                    seconds: float, log: UploadLog, count: int = 2) -> list[threading.Thread]:
    """`count` browsers of one facilitator uploading in a loop for `seconds`."""
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=upload_loop,
                                args=(port, email, selection_id, files, until, log),
                                daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads
