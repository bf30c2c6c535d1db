"""The instance's files are private and second-factor secrets are sealed at rest
(issue 17, item 11).

Attack: another account on the server reads the database (and its -wal), a backup, an
attachment or a stashed upload, all made readable by everyone (0644); or anyone holding
a database file or a backup reads the TOTP secrets and makes codes. Now folders are
0700 and files 0600 whatever the umask, and a secret is sealed with a key derived from
SECRET_KEY: a backup holds no readable secret.
"""

from __future__ import annotations

import logging
import os
import stat
import zipfile

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from selector.models import Account
from selector.models import LoginAttempt
from tests.trust.test_security_totp import _code
from tests.trust.test_security_totp import enable
from tests.trust.test_security_totp import password_step
from tests.web.conftest import Browser


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The usual umask (022), whatever the test runner's: modes must not depend on it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# -- file modes -------------------------------------------------------------------------


def test_the_sqlite_database_and_its_wal_and_shm_are_private(tmp_path):
    from selector import migrate
    from selector.db import Database

    path = tmp_path / "instance" / "selector.db"
    path.parent.mkdir()
    db = Database(f"sqlite:///{path}")
    try:
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:  # WAL: the -wal and -shm files exist now
            connection.exec_driver_sql("SELECT count(*) FROM accounts")
            for part in (path, f"{path}-wal", f"{path}-shm"):
                assert os.path.exists(part), part
                assert mode(part) == 0o600, part
    finally:
        db.dispose()


def test_a_database_made_readable_by_all_before_is_narrowed(tmp_path):
    import sqlite3

    from selector.db import Database

    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    db = Database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        assert mode(path) == 0o600 and mode(f"{path}-wal") == 0o600
    finally:
        db.dispose()


def test_the_instance_folder_and_the_secret_key_file_are_private(database_url, tmp_path,
                                                                  monkeypatch):
    from selector.web import database
    from selector.web.app import create_app

    instance = tmp_path / "new-instance"
    monkeypatch.setenv("SELECTOR_INSTANCE", str(instance))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        assert mode(instance) == 0o700
        assert mode(instance / "secret_key") == 0o600
        assert mode(instance / "template-cache") == 0o700
    finally:
        database.dispose(app)


def test_an_instance_folder_readable_by_all_is_narrowed(tmp_path, monkeypatch):
    from selector import paths

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    monkeypatch.setenv("SELECTOR_INSTANCE", str(instance))
    assert paths.instance_dir() == instance and mode(instance) == 0o700


def test_attachments_and_stashed_uploads_are_private(database_url, example_doc, tmp_path,
                                                     monkeypatch):
    import inspect

    from selector.services import spreadsheets
    from tests.scoring.helpers import verdict_with_evidence

    instance = tmp_path / "instance"
    monkeypatch.setenv("SELECTOR_INSTANCE", str(instance))
    ids, attachment_id = verdict_with_evidence(
        database_url, example_doc, "annex.pdf", b"%PDF-1.7\n%%EOF\n"
    )
    attachment = instance / "attachments" / str(attachment_id)
    assert mode(instance / "attachments") == 0o700 and mode(attachment) == 0o600

    csv = b"code,title\nBUS-01,Customers are found by name\n"
    arguments = inspect.signature(spreadsheets.stash).parameters
    if "account_id" in arguments:  # the stash is kept per account (issue 17, item 3)
        token = spreadsheets.stash(instance, ids.accounts["fenna@example.org"], ids.selection,
                                   csv, "requirements.csv")
    else:
        token = spreadsheets.stash(instance, ids.selection, csv, "requirements.csv")
    stashed = [p for p in (instance / "uploads" / "requirements").iterdir() if token in p.name]
    assert len(stashed) == 1 and mode(stashed[0]) == 0o600
    assert mode(instance / "uploads") == 0o700 and mode(instance / "uploads/requirements") == 0o700


