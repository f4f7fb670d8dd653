"""bot/speedups.py: the action-response check and the slimmer tracker sent to actions.

The first test pins the Rasa code the speed-ups replace: after a Rasa upgrade it fails
until someone has re-read that code and bot/speedups.py still matches it.
"""

from __future__ import annotations

import hashlib
import inspect
import json

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker

from bot import speedups
from bot.paths import REPO_ROOT

# sha256 of the Rasa 3.6.21 source of each replaced method and of the response schema.
PINNED = {
    "_validate_action_result": "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    "_action_call_format": "428795b944f22edba142d278ec47a30098975b01463ba337ec447dade52a0492",
    "resolve_by_type": "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
    "applied_events": "764d5065ea9997d613c1984d9357370f9ae32d31ca21346086f16c54f0487aae",
    "action_response_format_spec": (
        "fb650e99afd82f1c650004526571ec7bc95a81aa36aaf6a899a6e9e212b166be"
    ),
}


def fingerprint(name: str) -> str:
    if name == "action_response_format_spec":
        text = json.dumps(RemoteAction.action_response_format_spec(), sort_keys=True)
    else:
        text = inspect.getsource(speedups.ORIGINALS[name])
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def installed():
    speedups.install()
    yield
    speedups.uninstall()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def test_the_replaced_rasa_code_is_still_what_the_speedups_were_written_for():
    changed = [name for name, digest in PINNED.items() if fingerprint(name) != digest]
    assert not changed, (
        f"Rasa's RemoteAction changed ({changed}): re-read it, check that bot/speedups.py "
        "still does the same work (and is still needed), then update PINNED"
    )


VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "question", "value": None, "timestamp": None}],
        "responses": [{"text": "hello", "buttons": [{"title": "a", "payload": "/a"}]}],
    },
    {"events": [{"event": "active_loop", "name": "question_form"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": "not a list"},
    {"events": "not a list"},
]


@pytest.mark.parametrize("response", VALID)
def test_a_valid_response_passes_without_rechecking_the_schema(installed, monkeypatch, response):
    def refuse(*args, **kwargs):
        raise AssertionError("jsonschema.validate re-checks the schema on every call")

    monkeypatch.setattr(jsonschema, "validate", refuse)
    assert RemoteAction("action_x", None)._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_response_fails_with_the_same_error_as_rasas(installed, response):
    with pytest.raises(jsonschema.ValidationError) as ours:
        RemoteAction("action_x", None)._validate_action_result(response)
    with pytest.raises(jsonschema.ValidationError) as rasas:
        speedups.ORIGINALS["_validate_action_result"](RemoteAction("action_x", None), response)
    assert ours.value.message == rasas.value.message
    assert "Failed to validate Action server response" in ours.value.message


def long_tracker(domain: Domain, turns: int) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for turn in range(turns):
        events += [
            UserUttered(f"message {turn}", {"name": "greet", "confidence": 1.0}),
            ActionExecuted("action_greet"),
            BotUttered(f"reply {turn}"),
            SlotSet("question", f"q{turn}"),
            ActionExecuted("action_listen"),
        ]
    events += [UserUttered("the last one", {"name": "greet", "confidence": 1.0})]
    events += [SlotSet("reply", "the last one")]
    return DialogueStateTracker.from_events("someone", events, slots=domain.slots)


async def test_an_action_call_carries_the_recent_events_and_what_actions_read(
    installed, monkeypatch, domain
):
    tracker = long_tracker(domain, 60)
    sent: list[dict] = []

    async def request(self, **kwargs):
        sent.append(kwargs["json"])
        return {"events": [{"event": "slot", "name": "reply", "value": None}], "responses": []}

    monkeypatch.setattr(EndpointConfig, "request", request)
    action = RemoteAction("action_greet", EndpointConfig("http://127.0.0.1:1/webhook"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    events = await action.run(CollectingOutputChannel(), nlg, tracker, domain)

    assert [(e.key, e.value) for e in events] == [("reply", None)]
    body = sent[0]
    users = [e for e in body["tracker"]["events"] if e["event"] == "user"]
    assert len(users) == speedups.ACTION_HISTORY_USER_MESSAGES
    assert len(body["tracker"]["events"]) < len(tracker.events) / 5

    full = Tracker.from_dict(tracker.current_state(speedups.EventVerbosity.ALL))
    slim = Tracker.from_dict(body["tracker"])
    assert slim.slots == full.slots and slim.slots["question"] == "q59"
    assert slim.latest_message == full.latest_message
    assert slim.slots_to_validate() == full.slots_to_validate() == {"reply": "the last one"}
    assert slim.events[-2]["parse_data"] == full.events[-2]["parse_data"]  # latest: whole
    earlier = [e for e in slim.events if e["event"] == "user"][0]
    assert earlier["parse_data"]["intent"]["name"] == "greet"
    recent = [e["text"] for e in full.events if e["event"] == "user"][-3:]
    assert [e["text"] for e in slim.events if e["event"] == "user"][-3:] == recent


def test_a_short_conversation_is_sent_whole(installed, domain):
    tracker = long_tracker(domain, 2)
    body = RemoteAction("action_greet", None)._action_call_format(tracker, domain)
    assert len(body["tracker"]["events"]) == len(tracker.events)


def test_every_stored_event_comes_back_as_the_same_class(installed):
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is speedups.ORIGINALS["resolve_by_type"](
            cls.type_name
        )
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("nonsense")


def test_reading_events_does_not_walk_the_class_tree(installed, monkeypatch, domain):
    import rasa.shared.utils.common

    stored = [event.as_dict() for event in long_tracker(domain, 3).events]
    Event.resolve_by_type("slot")  # the table is built once

    def refuse(cls):
        raise AssertionError("all_subclasses walked for an event read")

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", refuse)
    tracker = DialogueStateTracker.from_dict("someone", stored, domain.slots)
    assert [e.as_dict() for e in tracker.events] == stored


def random_events(rng, count: int) -> list[Event]:
    """Event runs as conversations make them: loops started, run, rejected and ended,
    messages and actions reverted, restarts and new sessions."""
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    loops = ["question_form", "other_form"]
    makers = [
        lambda: UserUttered(rng.choice(["hi", "yes", "no"]), {"name": "greet"}),
        lambda: ActionExecuted("action_listen"),
        lambda: ActionExecuted(rng.choice(["utter_a", "action_b"])),
        lambda: ActionExecuted(rng.choice(loops)),
        lambda: ActionExecuted(rng.choice(loops)),
        lambda: ActiveLoop(rng.choice(loops)),
        lambda: ActiveLoop(None),
        lambda: ActionExecutionRejected(rng.choice(loops)),
        lambda: SlotSet("question", rng.choice([None, "x"])),
        lambda: UserUtteranceReverted(),
        lambda: ActionReverted(),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    weights = [6, 6, 4, 5, 3, 2, 2, 1, 3, 1, 1, 0.3, 0.3]
    return [rng.choices(makers, weights)[0]() for _ in range(count)]


def test_the_applied_events_are_rasas_after_every_event_added(domain):
    import random

    rng = random.Random(7)
    original = speedups.ORIGINALS["applied_events"]
    for _ in range(150):
        tracker = DialogueStateTracker("someone", domain.slots)
        for event in random_events(rng, 80):
            tracker.events.append(event)  # as tracker.update does, without the side effects
            got = speedups.applied_events(tracker)
            assert [id(e) for e in got] == [id(e) for e in original(tracker)]
            got.clear()  # a caller changing its list changes nothing kept


def test_replaced_events_are_folded_again(domain):
    tracker = DialogueStateTracker("someone", domain.slots)
    for event in long_tracker(domain, 4).events:
        tracker.update(event)
    speedups.applied_events(tracker)
    tracker.events = tracker._create_events([ActionExecuted("action_listen")])
    assert speedups.applied_events(tracker) == list(tracker.events)


def test_the_applied_events_are_not_folded_again_from_the_start(installed, domain, monkeypatch):
    from rasa.shared.core.events import ActiveLoop

    tracker = DialogueStateTracker("someone", domain.slots)
    for turn in range(30):  # a question asked and answered each turn
        for event in (
            UserUttered(f"message {turn}", {"name": "greet"}),
            ActionExecuted("question_form"),
            ActiveLoop("question_form"),
            ActionExecuted("action_listen"),
        ):
            tracker.update(event)
    tracker.applied_events()
    seen = []
    monkeypatch.setattr(
        DialogueStateTracker,
        "_first_loop_execution_or_unhappy_path",
        lambda self, name, events: seen.append(name) or True,
    )
    tracker.update(UserUttered("one more", {"name": "greet"}))
    tracker.update(ActionExecuted("question_form"))
    tracker.applied_events()
    assert len(seen) <= 1
