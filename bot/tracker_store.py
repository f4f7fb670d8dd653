"""Rasa's SQL tracker store, made to forget on request and to fail loudly.

Forgetting: deleting the app's rows is not enough, the tracker store keeps every message the
person typed. When `action_delete_my_data` sets the slot named by `actions.slots.DATA_DELETED`,
the next save deletes every stored event of that conversation (all sessions) and keeps only
what came after the deletion.

Failing loudly, where Rasa's SQLTrackerStore does not (see ../shared RASA-NOTES):
- it does not retry forever in its constructor while the database is down: the server
  starts, and the tables are created on the first successful connection;
- every database call runs in a worker thread with a deadline, so a database that hangs
  holds one turn for a few seconds and never Rasa's event loop (everyone else);
- a failed read or write raises `ConversationStoreUnavailable` with one clear log line,
  instead of a fresh conversation or a copy kept only in memory; bot/turn_guard.py
  removes Rasa's FailSafeTrackerStore wrapper (which would swallow it) and tells the person.

Keeping the last saved tracker: reading a conversation replays every event of the session,
and Rasa's per-event work grows with it (turn 60 cost several times turn 6). The tracker
just saved is kept in memory and handed to the next read of that conversation, once, if the
database still holds exactly what was saved (its row count and last row id for the person);
otherwise, and for every other read, the conversation is read from the database as before.
Several instances stay correct: a row written by another one changes what is compared.

Configure it with `url:` (a whole database URL) or `dialect`/`host`/`db`...; endpoints.yml
examples are in docs/deploy/.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import (
    SQLTrackerStore,
    TrackerStore,
    create_engine_kwargs,
    validate_port,
)
from rasa.shared.core.events import SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from actions.slots import DATA_DELETED as FORGET_SLOT
from bot.sql_engines import engine_options

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Connecting is bounded at 5 s and each statement at 5 s (bot/sql_engines.py); a turn that
# waits longer than this for the store is told the store is unavailable.
DEFAULT_DEADLINE_SECONDS = float(os.environ.get("TRACKER_STORE_DEADLINE_SECONDS", "12"))
WORKER_THREADS = 8
# SQLite takes one writer at a time, and a second waits in SQLite's busy handler, which sleeps
# in steps of up to 100 ms: measured under 20 people, the store's 8 threads spent most of
# their time waiting for each other. One thread does the work in turn, without waits.
SQLITE_WORKER_THREADS = 1
# Conversations whose last saved tracker is kept for their next turn (least recent dropped).
KEPT_CONVERSATIONS = 200


class ConversationStoreUnavailable(RuntimeError):
    """The conversation could not be read or written; nothing was replaced or faked."""

    def __init__(self, operation: str, reason: str) -> None:
        super().__init__(f"{operation}: {reason}")
        self.operation = operation


def forget_marker(events) -> int:
    """Index of the last `data_deleted=True` event among `events`, or -1."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, SlotSet) and event.key == FORGET_SLOT and event.value:
            return index
    return -1


def sqlite_fast_commits(connection, _record) -> None:
    """WAL: a commit appends to the log instead of rewriting the file, and readers never wait
    for the writer (measured by the perf work: most of a turn's SQLite cost was commits)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def event_row(sender_id: str, event) -> dict[str, Any]:
    """The `events` row Rasa's SQLTrackerStore.save writes for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class KeptTrackers:
    """The last saved tracker of recent conversations, each with what the database held for
    that person right after the save (its row count and last row id)."""

    def __init__(self, size: int = KEPT_CONVERSATIONS) -> None:
        self._size = size
        self._kept: OrderedDict[str, tuple[DialogueStateTracker, tuple, int]] = OrderedDict()
        self._lock = threading.Lock()  # saves and reads run on the store's worker threads

    def keep(self, tracker: DialogueStateTracker, stored: tuple) -> None:
        with self._lock:
            self._kept[tracker.sender_id] = (tracker, stored, len(tracker.events))
            self._kept.move_to_end(tracker.sender_id)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def take(self, sender_id: str, stored: Callable[[], tuple]) -> DialogueStateTracker | None:
        """The kept tracker, handed out once, if nothing changed it since it was saved: not
        the database (`stored()` is what it holds now), not a turn that failed before saving
        (events added in memory only)."""
        with self._lock:
            entry = self._kept.pop(sender_id, None)
        if entry is None:
            return None
        tracker, saved, length = entry
        if len(tracker.events) != length or stored() != saved:
            return None
        return tracker

    def drop(self, sender_id: str) -> None:
        with self._lock:
            self._kept.pop(sender_id, None)


