"""The tracker store keeps conversations and forgets them on "delete my data", on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.paths import REPO_ROOT
from bot.tracker_store import FORGET_SLOT, ForgettingSQLTrackerStore


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture
def store(database_url: str, rasa_domain: Domain) -> Iterator[ForgettingSQLTrackerStore]:
    # Rasa takes a whole database URL in `host`, which is how a deployment points it at PostgreSQL.
    store = ForgettingSQLTrackerStore(rasa_domain, host=database_url)
    yield store
    store.engine.dispose()


def said(tracker: DialogueStateTracker) -> list:
    return [event.text for event in tracker.events if isinstance(event, (UserUttered, BotUttered))]


async def converse(
    store: SQLTrackerStore, sender: str, *texts: str, forget_after: int = -1
) -> None:
    """Loads, updates and saves once per exchange, as Rasa does; sets the forget slot in exchange
    `forget_after`."""
    for index, text in enumerate(texts):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text))
        tracker.update(BotUttered(f"reply to {text}"))
        if index == forget_after:
            tracker.update(SlotSet(FORGET_SLOT, True))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)


async def test_conversation_survives_a_reload(store):
    await converse(store, "anna", "he lied about money", "yes please")
    reloaded = await store.retrieve("anna")
    assert said(reloaded) == [
        "he lied about money",
        "reply to he lied about money",
        "yes please",
        "reply to yes please",
    ]


async def test_delete_my_data_erases_what_was_said_before_and_keeps_what_came_after(store):
    await converse(
        store, "anna", "he lied about money", "delete my data", "hello again", forget_after=1
    )
    reloaded = await store.retrieve("anna")
    assert said(reloaded) == ["hello again", "reply to hello again"]
    assert reloaded.get_slot(FORGET_SLOT) is True


async def test_forgetting_one_person_leaves_everyone_else(store):
    await converse(store, "ben", "she reads my messages")
    await converse(store, "anna", "he lied about money", "delete my data", forget_after=1)
    assert said(await store.retrieve("ben")) == [
        "she reads my messages",
        "reply to she reads my messages",
    ]
    assert said(await store.retrieve("anna")) == []


async def test_a_forgotten_conversation_is_not_purged_again_on_later_saves(store):
    await converse(store, "anna", "he lied", "delete my data", forget_after=0)
    await converse(store, "anna", "i'm back")
    assert said(await store.retrieve("anna")) == [
        "delete my data",
        "reply to delete my data",
        "i'm back",
        "reply to i'm back",
    ]


async def test_a_slow_database_does_not_stop_other_conversations(store, monkeypatch):
    """While one read waits on the database, the server's loop keeps serving others."""
    import asyncio
    import time

    await converse(store, "anna", "he lied about money")

    def slowed(query):
        def slow(*args, **kwargs):
            time.sleep(0.3)  # a database that takes its time
            return query(*args, **kwargs)

        return slow

    # the full read and the check behind a kept tracker both wait
    monkeypatch.setattr(store, "_event_query", slowed(store._event_query))
    monkeypatch.setattr(store, "_stored", slowed(store._stored))
    ticks = 0

    async def other_conversations() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(other_conversations())
    reloaded = await store.retrieve("anna")
    ticker.cancel()
    assert said(reloaded)[0] == "he lied about money"
    assert ticks >= 10


