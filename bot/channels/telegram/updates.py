"""Reads what Telegram posts to the webhook: admits the request, then says what kind of update
it is.

Pure functions over the request's header and JSON, so every rule is tested without a server.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.channels.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_INCOMING_CHARS = 4000

# Slash commands -> the intent payload Rasa gets. /delete only asks: the confirmation
# (utter_confirm_delete) is the assistant's, as on every other channel.
COMMANDS = {
    "start": "/start_conversation",
    "help": "/help",
    "stop": "/stop_exercise",
    "delete": "/delete_my_data",
}

# Message fields that carry something other than text; these get the "text only" reply.
# A message with neither text nor one of these is a service message and is ignored.
NON_TEXT_FIELDS = frozenset(
    {
        "sticker",
        "photo",
        "voice",
        "video",
        "video_note",
        "audio",
        "document",
        "animation",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "game",
        "story",
    }
)


class Kind(Enum):
    TEXT = "text"  # goes to Rasa
    BUTTON = "button"  # callback_data, goes to Rasa as its payload
    NOT_TEXT = "not_text"  # sticker, photo, voice, ...: answered by the connector
    TOO_LONG = "too_long"
    EMPTY = "empty"
    GROUP = "group"  # any update from a chat that is not private
    IGNORED = "ignored"  # membership changes, channel posts, service messages, ...


@dataclass(frozen=True)
class Incoming:
    kind: Kind
    chat_id: str | None = None
    text: str | None = None  # the text for Rasa, or the button's callback_data
    callback_query_id: str | None = None  # set for every button press: it must be answered


def admit(
    settings: TelegramSettings, secret_header: str | None, body: bytes
) -> tuple[int, dict[str, Any] | None]:
    """(200, update) for a genuine update, else (status, None).

    Never looks at the body before the secret.
    """
    problems = settings.problems()
    if problems:
        logger.error(
            "Telegram webhook called but the channel is not configured: %s", "; ".join(problems)
        )
        return 503, None
    if not secret_header or not hmac.compare_digest(
        secret_header.encode("utf-8"), settings.webhook_secret.encode("utf-8")
    ):
        logger.warning("Telegram webhook request refused: secret token missing or wrong")
        return 403, None
    try:
        update = json.loads(body)
    except ValueError:
        update = None
    if not isinstance(update, dict):
        logger.warning("Telegram webhook request refused: body is not a JSON object")
        return 400, None
    return 200, update


def classify(update: dict[str, Any]) -> Incoming:
    if isinstance(update.get("callback_query"), dict):
        return _button(update["callback_query"])
    for field in ("message", "edited_message"):
        if isinstance(update.get(field), dict):
            return _message(update[field])
    return Incoming(Kind.IGNORED)


def _message(message: dict[str, Any]) -> Incoming:
    chat = message.get("chat") or {}
    if chat.get("id") is None:
        return Incoming(Kind.IGNORED)
    chat_id = str(chat["id"])
    if chat.get("type") != "private":
        return Incoming(Kind.GROUP, chat_id)
    text = message.get("text")
    if not isinstance(text, str):
        kind = Kind.NOT_TEXT if NON_TEXT_FIELDS.intersection(message) else Kind.IGNORED
        return Incoming(kind, chat_id)
    if len(text) > MAX_INCOMING_CHARS:
        return Incoming(Kind.TOO_LONG, chat_id)
    rasa_text = as_rasa_text(text)
    return Incoming(Kind.TEXT, chat_id, rasa_text) if rasa_text else Incoming(Kind.EMPTY, chat_id)


def _button(query: dict[str, Any]) -> Incoming:
    query_id = str(query.get("id", ""))
    if query.get("inline_message_id"):  # inline mode: not a chat with this bot
        return Incoming(Kind.IGNORED, callback_query_id=query_id)
    # A press on a message older than 48 hours comes without `message`; in a private
    # chat the chat id is the person's user id.
    chat = (query.get("message") or {}).get("chat") or {
        "id": (query.get("from") or {}).get("id"),
        "type": "private",
    }
    if chat.get("id") is None:
        return Incoming(Kind.IGNORED, callback_query_id=query_id)
    chat_id = str(chat["id"])
    if chat.get("type") != "private":
        return Incoming(Kind.GROUP, chat_id, callback_query_id=query_id)
    data = query.get("data")
    if not isinstance(data, str) or not data:
        return Incoming(Kind.IGNORED, chat_id, callback_query_id=query_id)
    return Incoming(Kind.BUTTON, chat_id, data, callback_query_id=query_id)


def as_rasa_text(text: str) -> str:
    """The text Rasa gets for what the person typed: commands become intents.

    Any other leading slash is dropped, so typed text never reaches Rasa as an intent
    payload (e.g. "/affirm" skipping a confirmation): only the bot's own buttons send those.
    """
    text = text.strip()
    if not text.startswith("/"):
        return text
    command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    return COMMANDS.get(command) or text.lstrip("/").strip()
