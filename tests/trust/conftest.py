# ruff: noqa: F401  (fixtures: importing them here makes them visible to every module)
"""The trust tests attack the same app as the page tests: its fixtures, shared once."""

from tests.web.conftest import (
    app,
    browser,
    browser_factory,
    committee,
    dbs,
    fast_passwords,
    login_clock,
)