def exchange(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text))
    tracker.update(BotUttered(f"reply to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def everything(tracker: DialogueStateTracker) -> list[dict]:
    return tracker.current_state(EventVerbosity.ALL)["events"]


async def test_the_next_turn_gets_the_saved_tracker_as_the_database_holds_it(store, rasa_domain):
    await converse(store, "anna", "he lied about money", "yes please")
    saved = await store.get_or_create_tracker("anna")
    exchange(saved, "and then?")
    await store.save(saved)
    kept = await store.retrieve("anna")
    elsewhere = ForgettingSQLTrackerStore(rasa_domain, host=store._url)  # reads the database
    from_database = await elsewhere.retrieve("anna")
    elsewhere.engine.dispose()
    assert kept is saved  # not read again and replayed
    assert everything(kept) == everything(from_database)
    assert kept.current_state() == from_database.current_state()


async def test_a_kept_tracker_is_handed_out_once(store):
    await converse(store, "anna", "he lied about money")
    first = await store.retrieve("anna")
    second = await store.retrieve("anna")  # e.g. the HTTP API while a turn runs
    assert second is not first and said(second) == said(first)


async def test_rows_written_by_another_instance_are_read_not_the_kept_tracker(store, rasa_domain):
    await converse(store, "anna", "he lied about money")
    other = ForgettingSQLTrackerStore(rasa_domain, host=store._url)
    await converse(other, "anna", "said to the other instance")
    other.engine.dispose()
    assert said(await store.retrieve("anna"))[-2:] == [
        "said to the other instance",
        "reply to said to the other instance",
    ]


async def test_a_turn_that_failed_before_saving_leaves_nothing_in_memory(store):
    await converse(store, "anna", "he lied about money")
    tracker = await store.retrieve("anna")
    await store.save(tracker)
    exchange(tracker, "lost when the turn failed")  # changed, never saved
    assert said(await store.retrieve("anna")) == [
        "he lied about money",
        "reply to he lied about money",
    ]


async def test_a_new_session_is_read_as_rasa_reads_it(store):
    await converse(store, "anna", "he lied about money")
    tracker = await store.retrieve("anna")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    exchange(tracker, "back the next day")
    await store.save(tracker)
    assert said(await store.retrieve("anna")) == ["back the next day", "reply to back the next day"]


async def test_kept_trackers_are_bounded(store, monkeypatch):
    from bot import tracker_store

    monkeypatch.setattr(store, "_kept", tracker_store.KeptTrackers(size=2))
    for person in ("anna", "ben", "cleo"):
        await converse(store, person, "hello", "again")
    assert list(store._kept._kept) == ["ben", "cleo"]


def test_sqlite_commits_in_wal_mode(tmp_path, rasa_domain):
    store = ForgettingSQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    store.engine.dispose()


# sha256 of Rasa 3.6.21's SQLTrackerStore.save, which _insert_new_events stores like.
RASA_SAVE_SOURCE = "57165e46eab3de0866e77f03df0bf7fd5eac2c1de617ed431b934c9a4edfeef6"


def test_the_rasa_save_the_rows_are_copied_from_is_unchanged():
    import hashlib
    import inspect

    digest = hashlib.sha256(inspect.getsource(SQLTrackerStore.save).encode()).hexdigest()
    assert digest == RASA_SAVE_SOURCE, (
        "Rasa's SQLTrackerStore.save changed: re-read it and update bot/tracker_store.py "
        "(event_row, _insert_new_events), then this digest"
    )


def stored_rows(engine) -> list[tuple]:
    with engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()


async def test_rows_are_the_ones_rasa_would_store(tmp_path, rasa_domain):
    ours = ForgettingSQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "a.db"))
    rasas = SQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "b.db"))
    tracker = DialogueStateTracker("person", rasa_domain.slots)
    for event in (
        ActionExecuted("action_listen"),
        UserUttered("hi", intent={"name": "greet", "confidence": 0.9}),
        ActionExecuted("action_greet"),
        BotUttered("hello", metadata={"utter_action": "utter_welcome"}),
        SlotSet("question", None),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
        await ours.save(tracker)
        await rasas.save(tracker)
    assert len(stored_rows(ours.engine)) == 6
    assert stored_rows(ours.engine) == stored_rows(rasas.engine)
    ours.engine.dispose(), rasas.engine.dispose()


async def test_sqlite_keeps_its_connection_between_saves(tmp_path, rasa_domain):
    import sqlalchemy as sa

    store = ForgettingSQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    connects = []
    sa.event.listen(store.engine, "connect", lambda *_: connects.append(1))
    await converse(store, "person", *[f"message {i}" for i in range(10)])
    assert len(connects) == 1, "a new SQLite connection per query (and a checkpoint per close)"
    store.engine.dispose()
