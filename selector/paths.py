"""Where the bundled folders live: beside the package in a wheel, at the repository top
in a checkout (decisions.md: a wheel force-includes them under selector/_bundled)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# pathlib is imported where it is used: `selector rank` with DATABASE_URL set needs none
# of this module but database_url(), and starts without it.


def bundled(name: str) -> Path:
    """The folder `templates`, `static`, `seed` or `migrations`."""
    from pathlib import Path

    package = Path(__file__).resolve().parent
    candidate = package / "_bundled" / name
    return candidate if candidate.is_dir() else package.parent / name


def instance_dir() -> Path:
    """The instance folder: SELECTOR_INSTANCE, else ./instance (created on demand)."""
    from pathlib import Path

    path = Path(os.environ.get("SELECTOR_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """DATABASE_URL, else a SQLite file in the instance folder (formats.md)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; make the plain form work too.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{instance_dir() / 'selector.db'}"
