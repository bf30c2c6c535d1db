"""The `selector` command line (formats.md, "Command line").

Start-up is kept lean: each command imports what it needs when it runs, so
`selector rank` does not pay for Flask, ReportLab or the web app.
Errors are one sentence per problem on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

# One BLAS thread: on two cores, BLAS threads halved throughput under load (issue 3).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


from selector.cli.errors import CommandError  # noqa: E402  (after the thread settings)


class _Parser(argparse.ArgumentParser):
    """Usage errors like every other error (formats.md): one sentence on stderr and exit
    status 1, instead of argparse's usage block and status 2. Sub-command parsers are
    made of the same class."""

    def error(self, message: str):  # argparse's documented hook; it must not return
        self.exit(1, f"{self.prog}: {message} (see '{self.prog} -h')\n")


def _demo(commands) -> None:
    demo = commands.add_parser("demo", help="load the demo selection and serve the app")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=5000)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and stop")


def _serve(commands) -> None:
    serve = commands.add_parser("serve", help="serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)


def _db(commands) -> None:
    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="upgrade the database to the newest schema")
    down = db_commands.add_parser("downgrade", help="downgrade to revision REV ('base': empty)")
    down.add_argument("revision", metavar="REV")


def _users(commands) -> None:
    users = commands.add_parser("users", help="accounts")
    user_commands = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    create = user_commands.add_parser("create", help="create an account")
    create.add_argument("email")
    create.add_argument("--name", required=True)
    create.add_argument("--admin", action="store_true")
    create.add_argument("--password-stdin", action="store_true")
    set_password = user_commands.add_parser("set-password", help="set an account's password")
    set_password.add_argument("email")
    set_password.add_argument("--password-stdin", action="store_true")


def _import(commands) -> None:
    importing = commands.add_parser("import", help="import a selection file")
    importing.add_argument("file")


def _export(commands) -> None:
    export = commands.add_parser(
        "export", help="write a selection file, or with --xlsx the score-matrix workbook")
    export.add_argument("selection_id", metavar="ID", type=int)
    export.add_argument("-o", "--output", metavar="FILE")
    export.add_argument("--xlsx", action="store_true",
                        help="the ranking, weights and score matrix as .xlsx (needs -o)")


def _list(commands) -> None:
    listing = commands.add_parser("list", help="list the selections")
    listing.add_argument("--json", action="store_true")


def _rank(commands) -> None:
    rank = commands.add_parser("rank", help="compute a ranking")
    rank.add_argument("file", nargs="?")
    rank.add_argument("--selection", type=int, metavar="ID")
    rank.add_argument("--json", action="store_true")


def _backup(commands) -> None:
    backup = commands.add_parser("backup", help="back up the whole instance to a file")
    backup.add_argument("-o", "--output", metavar="FILE", required=True)


def _restore(commands) -> None:
    restore = commands.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("file")


def _report(commands) -> None:
    report = commands.add_parser("report", help="write the argued selection report (PDF)")
    report.add_argument("file", nargs="?")
    report.add_argument("--selection", type=int, metavar="ID")
    report.add_argument("-o", "--output", metavar="OUT.pdf", required=True)
    report.add_argument("--lang", choices=("nl", "en"))


def _requirements(commands) -> None:
    requirements = commands.add_parser(
        "requirements", help="requirement catalogues as spreadsheets")
    requirement_commands = requirements.add_subparsers(
        dest="requirements_command", metavar="ACTION", required=True)
    requirements_import = requirement_commands.add_parser(
        "import", help="import requirements from .xlsx, .csv or .docx (all rows or none)")
    requirements_import.add_argument("selection_id", metavar="ID", type=int)
    requirements_import.add_argument("file", metavar="FILE")
    requirements_import.add_argument("--sheet", metavar="NAME",
                                     help="the sheet to read (default: the first with a "
                                          "header row)")
    requirements_import.add_argument(
        "--map", action="append", default=[], metavar="'COLUMN=field'",
        help="map a column (its header or letter) to a field, 'describe' or 'ignore'; "
             "'priority:LABEL=must' maps a priority label (should, could, wont, knockout)")
    requirements_import.add_argument("--create-categories", action="store_true",
                                     help="create the categories the file names")
    requirements_import.add_argument("--knockout-rationale", metavar="TEXT", default="",
                                     help="the rationale of knock-outs without their own")
    requirements_import.add_argument("--accept", metavar="REASON", default="",
                                     help="import every requirement as accepted, with this "
                                          "reason in the audit trail")
    requirements_import.add_argument("--dry-run", action="store_true",
                                     help="show what the import would do; write nothing")
    requirements_export = requirement_commands.add_parser(
        "export", help="export the requirements to .xlsx")
    requirements_export.add_argument("selection_id", metavar="ID", type=int)
    requirements_export.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)


def _vendors(commands) -> None:
    vendors = commands.add_parser("vendors", help="the vendors' questionnaire and portal")
    vendor_commands = vendors.add_subparsers(dest="vendors_command", metavar="ACTION",
                                             required=True)
    invite = vendor_commands.add_parser(
        "invite", help="print a personal portal link for a vendor (a new link ends the old)")
    invite.add_argument("selection_id", metavar="ID", type=int)
    invite.add_argument("vendor", metavar="VENDOR", help="the vendor's key")
    invite.add_argument("--days", type=int, default=14, metavar="N",
                        help="how many days the link works (default 14)")
    questionnaire = vendor_commands.add_parser(
        "questionnaire", help="write a vendor's questionnaire (.xlsx)")
    questionnaire.add_argument("selection_id", metavar="ID", type=int)
    questionnaire.add_argument("vendor", metavar="VENDOR", help="the vendor's key")
    questionnaire.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)
    answers = vendor_commands.add_parser(
        "answers", help="read a returned questionnaire into the vendor's answers "
                        "(all rows or none)")
    answers.add_argument("selection_id", metavar="ID", type=int)
    answers.add_argument("vendor", metavar="VENDOR", help="the vendor's key")
    answers.add_argument("file", metavar="FILE.xlsx")


# The sub-commands, in the order `selector -h` lists them; each adds its own parser.
COMMANDS = {
    "demo": _demo, "serve": _serve, "db": _db, "users": _users, "import": _import,
    "export": _export, "list": _list, "rank": _rank, "backup": _backup,
    "restore": _restore, "report": _report, "requirements": _requirements,
    "vendors": _vendors,
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Given the sub-command (the first word), only its parser is
    made: that is all parsing its arguments needs, and each parser argparse makes
    costs a few gettext look-ups on disk (all of them: ~8 ms of `selector rank`'s
    start). Otherwise, for `selector -h` or a word that is no sub-command, all."""
    parser = _Parser(
        prog="selector",
        description="Selector: choose a CRM system with business and IT together.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in COMMANDS.items():
        if command not in COMMANDS or name == command:
            add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; `argv` None means this process's own command line."""
    own_process = argv is None
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    from selector.cli import commands

    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        return handler(args) or 0
    except CommandError as error:
        for problem in error.problems:
            print(f"selector: {problem}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `selector rank | head`: the reader left, nothing to say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("selector: interrupted", file=sys.stderr)
        return 1
    except Exception as error:  # the last line of defence: no traceback for a user
        if os.environ.get("SELECTOR_DEBUG"):
            raise
        print(f"selector: {describe(error)}", file=sys.stderr)
        return 1
    finally:
        if own_process:
            # The process ends next. Frozen, the objects it made are left alone by the
            # cycle collector's last, full walk at exit: the operating system takes
            # the memory back anyway (`selector rank`: exit in ~10 ms instead of ~50).
            gc.freeze()


def describe(error: Exception) -> str:
    """One readable sentence for an unexpected error."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, OperationalError):
        return f"cannot use the database: {error.orig}"
    if isinstance(error, SQLAlchemyError):
        return f"the database refused the change: {getattr(error, 'orig', error)}"
    if isinstance(error, OSError):
        return f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
    return f"unexpected error ({type(error).__name__}): {error}"


if __name__ == "__main__":
    sys.exit(main())
