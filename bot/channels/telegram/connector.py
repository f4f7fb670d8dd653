"""A Telegram connector for production, replacing Rasa 3.6's (see docs/telegram.md).

Registered in credentials.yml as `bot.channels.telegram.connector.TelegramInput`; its webhook is
POST /webhooks/telegram/webhook. What it fixes in Rasa's connector: no network call at
startup outside the server's loop (the Bot API session is created inside it), the
secret token checked on every request, a 200 for every kind of update, an answer to
non-text messages and button presses, private chats only, 64-byte-safe button payloads,
long replies split, and Bot API errors retried with backoff.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import Event
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.telegram.api import RetryPolicy, TelegramClient
from bot.channels.telegram.output import TelegramOutput
from bot.channels.telegram.payloads import PayloadCodec
from bot.channels.telegram.settings import TelegramSettings, connector_texts
from bot.channels.telegram.setup import register_webhook
from bot.channels.telegram.updates import SECRET_HEADER, Incoming, Kind, admit, classify

logger = logging.getLogger(__name__)

# Updates the connector answers itself, with the key of its text in texts.yml.
_CONNECTOR_REPLIES = {Kind.NOT_TEXT: "only_text", Kind.TOO_LONG: "too_long", Kind.EMPTY: "empty"}


class _RecentIds:
    """A bounded set: remembers the last `size` ids added."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[Any, None] = OrderedDict()
        self._size = size

    def add(self, item: Any) -> bool:
        """Adds `item`; False if it was already there."""
        if item in self._ids:
            return False
        self._ids[item] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        # The input channel Rasa records, and what `output_channel=latest` looks up.
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        # An empty credentials.yml entry is fine: everything can come from the environment.
        return cls(TelegramSettings.load(credentials))

    def __init__(self, settings: TelegramSettings, retry: RetryPolicy | None = None) -> None:
        # No I/O here: Rasa builds channels before its event loop runs.
        self.settings = settings
        self.client = TelegramClient(
            settings.access_token, settings.api_base, retry or RetryPolicy()
        )
        self.codec = PayloadCodec()
        self.output = TelegramOutput(self.client, self.codec)
        self._seen_updates = _RecentIds()  # Telegram redelivers an update it thinks failed
        self._told_groups = _RecentIds()  # say "private chats only" once per group

    def get_output_channel(self) -> TelegramOutput | None:
        # Used for reminders and trigger_intent; shares the session made in the server's loop.
        return self.output if self.settings.is_configured else None

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
            update_id = update.get("update_id")
            if update_id is None or self._seen_updates.add(update_id):
                await self._handle(classify(update), on_new_message, request.app)
            return response.json({"ok": True})

        # Decorated closures: Sanic 21.12 blueprints silently drop listeners given as bound methods.
        @telegram.listener("after_server_start")
        async def started(app: Sanic, _loop: Any) -> None:
            self._on_server_start(app)

        @telegram.listener("after_server_stop")
        async def stopped(_app: Sanic, _loop: Any) -> None:
            await self.client.close()

        return telegram

    async def _handle(
        self,
        incoming: Incoming,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Sanic,
    ) -> None:
        """Acts on one update. Never raises: Telegram would redeliver it again and again."""
        try:
            if incoming.callback_query_id:
                await self.output.answer_callback_query(incoming.callback_query_id)
            text = await self._text_for_rasa(incoming, app)
            if text is not None:
                await on_new_message(
                    UserMessage(text, self.output, incoming.chat_id, input_channel=self.name())
                )
        except Exception as error:  # noqa: BLE001 - the update must still get its 200
            logger.error(
                "Telegram update (%s) failed: %s", incoming.kind.value, type(error).__name__
            )
            logger.debug("Telegram update failure", exc_info=error)

    async def _text_for_rasa(self, incoming: Incoming, app: Sanic) -> str | None:
        """What to pass to Rasa, or None after answering the update here (or ignoring it)."""
        logger.debug("Telegram update: %s", incoming.kind.value)
        if incoming.kind is Kind.TEXT:
            return incoming.text
        if incoming.kind is Kind.BUTTON:
            payload = await self.codec.decode(
                incoming.text, lambda: self._history(app, incoming.chat_id)
            )
            if payload is None:
                await self._reply(incoming.chat_id, "button_expired")
            return payload
        if incoming.kind is Kind.GROUP and self._told_groups.add(incoming.chat_id):
            await self._reply(incoming.chat_id, "private_only")
        elif incoming.kind in _CONNECTOR_REPLIES:
            await self._reply(incoming.chat_id, _CONNECTOR_REPLIES[incoming.kind])
        return None

    async def _reply(self, chat_id: str, text_key: str) -> None:
        await self.output.send_text_message(chat_id, connector_texts()[text_key])

    @staticmethod
    async def _history(app: Sanic, chat_id: str) -> Iterable[Event]:
        """The conversation's events, where a button key's payload can be found after a restart."""
        tracker_store = getattr(getattr(app.ctx, "agent", None), "tracker_store", None)
        # All sessions: a verbatim payload from an old session works too, so a key should.
        tracker = (
            await tracker_store.retrieve_full_tracker(chat_id)
            if tracker_store is not None
            else None
        )
        return tracker.events if tracker is not None else []

    def _on_server_start(self, app: Sanic) -> None:
        problems = self.settings.problems()
        if problems:
            logger.warning(
                "Telegram channel not configured (webhook answers 503): %s", "; ".join(problems)
            )
        elif self.settings.webhook_url:
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
