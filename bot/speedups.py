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

4. The applied events folded again from the first event on every call.
   `DialogueStateTracker.applied_events` (which events still count, after reverts and loop
   re-runs) walks every event of the session, and for each run of an active loop walks
   back through what came before it: at turn 60 about 55 ms a call, five or more calls a
   turn (policies, session expiry, serialising). Here each tracker keeps its result and
   folds only the events added since, with the same steps; a new loop name (which changes
   how earlier events count) or replaced events start the fold over.

Each replaces one Rasa method; `install()` does it and is called by the launcher
(bot/rasa_cli.py), never at import. tests/unit/test_speedups.py pins the Rasa source
these replacements were written against, so an upgrade that changes it fails the test
instead of silently running stale code.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# actions/dialogue/exercise_flow.py reads the last 3 user messages; 10 leaves room.
ACTION_HISTORY_USER_MESSAGES = 10

ORIGINALS = {
    "_validate_action_result": RemoteAction._validate_action_result,
    "_action_call_format": RemoteAction._action_call_format,
    "resolve_by_type": Event.resolve_by_type,
    "applied_events": DialogueStateTracker.applied_events,
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


class _Folded:
    """How far `applied_events` got on one tracker: the events deque it read, how many of
    its events, the last of them, the loop names among them and the result."""

    __slots__ = ("events", "count", "last", "loop_names", "applied")

    def __init__(self, events, loop_names: set[str]) -> None:
        self.events = events
        self.count = 0
        self.last: Event | None = None
        self.loop_names = loop_names
        self.applied: list[Event] = []

    def continues(self, events) -> bool:
        """`events` is the deque read before with only events appended since."""
        if events is not self.events or len(events) < self.count:
            return False
        return self.count == 0 or events[self.count - 1] is self.last


def loop_names(events) -> set[str]:
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """Rasa's `applied_events`: the same fold, continued from the last call's result."""
    events = self.events
    folded = self.__dict__.get("_folded")
    new: list[Event] = []
    if folded is not None and folded.continues(events):
        new = list(itertools.islice(events, folded.count, None))
        if not loop_names(new) <= folded.loop_names:
            # Rasa reads the loop names of the whole session before folding, so a new one
            # changes how earlier loop runs count: fold again from the start.
            folded = None
    else:
        folded = None
    if folded is None:
        folded = _Folded(events, loop_names(events))
        new = list(events)
    applied = folded.applied
    for event in new:
        # The body of Rasa 3.6.21's loop, unchanged (pinned in tests/unit/test_speedups.py).
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            self._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            self._undo_till_previous(UserUttered, applied)
            self._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in folded.loop_names
            and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            self._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    folded.count = len(events)
    folded.last = events[-1] if events else None
    self.__dict__["_folded"] = folded
    return list(applied)  # callers may change their list; the kept one stays as it was


def install() -> None:
    """Replaces the four Rasa methods (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = action_call_format
    Event.resolve_by_type = staticmethod(resolve_by_type)
    DialogueStateTracker.applied_events = applied_events


def uninstall() -> None:
    """Puts Rasa's own methods back (for tests and measurements)."""
    RemoteAction._validate_action_result = ORIGINALS["_validate_action_result"]
    RemoteAction._action_call_format = ORIGINALS["_action_call_format"]
    Event.resolve_by_type = staticmethod(ORIGINALS["resolve_by_type"])
    DialogueStateTracker.applied_events = ORIGINALS["applied_events"]
