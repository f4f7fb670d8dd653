"""Turns the assistant's replies into Bot API calls, which go to the chat's outbox.

Nothing here talks to Telegram: a turn's calls are collected and stored with the update
that caused them (one transaction), proactive messages (reminders, trigger_intent) are
stored at once, and the outbox worker sends them in order (outbox.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.telegram.api import PHOTO_UPLOAD
from bot.channels.telegram.format import inline_keyboard, split_text
from bot.channels.telegram.payloads import PayloadCodec

logger = logging.getLogger(__name__)

_LINK_SCHEMES = ("tel:", "sms:", "https://")  # the channel contract; anything else is dropped
_MAX_LINK_LABEL = 64


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call to make, in order with the others of its reply."""

    method: str
    params: dict[str, Any]

    @property
    def sends_a_message(self) -> bool:
        # The calls a person reads; a later one must never arrive without an earlier one.
        return self.method in ("sendMessage", "sendPhoto")

    @property
    def has_step_keyboard(self) -> bool:
        """True when the message carries buttons that answer the current step."""
        rows = (self.params.get("reply_markup") or {}).get("inline_keyboard") or []
        return any("callback_data" in button for row in rows for button in row)


def link_buttons(custom: Any) -> list[list[dict[str, str]]]:
    """`custom.links` as URL buttons, one per row: https only. tel: and sms: numbers stay in
    the text, where Telegram clients already make them tappable (and URL buttons refuse them)."""
    links = custom.get("links") if isinstance(custom, dict) else None
    rows = []
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict):
            continue
        label, href = str(link.get("label") or "").strip(), str(link.get("href") or "").strip()
        if label and href.startswith(_LINK_SCHEMES[2]) and len(href) <= 2048:
            rows.append([{"text": label[:_MAX_LINK_LABEL], "url": href}])
    return rows


def render(chat_id: str, message: dict[str, Any], codec: PayloadCodec) -> list[ApiCall]:
    """The Bot API calls for one Rasa bot message: its text (split if long) with its buttons
    and links under the last part, then its image.

    Plain text only (no parse_mode, so nothing needs escaping). Custom payloads other than
    links are written for the web widget and are not sent (Rasa would send them as raw JSON).
    """
    keyboard = inline_keyboard(message.get("buttons") or [], codec.encode)
    keyboard += link_buttons(message.get("custom"))
    calls = []
    parts = split_text(str(message.get("text") or ""))
    for index, part in enumerate(parts):
        params: dict[str, Any] = {"chat_id": chat_id, "text": part}
        if keyboard and index == len(parts) - 1:
            params["reply_markup"] = {"inline_keyboard": keyboard}
        calls.append(ApiCall("sendMessage", params))
    if message.get("image"):
        calls.append(ApiCall("sendPhoto", {"chat_id": chat_id, "photo": str(message["image"])}))
    custom = message.get("custom")
    chart = custom.get("chart") if isinstance(custom, dict) else None
    if isinstance(chart, dict) and isinstance(chart.get("png_base64"), str):
        # A progress chart rendered on this server: its bytes are uploaded when the call is
        # sent (api.PHOTO_UPLOAD); Rasa's own connector can only send image URLs.
        calls.append(ApiCall("sendPhoto", {"chat_id": chat_id, PHOTO_UPLOAD: chart["png_base64"]}))
    return calls


def text_call(chat_id: str, text: str) -> list[ApiCall]:
    return render(chat_id, {"text": text}, PayloadCodec())


def remove_keyboard(chat_id: str, message_id: int) -> ApiCall:
    return ApiCall(
        "editMessageReplyMarkup",
        {"chat_id": chat_id, "message_id": message_id, "reply_markup": {"inline_keyboard": []}},
    )


class TelegramOutput(OutputChannel):
    """Rasa's output channel for Telegram: renders every reply and hands its calls on."""

    def __init__(
        self, codec: PayloadCodec, emit: Callable[[str, list[ApiCall]], Awaitable[None]]
    ) -> None:
        self._codec = codec
        self._emit = emit

    @classmethod
    def name(cls) -> str:
        # Matches `channel: telegram` response variations in domain.yml.
        return "telegram"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # One message with its text, buttons and links together (Rasa's default would send
        # custom payloads separately, and as JSON).
        if message.get("quick_replies") and not message.get("buttons"):
            message = {**message, "buttons": message["quick_replies"]}
        calls = render(recipient_id, message, self._codec)
        if calls:
            await self._emit(recipient_id, calls)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


class CollectingOutput(TelegramOutput):
    """Keeps a turn's calls, to be stored with the update in one transaction."""

    def __init__(self, codec: PayloadCodec) -> None:
        super().__init__(codec, self._collect)
        self.calls: list[ApiCall] = []

    async def _collect(self, _chat_id: str, calls: Iterable[ApiCall]) -> None:
        self.calls.extend(calls)
