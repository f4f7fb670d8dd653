"""Two costs Rasa 3.6 pays on every custom-action call, removed (docs/measurements.md).

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
   `ACTION_HISTORY_USER_MESSAGES`-th last user message.

Both replace one method of `RemoteAction`; `install()` does it and is called by the
launcher (bot/rasa_server.py), never at import. tests/unit/test_speedups.py pins the
Rasa source these replacements were written against, so an upgrade that changes it fails
the test instead of silently running stale code.
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# actions/dialogue/exercise_flow.py reads the last 3 user messages; 10 leaves room.
ACTION_HISTORY_USER_MESSAGES = 10

ORIGINALS = {
    "_validate_action_result": RemoteAction._validate_action_result,
    "_action_call_format": RemoteAction._action_call_format,
}


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
            tail = recent_events(self._tracker, ACTION_HISTORY_USER_MESSAGES)
            state["events"] = [event.as_dict() for event in tail]
        return state


def install() -> None:
    """Replaces the two `RemoteAction` methods (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = action_call_format
