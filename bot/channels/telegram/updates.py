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

from bot.channels.telegram.format import TEXT_LIMIT, utf16_length
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.throttle import ThrottledLog

logger = logging.getLogger(__name__)
# A refused request is logged at most once a minute per reason: anyone can post to the URL.
_refusals = ThrottledLog(logger, every_seconds=60)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_INCOMING_CHARS = TEXT_LIMIT  # Telegram delivers messages up to 4096 UTF-16 code units
MAX_JSON_DEPTH = 20  # a real Update is at most about 8 levels deep

# Slash commands -> the intent payload Rasa gets. /delete only asks: the confirmation
# (utter_confirm_delete) is the assistant's, as on every other channel.
COMMANDS = {
    "start": "/start_conversation",
    "help": "/help",
    "stop": "/stop_exercise",
    "delete": "/delete_my_data",
}

# Message fields that carry something other than text, and the kind each one makes.
# A message with neither text nor one of these is a service message and is ignored.
_MEDIA_KINDS = {
    "voice": "voice",
    "video_note": "voice",
    "audio": "voice",
    "contact": "contact",
}
NON_TEXT_FIELDS = frozenset(
    {
        "sticker",
        "photo",
        "video",
        "document",
        "animation",
        "location",
        "venue",
        "poll",
        "dice",
        "game",
        "story",
        *_MEDIA_KINDS,
    }
)


class Kind(Enum):
    TEXT = "text"  # goes to Rasa
    BUTTON = "button"  # callback_data, goes to Rasa as its payload
    CAPTION = "caption"  # a photo, video or document with a caption: a note, then the caption
    NOT_TEXT = "not_text"  # sticker, photo without a caption, ...: answered by the connector
    VOICE = "voice"  # voice notes, round videos and audio: it cannot listen
    CONTACT = "contact"  # a shared contact: it never contacts anyone
    EDITED = "edited"  # an edited message: not read (said once per chat)
    HELP = "help"  # the /help command: what the assistant does and how to steer it
    TOO_LONG = "too_long"
    EMPTY = "empty"
    GROUP = "group"  # any update from a chat that is not private
    IGNORED = "ignored"  # membership changes, channel posts, service messages, ...


@dataclass(frozen=True)
class Incoming:
    kind: Kind
    chat_id: str | None = None
    text: str | None = None  # the text for Rasa, the caption, or the button's callback_data
    callback_query_id: str | None = None  # set for every button press: it must be answered
    message_id: int | None = None  # for a button press: the message its keyboard is on


def admit(
    settings: TelegramSettings, secret_header: str | None, body: bytes
) -> tuple[int, dict[str, Any] | None]:
    """(200, update) for a genuine update, else (status, None).

    Never looks at the body before the secret.
    """
    problems = settings.problems()
    if problems:
        _refusals.error(
            "unconfigured: " + "; ".join(problems),
            "Telegram webhook called but the channel is not configured: " + "; ".join(problems),
        )
        return 503, None
    if not secret_header or not hmac.compare_digest(
        secret_header.encode("utf-8"), settings.webhook_secret.encode("utf-8")
    ):
        _refusals.warning(
            "secret", "Telegram webhook request refused: secret token missing or wrong"
        )
        return 403, None
    try:
        update = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        update = None
    if not isinstance(update, dict):
        _refusals.warning("not_json", "Telegram webhook request refused: body is not a JSON object")
        return 400, None
    if not valid_update_id(update.get("update_id")):
        _refusals.warning("no_id", "Telegram webhook request refused: no valid update_id")
        return 400, None
    if _depth(update) > MAX_JSON_DEPTH:
        _refusals.warning("deep", "Telegram webhook request refused: JSON nested too deep")
        return 400, None
    return 200, update


def valid_update_id(value: Any) -> bool:
    # bool is an int in Python; Telegram's ids are positive 32-bit-ish integers.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _depth(value: Any) -> int:
    """How deeply `value` nests, without recursion (json.loads already bounded it)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def classify(update: dict[str, Any]) -> Incoming:
    if isinstance(update.get("callback_query"), dict):
        return _button(update["callback_query"])
    if isinstance(update.get("message"), dict):
        return _message(update["message"])
    if isinstance(update.get("edited_message"), dict):
        # An edit must not become a new answer (inside an exercise it would replace the
        # current question's answer): it is only noticed.
        found = _message(update["edited_message"])
        return Incoming(Kind.EDITED, found.chat_id) if found.kind is not Kind.IGNORED else found
    return Incoming(Kind.IGNORED)


def _message(message: dict[str, Any]) -> Incoming:
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    if not isinstance(chat.get("id"), (int, str)) or isinstance(chat.get("id"), bool):
        return Incoming(Kind.IGNORED)
    chat_id = str(chat["id"])
    if chat.get("type") != "private":
        return Incoming(Kind.GROUP, chat_id)
    text = message.get("text")
    if not isinstance(text, str):
        return _non_text(message, chat_id)
    kind, rasa_text = _read_text(text)
    return Incoming(kind, chat_id, rasa_text)


def _non_text(message: dict[str, Any], chat_id: str) -> Incoming:
    fields = NON_TEXT_FIELDS.intersection(message)
    if not fields:
        return Incoming(Kind.IGNORED, chat_id)
    for field in sorted(fields):
        if field in _MEDIA_KINDS:
            return Incoming(Kind(_MEDIA_KINDS[field]), chat_id)
    caption = message.get("caption")
    if isinstance(caption, str):
        kind, rasa_text = _read_text(caption)
        if kind is Kind.TEXT:
            return Incoming(Kind.CAPTION, chat_id, rasa_text)
    return Incoming(Kind.NOT_TEXT, chat_id)


def _read_text(text: str) -> tuple[Kind, str | None]:
    if utf16_length(text) > MAX_INCOMING_CHARS:
        return Kind.TOO_LONG, None
    rasa_text = as_rasa_text(text)
    if rasa_text == COMMANDS["help"]:
        # Answered by the connector, so an exercise stays exactly where it was (its buttons
        # still work); typing "help" still shows the topics.
        return Kind.HELP, None
    return (Kind.TEXT, rasa_text) if rasa_text else (Kind.EMPTY, None)


def _button(query: dict[str, Any]) -> Incoming:
    query_id = str(query.get("id", ""))
    if query.get("inline_message_id"):  # inline mode: not a chat with this bot
        return Incoming(Kind.IGNORED, callback_query_id=query_id)
    # A press on a message older than 48 hours comes without `message`; in a private
    # chat the chat id is the person's user id.
    message = query.get("message") if isinstance(query.get("message"), dict) else {}
    chat = message.get("chat") or {
        "id": (query.get("from") or {}).get("id"),
        "type": "private",
    }
    message_id = message.get("message_id")
    if chat.get("id") is None:
        return Incoming(Kind.IGNORED, callback_query_id=query_id)
    chat_id = str(chat["id"])
    if chat.get("type") != "private":
        return Incoming(Kind.GROUP, chat_id, callback_query_id=query_id)
    data = query.get("data")
    if not isinstance(data, str) or not data:
        return Incoming(Kind.IGNORED, chat_id, callback_query_id=query_id)
    return Incoming(
        Kind.BUTTON,
        chat_id,
        data,
        callback_query_id=query_id,
        message_id=message_id if valid_update_id(message_id) else None,
    )


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
