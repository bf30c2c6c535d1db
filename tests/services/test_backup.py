"""Backup and restore of a whole instance through the real command."""

from __future__ import annotations

import json
import uuid
import zipfile

import pytest

from tests.cli.test_cli import selector
from tests.conftest import EXAMPLE


@pytest.fixture
def second_database(database_template, tmp_path):
    """Another empty, migrated database beside the test's own."""
    kind, template = database_template
    if kind == "sqlite":
        import shutil

        path = tmp_path / "restored.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    admin, base_url, template_name = template
    name = f"selector_r_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}" STRATEGY FILE_COPY')
    yield base_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_gives_identical_rankings_and_files(
    database_url, second_database, tmp_path, monkeypatch
):
    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    imported = selector("import", str(EXAMPLE), env_url=database_url)
    selection_id = imported.stdout.split()[-1]
    backup = tmp_path / "instance.zip"
    made = selector("backup", "-o", str(backup), env_url=database_url)
    assert made.returncode == 0, made.stderr
    manifest = json.loads(zipfile.ZipFile(backup).read("manifest.json"))
    assert manifest["tables"]["scores"] == 191 and manifest["tables"]["selections"] == 1

    restored = selector("restore", str(backup), env_url=second_database)
    assert restored.returncode == 0, restored.stderr
    for command in (("rank", "--selection", selection_id, "--json"), ("export", selection_id)):
        before = selector(*command, env_url=database_url)
        after = selector(*command, env_url=second_database)
        assert after.returncode == 0, after.stderr
        assert json.loads(after.stdout) == json.loads(before.stdout)
    # Ids continue after the restored ones: a new import gets a fresh id.
    again = selector("import", str(EXAMPLE), env_url=second_database)
    assert again.returncode == 0, again.stderr
    assert int(again.stdout.split()[-1]) == int(selection_id) + 1


def test_restore_refuses_a_database_that_is_not_empty(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    selector("import", str(EXAMPLE), env_url=database_url)
    backup = tmp_path / "b.zip"
    selector("backup", "-o", str(backup), env_url=database_url)
    result = selector("restore", str(backup), env_url=database_url)
    assert result.returncode == 1
    assert "not empty" in result.stderr and "Traceback" not in result.stderr


def test_restore_refuses_what_is_not_a_backup(database_url, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 this is no zip")
    result = selector("restore", str(junk), env_url=database_url)
    assert result.returncode == 1 and "not a Selector backup" in result.stderr
    listed = selector("list", "--json", env_url=database_url)
    assert json.loads(listed.stdout) == []
