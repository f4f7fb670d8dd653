"""Button payloads <-> Telegram callback_data, which may hold at most 64 bytes.

The scheme is deterministic, so buttons already on someone's screen keep working after
a restart and on any Rasa instance:

* A payload of at most 64 UTF-8 bytes that does not start with "#" is sent as it is.
  Every button this assistant sends today fits (the longest, start_exercise with the
  longest theme name, is 54 bytes; a test checks them all), so callback_data stays
  readable and needs no lookup.
* Any other payload is sent as a key: "#" + 16 characters of the URL-safe base64 of its
  SHA-256 (96 bits, so collisions within one conversation are not a concern). A key is
  resolved from a bounded in-memory map of recently sent payloads and, failing that,
  from the conversation history in the tracker store, where Rasa keeps every button the
  bot sent. A key found in neither (e.g. the history was deleted) is reported as
  expired and the person is asked to type their answer.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from rasa.shared.core.events import BotUttered, Event

CALLBACK_DATA_LIMIT = 64
KEY_PREFIX = "#"
_KEY_CHARS = 16
_HISTORY_EVENTS = 500  # how far back in a conversation a key is looked for


def key_for(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:_KEY_CHARS]


def fits_verbatim(payload: str) -> bool:
    return len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(
        KEY_PREFIX
    )


def is_key(callback_data: str) -> bool:
    return callback_data.startswith(KEY_PREFIX)


class PayloadCodec:
    """Encodes payloads for sending and decodes callback_data from button presses."""

    def __init__(self, max_remembered: int = 10_000) -> None:
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._max = max_remembered

    def encode(self, payload: str) -> str:
        if fits_verbatim(payload):
            return payload
        key = key_for(payload)
        self._recent[key] = payload
        self._recent.move_to_end(key)
        while len(self._recent) > self._max:
            self._recent.popitem(last=False)
        return key

    async def decode(
        self, callback_data: str, load_history: Callable[[], Awaitable[Iterable[Event]]]
    ) -> str | None:
        """The payload behind callback_data, or None when a key cannot be resolved.

        `load_history` returns the conversation's events; it is only awaited for a key
        this process does not remember.
        """
        if not is_key(callback_data):
            return callback_data
        if callback_data in self._recent:
            return self._recent[callback_data]
        return payload_in_history(callback_data, await load_history())


def payload_in_history(key: str, events: Iterable[Event]) -> str | None:
    """Finds the button payload whose key is `key` among the bot's recent messages."""
    for event in list(events)[-_HISTORY_EVENTS:][::-1]:
        if not isinstance(event, BotUttered):
            continue
        for button in event.data.get("buttons") or []:
            payload = button.get("payload")
            if isinstance(payload, str) and key_for(payload) == key:
                return payload
    return None
