"""A Telegram connector for production, replacing Rasa 3.6's (see docs/telegram.md).

Registered in credentials.yml as `bot.channels.telegram.connector.TelegramInput`; its webhook is
POST /webhooks/telegram/webhook. The webhook only checks the request, stores the update in
the app database (a redelivered update_id is a duplicate on every instance) and answers
200 at once; the outbox worker (outbox.py) runs the turn and sends the replies, in order
per chat, however long Telegram makes it wait. What else it fixes in Rasa's connector: no
network call at startup outside the server's loop, the secret token checked on every
request, an answer to non-text messages and button presses, private chats only, 64-byte-safe
button payloads, long replies split.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import Event
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from actions.persistence.database import Database
from actions.settings import get_settings
from bot.channels.telegram.api import RetryPolicy, TelegramClient
from bot.channels.telegram.handling import UpdateHandling
from bot.channels.telegram.outbox import OutboxSettings, OutboxWorker
from bot.channels.telegram.output import ApiCall, TelegramOutput
from bot.channels.telegram.payloads import PayloadCodec
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.setup import register_webhook
from bot.channels.telegram.store import TelegramStore
from bot.channels.telegram.updates import SECRET_HEADER, Kind, admit, classify

logger = logging.getLogger(__name__)


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        # The input channel Rasa records, and what `output_channel=latest` looks up.
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        # An empty credentials.yml entry is fine: everything can come from the environment.
        return cls(TelegramSettings.load(credentials))

    def __init__(
        self,
        settings: TelegramSettings,
        retry: RetryPolicy | None = None,
        outbox: OutboxSettings | None = None,
        store: TelegramStore | None = None,
    ) -> None:
        # No I/O here: Rasa builds channels before its event loop runs (the database is
        # opened on first use).
        self.settings = settings
        self.client = TelegramClient(
            settings.access_token,
            settings.api_base,
            retry or RetryPolicy(),
            timeout=settings.api_timeout,
        )
        self.codec = PayloadCodec()
        self.outbox_settings = outbox or OutboxSettings.from_env()
        self.store = store or TelegramStore(Database(get_settings().database_url))
        self.worker: OutboxWorker | None = None
        self._app: Sanic | None = None
        self._username: str | None = None
        self._background: set[asyncio.Task] = set()
        # Threads for storing updates only, so the webhook answers fast however busy the
        # outbox worker is (its threads are its own).
        self._accept_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="telegram-in")

    def get_output_channel(self) -> TelegramOutput | None:
        """For reminders and trigger_intent: the messages go through the chat's outbox too."""
        if not self.settings.is_configured:
            return None
        reply_key = f"p{uuid.uuid4().hex[:16]}"  # one proactive reply: its messages stay together

        async def enqueue(chat_id: str, calls: list[ApiCall]) -> None:
            chat_ref = await self._stored(self.store.enqueue, chat_id, reply_key, calls)
            if self.worker is not None:
                self.worker.wake(chat_ref)

        return TelegramOutput(self.codec, enqueue)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("trust_repair_telegram", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, update = admit(self.settings, request.headers.get(SECRET_HEADER), request.body)
            if update is None:
                return response.json({"ok": False}, status=status)
            return response.json({"ok": status == 200}, status=await self._accept(update))

        # Decorated closures: Sanic 21.12 blueprints silently drop listeners given as bound methods.
        @telegram.listener("after_server_start")
        async def started(app: Sanic, _loop: Any) -> None:
            self._on_server_start(app, on_new_message)

        @telegram.listener("before_server_stop")
        async def stopping(_app: Sanic, _loop: Any) -> None:
            if self.worker is not None:
                await self.worker.stop()
            await self.client.close()

        return telegram

    async def _accept(self, update: dict[str, Any]) -> int:
        """Stores the update for the worker; the webhook's status code."""
        try:
            incoming = classify(update)
        except (AttributeError, TypeError, ValueError):  # a shape no real Update has
            return 400
        if incoming.chat_id is None or incoming.kind is Kind.IGNORED:
            if incoming.callback_query_id:
                self._in_background(self._answer(incoming.callback_query_id))
            return 200
        try:
            chat_ref = await self._stored(self.store.accept, update["update_id"], incoming)
        except SQLAlchemyError as error:
            # Not stored, so not acknowledged: Telegram delivers it again later.
            logger.error("Telegram update not stored (%s): answered 503", type(error).__name__)
            return 503
        if chat_ref is None:
            return 200  # a redelivery of an update already accepted (here or elsewhere)
        if incoming.callback_query_id:
            # Straight away and outside the queue, so the button's spinner stops.
            self._in_background(self._answer(incoming.callback_query_id))
        if self.worker is not None:
            self.worker.wake(chat_ref)
        return 200

    async def _stored(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            self._accept_threads, partial(function, *args)
        )

    async def _answer(self, callback_query_id: str) -> None:
        outcome = await self.client.call_once(
            "answerCallbackQuery", {"callback_query_id": callback_query_id}
        )
        if not outcome.ok:
            logger.info("Telegram answerCallbackQuery failed: %s", outcome.error_code)

    def _in_background(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)  # a reference, so the task is not collected mid-way
        task.add_done_callback(self._background.discard)

    async def _history(self, chat_id: str) -> Iterable[Event]:
        """The conversation's events, where a button key's payload can be found after a restart."""
        agent = getattr(self._app.ctx, "agent", None) if self._app else None
        tracker_store = getattr(agent, "tracker_store", None)
        # All sessions: a verbatim payload from an old session works too, so a key should.
        tracker = (
            await tracker_store.retrieve_full_tracker(chat_id)
            if tracker_store is not None
            else None
        )
        return tracker.events if tracker is not None else []

    async def _bot_username(self) -> str | None:
        """The bot's username, for its t.me link (asked once, with getMe)."""
        if self._username is None:
            outcome = await self.client.call_once("getMe")
            if outcome.ok and isinstance(outcome.result, dict):
                self._username = outcome.result.get("username") or None
        return self._username

    def _on_server_start(
        self, app: Sanic, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        self._app = app
        problems = self.settings.problems()
        if problems:
            logger.warning(
                "Telegram channel not configured (webhook answers 503): %s", "; ".join(problems)
            )
            return
        handling = UpdateHandling(on_new_message, self.codec, self._history, self._bot_username)
        self.worker = OutboxWorker(self.store, self.client, handling, self.outbox_settings)
        self.worker.start()  # also picks up what an earlier run left queued
        if self.settings.webhook_url:
            # In the background, so a slow Bot API never delays the server's start.
            app.add_task(self._register_webhook())
        else:
            logger.info(
                "TELEGRAM_WEBHOOK_URL not set: register the webhook with "
                "`python -m bot.channels.telegram set-webhook`"
            )

    async def _register_webhook(self) -> None:
        try:
            await register_webhook(self.client, self.settings)
        except Exception as error:  # noqa: BLE001 - a failed registration must not stop the server
            logger.error("Telegram webhook registration failed: %s", type(error).__name__)
