"""The outbox worker: works through each chat's accepted updates and replies, one chat at a
time per instance and one instance at a time per chat (a lease in the database).

For a chat it first sends the pending calls in order, waiting as long as Telegram asks
(a 429's retry_after) and retrying 5xx answers and timeouts with backoff; only when the
queue is empty does it process the next update (in update_id order), whose replies are
stored with it in one transaction. A message that cannot be sent within `max_wait` is
given up with the rest of its reply, so a later message never arrives without an earlier
one (the disclosure is the first). A call confirmed sent is marked so and never sent again;
one interrupted mid-call (a timeout, a crash) is sent again, since losing it is worse.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.channels.telegram.api import Outcome, TelegramClient
from bot.channels.telegram.output import ApiCall
from bot.channels.telegram.store import ChatView, PendingCall, PendingUpdate, TelegramStore, now

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What processing an update comes to: the calls to send and the chat's columns to change.
Handled = tuple[list[ApiCall], Mapping[str, Any]]
UpdateHandler = Callable[[ChatView, PendingUpdate], Awaitable[Handled]]

_TURN_ATTEMPTS = 3  # a turn that raises this often is given up (logged), not retried forever
_KEEP_DONE = timedelta(days=2)  # Telegram redelivers an update for a day at most
_MARK_ATTEMPTS = 6  # about 6 s of retries before a sent message could be sent again


@dataclass(frozen=True)
class OutboxSettings:
    max_wait: float = 600.0  # seconds from queueing; a message not sent by then is given up
    retry_base: float = 1.0  # 1, 2, 4 ... s between tries after a 5xx or a timeout
    retry_cap: float = 60.0
    lease: float = 60.0  # how long a chat stays with an instance that stopped renewing
    poll: float = 1.0  # how often each instance looks for work (restarts, other instances)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OutboxSettings:
        environ = os.environ if environ is None else environ
        names = {
            "max_wait": "TELEGRAM_MAX_WAIT_SECONDS",
            "retry_base": "TELEGRAM_RETRY_BASE_SECONDS",
            "lease": "TELEGRAM_LEASE_SECONDS",
            "poll": "TELEGRAM_POLL_SECONDS",
        }
        values = {key: float(environ[env]) for key, env in names.items() if environ.get(env)}
        return cls(**values)

    def next_try(self, outcome: Outcome, call: PendingCall, moment: datetime) -> datetime | None:
        """When to try `call` again, or None when it must be given up."""
        if not outcome.transient:
            return None
        if outcome.error_code == 429 and outcome.retry_after is not None:
            delay = outcome.retry_after
        else:
            delay = min(self.retry_base * 2**call.attempts, self.retry_cap)
        until = moment + timedelta(seconds=delay)
        return until if until <= call.created_at + timedelta(seconds=self.max_wait) else None


class OutboxWorker:
    def __init__(
        self,
        store: TelegramStore,
        client: TelegramClient,
        handle: UpdateHandler,
        settings: OutboxSettings,
    ) -> None:
        self.store = store
        self.client = client
        self.handle = handle
        self.settings = settings
        self.owner = uuid.uuid4().hex  # this instance, in the lease column
        self._running: dict[int, asyncio.Task] = {}
        self._poller: asyncio.Task | None = None
        self._stopping = False
        # Its own threads: the database is synchronous, and queued worker calls must never
        # delay the webhook's accept (which has threads of its own).
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="telegram-outbox")

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, partial(function, *args))

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> None:
        """Stops working and hands this instance's chats back at once (no lease to wait out)."""
        self._stopping = True
        tasks = [task for task in (self._poller, *self._running.values()) if task]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for chat_ref in list(self._running):
            await self._release(chat_ref)
        self._running.clear()
        self._threads.shutdown(wait=False)

    def wake(self, chat_ref: int) -> None:
        """Starts on the chat now (a new update) unless this instance is already on it."""
        if self._stopping or chat_ref in self._running:
            return
        task = asyncio.get_running_loop().create_task(self._work_on(chat_ref))
        self._running[chat_ref] = task
        task.add_done_callback(lambda _: self._running.pop(chat_ref, None))

    async def _poll(self) -> None:
        prune_every, polled = int(600 / max(self.settings.poll, 0.1)), 0
        while not self._stopping:
            try:
                if polled == 0:
                    await self._db(self.store.ready)
                for chat_ref in await self._db(self.store.chats_with_work, self.owner):
                    self.wake(chat_ref)
                if polled % prune_every == 0:
                    await self._db(self.store.prune, _KEEP_DONE)
            except SQLAlchemyError as error:
                logger.error("Telegram outbox: database unavailable (%s)", type(error).__name__)
            polled += 1
            await asyncio.sleep(self.settings.poll)

    # --- one chat ---------------------------------------------------------------------------
    async def _work_on(self, chat_ref: int) -> None:
        renewed = 0.0
        try:
            while not self._stopping:
                # The lease is taken, then renewed once a third of it has passed.
                if asyncio.get_running_loop().time() - renewed > self.settings.lease / 3:
                    if not await self._db(
                        self.store.claim, chat_ref, self.owner, self.settings.lease
                    ):
                        return  # another instance has it; it works through the queue
                    renewed = asyncio.get_running_loop().time()
                call = await self._db(self.store.next_call, chat_ref)
                if call is not None:
                    wait = (call.not_before - now()).total_seconds()
                    if wait > 0:  # a retry_after or backoff; the lease is renewed meanwhile
                        await asyncio.sleep(min(wait, self.settings.lease / 3))
                    else:
                        await self._send(chat_ref, call)
                    continue
                pending = await self._db(self.store.next_update, chat_ref)
                if pending is None:
                    break
                await self._process(chat_ref, pending)
            await self._release(chat_ref)
        except SQLAlchemyError as error:
            # Left as it is: the poller comes back to it once the database answers.
            logger.error(
                "Telegram chat #%d: database unavailable (%s)", chat_ref, type(error).__name__
            )

    async def _release(self, chat_ref: int) -> None:
        with contextlib.suppress(SQLAlchemyError):  # the lease runs out by itself
            await self._db(self.store.release, chat_ref, self.owner)

    async def _process(self, chat_ref: int, pending: PendingUpdate) -> None:
        chat = await self._db(self.store.chat, chat_ref)
        try:
            calls, changes = await self.handle(chat, pending)
        except Exception as error:  # noqa: BLE001 - one bad update must not stop the chat
            if pending.attempts + 1 < _TURN_ATTEMPTS:
                logger.warning(
                    "Telegram chat #%d: update failed (%s), trying again",
                    chat_ref,
                    type(error).__name__,
                )
                await self._db(self.store.count_attempt, pending.update_id)
                await asyncio.sleep(self.settings.retry_base * 2**pending.attempts)
                return
            logger.error(
                "Telegram chat #%d: gave up an update (%s) after %d attempts: %s",
                chat_ref,
                pending.kind,
                _TURN_ATTEMPTS,
                type(error).__name__,
            )
            logger.debug("Telegram update failure", exc_info=error)
            calls, changes = [], {}
        await self._db(self.store.finish_update, pending.update_id, chat_ref, calls, changes)

    async def _mark_sent(self, chat_ref: int, call: PendingCall, message_id: int | None) -> None:
        """Records that Telegram has the message. Tried hard: left unrecorded, the message
        would be sent again (a busy SQLite file can refuse a write for a moment)."""
        for attempt in range(_MARK_ATTEMPTS):
            try:
                await self._db(self.store.mark_sent, call, chat_ref, message_id)
                return
            except SQLAlchemyError:
                if attempt == _MARK_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)

    async def _send(self, chat_ref: int, call: PendingCall) -> None:
        outcome = await self.client.call_once(call.call.method, call.call.params)
        if outcome.ok:
            result = outcome.result if isinstance(outcome.result, dict) else {}
            await self._mark_sent(chat_ref, call, result.get("message_id"))
            return
        moment = now()
        until = self.settings.next_try(outcome, call, moment)
        if until is not None:
            logger.info(
                "Telegram chat #%d: %s got %s, next try in %.1f s",
                chat_ref,
                call.call.method,
                outcome.error_code,
                (until - moment).total_seconds(),
            )
            await self._db(self.store.postpone, call, until)
            return
        blocked = outcome.error_code == 403  # the person blocked the bot or left the chat
        dropped = await self._db(self.store.give_up, call, chat_ref, blocked)
        # A message the person never gets is an error; a keyboard that could not be taken off
        # (e.g. already gone after a double tap) is only worth a warning.
        logger.log(
            logging.ERROR if call.call.sends_a_message or blocked else logging.WARNING,
            "Telegram chat #%d: gave up %s after %d attempt(s): %s %s; %d queued call(s) dropped",
            chat_ref,
            call.call.method,
            call.attempts + 1,
            outcome.error_code,
            outcome.description,
            dropped,
        )