class ForgettingSQLTrackerStore(SQLTrackerStore):
    # Read by bot/turn_guard.py: this store's errors must reach the person.
    fails_loudly = True

    def __init__(
        self,
        domain=None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "rasa.db",
        username: str | None = None,
        password: str | None = None,
        event_broker=None,
        login_db: str | None = None,
        query: dict | None = None,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        **kwargs: Any,
    ) -> None:
        # SQLTrackerStore.__init__ is skipped on purpose: it loops until the database answers.
        port = validate_port(port)
        self._url = self.get_db_url(dialect, host, port, db, username, password, None, query)
        self._login_db = login_db
        self._make_engine(
            self.get_db_url(dialect, host, port, db, username, password, login_db, query)
        )
        self._deadline = deadline
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        sqlite = self.engine.dialect.name == "sqlite"
        threads = SQLITE_WORKER_THREADS if sqlite else WORKER_THREADS
        self._workers = ThreadPoolExecutor(threads, thread_name_prefix="tracker-store")
        self._kept = KeptTrackers()
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def _make_engine(self, url) -> None:
        self.engine = sa.create_engine(url, **engine_options(url, **create_engine_kwargs(url)))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", sqlite_fast_commits)
        self.sessionmaker = sessionmaker(bind=self.engine)

    def _ensure_schema(self) -> None:
        """Creates the tables on the first connection that works (also after an outage)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            if self._login_db:
                # PostgreSQL: connect to `login_db`, create the conversation database.
                self._create_database(self.engine, sa.engine.make_url(self._url).database)
                self.engine.dispose()
                self._make_engine(self._url)
            try:
                self.Base.metadata.create_all(self.engine)
            except (sa.exc.ProgrammingError, sa.exc.IntegrityError):
                # Another instance created the tables at the same moment (PostgreSQL's
                # check-then-create races): they exist now, and this finds them.
                self.Base.metadata.create_all(self.engine)
            self._schema_ready = True
            logger.info("Tracker store: connected, tables ready")

    def session_scope(self):
        self._ensure_schema()
        return super().session_scope()

    async def _in_thread(self, operation: str, work: Callable[[], T]) -> T:
        """Runs blocking database `work` off the event loop, within the deadline."""
        future = asyncio.get_running_loop().run_in_executor(self._workers, work)
        try:
            return await asyncio.wait_for(future, self._deadline)
        except asyncio.TimeoutError:
            reason = f"no answer within {self._deadline:.0f} s"
        except SQLAlchemyError as error:
            reason = type(error).__name__
        logger.error("Tracker store unavailable: %s failed (%s)", operation, reason)
        raise ConversationStoreUnavailable(operation, reason)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        parent = super().retrieve

        def read() -> DialogueStateTracker | None:
            kept = self._kept.take(sender_id, lambda: self._stored(sender_id))
            return kept if kept is not None else asyncio.run(parent(sender_id))

        return await self._in_thread("read", read)

    def _stored(self, sender_id: str, session=None) -> tuple:
        """What the database holds for this person: row count and last row id."""
        query = sa.select(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)).where(
            self.SQLEvent.sender_id == sender_id
        )
        if session is not None:
            return tuple(session.execute(query).one())
        with self.session_scope() as session:
            return tuple(session.execute(query).one())

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        parent = super().retrieve_full_tracker
        return await self._in_thread("read", lambda: asyncio.run(parent(conversation_id)))

    async def keys(self):
        parent = super().keys
        return await self._in_thread("list", lambda: asyncio.run(parent()))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        # SQLTrackerStore.save calls this inside the worker thread; the events are streamed
        # from the event loop in save() instead, where an event broker lives.
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        await TrackerStore.stream_events(self, tracker)
        await self._in_thread("write", lambda: self._save_forgetting(tracker))

    def _save_forgetting(self, tracker: DialogueStateTracker) -> None:
        self._kept.drop(tracker.sender_id)
        events = list(tracker.events)
        marker = forget_marker(events)
        # The usual case has no marker and costs no extra query. A marker that is already
        # stored (a purged conversation starts with it) does not purge again.
        if marker >= 0 and self._marker_unsaved(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id
                ).delete()
                session.commit()
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id, events[marker:], slots=self.domain.slots
            )
            self._insert_new_events(tracker)  # the purged tracker is not the one Rasa holds
            return
        self._insert_new_events(tracker, keep=True)

    def _insert_new_events(self, tracker: DialogueStateTracker, keep: bool = False) -> None:
        """What `SQLTrackerStore.save` stores (the same rows), in one multi-row INSERT.

        Rasa adds one ORM object per event and lets the unit of work insert them one by one;
        under 20 people that was the largest part of the store's time. The rows are the same
        columns with the same values (tests/unit/test_tracker_store.py compares them with
        Rasa's own save, and pins the Rasa source this was written from).
        """
        with self.session_scope() as session:
            new = list(self._additional_events(session, tracker))
            rows = [event_row(tracker.sender_id, event) for event in new]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
            if keep and self._mirrors_session(session, tracker, new):
                self._kept.keep(tracker, self._stored(tracker.sender_id, session))

    def _mirrors_session(self, session, tracker: DialogueStateTracker, new: list) -> bool:
        """The tracker holds exactly the session a read would return now: no new session
        started in this turn (a read returns only the new one), no rows from elsewhere."""
        if any(isinstance(event, SessionStarted) for event in new):
            return False
        session_rows = self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()
        return session_rows == len(tracker.events)

    def _marker_unsaved(self, tracker: DialogueStateTracker) -> bool:
        with self.session_scope() as session:
            return forget_marker(list(self._additional_events(session, tracker))) >= 0
