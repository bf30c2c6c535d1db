"""Where the bundled folders live: beside the package in a wheel, at the repository top
in a checkout (decisions.md: a wheel force-includes them under selector/_bundled); and
where the instance's own files live, kept private to the account that runs Selector.

Security assumption (issue 17, item 11): the instance folder holds the database, its
`-wal`/`-shm` files, the secret key, attachments and stashed uploads. Folders Selector
makes there are 0700 and files 0600, set explicitly where each is made (`private_dir`,
`write_private`, `open_private`), whatever the process umask; no umask is changed,
since it is process-wide and would also apply to files a user exports on purpose.
"""

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
    """The instance folder: SELECTOR_INSTANCE, else ./instance (created on demand, 0700)."""
    from pathlib import Path

    return private_dir(Path(os.environ.get("SELECTOR_INSTANCE", "instance")).resolve())


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Make `path` (and any missing parent) with mode 0700; an existing folder of ours
    that others may read is narrowed to 0700. Returns `path`."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process was first
            pass
    _narrow(path, PRIVATE_DIR)
    return path


def _narrow(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when it is ours and others have any access to it."""
    try:
        status = path.stat()
        if status.st_mode & 0o077 and status.st_uid == os.getuid():
            path.chmod(mode)
    except OSError:  # not ours, or gone meanwhile: leave it to its owner
        pass


def narrow_file(path: Path) -> None:
    """Narrow an existing file of ours to 0600 (made before Selector kept files private)."""
    _narrow(path, PRIVATE_FILE)


def open_private(path: Path, *, exclusive: bool = False):
    """Open `path` for writing (binary) with mode 0600, its folder made private first.
    An existing file is truncated and narrowed to 0600; `exclusive` refuses one."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)  # a file that existed keeps its mode otherwise
    except (OSError, AttributeError):  # pragma: no cover - a system without modes
        pass
    return os.fdopen(descriptor, "wb")


def write_private(path: Path, content: bytes) -> Path:
    """Write `content` to `path` with mode 0600, atomically: into a temporary file of the
    same folder, then renamed, so a reader never sees half a file."""
    import secrets

    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with open_private(partial, exclusive=True) as stream:
            stream.write(content)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
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
