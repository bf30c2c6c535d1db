"""Alembic, driven from code: `selector db upgrade` and the tests use these."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from selector.paths import bundled


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(bundled("migrations")))
    # '%' would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(_url(engine)), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(_url(engine)), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
