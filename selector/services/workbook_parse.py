"""Untrusted spreadsheet and Word bytes to plain rows; runs inside the sandbox
(`sandbox.TASKS`). Every task answers a list of sheets, `{"name", "rows", "wide"}`: a
sheet's non-empty rows as [row number, cells], and whether it had cells beyond
`MAX_COLUMNS` (cut off; the caller refuses only the sheet it reads).

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
  evaluating formulas: a formula cell is read as the value the spreadsheet program saved
  with it (`data_only`); one saved without a value (a program that does not calculate
  wrote it) comes back as {"cell": "B7", "formula": "=B6+1"}, found by the same expat
  pass, which also reads the merged ranges (read-only mode does not). Iteration stops at
  `MAX_ROWS` and `MAX_COLUMNS`; all sheets together hold at most `MAX_BOOK_ROWS` rows.
* A password-protected workbook (an encrypted OLE file) and an old .xls are told apart
  from a file that is no workbook at all, so each gets its own advice.
* Word (.docx) goes through the same zip and expat checks (paragraphs counted instead of
  rows), then python-docx, whose lxml parser resolves no entities.
"""

from __future__ import annotations

import csv
import io
import re
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
# Rows of all sheets of one workbook together: helper lists beside the requirements.
MAX_BOOK_ROWS = 4 * MAX_ROWS
# Paragraphs and table rows of a Word document (most paragraphs are no requirement).
MAX_PARAGRAPHS = 10 * MAX_ROWS
# Merged ranges and formulas without a value remembered per part.
MAX_FACTS = 20_000
# Excel's own parts nest about 12 deep (charts, themes); 64 leaves room for any tool.
MAX_DEPTH = 64

Row = tuple[int, list[Any]]
# An OLE compound file: an old .xls, or an encrypted (password-protected) workbook or
# document, whose directory names its "EncryptionInfo" stream (in UTF-16).
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")


class _Stop(Exception):
    pass


class _Part:
    """What the expat pass learns of one part: row (or paragraph) elements, the
    deepest nesting, and for a sheet its merged ranges and formulas without a value."""

    def __init__(self) -> None:
        self.rows = 0
        self.deepest = 0
        self.merges: list[str] = []
        self.uncomputed: dict[str, str] = {}


def _scan_part(stream: Any, counted: frozenset[str], limit: int) -> _Part:
    """Scan one part, stopping early past the limits. Raises Refused for a DOCTYPE; a
    part that is not XML ends the scan quietly (openpyxl cannot read it either)."""
    parser = expat.ParserCreate()
    part = _Part()
    state: dict[str, Any] = {"depth": 0, "cell": None, "formula": None, "value": None,
                             "text": None}

    def start(name: str, attributes: dict[str, str]) -> None:
        depth = state["depth"] = state["depth"] + 1
        if depth > part.deepest:
            part.deepest = depth
            if depth > MAX_DEPTH:
                raise _Stop
        local = name.rsplit(":", 1)[-1]
        if name in counted or local in counted:
            part.rows += 1
            if part.rows > limit:
                raise _Stop
        if local == "c":
            state.update(cell=attributes.get("r"), formula=None, value="")
        elif local in ("f", "v") and state["cell"]:
            state["text"] = []
        elif local == "mergeCell" and len(part.merges) < MAX_FACTS:
            part.merges.append(attributes.get("ref", ""))

    def text(chunk: str) -> None:
        if state["text"] is not None and len(state["text"]) < 64:
            state["text"].append(chunk)

    def end(name: str) -> None:
        state["depth"] -= 1
        local = name.rsplit(":", 1)[-1]
        if local in ("f", "v") and state["text"] is not None:
            state["formula" if local == "f" else "value"] = "".join(state["text"])[:200]
            state["text"] = None
        elif local == "c":
            if state["formula"] is not None and not state["value"] and state["cell"] \
                    and len(part.uncomputed) < MAX_FACTS:
                part.uncomputed[state["cell"]] = "=" + state["formula"]
            state["cell"] = None

    def doctype(*_args: Any) -> None:
        raise Refused("unreadable_xlsx")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(1024 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Stop, expat.ExpatError):
        pass
    return part


