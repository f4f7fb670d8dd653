"""var/ and its files are private; folders the project did not create keep their mode."""

from __future__ import annotations

import os
import stat

from actions.persistence.database import make_engine
from bot.private_files import private_file


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_folder_is_0700_and_the_file_0600(tmp_path):
    path = private_file(tmp_path / "var" / "deep" / "secret")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path):
    os.chmod(tmp_path, 0o755)
    private_file(tmp_path / "x.db")
    assert mode(tmp_path) == 0o755 and mode(tmp_path / "x.db") == 0o600


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    database = tmp_path / "var" / "trust_repair.db"
    database.parent.mkdir()
    database.touch(mode=0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600
