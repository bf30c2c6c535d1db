"""One database session per request, one transaction, committed once.

GET and HEAD requests get a read session; every other method a write session (on
SQLite that transaction starts with BEGIN IMMEDIATE, so read-then-write requests
are serialised instead of failing; see `selector.db`). The session opens its
connection at the first query, so a request that never touches the database costs
nothing. At the end: commit when the response is not an error (status below 400),
otherwise roll back, so a refused change leaves nothing behind. A view that must keep
a change although it answers with an error (a failed login is recorded) calls
`keep_changes()`.

Views use `db_session()` (also available as `g.session`).
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from sqlalchemy.orm import Session

from selector.db import Database

EXTENSION = "selector.db"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask, database: Database) -> None:
    app.extensions[EXTENSION] = database
    app.after_request(_finish)
    app.teardown_request(_close)


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION]


def db_session() -> Session:
    """The session of this request, created on first use."""
    if "session" not in g:
        db = database()
        factory = db.read_session if request.method in READ_METHODS else db.write_session
        g.session = factory()
    return g.session


def keep_changes() -> None:
    """Commit this request's changes even though the response is an error."""
    g.keep_changes = True


def _finish(response: Response) -> Response:
    session: Session | None = g.get("session")
    if session is not None:
        if response.status_code < 400 or g.get("keep_changes"):
            session.commit()
        else:
            session.rollback()
    return response


def _close(error: BaseException | None) -> None:
    session: Session | None = g.pop("session", None)
    if session is not None:
        if error is not None:
            session.rollback()
        session.close()


def dispose(app: Flask) -> None:
    """Close the engine's connections (tests, and a process that ends)."""
    db = app.extensions.get(EXTENSION)
    if db is not None:
        db.dispose()
