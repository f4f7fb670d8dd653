"""One turn of the action server's work: the slots as they will be after it, what it says.

Moves (starting an exercise, answering a request, asking a question) change slots through a
`Turn`, so the same code serves a Rasa action (which returns events) and the question form's
validator (which returns slot values).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class Turn:
    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.changes: dict[str, Any] = {}
        self.extra_events: list[EventType] = []

    @property
    def sender_id(self) -> str:
        return self.tracker.sender_id

    @property
    def said(self) -> str:
        """The text of the message this turn answers ("" when there is none)."""
        return self.tracker.latest_message.get("text") or ""

    def slot(self, name: str) -> Any:
        return self.changes[name] if name in self.changes else self.tracker.get_slot(name)

    def set(self, name: str, value: Any) -> None:
        self.changes[name] = value

    def say(self, response: str | None = None, **kwargs: Any) -> None:
        if response is None:
            self.dispatcher.utter_message(**kwargs)
        else:
            self.dispatcher.utter_message(response=response, **kwargs)

    def events(self) -> list[EventType]:
        return [SlotSet(name, value) for name, value in self.changes.items()] + self.extra_events
