"""Widget sessions: the server issues them, they expire when unused, and they can be replaced.

A session token is what a browser keeps (sessionStorage, or localStorage when the person
chose "Remember this conversation on this device"). It is a credential, not a name: the
conversation it opens (Rasa's sender id) is a separate random id that never leaves the
server, so a token can be replaced without losing the conversation, and a conversation can
be ended without guessing what else knew its id. Only hashes of tokens and resume codes are
stored: a copy of the database opens nothing.

How long an unused session lives (inactivity, counted from the last message or reconnect):
- a tab's session: 24 hours. The browser forgets it when the tab closes anyway; a day lets
  someone who talked late at night carry on in the same tab the next evening, and bounds
  what a token copied out of the browser is worth.
- a remembered session or a resume code: 30 days. Check-ins are weekly: a month covers a
  missed week or two, yet a device or a note found months later opens nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import Boolean, Column, DateTime, String, and_, delete, or_, select, update
from sqlalchemy.exc import OperationalError

from actions.persistence.database import Database
from actions.persistence.models import Base

TAB_IDLE = timedelta(hours=24)
REMEMBERED_IDLE = timedelta(days=30)
# last_seen is written at most this often per session: one write per message would be wasted.
TOUCH_EVERY = timedelta(minutes=5)
PURGE_EVERY = timedelta(hours=1)  # expired rows are deleted in passing, at most this often
TOKEN_BYTES = 16  # 128 bits, shown as 32 hex digits
# Resume codes are written down, so short and unambiguous (Crockford's base32: no I, L, O, U).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: with the channel's attempt limit, not guessable
CODE_GROUP = 5
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """What a person typed -> the code as issued: case, spaces, dashes and look-alikes ignored."""
    text = code.upper().translate(str.maketrans("ILO", "110"))
    return "".join(char for char in text if char in CODE_ALPHABET)


def format_code(code: str) -> str:
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


class WidgetSessionRow(Base):
    __tablename__ = "widget_sessions"

    token_hash = Column(String(64), primary_key=True)
    conversation_id = Column(String(64), nullable=False, index=True)
    remembered = Column(Boolean, nullable=False, default=False)
    # A resume code opens a new session on the same conversation (another device, a new tab).
    resume_code_hash = Column(String(64), nullable=True, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    last_seen_at = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class Session:
    token: str  # given to the browser
    conversation_id: str  # Rasa's sender id; never sent to the browser
    remembered: bool
    expires_at: datetime


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone=True columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class WidgetSessions:
    """The store of issued sessions. Every method runs its database work in a thread, so a
    slow database holds up the person waiting for it, never the server's event loop."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = utcnow,
        tab_idle: timedelta = TAB_IDLE,
        remembered_idle: timedelta = REMEMBERED_IDLE,
    ) -> None:
        self.database = database
        self.clock = clock
        self.tab_idle = tab_idle
        self.remembered_idle = remembered_idle
        self._purged_at: datetime | None = None
        self._prepared = False

    def _prepare(self) -> None:
        """Opens the database once (Database migrates it on first use). The action server may
        be migrating the same new database at that moment: one failure is retried."""
        if self._prepared:
            return
        for attempt in range(2):
            try:
                with self.database.session():
                    pass
                break
            except OperationalError:
                if attempt:
                    raise
                time.sleep(0.5)
        self._prepared = True

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            self._prepare()
            return work(*args)

        return await asyncio.to_thread(run)

    def idle_limit(self, remembered: bool) -> timedelta:
        return self.remembered_idle if remembered else self.tab_idle

    async def issue(self, remembered: bool = False, conversation_id: str | None = None) -> Session:
        """A new session: on a new conversation, or on `conversation_id`."""
        return await self._run(self._issue, remembered, conversation_id)

    async def open(self, token: str, remembered: bool | None = None) -> Session | None:
        """The live session `token` opens, else None (unknown, expired or ended). Restarts its
        inactivity clock; `remembered` True or False switches how long it lives from now on."""
        return await self._run(self._open, token, remembered)

    async def end_conversation(self, conversation_id: str) -> None:
        """Every session on the conversation stops working (after "delete my data")."""
        await self._run(self._end, conversation_id)

    async def new_resume_code(self, session: Session) -> str:
        """A code that opens this conversation elsewhere; it replaces any earlier code, and the
        session then lives as long as a remembered one."""
        return await self._run(self._new_code, session)

    async def redeem(self, code: str, remembered: bool = False) -> Session | None:
        """A new session on the conversation `code` belongs to, if the code is live."""
        return await self._run(self._redeem, normalise_code(code), remembered)

    # -- in a worker thread ---------------------------------------------------------------

    def _session(self, token: str, row: WidgetSessionRow) -> Session:
        expires = _aware(row.last_seen_at) + self.idle_limit(row.remembered)
        return Session(token, row.conversation_id, row.remembered, expires)

    def _issue(self, remembered: bool, conversation_id: str | None) -> Session:
        token = secrets.token_hex(TOKEN_BYTES)
        now = self.clock()
        row = WidgetSessionRow(
            token_hash=_digest(token),
            conversation_id=conversation_id or secrets.token_hex(TOKEN_BYTES),
            remembered=remembered,
            created_at=now,
            last_seen_at=now,
        )
        with self.database.session() as db:
            self._purge(db, now)
            db.add(row)
        return self._session(token, row)

    def _purge(self, db, now: datetime) -> None:
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        row = WidgetSessionRow
        db.execute(
            delete(row).where(
                or_(
                    and_(row.remembered.is_(False), row.last_seen_at <= now - self.tab_idle),
                    row.last_seen_at <= now - self.remembered_idle,
                )
            )
        )

    def _live_row(self, db, token_hash: str) -> WidgetSessionRow | None:
        row = db.get(WidgetSessionRow, token_hash)
        if row is None:
            return None
        if _aware(row.last_seen_at) + self.idle_limit(row.remembered) <= self.clock():
            db.delete(row)  # expired: forget it now rather than keep it around
            return None
        return row

    def _open(self, token: str, remembered: bool | None) -> Session | None:
        with self.database.session() as db:
            row = self._live_row(db, _digest(token))
            if row is None:
                return None
            now = self.clock()
            every = min(TOUCH_EVERY, self.idle_limit(row.remembered) / 10)
            if _aware(row.last_seen_at) + every <= now or remembered is not None:
                row.last_seen_at = now  # at most one write per TOUCH_EVERY on busy sessions
            if remembered is not None and not row.resume_code_hash:
                row.remembered = remembered  # a session with a resume code stays long-lived
            return self._session(token, row)

    def _end(self, conversation_id: str) -> None:
        with self.database.session() as db:
            db.execute(
                delete(WidgetSessionRow).where(WidgetSessionRow.conversation_id == conversation_id)
            )

    def _new_code(self, session: Session) -> str:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with self.database.session() as db:
            db.execute(
                update(WidgetSessionRow)
                .where(WidgetSessionRow.conversation_id == session.conversation_id)
                .values(resume_code_hash=None)
            )
            db.execute(
                update(WidgetSessionRow)
                .where(WidgetSessionRow.token_hash == _digest(session.token))
                .values(resume_code_hash=_digest(code), remembered=True, last_seen_at=self.clock())
            )
        return format_code(code)

    def _redeem(self, code: str, remembered: bool) -> Session | None:
        if len(code) != CODE_LENGTH:
            return None
        with self.database.session() as db:
            found = db.execute(
                select(WidgetSessionRow).where(WidgetSessionRow.resume_code_hash == _digest(code))
            ).scalar_one_or_none()
            if found is None or self._live_row(db, found.token_hash) is None:
                return None
            found.last_seen_at = self.clock()  # the code itself stays live while it is used
            conversation_id = found.conversation_id
        return self._issue(remembered, conversation_id)