def refuse_other_kinds(data: bytes) -> None:
    """An encrypted workbook or an old .xls is an OLE file, not a zip: say which."""
    if data.startswith(OLE):
        raise Refused("encrypted" if ENCRYPTED in data else "old_format")


def check_container(data: bytes, required: str = "xl/workbook.xml",
                    counted: frozenset[str] = frozenset({"row"}),
                    limit: int = MAX_ROW_ELEMENTS) -> dict[str, _Part]:
    """Refuse what is not an .xlsx (or, `required` another part, a .docx), would unpack
    to too much, nests too deep or holds too many rows, before openpyxl opens it. Returns
    what the pass learnt of each part, by its name."""
    refuse_other_kinds(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused("not_xlsx") from None
    found: dict[str, _Part] = {}
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if len(parts) > MAX_PARTS:
            raise Refused("too_many_parts")
        if required not in names or "[Content_Types].xml" not in names:
            raise Refused("not_xlsx")
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED:
            raise Refused("unpacked_too_large", size=unpacked // (1024 * 1024),
                          limit=MAX_UNPACKED // (1024 * 1024))
        for part in parts:
            try:
                with archive.open(part) as stream:
                    scanned = _scan_part(stream, counted, limit)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                raise Refused("unreadable_xlsx") from None
            if scanned.deepest > MAX_DEPTH:
                raise Refused("too_deep", depth=MAX_DEPTH)
            if scanned.rows > limit:
                raise Refused("too_many_rows", count=MAX_ROWS)
            found[part.filename] = scanned
    return found


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _fill_merges(rows: dict[int, list[Any]], merges: list[str]) -> None:
    """A range merged over several rows gives its value to each of them (in its first
    column): a category merged over its requirements belongs to each."""
    for ref in merges:
        match = _REF.match(ref or "")
        if not match or not match.group(3):
            continue
        column = _column_number(match.group(1)) - 1
        first, last = int(match.group(2)), min(int(match.group(4)), MAX_ROWS + 1)
        if column >= MAX_COLUMNS or first not in rows:
            continue
        value = rows[first][column] if column < len(rows[first]) else None
        for number in range(first + 1, last + 1):
            cells = rows.setdefault(number, [])
            cells.extend([None] * (column + 1 - len(cells)))
            if cells[column] in (None, ""):
                cells[column] = value


def _filled(cells: list[Any]) -> bool:
    return any(v not in (None, "") and not (isinstance(v, str) and not v.strip())
               for v in cells)


def _trimmed(cells: list[Any]) -> list[Any]:
    """A row without the empty cells a sheet pads it with on the right."""
    end = len(cells)
    while end and cells[end - 1] in (None, ""):
        end -= 1
    return cells[:end]


def xlsx_sheets(data: bytes) -> list[dict[str, Any]]:
    """Every worksheet's non-empty rows, formulas as their saved values."""
    parts = check_container(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                 keep_links=False, keep_vba=False)
    except MemoryError:  # the sandbox's limit: the caller says so
        raise
    except Exception:  # openpyxl raises many kinds on broken files
        raise Refused("unreadable_xlsx") from None
    try:
        sheets = []
        total = 0
        for name in workbook.sheetnames:
            sheet = workbook[name]
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            # openpyxl's own record of the part it reads this sheet from.
            facts = parts.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"), _Part())
            rows: dict[int, list[Any]] = {}
            wide = False
            # Bounded on both axes: the dimension a file declares may be anything.
            for number, row in enumerate(
                sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1,
                                values_only=True),
                start=1,
            ):
                if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] not in (None, ""):
                    wide = True
                if number > MAX_ROWS + 1:
                    if _filled(list(row)):
                        raise Refused("too_many_rows", count=MAX_ROWS)
                    continue
                rows[number] = list(row[:MAX_COLUMNS])
            for ref, formula in facts.uncomputed.items():
                match = _REF.match(ref)
                if not match:
                    continue
                number, column = int(match.group(2)), _column_number(match.group(1)) - 1
                if number in rows and column < MAX_COLUMNS:
                    cells = rows[number]
                    cells.extend([None] * (column + 1 - len(cells)))
                    if cells[column] is None:
                        cells[column] = {"cell": ref, "formula": formula}
            _fill_merges(rows, facts.merges)
            kept = [[n, _trimmed(cells)] for n, cells in sorted(rows.items()) if _filled(cells)]
            total += len(kept)
            if total > MAX_BOOK_ROWS:
                raise Refused("too_many_rows", count=MAX_ROWS)
            sheets.append({"name": name, "rows": kept, "wide": wide})
        if not sheets:  # a workbook whose sheets are missing or none
            raise Refused("unreadable_xlsx")
        return sheets
    except (Refused, MemoryError):
        raise
    except Exception:
        raise Refused("unreadable_xlsx") from None
    finally:
        workbook.close()


