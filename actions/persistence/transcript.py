"""The person's conversation as Rasa's tracker store keeps it (every session), for "export
my data": what they wrote and what the assistant answered, in order.

Rasa sends the action server only the current session, so the export reads the tracker
store's `events` table itself, read-only, with the same timeouts as every engine.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.persistence.repository import StorageUnavailable
from actions.settings import get_settings
from bot.sql_engines import engine_options

SPEAKERS = {"user": "you", "bot": "assistant"}
QUERY = text(
    "SELECT type_name, timestamp, data FROM events "
    "WHERE sender_id = :sender AND type_name IN ('user', 'bot') ORDER BY id"
)


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return create_engine(url, **engine_options(url, future=True))


def _entry(type_name: str, timestamp: float | None, data: str) -> dict | None:
    said = json.loads(data).get("text")
    if not said:
        return None
    at = datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp else None
    return {"from": SPEAKERS[type_name], "text": said, "at": at}


def conversation_transcript(sender_id: str, url: str | None = None) -> list[dict]:
    """Every message of the conversation, oldest first (empty before Rasa stored any)."""
    engine = _engine(url or get_settings().tracker_database_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return []
            rows = connection.execute(QUERY, {"sender": sender_id}).all()
    except SQLAlchemyError as error:
        raise StorageUnavailable(type(error).__name__) from error
    return [entry for row in rows if (entry := _entry(*row)) is not None]
