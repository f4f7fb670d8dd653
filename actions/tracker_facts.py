"""Facts about the latest message and the conversation, read from the tracker."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    return next(tracker.get_latest_entity_values(entity), None)


def intent_ranking(tracker: Tracker) -> list[dict[str, Any]]:
    return tracker.latest_message.get("intent_ranking") or []


def last_bot_message(tracker: Tracker) -> dict[str, Any]:
    """The assistant's last message: its text and the response it came from (Rasa keeps the
    response name in the event's metadata), so a move can avoid saying it twice in a row."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            metadata = event.get("metadata") or {}
            return {"text": event.get("text"), "response": metadata.get("utter_action")}
    return {"text": None, "response": None}