def csv_sheets(data: bytes) -> list[dict[str, Any]]:
    """A CSV file as one sheet (named ""): UTF-8 (with or without BOM) or Excel's
    Windows-1252; the delimiter is the commonest of ; , and tab in its first lines (title
    lines above the header may hold none)."""
    if b"\x00" in data:
        raise Refused("not_csv_text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    start = "\n".join(text.split("\n", 20)[:20])
    delimiter = max((";", ",", "\t"), key=start.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    wide = False
    try:
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS and any(v.strip() for v in row[MAX_COLUMNS:]):
                wide = True
            if number > MAX_ROWS + 1:
                if any(v.strip() for v in row):
                    raise Refused("too_many_rows", count=MAX_ROWS)
                continue
            if _filled(row):
                rows.append((number, list(row[:MAX_COLUMNS])))
    except csv.Error:
        raise Refused("unreadable_csv") from None
    return [{"name": "", "rows": rows, "wide": wide}]


# -- Word ---------------------------------------------------------------------------------

# "1.1 Text", "3.2a) Text": a number that starts a paragraph.
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*[a-z]?)[.)]?\s+(\S.*)$", re.DOTALL)
# "(Eis)", "[Wens]", "(KO)", "(Must have)" at a paragraph's end or start: its priority.
_LABEL_WORDS = r"eis|wens|ko|knock-?out|must(?: have)?|should(?: have)?|could(?: have)?|" \
               r"won'?t(?: have)?|kan"
_LABEL_END = re.compile(rf"\s*[(\[]({_LABEL_WORDS})[)\]]\s*$", re.IGNORECASE)
_LABEL_START = re.compile(rf"^\s*[(\[]({_LABEL_WORDS})[)\]]\s*", re.IGNORECASE)
_HEADING_STYLES = ("heading", "kop", "title", "titel")


def _label(text: str) -> tuple[str, str]:
    """(text without its priority label, the label)."""
    for pattern in (_LABEL_END, _LABEL_START):
        match = pattern.search(text)
        if match:
            return (text[:match.start()] + text[match.end():]).strip(), match.group(1)
    return text, ""


def _list_level(paragraph: Any) -> tuple[str, int] | None:
    """(list, level) of a paragraph in Word's list numbering, its own or its style's."""
    for holder in (paragraph._p, getattr(paragraph.style, "element", None)):
        properties = getattr(holder, "pPr", None) if holder is not None else None
        numbering = getattr(properties, "numPr", None) if properties is not None else None
        if numbering is not None and numbering.numId is not None:
            level = numbering.ilvl.val if numbering.ilvl is not None else 0
            return str(numbering.numId.val), int(level)
    return None


