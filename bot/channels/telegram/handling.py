"""What the worker does with each accepted update: a turn through Rasa, or the connector's own
reply, and the keyboard bookkeeping that makes old and double-tapped buttons do nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import Event

from bot.channels.telegram.outbox import Handled
from bot.channels.telegram.output import ApiCall, CollectingOutput, remove_keyboard, text_call
from bot.channels.telegram.payloads import PayloadCodec
from bot.channels.telegram.settings import connector_texts
from bot.channels.telegram.store import ChatView, PendingUpdate
from bot.channels.telegram.updates import Kind

# Updates the connector answers itself, with the key of its text in texts.yml.
_CONNECTOR_REPLIES = {
    Kind.NOT_TEXT: "only_text",
    Kind.VOICE: "voice",
    Kind.CONTACT: "contact",
    Kind.TOO_LONG: "too_long",
    Kind.EMPTY: "empty",
    Kind.HELP: "help",
}


class UpdateHandling:
    def __init__(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        codec: PayloadCodec,
        load_history: Callable[[str], Awaitable[Iterable[Event]]],
        bot_username: Callable[[], Awaitable[str | None]],
    ) -> None:
        self._on_new_message = on_new_message
        self._codec = codec
        self._load_history = load_history
        self._bot_username = bot_username

    async def __call__(self, chat: ChatView, pending: PendingUpdate) -> Handled:
        kind = Kind(pending.kind)
        if kind is Kind.TEXT:
            return await self._turn(chat, pending.text or "")
        if kind is Kind.BUTTON:
            return await self._press(chat, pending)
        if kind is Kind.CAPTION:
            calls, changes = await self._turn(chat, pending.text or "")
            return self._say(chat, "caption_note") + calls, changes
        if kind is Kind.EDITED:
            if chat.edit_notice_sent:
                return [], {}
            return self._say(chat, "edits_not_read"), {"edit_notice_sent": True}
        if kind is Kind.GROUP:
            return await self._group_notice(chat)
        if kind in _CONNECTOR_REPLIES:
            return self._say(chat, _CONNECTOR_REPLIES[kind]), {}
        return [], {}

    async def _turn(self, chat: ChatView, text: str, pressed: int | None = None) -> Handled:
        """Runs the turn; the keyboard on screen stops being current (it is taken off)."""
        output = CollectingOutput(self._codec)
        await self._on_new_message(
            UserMessage(text, output, chat.chat_id, input_channel="telegram")
        )
        old = chat.keyboard_message_id
        removal = [remove_keyboard(chat.chat_id, old)] if old is not None and old != pressed else []
        return removal + output.calls, {"keyboard_message_id": None}

    async def _press(self, chat: ChatView, pending: PendingUpdate) -> Handled:
        pressed = pending.message_id
        if pressed is None:  # a press on a message over 48 hours old: never the current step
            return [], {}
        removal = [remove_keyboard(chat.chat_id, pressed)]
        if pressed != chat.keyboard_message_id:  # an older step, or the second of two taps
            return removal, {}
        payload = await self._codec.decode(
            pending.text or "", lambda: self._load_history(chat.chat_id)
        )
        if payload is None:
            return removal + self._say(chat, "button_expired"), {"keyboard_message_id": None}
        calls, changes = await self._turn(chat, payload, pressed)
        return removal + calls, changes

    async def _group_notice(self, chat: ChatView) -> Handled:
        if chat.group_notice_sent:
            return [], {}
        username = await self._bot_username()
        texts = connector_texts()
        text = (
            texts["private_only"].format(link=f"https://t.me/{username}")
            if username
            else texts["private_only_no_link"]
        )
        return text_call(chat.chat_id, text), {"group_notice_sent": True}

    @staticmethod
    def _say(chat: ChatView, key: str) -> list[ApiCall]:
        return text_call(chat.chat_id, connector_texts()[key])