def test_write_private_replaces_a_file_that_others_could_read(tmp_path):
    from selector import paths

    target = tmp_path / "private" / "file"
    target.parent.mkdir(mode=0o755)
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    paths.write_private(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert mode(target.parent) == 0o700
    assert sorted(p.name for p in target.parent.iterdir()) == ["file"]  # no .part left


# -- second-factor secrets at rest --------------------------------------------------------


def _stored(dbs, email: str) -> tuple[int, str | None]:
    with dbs.transaction(write=False) as session:
        account = session.scalar(select(Account).where(Account.email == email))
        return account.id, account.totp_secret


def test_a_backup_holds_no_readable_totp_secret(app, dbs, committee, tmp_path):
    from selector.services.backup import write_backup

    email = committee.emails["facilitator"]
    secret = enable(app, dbs, email)
    _, stored = _stored(dbs, email)
    assert secret not in stored and stored.startswith("v1.")
    out = tmp_path / "backup.zip"
    write_backup(dbs.engine, tmp_path / "instance", out)
    assert mode(out) == 0o600
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    with zipfile.ZipFile(out) as archive:
        contents = [archive.read(name) for name in archive.namelist()]
    for content in [out.read_bytes(), *contents]:
        for form in (secret, secret.lower(), grouped):
            assert form.encode() not in content
    assert stored.encode() in b"".join(contents)  # the sealed form is what is kept


def test_a_secret_stored_plain_before_sealing_works_and_is_sealed_at_its_next_login(
    app, dbs, committee
):
    import pyotp

    email = committee.emails["business"]
    secret = pyotp.random_base32()
    with dbs.transaction() as session:  # as release 0.1 stored it
        session.execute(update(Account).where(Account.email == email)
                        .values(totp_secret=secret))
    browser = Browser(app)
    assert password_step(browser, email).headers["Location"] == "/login/code"
    response = browser.post("/login/code", {"code": _code(secret)})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    account_id, stored = _stored(dbs, email)
    assert stored.startswith("v1.") and secret not in stored
    from selector.services import totp

    with app.app_context():
        assert totp.reveal(stored, account_id) == secret


def test_a_changed_secret_key_fails_clearly_not_as_a_wrong_code(
    app, dbs, committee, database_url, tmp_path, monkeypatch, caplog
):
    from selector.web import database
    from selector.web.app import create_app

    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    rotated = create_app({"TESTING": True, "SECRET_KEY": "another-secret-key",
                          "DATABASE_URL": database_url, "SERVER_NAME": "selector.test"})
    try:
        browser = Browser(rotated)
        assert password_step(browser, email).headers["Location"] == "/login/code"
        with caplog.at_level(logging.ERROR, logger="selector.services.totp"):
            response = browser.post("/login/code", {"code": _code(secret)})
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "secret key has changed" in page or "geheime sleutel" in page, page[:2000]
        assert "SECRET_KEY" in caplog.text
        with dbs.transaction(write=False) as session:  # not counted as a wrong code
            assert session.scalar(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.succeeded.is_(False))) == 0
        # An administrator can still turn it off; then the password alone logs in.
        admin = Browser(rotated)
        admin.login(committee.admin_email)
        account_id, _ = _stored(dbs, email)
        reset = admin.post(f"/admin/accounts/{account_id}/second-factor/reset", {})
        assert reset.status_code in (302, 303)
        assert _stored(dbs, email)[1] is None
    finally:
        database.dispose(rotated)


def test_a_sealed_secret_copied_to_another_account_does_not_open(app, dbs, committee):
    from selector.services import totp

    victim, attacker = committee.emails["facilitator"], committee.emails["observer"]
    enable(app, dbs, attacker)
    _, sealed = _stored(dbs, attacker)
    victim_id, _ = _stored(dbs, victim)
    with app.app_context(), pytest.raises(totp.SecretKeyChanged):
        totp.reveal(sealed, victim_id)


def test_the_migration_seals_plain_secrets_and_the_downgrade_opens_them(
    database_url, monkeypatch
):
    import pyotp

    from selector import migrate
    from selector.db import Database
    from selector.services import totp

    monkeypatch.setenv("SECRET_KEY", "the-instance-key")
    db = Database(database_url)
    try:
        migrate.downgrade(db.engine, "0006")
        secret = pyotp.random_base32()
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO accounts (id, email, name, is_admin, is_active, totp_secret, "
                "created_at) VALUES (41, 'old@example.org', 'Old', false, true, "
                f"'{secret}', CURRENT_TIMESTAMP)")
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            stored = connection.exec_driver_sql(
                "SELECT totp_secret FROM accounts WHERE id = 41").scalar()
        assert totp.is_sealed(stored) and totp.reveal(stored, 41) == secret
        migrate.downgrade(db.engine, "0006")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT totp_secret FROM accounts WHERE id = 41").scalar() == secret
        migrate.upgrade(db.engine)
    finally:
        db.dispose()