def _paragraph_items(document: Any) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    """Numbered paragraphs in order, with the heading above them (a paragraph without a
    number right after one continues it), and the tables with the heading above each."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    items: list[dict[str, Any]] = []
    counters: dict[str, list[int]] = {}
    heading = ""
    current: dict[str, Any] | None = None
    tables: list[tuple[str, Any]] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            tables.append((heading, Table(child, document)))
            current = None
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(child, document)
        text = paragraph.text.strip()
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style.startswith(_HEADING_STYLES):
            if text:
                match = _NUMBERED.match(text)
                heading = match.group(2).strip() if match else text
            current = None
            continue
        listed = _list_level(paragraph)
        match = _NUMBERED.match(text)
        if listed is not None and text:
            numbers = counters.setdefault(listed[0], [])
            level = min(listed[1], 8)
            del numbers[level + 1:]
            numbers.extend([0] * (level + 1 - len(numbers)))
            numbers[level] += 1
            code, body = ".".join(str(n) for n in numbers), text
        elif match:
            code, body = match.group(1), match.group(2)
        else:
            if current is not None and text:
                current["text"] += "\n" + text
            continue
        body, label = _label(body)
        current = {"code": code, "heading": heading, "text": body, "label": label}
        items.append(current)
        if len(items) > MAX_ROWS:
            raise Refused("too_many_rows", count=MAX_ROWS)
    return items, tables


def _numbered_sheet(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbered paragraphs as rows: an item with items under it ("1" above "1.1")
    is a section, the category of those items."""
    codes = [item["code"] for item in items]
    sections: dict[str, str] = {}
    rows: list[Row] = [(1, ["code", "category", "description", "priority"])]
    for index, item in enumerate(items):
        nxt = codes[index + 1] if index + 1 < len(codes) else ""
        if nxt.startswith(item["code"] + "."):
            sections[item["code"]] = item["text"].split("\n", 1)[0]
            continue
        parents = [sections[c] for c in sections if item["code"].startswith(c + ".")]
        category = parents[-1] if parents else item["heading"]
        rows.append((len(rows) + 1, [item["code"], category, item["text"], item["label"]]))
    return {"name": "numbered paragraphs", "rows": rows, "wide": False}


def _table_sheet(number: int, heading: str, table: Any) -> dict[str, Any]:
    """A table's rows (a cell merged across columns once); the heading above the table
    as a last column, the category when the table has none of its own."""
    rows: list[Row] = []
    wide = False
    for index, row in enumerate(table.rows, start=1):
        cells: list[Any] = []
        previous = None
        for cell in row.cells:
            cells.append(None if cell._tc is previous else cell.text.strip())
            previous = cell._tc
        wide = wide or len(cells) > MAX_COLUMNS
        cells = cells[:MAX_COLUMNS - 1]
        if heading:
            cells.append("category" if index == 1 else heading)
        if _filled(cells[:-1] if heading else cells):
            rows.append((index, cells))
        if len(rows) > MAX_ROWS + 1:
            raise Refused("too_many_rows", count=MAX_ROWS)
    return {"name": f"table {number}", "rows": rows, "wide": wide}


def docx_sheets(data: bytes) -> list[dict[str, Any]]:
    """A Word document as sheets: its numbered paragraphs (one requirement per numbered
    item, headings as categories), then each table."""
    check_container(data, required="word/document.xml", counted=frozenset({"p", "tr"}),
                    limit=MAX_PARAGRAPHS)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception:
        raise Refused("unreadable_docx") from None
    try:
        items, tables = _paragraph_items(document)
        sheets = [_numbered_sheet(items)] if items else []
        for number, (heading, table) in enumerate(tables, start=1):
            sheets.append(_table_sheet(number, heading, table))
    except (Refused, MemoryError):
        raise
    except Exception:
        raise Refused("unreadable_docx") from None
    if not sheets:
        raise Refused("no_numbered_requirements")
    return sheets
