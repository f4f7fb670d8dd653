"""Files only the account running the assistant can read: var/ is 0700, its files 0600.

The databases and secrets under var/ hold what people typed; with the default umask every
local account could read them.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Creates `path` (and missing parents) 0700. An existing folder keeps its mode: it may
    be the working directory or a shared one (`make run` makes var/ 0700 itself)."""
    if not path.exists():
        path.mkdir(parents=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def private_file(path: Path) -> Path:
    """Creates `path` empty if it is missing (its folder 0700 if new) and makes it 0600.

    Called before SQLite opens a database file, so the file is never world-readable, not
    even for a moment; SQLite gives its journal files the mode of the database file.
    """
    private_dir(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)
    os.chmod(path, FILE_MODE)
    return path


def sqlite_file(database: str | None) -> None:
    """Makes a SQLite database file private; in-memory databases have no file."""
    if database and database != ":memory:" and not database.startswith("file:"):
        private_file(Path(database))
