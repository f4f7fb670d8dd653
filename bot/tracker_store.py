"""Rasa's SQL tracker store, plus forgetting: "delete my data" also erases the conversation.

Deleting the app's rows is not enough: the tracker store keeps every message the person
typed. When `action_delete_my_data` sets the slot named by `actions.slots.DATA_DELETED`, the
next save deletes every stored event of that conversation (all sessions) and keeps only what
came after the deletion.

Rasa's SQL store is synchronous inside `async` methods: every read and write held the
server's event loop (and every other conversation) while the database worked. Here each
call runs on one database thread with its own event loop (bot/db_thread.py), so the
server keeps parsing other people's messages meanwhile. One thread keeps SQLite's writes
in order and needs no locking; the queries themselves are Rasa's.

On SQLite the store keeps its connection open and writes in WAL mode with
`synchronous=NORMAL`: a commit no longer waits for the disk twice (measured: the tracker
write was the largest cost of a turn after the action calls). A crash of the process
loses nothing; a power cut can lose the last turns.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import SingletonThreadPool

from actions.slots import DATA_DELETED as FORGET_SLOT
from bot.db_thread import DatabaseThread


def sqlite_fast_commits(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def forget_marker(events) -> int:
    """Index of the last `data_deleted=True` event among `events`, or -1."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, SlotSet) and event.key == FORGET_SLOT and event.value:
            return index
    return -1


class ForgettingSQLTrackerStore(SQLTrackerStore):
    _database_thread = DatabaseThread("tracker-store")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa opens and closes a SQLite connection for every read and write (NullPool);
            # closing the last one checkpoints the WAL, ~10 ms each. Keep one per thread.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(url, poolclass=SingletonThreadPool)
            event.listen(self.engine, "connect", sqlite_fast_commits)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._database_thread.run(super().retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._database_thread.run(super().retrieve_full_tracker(conversation_id))

    async def keys(self) -> Iterable[str]:
        return await self._database_thread.run(super().keys())

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._database_thread.run(self._save(tracker))

    async def _save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        marker = forget_marker(events)
        # The usual case has no marker and costs no extra query. A marker that is already
        # stored (a purged conversation starts with it) does not purge again.
        if marker < 0 or not self._marker_unsaved(tracker):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).delete()
            session.commit()
        kept = events[marker:]
        await super().save(
            DialogueStateTracker.from_events(tracker.sender_id, kept, slots=self.domain.slots)
        )

    def _marker_unsaved(self, tracker: DialogueStateTracker) -> bool:
        with self.session_scope() as session:
            return forget_marker(list(self._additional_events(session, tracker))) >= 0
