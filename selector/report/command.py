"""`selector report (FILE.json | --selection ID) -o OUT.pdf [--lang nl|en]`.

From a file: the file's content, no process record (the report says so). From the
database: the stored selection, with its phase dates, freezes, audit trail and the
facilitator's recommendation and decision record. The language is `--lang`, else the
selection's own.
"""

from __future__ import annotations

import os
import tempfile
from argparse import Namespace
from pathlib import Path

from selector.cli.errors import CommandError


def run_report(args: Namespace) -> int:
    from selector.domain.method import MethodError, rank
    from selector.report.data import build_report_data
    from selector.report.pdf import render_pdf

    if (args.file is None) == (args.selection is None):
        raise CommandError("give either a selection file or --selection ID")
    output = Path(args.output)
    if output.is_dir():
        raise CommandError(f"{args.output}: is a folder; give the name of the PDF to write")
    if not output.parent.exists() and str(output.parent):
        raise CommandError(f"{args.output}: the folder {output.parent} does not exist")

    if args.file is not None:
        from selector.files.to_domain import selection_from_file

        doc = _load_file(args.file)
        selection = selection_from_file(doc)
        process = None
    else:
        from selector.cli.commands import open_database
        from selector.services.loader import load_selection
        from selector.services.reports import process_info
        from selector.services.selection_file import export_selection

        db = open_database()
        with db.transaction(write=False) as session:
            try:
                selection = load_selection(session, args.selection)
            except LookupError as error:
                raise CommandError(str(error)) from None
            doc = export_selection(session, args.selection)
            process = process_info(session, args.selection)
    try:
        ranking = rank(selection)
    except MethodError as error:
        raise CommandError(str(error)) from None
    language = args.lang or doc["selection"].get("language") or "en"
    report = build_report_data(doc, ranking, selection, process=process, language=language)
    pdf = render_pdf(report)
    _write_atomically(output, pdf)
    print(f"wrote {output} ({len(pdf):,} bytes)")
    return 0


def _load_file(path: str) -> dict:
    from selector.files.selection_file import SelectionFileError, read_selection_file

    try:
        return read_selection_file(path)
    except SelectionFileError as error:
        raise CommandError(*(f"{path}: {p}" for p in error.problems)) from None


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a PDF."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        umask = os.umask(0)  # mkstemp makes the file private; give it the usual mode
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
