"""The tracker store fails loudly and quickly: a database that is down or hangs gives
`ConversationStoreUnavailable` within the deadline, never a fresh conversation, and never
blocks the event loop (everyone else's turns)."""

from __future__ import annotations

import asyncio
import stat
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from bot.paths import REPO_ROOT
from bot.tracker_store import ConversationStoreUnavailable, ForgettingSQLTrackerStore
from tests.support.hanging_server import HangingServer
from tests.support.live import free_port


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def test_the_store_is_built_at_once_while_the_database_is_down(rasa_domain):
    started = time.monotonic()
    store = ForgettingSQLTrackerStore(
        rasa_domain, host=f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    )
    assert time.monotonic() - started < 1  # Rasa's own store loops here until it answers
    store.engine.dispose()


async def test_a_database_that_is_down_is_an_error_not_a_fresh_conversation(rasa_domain):
    store = ForgettingSQLTrackerStore(
        rasa_domain, host=f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    )
    with pytest.raises(ConversationStoreUnavailable) as failed:
        await store.get_or_create_tracker("person")
    assert failed.value.operation == "read"
    tracker = store.init_tracker("person")
    tracker.update(UserUttered("my answer"))
    with pytest.raises(ConversationStoreUnavailable) as failed:
        await store.save(tracker)
    assert failed.value.operation == "write"


async def test_a_hanging_database_costs_one_turn_the_deadline_and_blocks_nobody(rasa_domain):
    with HangingServer() as database:
        store = ForgettingSQLTrackerStore(
            rasa_domain, host=f"postgresql://postgres@127.0.0.1:{database.port}/x", deadline=1.5
        )
        ticks = 0

        async def everyone_else() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        others = asyncio.create_task(everyone_else())
        started = time.monotonic()
        with pytest.raises(ConversationStoreUnavailable):
            await store.retrieve("person")
        waited = time.monotonic() - started
        others.cancel()
    print(f"hanging database: turn failed after {waited:.2f} s; the loop ticked {ticks} times")
    assert 1.4 < waited < 3
    assert ticks >= 20  # the loop kept running: 1.5 s / 0.05 s = 30 ticks expected


def test_the_sqlite_file_and_its_folder_are_private(rasa_domain, tmp_path: Path):
    folder = tmp_path / "var"
    store = ForgettingSQLTrackerStore(rasa_domain, dialect="sqlite", db=str(folder / "t.db"))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "t.db").stat().st_mode) == 0o600
    store.engine.dispose()
