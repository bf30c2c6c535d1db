"""What each `selector` sub-command does. Thin: parse, call a service, print.

Modules that only some commands need are imported in those commands (see main.py):
`selector rank` starts in a fraction of a second, and each module counts.
"""

from __future__ import annotations

import gc
import json
import sys
from argparse import Namespace
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from selector.cli.errors import CommandError

if TYPE_CHECKING:
    from pathlib import Path

    from selector.db import Database
    from selector.domain.ranked import RankedSelection


def open_database() -> Database:
    """The configured database, with an empty one brought to the newest schema first."""
    from selector import schema
    from selector.db import Database

    db = Database()
    current = schema.revision(db.engine)
    if current is None:
        from selector import migrate

        migrate.upgrade(db.engine)
    elif current != schema.HEAD:
        raise CommandError(
            f"the database has schema version {current}, older than this Selector's; "
            "run 'selector db upgrade' first"
        )
    return db


def _read_password(args: Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password; use --password-stdin")
        from getpass import getpass

        password = getpass("Password: ")
        if getpass("Again: ") != password:
            raise CommandError("the two passwords differ")
    return password


def _load_file(path: str) -> dict:
    from selector.files.selection_file import SelectionFileError
    from selector.files.selection_file import read_selection_file

    try:
        return read_selection_file(path)
    except SelectionFileError as error:
        raise CommandError(*(f"{path}: {p}" for p in error.problems)) from None
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a folder, not a selection file") from None


def _service_errors(action):
    """Run `action`, turning a refused change into a CommandError (a service's message
    may be a lazy translation: English here, outside a request)."""
    from selector.services.errors import ServiceError

    try:
        return action()
    except ServiceError as error:
        raise CommandError(str(error.message)) from None


# -- demo and serving ------------------------------------------------------------------


def cmd_demo(args: Namespace) -> int:
    import os

    from selector.services.demo import demo_database
    from selector.services.demo import load_demo
    from selector.services.demo import where_lines

    # The demo keeps its own database, always: DATABASE_URL may name a production one,
    # which must never get demo accounts. The server's workers read the variable too.
    path = demo_database()
    ignored_url = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    db = open_database()
    with db.transaction() as session:
        report = load_demo(session)
    db.dispose()  # no connection is carried into the server's workers
    for line in report + where_lines(path, ignored_url):
        print(line)
    if args.no_serve:
        return 0
    return _serve(args.host, args.port)


def cmd_serve(args: Namespace) -> int:
    open_database().dispose()  # no connection is carried into the server's workers
    return _serve(args.host, args.port)


def _serve(host: str, port: int) -> int:
    """gunicorn with the README's settings (selector.web.server), not Werkzeug's
    development server."""
    try:
        from selector.web import database
        from selector.web.app import create_app
        from selector.web.server import serve
    except ImportError:
        raise CommandError("the web application is not part of this build yet") from None
    # Built once here so that a configuration error is one message before any worker
    # starts (and the secret key is made once); each worker then builds its own.
    database.dispose(create_app())
    print(f"Selector runs on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    serve(create_app, host, port)
    return 0


# -- database and accounts -------------------------------------------------------------


def cmd_db(args: Namespace) -> int:
    from selector import migrate
    from selector.db import Database

    db = Database()
    if args.db_command == "upgrade":
        migrate.upgrade(db.engine)
        print(f"database at schema version {migrate.current_revision(db.engine)}")
    else:
        migrate.downgrade(db.engine, args.revision)
        print(f"database at schema version {migrate.current_revision(db.engine) or 'base'}")
    return 0


def cmd_users(args: Namespace) -> int:
    from selector.services import accounts

    db = open_database()
    if args.users_command == "create":
        password = _read_password(args)
        with db.transaction() as session:
            account = _service_errors(
                lambda: accounts.create_account(
                    session, args.email, args.name, password, admin=args.admin
                )
            )
            print(f"created account {account.email}" + (" (admin)" if account.is_admin else ""))
        return 0
    password = _read_password(args)
    with db.transaction() as session:
        account = accounts.find_account(session, args.email)
        if account is None:
            raise CommandError(f"there is no account {args.email}")
        _service_errors(lambda: accounts.set_password(session, account, password))
    print(f"password set for {account.email}")
    return 0


# -- selection files -------------------------------------------------------------------


def cmd_import(args: Namespace) -> int:
    from selector.files.to_domain import selection_from_file
    from selector.services.errors import ServiceError
    from selector.services.ranking import rank_selection
    from selector.services.selection_file import import_selection

    doc = _load_file(args.file)
    try:  # the method refuses some files (final weights that add up to 0)
        rank_selection(selection_from_file(doc), draws=1)
    except ServiceError as error:
        raise CommandError(f"{args.file}: {error.message}") from None
    db = open_database()
    with db.transaction() as session:
        selection_id = import_selection(session, doc)
    print(f"imported '{doc['selection']['name']}' as selection {selection_id}")
    print(selection_id)
    return 0


def cmd_export(args: Namespace) -> int:
    from selector.files.selection_file import SelectionFileError
    from selector.services.selection_file import export_file

    if args.xlsx:
        return _export_workbook(args)
    db = open_database()
    with db.transaction(write=False) as session:
        try:
            text = export_file(session, args.selection_id)
        except LookupError as error:
            raise CommandError(str(error)) from None
        except SelectionFileError as error:  # nothing is written
            raise CommandError(
                *(f"selection {args.selection_id} cannot be exported: {problem}"
                  for problem in error.problems)
            ) from None
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _export_workbook(args: Namespace) -> int:
    """`selector export ID --xlsx -o FILE.xlsx`: the score-matrix workbook, once scoring
    is closed (as in the app, where only a facilitator who sees everything has it
    sooner; the console is nobody's "see everything")."""
    from selector.models import Selection
    from selector.services.reports import score_workbook

    if not args.output:
        raise CommandError("give the workbook's file name with -o FILE.xlsx")
    output = _output_path(args.output, ".xlsx")
    db = open_database()
    with db.transaction(write=False) as session:
        selection = session.get(Selection, args.selection_id)
        if selection is None:
            raise CommandError(f"there is no selection {args.selection_id}")
        if not selection.scoring_closed:
            raise CommandError(
                f"selection {args.selection_id} is in the {selection.phase} phase; the "
                "score matrix is available when scoring is closed (the decision phase)")
        data = _service_errors(lambda: score_workbook(session, selection))
    _write_atomically(output, data)
    print(f"wrote {output} ({len(data):,} bytes)")
    return 0


def cmd_list(args: Namespace) -> int:
    from sqlalchemy import select

    from selector.models import Selection

    db = open_database()
    with db.transaction(write=False) as session:
        rows = session.execute(select(Selection.id, Selection.name).order_by(Selection.id)).all()
    if args.json:
        print(json.dumps([{"id": r.id, "name": r.name} for r in rows], ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r.id:>5}  {r.name}")
    return 0


# -- ranking ---------------------------------------------------------------------------


def cmd_rank(args: Namespace) -> int:
    if (args.file is None) == (args.selection is None):
        raise CommandError("give either a selection file or --selection ID")
    with _without_cycle_collection():
        from selector.services.ranking import rank_selection

        if args.file is not None:
            from selector.files.to_domain import selection_from_file

            selection = selection_from_file(_load_file(args.file))
            ranked = _service_errors(lambda: rank_selection(selection))
        else:
            ranked = _service_errors(lambda: _stored_ranking(args.selection))
    if args.json:
        print(json.dumps(ranked.ranking, indent=2, ensure_ascii=False))
    else:
        print(format_ranking(ranked))
    return 0


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Importing numpy and reading a selection make hundreds of thousands of objects
    that all stay alive (modules, functions, ~100,000 small tuples); Python's cycle
    collector would walk them over and over while they are made, for nothing: they are
    not garbage. Off while `selector rank` imports, reads and ranks: about 0.03 s of a
    0.3 s command. Only in this short-lived command, never in the app."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stored_ranking(selection_id: int) -> RankedSelection:
    """A stored selection, ranked: read through the driver itself when it can (a lean
    start, see direct_read), else through SQLAlchemy."""
    from selector.cli.direct_read import reader
    from selector.paths import database_url
    from selector.services.ranking import ranked_selection

    with reader(database_url()) as run:
        if run is not None:
            return ranked_selection(run, selection_id, comments=False)
    db = open_database()
    with db.engine.connect() as connection:  # no ORM session
        return ranked_selection(connection, selection_id, comments=False)


def format_ranking(ranked: RankedSelection) -> str:
    """The ranking as a readable table for a terminal."""
    from selector.domain.ranked import ABOVE

    ranking = ranked.ranking
    lines = [ranking["selection"], ""]
    header = f"{'rank':>4}  {'vendor':<28} {'total':>7} {'quality':>7} {'price':>6} "
    header += f"{'coverage':>8} {'P(first)':>8}  knock-outs"
    lines.append(header)
    p_first = ranking["sensitivity"]["p_first"]
    for v in ranking["vendors"]:
        price = "-" if v["price_score"] is None else f"{v['price_score']:.1f}"
        if v.get("fictitious_price") is not None:
            price = f"F={v['fictitious_price']:,.0f}"
        if v["excluded"]:
            reasons = []
            if v["knockouts_failed"]:
                reasons.append("failed " + ", ".join(v["knockouts_failed"]))
            if v.get("below_threshold"):
                reasons.append("below the quality threshold")
            status = "EXCLUDED: " + "; ".join(reasons)
        elif v["knockouts_unverified"]:
            status = "unverified: " + ", ".join(v["knockouts_unverified"])
        else:
            status = "passed"
        lines.append(
            f"{v['rank']:>4}  {v['name'][:28]:<28} {v['total']:>7.2f} {v['quality']:>7.2f} "
            f"{price:>6} {v['coverage'] * 100:>7.1f}% {p_first.get(v['key'], 0) * 100:>7.1f}%  "
            f"{status}"
        )
    perspectives = ranking["perspectives"]
    lines.append("")
    for group in ("business", "it"):
        order = perspectives.get(group)
        lines.append(f"{group + ' perspective:':<22} " + (" > ".join(order) if order else "-"))
    flips = [
        f"  {flip.category}: {'rises above' if flip.direction == ABOVE else 'falls below'}"
        f" {flip.threshold * 100:.1f}% (now {flip.weight * 100:.1f}%) -> "
        f"{flip.new_winner} first"
        for flip in ranked.flip_points
    ]
    if flips:
        lines.append("flip points: the winner changes when the weight of")
        lines.extend(flips)
    lines.append(f"price method: {ranking.get('price_method', 'lowest_ratio')}")
    names = {v["key"]: v["name"] for v in ranking["vendors"]}
    for reversal in ranking.get("rank_reversal", []):
        lines.append(
            f"rank reversal: without {names[reversal['without']]}, "
            f"{names[reversal['new_winner']]} would rank first (a losing bid decides the "
            "winner under a relative price method)"
        )
    return "\n".join(lines)


# -- backup and restore ---------------------------------------------------------------


def cmd_backup(args: Namespace) -> int:
    from pathlib import Path

    from selector.paths import instance_dir
    from selector.services.backup import BackupError
    from selector.services.backup import write_backup

    db = open_database()
    try:
        counts = write_backup(db.engine, instance_dir(), Path(args.output))
    except BackupError as error:
        raise CommandError(str(error)) from None
    print(f"backed up {counts.get('selections', 0)} selections, "
          f"{sum(counts.values())} rows to {args.output}")
    return 0


def cmd_restore(args: Namespace) -> int:
    from pathlib import Path

    from selector.paths import instance_dir
    from selector.services.backup import BackupError
    from selector.services.backup import FilesNotPlaced
    from selector.services.backup import restore_backup

    if not Path(args.file).is_file():
        raise CommandError(f"{args.file}: no such file")
    db = open_database()
    try:
        restored = restore_backup(db.engine, instance_dir(), Path(args.file))
    except FilesNotPlaced as error:
        raise CommandError(str(error)) from None
    except BackupError as error:
        raise CommandError(str(error), "nothing was restored: the database and the "
                           "attachments are as they were") from None
    counts = restored.tables
    print(f"restored {counts.get('selections', 0)} selections, {sum(counts.values())} rows, "
          f"{restored.files} attachment files")
    if restored.skipped_files:
        print(f"skipped {restored.skipped_files} files in attachments/ that no attachment "
              "names (left over from uploads that were rolled back)")
    return 0


# -- report ----------------------------------------------------------------------------


def cmd_report(args: Namespace) -> int:
    """`selector report (FILE.json | --selection ID) -o OUT.pdf [--lang nl|en]`.

    From a file: the file's content, no process record (the report says so). From the
    database: the stored selection, with its phase dates, freezes, audit trail and the
    facilitator's recommendation and decision record. The language is `--lang`, else
    the selection's own."""
    if (args.file is None) == (args.selection is None):
        raise CommandError("give either a selection file or --selection ID")
    output = _output_path(args.output, "PDF")

    if args.file is not None:
        from selector.files.to_domain import selection_from_file
        from selector.report.build import build_report_data
        from selector.report.pdf import render_pdf
        from selector.services.ranking import rank_selection

        doc = _load_file(args.file)
        ranked = _service_errors(lambda: rank_selection(selection_from_file(doc)))
        language = args.lang or doc["selection"].get("language") or "en"
        pdf = render_pdf(build_report_data(doc, ranked, language=language))
    else:
        from selector.services.reports import selection_report

        db = open_database()
        with db.transaction(write=False) as session:
            pdf = _service_errors(lambda: selection_report(session, args.selection, args.lang)).pdf
    _write_atomically(output, pdf)
    print(f"wrote {output} ({len(pdf):,} bytes)")
    return 0


def _output_path(name: str, kind: str) -> Path:
    """The file to write, refused (before any work) when it names a folder or a folder
    that does not exist."""
    from pathlib import Path

    output = Path(name)
    if output.is_dir():
        raise CommandError(f"{name}: is a folder; give the name of the {kind} to write")
    if not output.parent.exists() and str(output.parent):
        raise CommandError(f"{name}: the folder {output.parent} does not exist")
    return output


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target, then rename: a reader never sees half a PDF."""
    import os
    import tempfile
    from pathlib import Path

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


# -- requirement spreadsheets ----------------------------------------------------------


def cmd_requirements(args: Namespace) -> int:
    from pathlib import Path

    from selector.models import Selection
    from selector.services.spreadsheets import SpreadsheetError
    from selector.services.spreadsheets import commit_import
    from selector.services.spreadsheets import export_requirements
    from selector.services.spreadsheets import plan_import
    from selector.services.spreadsheets import read_workbook

    db = open_database()
    if args.requirements_command == "export":
        with db.transaction(write=False) as session:
            selection = session.get(Selection, args.selection_id)
            if selection is None:
                raise CommandError(f"there is no selection {args.selection_id}")
            data = export_requirements(session, selection)
        Path(args.output).write_bytes(data)
        print(f"exported the requirements of selection {args.selection_id} to {args.output}")
        return 0
    options = _import_options(args)
    path, data = _spreadsheet_bytes(args.file)
    with _file_problems(args.file):
        # Read (in the sandbox) before the transaction: no lock is held meanwhile.
        sheets = read_workbook(data, path.name)
        with db.transaction(write=not args.dry_run) as session:
            selection = session.get(Selection, args.selection_id)
            if selection is None:
                raise CommandError(f"there is no selection {args.selection_id}")
            plan = plan_import(session, selection, sheets, options)
            _print_plan(plan)
            if plan.problems:
                raise SpreadsheetError(plan.problems)
            if args.dry_run:
                print(f"dry run: {args.file} would give {plan.count('create')} created, "
                      f"{plan.count('update')} updated, {plan.count('unchanged')} unchanged; "
                      "nothing was written")
                return 0
            # The console is trusted like the facilitator; the audit names "system".
            result = commit_import(session, selection, None, "facilitator", sheets,
                                   path.name, options)
    print(f"imported {args.file}: {result.created} created, {result.updated} updated, "
          f"{result.unchanged} unchanged")
    return 0


def _spreadsheet_bytes(name: str) -> tuple[Path, bytes]:
    """A spreadsheet's path and bytes, one byte past the upload limit at most (which
    tells the reader it is too large)."""
    from pathlib import Path

    from selector.services.spreadsheets import MAX_UPLOAD

    path = Path(name)
    if not path.is_file():
        raise CommandError(f"{name}: no such file")
    with path.open("rb") as handle:
        return path, handle.read(MAX_UPLOAD + 1)


@contextmanager
def _file_problems(name: str) -> Iterator[None]:
    """A refused file's problems (or a refused change) as the command's errors."""
    from selector.services.errors import ServiceError
    from selector.services.spreadsheets import SpreadsheetError

    try:
        yield
    except SpreadsheetError as error:
        raise CommandError(*(f"{name}: {problem}" for problem in error.problems)) from None
    except ServiceError as error:
        raise CommandError(f"{name}: {error.message}") from None


def _import_options(args: Namespace):
    """`--map 'COLUMN=field'` and `--map 'priority:LABEL=must'`, and the other flags."""
    from selector.services.spreadsheets import ImportOptions

    options = ImportOptions(sheet=args.sheet, create_categories=args.create_categories,
                            knockout_rationale=args.knockout_rationale,
                            accept_reason=args.accept)
    for given in args.map:
        column, separator, target = given.rpartition("=")
        if not separator or not column.strip():
            raise CommandError(f"--map '{given}': write it as 'COLUMN=field'")
        if column.lower().startswith("priority:"):
            options.priorities[column.split(":", 1)[1].strip()] = target.strip().lower()
        else:
            options.columns[column.strip()] = target.strip().lower()
    return options


def _print_plan(plan) -> None:
    """The mapping used: sheet, header row, each column's field, the priority labels,
    sections, merges and new categories; then the rows that change."""
    found = plan.mapping
    print(f"sheet: {plan.sheet or '-'} (sheets: {', '.join(plan.sheets)}); "
          f"header on row {found.header_row}")
    print("columns:")
    for column in found.columns:
        how = {"name": "by its name", "values": "by its values", "given": "as given",
               "none": "not recognised"}[column.source]
        print(f"  {column.letter} '{column.header}' -> {column.field} ({how})")
    print("priority labels:")
    for label in found.priorities:
        meaning = (f"{label.priority}{', knock-out' if label.knockout else ''}"
                   if label.priority else "unknown")
        print(f"  '{label.label or '(empty)'}' -> {meaning} ({label.rows} rows)")
    for row, name in found.sections:
        print(f"section row {row}: category '{name}'")
    for old, new in found.merged:
        print(f"merged: '{old}' into '{new}'")
    for new in plan.new_categories:
        guessed = ", from the functional/non-functional column" if new.guessed else ""
        print(f"new category: '{new.name}' ({new.domain}{guessed}; {new.rows} rows)")
    if found.empty_rows:
        print(f"rows without a requirement (skipped): {found.empty_rows}")
    for row in plan.rows:
        if row.action == "update":
            print(f"update {row.values.code} (row {row.row}): {', '.join(row.changed)}")


# -- the vendors' side -----------------------------------------------------------------


def cmd_vendors(args: Namespace) -> int:
    from pathlib import Path

    from sqlalchemy import select

    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import vendors

    def selection_and_vendor(session):
        selection = session.get(Selection, args.selection_id)
        if selection is None:
            raise CommandError(f"there is no selection {args.selection_id}")
        vendor = session.scalar(select(Vendor).where(Vendor.selection_id == selection.id,
                                                     Vendor.key == args.vendor))
        if vendor is None:
            raise CommandError(f"selection {args.selection_id} has no vendor '{args.vendor}'")
        return selection, vendor

    db = open_database()
    if args.vendors_command == "invite":
        with db.transaction() as session:
            selection, vendor = selection_and_vendor(session)
            # The console is trusted like the facilitator; the audit names "system".
            issued = _service_errors(lambda: vendors.issue_link(
                session, selection, None, vendor.id, args.days))
        print(f"portal link for {vendor.name}, valid until "
              f"{issued.link.expires_at:%Y-%m-%d %H:%M} UTC (an earlier link no longer works):")
        print(issued.url())
        return 0
    if args.vendors_command == "questionnaire":
        with db.transaction(write=False) as session:
            selection, vendor = selection_and_vendor(session)
            data = vendors.questionnaire_workbook(session, selection, vendor)
        Path(args.output).write_bytes(data)
        print(f"wrote the questionnaire for {vendor.name} to {args.output}")
        return 0
    path, data = _spreadsheet_bytes(args.file)
    with _file_problems(args.file):
        # Read (in the sandbox) before the transaction: no lock is held meanwhile.
        sheets = vendors.read_questionnaire(data, path.name)
        with db.transaction() as session:
            selection, vendor = selection_and_vendor(session)
            result = vendors.import_questionnaire(session, selection, vendor, sheets)
    print(f"read {args.file}: {result.created} answers given, {result.updated} changed, "
          f"{result.unchanged} unchanged")
    return 0
