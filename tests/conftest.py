"""Shared fixtures: a migrated temporary database, a dispatcher, the domain, tracker builders."""

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

from actions import context
from actions.persistence.repository import Repository

REPO_ROOT = Path(__file__).resolve().parent.parent
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
    context.reset_repository()
    yield context.repository()
    context.reset_repository()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text())


def user_event(
    text: str,
    intent: str | None,
    entities: list[dict] | None = None,
    ranking: list[dict] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        **extra,
    }
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def make_tracker() -> TrackerFactory:
    """Builds a tracker whose latest message is `text` classified as `intent`."""

    def build(
        text: str = "",
        intent: str | None = None,
        slots: dict[str, Any] | None = None,
        entities: list[dict] | None = None,
        events: list[dict] | None = None,
        sender_id: str = "person-1",
        active_loop: str | None = None,
        **parse_extra: Any,
    ) -> Tracker:
        latest = user_event(text, intent, entities, **parse_extra)
        all_events = list(events or []) + [latest]
        return Tracker(
            sender_id=sender_id,
            slots=dict(slots or {}),
            latest_message=latest["parse_data"],
            events=all_events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    """The domain responses sent, in order (None for text sent from content files)."""
    return [message.get("response") for message in dispatcher.messages]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
