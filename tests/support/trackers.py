"""Builders for the trackers and parse data the action tests feed to actions, and readers
for what the actions returned."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_event(
    text: str,
    intent: str | None,
    entities: list[dict] | None = None,
    ranking: list[dict] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        **extra,
    }
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}


def build_tracker(
    text: str = "",
    intent: str | None = None,
    slots: dict[str, Any] | None = None,
    entities: list[dict] | None = None,
    events: list[dict] | None = None,
    sender_id: str = "person-1",
    active_loop: str | None = None,
    **parse_extra: Any,
) -> Tracker:
    """A tracker whose latest message is `text` classified as `intent`, after `events`."""
    latest = user_event(text, intent, entities, **parse_extra)
    all_events = list(events or []) + [latest]
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest["parse_data"],
        events=all_events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    """The domain responses sent, in order (None for text sent from content files)."""
    return [message.get("response") for message in dispatcher.messages]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
