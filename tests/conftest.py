"""Shared fixtures: temporary databases, a dispatcher, the domain, a tracker builder, the
fake Telegram Bot API and the live servers the REST conversation tests share. Helpers that
are not fixtures live in tests/support/."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.persistence import access
from actions.persistence.repository import Repository
from bot.paths import REPO_ROOT
from tests.support.fake_telegram_api import FakeTelegramApi
from tests.support.live import LiveServers
from tests.support.telegram_updates import TOKEN
from tests.support.trackers import build_tracker

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the real PostgreSQL server, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def repo(sqlite_url: str, monkeypatch) -> Iterator[Repository]:
    """The repository the actions use, on a temporary SQLite file."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    # "export my data" also reads the conversation: from a file of the test's own.
    monkeypatch.setenv("TRACKER_DATABASE_URL", sqlite_url.replace("app.db", "tracker.db"))
    access.reset_repository()
    yield access.repository()
    access.reset_repository()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text())


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def make_tracker() -> TrackerFactory:
    """Builds a tracker whose latest message is `text` classified as `intent`
    (tests/support/trackers.py)."""
    return build_tracker


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeTelegramApi]:
    """A fake Telegram Bot API on 127.0.0.1 (tests/support/fake_telegram_api.py)."""
    with FakeTelegramApi(TOKEN) as api:
        yield api


@pytest.fixture(scope="session")
def shared_servers(tmp_path_factory) -> Iterator[LiveServers]:
    """Rasa and the action server on fresh databases, started once for the REST conversation
    tests (each talks as its own sender): every start costs half a minute of the test run."""
    with LiveServers.running(tmp_path_factory.mktemp("live")) as live:
        yield live
