"""Untrusted spreadsheet bytes to plain rows; runs inside the sandbox (`sandbox.TASKS`).

Imports nothing of Flask, SQLAlchemy or the rest of the app (the sandbox's child starts
with this module alone). Refusals are `sandbox.Refused(reason, **params)`; the words of
the messages live with the caller (`spreadsheets.REFUSALS`), which translates them.

What the checks rely on, in order:

* The zip directory first: at most `MAX_PARTS` parts whose *declared* sizes add up to at
  most `MAX_UNPACKED` (a 195 KB .xlsx was measured to expand to 412 MB in openpyxl).
  Python's zipfile never decompresses a part beyond its declared size, so a directory
  that lies cannot get past this either.
* Then every part is run once through expat (the parser openpyxl's ElementTree uses)
  before openpyxl sees it: a part nested deeper than `MAX_DEPTH` elements is refused at
  that depth (2,000,000 nested elements kept openpyxl busy for 8-14 s), a DOCTYPE is
  refused, and the `row` elements of every part are counted, so a sheet of 100,000 rows
  is refused before openpyxl opens it, whatever the part is called (a sheet moved out of
  `xl/worksheets/` was not counted before). A part that is no XML stops expat at once.
* openpyxl reads in read-only mode (rows streamed), with defusedxml (no entities), never
  evaluating formulas; iteration stops at `MAX_ROWS` and `MAX_COLUMNS`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any
from xml.parsers import expat

from selector.services.sandbox import Refused

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNPACKED = 25 * 1024 * 1024
MAX_PARTS = 500
MAX_ROWS = 5_000
# Row elements one part may hold: twice the cap, so that a few formatted empty rows do
# not count.
MAX_ROW_ELEMENTS = 2 * MAX_ROWS + 1
MAX_COLUMNS = 30
# Excel's own parts nest about 12 deep (charts, themes); 64 leaves room for any tool.
MAX_DEPTH = 64

Row = tuple[int, list[Any]]


class _Stop(Exception):
    pass


def _scan_part(stream: Any) -> tuple[int, int]:
    """(row elements, deepest nesting) of one part, stopping early past the limits.
    Raises Refused for a DOCTYPE; a part that is not XML ends the scan quietly (openpyxl
    cannot read it either)."""
    parser = expat.ParserCreate()
    state = {"depth": 0, "deepest": 0, "rows": 0}

    def start(name: str, _attributes: Any) -> None:
        depth = state["depth"] = state["depth"] + 1
        if depth > state["deepest"]:
            state["deepest"] = depth
            if depth > MAX_DEPTH:
                raise _Stop
        if name == "row" or name.endswith(":row"):
            state["rows"] += 1
            if state["rows"] > MAX_ROW_ELEMENTS:
                raise _Stop

    def end(_name: str) -> None:
        state["depth"] -= 1

    def doctype(*_args: Any) -> None:
        raise Refused("unreadable_xlsx")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(1024 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Stop, expat.ExpatError):
        pass
    return state["rows"], state["deepest"]


def check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx, would unpack to too much, nests too deep or holds too
    many rows, before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused("not_xlsx") from None
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if len(parts) > MAX_PARTS:
            raise Refused("too_many_parts")
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise Refused("not_xlsx")
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED:
            raise Refused("unpacked_too_large", size=unpacked // (1024 * 1024),
                          limit=MAX_UNPACKED // (1024 * 1024))
        for part in parts:
            try:
                with archive.open(part) as stream:
                    rows, deepest = _scan_part(stream)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                raise Refused("unreadable_xlsx") from None
            if deepest > MAX_DEPTH:
                raise Refused("too_deep", depth=MAX_DEPTH)
            if rows > MAX_ROW_ELEMENTS:
                raise Refused("too_many_rows", count=MAX_ROWS)


def xlsx_rows(data: bytes) -> list[Row]:
    """(row number, cell values) of the "Requirements" sheet, else the first one."""
    check_container(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                 keep_links=False, keep_vba=False)
    except MemoryError:  # the sandbox's limit: the caller says so
        raise
    except Exception:  # openpyxl raises many kinds on broken files
        raise Refused("unreadable_xlsx") from None
    try:
        names = workbook.sheetnames
        sheet = workbook["Requirements"] if "Requirements" in names else workbook[names[0]]
        rows: list[Row] = []
        # Bounded on both axes: the dimension a file declares may be anything.
        for number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1,
                            values_only=True),
            start=1,
        ):
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] not in (None, ""):
                raise Refused("too_many_columns", count=MAX_COLUMNS)
            if number > MAX_ROWS + 1:
                if any(v not in (None, "") for v in row):
                    raise Refused("too_many_rows", count=MAX_ROWS)
                continue
            rows.append((number, list(row[:MAX_COLUMNS])))
        return rows
    except (Refused, MemoryError):
        raise
    except Exception:
        raise Refused("unreadable_xlsx") from None
    finally:
        workbook.close()


def csv_rows(data: bytes) -> list[Row]:
    """(row number, cell texts) of a CSV file: UTF-8 (with or without BOM) or Excel's
    Windows-1252; the delimiter is the commonest of ; , and tab in the first line."""
    if b"\x00" in data:
        raise Refused("not_csv_text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    try:
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS and any(v.strip() for v in row[MAX_COLUMNS:]):
                raise Refused("too_many_columns", count=MAX_COLUMNS)
            if number > MAX_ROWS + 1:
                if any(v.strip() for v in row):
                    raise Refused("too_many_rows", count=MAX_ROWS)
                continue
            rows.append((number, list(row[:MAX_COLUMNS])))
    except csv.Error:
        raise Refused("unreadable_csv") from None
    return rows
