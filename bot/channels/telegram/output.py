"""Sends the assistant's replies to a Telegram chat through the Bot API client."""

from __future__ import annotations

import base64
import contextlib
import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.telegram.api import TelegramApiError, TelegramClient, Upload
from bot.channels.telegram.format import inline_keyboard, split_text
from bot.channels.telegram.payloads import PayloadCodec

logger = logging.getLogger(__name__)


class TelegramOutput(OutputChannel):
    """Plain text (no parse_mode, so nothing needs escaping), inline keyboards, photos.

    A reply that still fails after the client's retries is logged and dropped rather than
    raised: raising inside Rasa would abort the turn and lose the events of actions
    that already ran (an exercise answer saved, a slot set).
    """

    def __init__(self, client: TelegramClient, codec: PayloadCodec) -> None:
        self._client = client
        self._codec = codec

    @classmethod
    def name(cls) -> str:
        # Matches `channel: telegram` response variations in domain.yml.
        return "telegram"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_text(recipient_id, text, keyboard=None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_text(
            recipient_id, text, keyboard=inline_keyboard(buttons, self._codec.encode)
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._call("sendPhoto", {"chat_id": recipient_id, "photo": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Custom payloads are written for the web widget; sending them as raw JSON (Rasa's
        # default) would show people code. A progress chart is the exception: its PNG bytes
        # are uploaded (Rasa's own connector can only send image URLs).
        chart = json_message.get("chart") if isinstance(json_message, dict) else None
        if isinstance(chart, dict) and isinstance(chart.get("png_base64"), str):
            await self._send_chart(recipient_id, chart)
            return
        logger.debug("Custom payload not sent to Telegram")

    async def _send_chart(self, chat_id: str, chart: dict[str, Any]) -> None:
        try:
            png = base64.b64decode(chart["png_base64"], validate=True)
        except ValueError:
            logger.warning("A chart that is not base64 was not sent")
            return
        with contextlib.suppress(TelegramApiError):  # the client has logged it
            await self._client.call(
                "sendPhoto", {"chat_id": chat_id}, Upload("photo", "progress.png", png, "image/png")
            )

    async def answer_callback_query(self, callback_query_id: str) -> None:
        """Stops the spinner on the pressed button."""
        await self._call("answerCallbackQuery", {"callback_query_id": callback_query_id})

    async def _send_text(
        self, chat_id: str, text: str | None, keyboard: list[list[dict[str, str]]] | None
    ) -> None:
        parts = split_text(text or "")
        for index, part in enumerate(parts):
            message: dict[str, Any] = {"chat_id": chat_id, "text": part}
            if keyboard and index == len(parts) - 1:  # buttons go under the last part
                message["reply_markup"] = {"inline_keyboard": keyboard}
            if not await self._call("sendMessage", message):
                return  # later parts would arrive out of context

    async def _call(self, method: str, payload: dict[str, Any]) -> bool:
        try:
            await self._client.call(method, payload)
            return True
        except TelegramApiError:
            return False  # the client has logged it, without the text
