"""The latest message as the reply reader sees it, built from what Rasa parsed."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.dialogue.reading import Reply

FAQ_SELECTOR = "faq"  # the retrieval intent whose answers Rasa's ResponseSelector picks


def reply_of(tracker: Tracker) -> Reply:
    message: dict[str, Any] = tracker.latest_message or {}
    text = message.get("text") or ""
    intent = message.get("intent") or {}
    choice = next(tracker.get_latest_entity_values("choice"), None)
    selected = (message.get("response_selector") or {}).get(FAQ_SELECTOR) or {}
    response = selected.get("response") or {}
    matches = tuple(
        (match.get("key", ""), match.get("value", ""), float(match.get("score", 0.0)))
        for match in message.get("option_matches") or []
    )
    return Reply(
        text=text,
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        choice=str(choice) if choice is not None else None,
        from_button=text.startswith("/"),
        faq=response.get("utter_action") if intent.get("name") == FAQ_SELECTOR else None,
        faq_confidence=float(response.get("confidence") or 0.0),
        faq_selected=response.get("utter_action"),
        option_matches=matches,
        entities=tuple(
            (str(e.get("entity")), str(e.get("value")))
            for e in message.get("entities") or []
            if e.get("entity") and e.get("value") is not None
        ),
    )
