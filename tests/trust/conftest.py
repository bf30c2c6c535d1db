# ruff: noqa: F401  (fixtures: importing them here makes them visible to every module)
"""The trust tests attack the same app as the page tests: its fixtures, shared once."""

from tests.web.conftest import app
from tests.web.conftest import browser
from tests.web.conftest import browser_factory
from tests.web.conftest import committee
from tests.web.conftest import dbs
from tests.web.conftest import fast_passwords
from tests.web.conftest import login_clock
