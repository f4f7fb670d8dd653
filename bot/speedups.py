"""Costs Rasa 3.6 pays on every turn for work whose result never changes, removed
(docs/measurements.md has the measurements).

1. Schema re-validation. `RemoteAction._validate_action_result` calls
   `jsonschema.validate(result, spec)`, which first checks the *schema* against the
   JSON-Schema metaschema and builds a new validator, on every call: about 25 ms with
   jsonschema 4.17, for a schema that never changes. Here the validator is built and the
   schema checked once; each response is still validated in full, with the same error.
2. The whole conversation on every call. `RemoteAction._action_call_format` serialises
   every event of the tracker (all sessions), so each turn costs more than the one before.
   The actions read slots, the latest message and active loop (sent in full, as before)
   and, from events, only the last few user messages and the slots set since the last
   action (`slots_to_validate`). Here the events sent start at the
   `ACTION_HISTORY_USER_MESSAGES`-th last user message, and earlier user messages carry
   their intent and entities but not the rankings (the latest message is sent whole).
3. Event classes looked up by a walk of the class tree. Reading a tracker turns each
   stored event into its class with `Event.resolve_by_type`, which lists every subclass
   of `Event` recursively for every single event (0.3 ms each: most of a tracker read).
   Here the name-to-class table is built once and rebuilt only for a name it lacks.

Each replaces one Rasa method; `install()` does it and is called by the launcher
(bot/rasa_cli.py), never at import. tests/unit/test_speedups.py pins the Rasa source
these replacements were written against, so an upgrade that changes it fails the test
instead of silently running stale code.
"""

from __future__ import annotations

import functools
from typing import Any

import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# actions/dialogue/exercise_flow.py reads the last 3 user messages; 10 leaves room.
ACTION_HISTORY_USER_MESSAGES = 10

ORIGINALS = {
    "_validate_action_result": RemoteAction._validate_action_result,
    "_action_call_format": RemoteAction._action_call_format,
    "resolve_by_type": Event.resolve_by_type,
}
_event_classes: dict[str, type] = {}


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """Rasa's action-response schema, checked once, as a reusable validator."""
    from jsonschema.validators import validator_for

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """`jsonschema.validate` without re-checking the schema; the same error when invalid."""
    from jsonschema.exceptions import best_match

    if best_match(response_validator().iter_errors(result)) is None:
        return True
    # Invalid responses are rare: Rasa's own code raises its error, message and all.
    return ORIGINALS["_validate_action_result"](self, result)


def recent_events(tracker: DialogueStateTracker, user_messages: int) -> list:
    """The tracker's events from its `user_messages`-th last user message on (all of them
    when it has fewer)."""
    events = list(tracker.events)
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == user_messages:
                return events[index:]
    return events


def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain) -> dict:
    """Rasa's request body with only the recent events; everything else unchanged."""
    return ORIGINALS["_action_call_format"](self, _Recent(tracker), domain)


class _Recent:
    """A view of a tracker whose `current_state(ALL)` carries only the recent events."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> dict:
        state = self._tracker.current_state(EventVerbosity.NONE)
        if event_verbosity != EventVerbosity.NONE:
            tail = [
                event.as_dict()
                for event in recent_events(self._tracker, ACTION_HISTORY_USER_MESSAGES)
            ]
            users = [event for event in tail if event["event"] == "user"]
            for event in users[:-1]:
                event["parse_data"] = brief_parse(event.get("parse_data") or {})
            state["events"] = tail
        return state


def brief_parse(parse_data: dict) -> dict:
    """An earlier message's NLU result without its rankings (most of its size); actions read
    rankings and FAQ selections of the latest message only, which is sent whole."""
    return {key: parse_data[key] for key in ("intent", "entities") if key in parse_data}


def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """Rasa's lookup (the first subclass with that `type_name`) from a table."""
    found = _event_classes.get(type_name)
    if found is None:
        # A name not seen yet, or an Event subclass imported since: build the table again.
        _event_classes.clear()
        for cls in rasa.shared.utils.common.all_subclasses(Event):
            _event_classes.setdefault(cls.type_name, cls)
        found = _event_classes.get(type_name)
    # Unknown names keep Rasa's own handling ("topic", the default, the error).
    return found or ORIGINALS["resolve_by_type"](type_name, default)


def install() -> None:
    """Replaces the three Rasa methods (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = action_call_format
    Event.resolve_by_type = staticmethod(resolve_by_type)


def uninstall() -> None:
    """Puts Rasa's own methods back (for tests and measurements)."""
    RemoteAction._validate_action_result = ORIGINALS["_validate_action_result"]
    RemoteAction._action_call_format = ORIGINALS["_action_call_format"]
    Event.resolve_by_type = staticmethod(ORIGINALS["resolve_by_type"])
