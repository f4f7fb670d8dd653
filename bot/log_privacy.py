"""Keeps what people type out of every log record at INFO and above.

Rasa logs message text in two ways: structlog events with keys such as `text` or
`user_message` (one failed REST request wrote its whole 10 MB message at ERROR), and
stdlib messages that format the text in. Two filters, installed by bot/turn_guard.py:

- a structlog processor, first in Rasa's chain, that replaces those keys' values;
- a stdlib filter on the root handlers that replaces the text of the message being handled
  (known from the turn, see `turn_text`) wherever it appears, traceback included.

DEBUG stays as Rasa made it: it is opt-in (`LOG_LEVEL=DEBUG`) for someone debugging their
own conversation.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

REDACTED = "[message text removed]"
# Rasa's own list of keys that can hold what a person typed (rasa/utils/log_utils.py).
SENSITIVE_KEYS = frozenset(
    [
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
    ]
)
KEPT_LEVELS = frozenset(("debug", "trace", "notset"))

turn_text: contextvars.ContextVar[str | None] = contextvars.ContextVar("turn_text", default=None)


def redact_structlog_event(_logger: Any, method_name: str, event_dict: dict) -> dict:
    if method_name.lower() not in KEPT_LEVELS:
        for key in SENSITIVE_KEYS & event_dict.keys():
            event_dict[key] = REDACTED
    return event_dict


class TurnTextFilter(logging.Filter):
    """Removes the current turn's message text from INFO+ records; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = turn_text.get()
        if record.levelno < logging.INFO or not text or not text.strip():
            return True
        message = record.getMessage()
        if text in message:
            record.msg, record.args = message.replace(text, REDACTED), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and text in record.exc_text:
            record.exc_text = record.exc_text.replace(text, REDACTED)
        return True


def install() -> None:
    """Adds both filters (idempotent). Rasa has configured logging by the time it runs."""
    import structlog

    processors = structlog.get_config()["processors"]
    if redact_structlog_event not in processors:
        # In place: loggers Rasa already bound share this list.
        processors.insert(0, redact_structlog_event)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TurnTextFilter) for f in handler.filters):
            handler.addFilter(TurnTextFilter())
