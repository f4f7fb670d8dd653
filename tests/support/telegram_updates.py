"""Real Telegram Update JSON for the connector's tests, and the fake bot's settings."""

from __future__ import annotations

import itertools
from typing import Any

TOKEN = "123456:TEST-token_for-the-fake-api"
SECRET = "test-secret_0123456789"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"

_ids = itertools.count(10_000)


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "first_name": "Sam", "type": "private"}
    return {"id": chat_id, "title": "Friends", "type": kind}


def message(chat_id: int, chat_kind: str = "private", **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Sam"},
        "chat": chat(chat_id, chat_kind),
        "date": 1_732_000_000,
        **content,
    }


def update(**content: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), **content}


def text_update(
    chat_id: int, text: str, field: str = "message", chat_kind: str = "private"
) -> dict[str, Any]:
    return update(**{field: message(chat_id, chat_kind, text=text)})


def callback_update(chat_id: int, data: str, chat_kind: str = "private") -> dict[str, Any]:
    return update(
        callback_query={
            "id": str(next(_ids)),
            "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Sam"},
            "message": message(chat_id, chat_kind, text="(the bot's message)"),
            "chat_instance": "42",
            "data": data,
        }
    )


PHOTO = [
    {"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1024}
]
NON_TEXT = {
    "sticker": {
        "sticker": {
            "file_id": "CAAD",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😢",
        }
    },
    "photo": {"photo": PHOTO, "caption": "look at this"},
    "voice": {
        "voice": {
            "file_id": "AwAD",
            "file_unique_id": "AgAD",
            "duration": 4,
            "mime_type": "audio/ogg",
        }
    },
    "video": {
        "video": {
            "file_id": "BAAD",
            "file_unique_id": "AgAD",
            "width": 1,
            "height": 1,
            "duration": 1,
        }
    },
    "document": {
        "document": {"file_id": "BQAD", "file_unique_id": "AgAD", "file_name": "notes.pdf"}
    },
    "location": {"location": {"latitude": 52.52, "longitude": 13.40}},
}
MY_CHAT_MEMBER = {
    "my_chat_member": {
        "chat": chat(777),
        "from": {"id": 777, "is_bot": False, "first_name": "Sam"},
        "date": 1_732_000_000,
        "old_chat_member": {
            "status": "member",
            "user": {"id": 123456, "is_bot": True, "first_name": "Bot"},
        },
        "new_chat_member": {
            "status": "kicked",
            "until_date": 0,
            "user": {"id": 123456, "is_bot": True, "first_name": "Bot"},
        },
    }
}
CHANNEL_POST = {
    "channel_post": {
        "message_id": 5,
        "chat": {"id": -100123, "title": "News", "type": "channel"},
        "date": 1_732_000_000,
        "text": "hello channel",
    }
}


def titles(rows: list[list[dict[str, str]]]) -> list[list[str]]:
    """The button titles of an inline keyboard, row by row."""
    return [[button["text"] for button in row] for row in rows]
