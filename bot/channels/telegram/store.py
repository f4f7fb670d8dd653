"""The Telegram channel's durable state in the app database: accepted updates (with dedup by
update_id), the per-chat outbox, and a lease per chat so that one instance at a time works
on a chat. Synchronous, one short transaction per method; callers run it in a thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.persistence.database import Database
from actions.persistence.telegram_tables import (
    OutboxStatus,
    TelegramChat,
    TelegramOutbox,
    TelegramUpdate,
    UpdateStatus,
)
from bot.channels.telegram.output import ApiCall
from bot.channels.telegram.updates import Incoming


def now() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ChatView:
    ref: int  # the internal id: what logs name, never the Telegram chat id
    chat_id: str
    keyboard_message_id: int | None
    edit_notice_sent: bool
    group_notice_sent: bool


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    kind: str
    text: str | None
    message_id: int | None
    attempts: int


@dataclass(frozen=True)
class PendingCall:
    id: int
    reply_key: str
    call: ApiCall
    attempts: int
    not_before: datetime
    created_at: datetime


class TelegramStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def ready(self) -> None:
        """Opens the database (migrating it on first use), so the first update is not slow."""
        with self.database.session():
            pass

    # --- the webhook ----------------------------------------------------------------------
    def accept(self, update_id: int, incoming: Incoming) -> int | None:
        """Stores the update for processing; its chat's internal id, or None for a duplicate
        (on any instance: update_id is the primary key)."""
        chat_ref = self._chat_ref(incoming.chat_id)
        try:
            with self.database.session() as session:
                session.add(
                    TelegramUpdate(
                        update_id=update_id,
                        chat_ref=chat_ref,
                        kind=incoming.kind.value,
                        text=incoming.text,
                        message_id=incoming.message_id,
                    )
                )
        except IntegrityError:
            return None
        return chat_ref

    def _chat_ref(self, chat_id: str) -> int:
        for _ in range(2):  # a second instance may create the same chat at the same moment
            try:
                with self.database.session() as session:
                    found = session.execute(
                        select(TelegramChat.id).where(TelegramChat.chat_id == chat_id)
                    ).scalar_one_or_none()
                    if found is not None:
                        return found
                    chat = TelegramChat(chat_id=chat_id)
                    session.add(chat)
                    session.flush()
                    return chat.id
            except IntegrityError:
                continue
        raise RuntimeError("could not create the chat row")

    # --- leases ---------------------------------------------------------------------------
    def claim(self, chat_ref: int, owner: str, seconds: float) -> bool:
        """Takes or renews the chat's lease; False while another instance holds it."""
        moment = now()
        with self.database.session() as session:
            result = session.execute(
                update(TelegramChat)
                .where(
                    TelegramChat.id == chat_ref,
                    or_(
                        TelegramChat.lease_owner.is_(None),
                        TelegramChat.lease_owner == owner,
                        TelegramChat.lease_until < moment,
                    ),
                )
                .values(lease_owner=owner, lease_until=moment + timedelta(seconds=seconds))
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def release(self, chat_ref: int, owner: str) -> None:
        with self.database.session() as session:
            session.execute(
                update(TelegramChat)
                .where(TelegramChat.id == chat_ref, TelegramChat.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )

    def chats_with_work(self, owner: str) -> list[int]:
        """Chats with an update to process or a call due, that no other instance holds."""
        moment = now()
        free = or_(
            TelegramChat.lease_owner.is_(None),
            TelegramChat.lease_owner == owner,
            TelegramChat.lease_until < moment,
        )
        with self.database.session() as session:
            updates = select(TelegramUpdate.chat_ref).where(
                TelegramUpdate.status == UpdateStatus.PENDING
            )
            calls = select(TelegramOutbox.chat_ref).where(
                TelegramOutbox.status == OutboxStatus.PENDING,
                TelegramOutbox.not_before <= moment,
            )
            refs = set(session.execute(updates).scalars()) | set(session.execute(calls).scalars())
            if not refs:
                return []
            return sorted(
                session.execute(
                    select(TelegramChat.id).where(TelegramChat.id.in_(refs), free)
                ).scalars()
            )

    # --- reading a chat's queue -----------------------------------------------------------
    def chat(self, chat_ref: int) -> ChatView:
        with self.database.session() as session:
            chat = session.get(TelegramChat, chat_ref)
            return ChatView(
                chat.id,
                chat.chat_id,
                chat.keyboard_message_id,
                chat.edit_notice_sent,
                chat.group_notice_sent,
            )

    def next_call(self, chat_ref: int) -> PendingCall | None:
        with self.database.session() as session:
            row = session.execute(
                select(TelegramOutbox)
                .where(
                    TelegramOutbox.chat_ref == chat_ref,
                    TelegramOutbox.status == OutboxStatus.PENDING,
                )
                .order_by(TelegramOutbox.id)
                .limit(1)
            ).scalar_one_or_none()
            if row is None:
                return None
            return PendingCall(
                row.id,
                row.reply_key,
                ApiCall(row.method, json.loads(row.payload)),
                row.attempts,
                aware(row.not_before),
                aware(row.created_at),
            )

    def next_update(self, chat_ref: int) -> PendingUpdate | None:
        with self.database.session() as session:
            row = session.execute(
                select(TelegramUpdate)
                .where(
                    TelegramUpdate.chat_ref == chat_ref,
                    TelegramUpdate.status == UpdateStatus.PENDING,
                )
                .order_by(TelegramUpdate.update_id)
                .limit(1)
            ).scalar_one_or_none()
            if row is None:
                return None
            return PendingUpdate(row.update_id, row.kind, row.text, row.message_id, row.attempts)

    # --- writing the outcome --------------------------------------------------------------
    def finish_update(
        self,
        update_id: int,
        chat_ref: int,
        calls: Iterable[ApiCall],
        chat_changes: Mapping[str, Any] | None = None,
    ) -> None:
        """The update's replies go to the outbox and the update is done, in one transaction,
        so a crash leaves either both or neither."""
        with self.database.session() as session:
            self._add_calls(session, chat_ref, f"u{update_id}", calls)
            row = session.get(TelegramUpdate, update_id)
            row.status, row.text, row.done_at = UpdateStatus.DONE, None, now()
            if chat_changes:
                chat = session.get(TelegramChat, chat_ref)
                for column, value in chat_changes.items():
                    setattr(chat, column, value)

    def count_attempt(self, update_id: int) -> None:
        with self.database.session() as session:
            session.get(TelegramUpdate, update_id).attempts += 1

    def enqueue(self, chat_id: str, reply_key: str, calls: Iterable[ApiCall]) -> int:
        """Calls outside a turn (a reminder, trigger_intent); the chat's internal id."""
        chat_ref = self._chat_ref(chat_id)
        with self.database.session() as session:
            self._add_calls(session, chat_ref, reply_key, calls)
        return chat_ref

    @staticmethod
    def _add_calls(session: Session, chat_ref: int, key: str, calls: Iterable[ApiCall]) -> None:
        session.add_all(
            TelegramOutbox(
                chat_ref=chat_ref,
                reply_key=key,
                method=call.method,
                payload=json.dumps(call.params),
            )
            for call in calls
        )

    def mark_sent(self, call: PendingCall, chat_ref: int, message_id: int | None) -> None:
        with self.database.session() as session:
            row = session.get(TelegramOutbox, call.id)
            row.status, row.payload, row.finished_at = OutboxStatus.SENT, None, now()
            row.attempts, row.message_id = call.attempts + 1, message_id
            if call.call.has_step_keyboard and message_id is not None:
                session.get(TelegramChat, chat_ref).keyboard_message_id = message_id

    def postpone(self, call: PendingCall, until: datetime) -> None:
        with self.database.session() as session:
            row = session.get(TelegramOutbox, call.id)
            row.attempts, row.not_before = call.attempts + 1, until

    def give_up(self, call: PendingCall, chat_ref: int, whole_queue: bool = False) -> int:
        """Drops the call and, when it was a message, the rest of its reply (a later message
        never arrives without an earlier one). `whole_queue`: every pending call of the chat
        (the person blocked the bot). How many calls were dropped."""
        with self.database.session() as session:
            query = update(TelegramOutbox).where(
                TelegramOutbox.chat_ref == chat_ref,
                TelegramOutbox.status == OutboxStatus.PENDING,
            )
            if not whole_queue:
                query = query.where(
                    TelegramOutbox.id == call.id
                    if not call.call.sends_a_message
                    else TelegramOutbox.reply_key == call.reply_key
                )
            result = session.execute(
                query.values(
                    status=OutboxStatus.GAVE_UP,
                    payload=None,
                    finished_at=now(),
                ).execution_options(synchronize_session=False)
            )
            return result.rowcount

    def prune(self, older_than: timedelta) -> None:
        """Forgets processed updates and finished calls: Telegram redelivers for a day at most."""
        cutoff = now() - older_than
        with self.database.session() as session:
            session.execute(
                delete(TelegramUpdate).where(
                    TelegramUpdate.status == UpdateStatus.DONE, TelegramUpdate.done_at < cutoff
                )
            )
            session.execute(
                delete(TelegramOutbox).where(
                    TelegramOutbox.status != OutboxStatus.PENDING,
                    TelegramOutbox.finished_at < cutoff,
                )
            )
