"""Plays a conversation through the real actions without Rasa, for fast dialogue tests.

Each turn does what Rasa does with the project's rules and the question form: when a question
is waiting, the reply goes to the form's real validation action (read in context, then the next
question asked); when none is, the rule for the message's intent (read from data/rules/) runs
its action, and the form's activation calls the same validation action, which asks whatever
the action left waiting. The NLU part is given by the test (intent,
entities, ranking), so what is tested is the dialogue, not the classifier; the live tests
cover both.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.conversation_actions import MOVES, run_move
from actions.dialogue.turn import Turn
from actions.question_actions import ValidateQuestionForm
from bot.paths import REPO_ROOT
from tests.support.trackers import user_event

FORM_DOMAIN = {"forms": {"question_form": {"required_slots": [slots.REPLY]}}}


@lru_cache(maxsize=1)
def rules() -> dict[str, tuple[str, bool]]:
    """intent -> (action, whether the question form follows), from data/rules/*.yml."""
    found: dict[str, tuple[str, bool]] = {}
    for path in sorted((REPO_ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text()).get("rules") or []:
            steps = rule["steps"]
            if rule.get("condition") or "intent" not in steps[0]:
                continue
            actions = [step["action"] for step in steps if "action" in step]
            found[steps[0]["intent"]] = (actions[0], "question_form" in actions)
    return found


@dataclass
class Talk:
    sender_id: str = "person-1"
    channel: str = "rest"  # the input channel of every message
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[tuple[str, list[dict]]] = field(default_factory=list)

    def say(
        self,
        text: str,
        intent: str | None = None,
        confidence: float = 1.0,
        entities: list[dict] | None = None,
        **parse: Any,
    ) -> list[dict]:
        if text.startswith("/") and intent is None:
            intent, entities = _payload(text)
        latest = user_event(text, intent, entities, **parse)
        latest["parse_data"]["intent"]["confidence"] = confidence
        for entity in entities or []:  # as Rasa fills from_entity slots before any action
            for slot in entity_slots().get(entity["entity"], ()):
                self.slots[slot] = entity["value"]
        latest["input_channel"] = self.channel
        self.events.append(latest)
        dispatcher = CollectingDispatcher()
        if self.slots.get(slots.QUESTION):
            # The form fills `reply` with the text, then calls its validation action.
            candidate = {"event": "slot", "name": slots.REPLY, "value": text}
            self._validate(dispatcher, self._tracker(latest, candidate))
            return self._said(text, dispatcher)
        turn = Turn(dispatcher, self._tracker(latest))
        action, with_form = rules().get(intent or "", ("action_default_fallback", False))
        if action in MOVES:
            run_move(action, turn)
        else:
            turn.say(action)
        self._apply(turn.events())
        if with_form:  # activation: the validation action asks what is waiting
            self._validate(dispatcher, self._tracker(latest))
        return self._said(text, dispatcher)

    def _validate(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        form = ValidateQuestionForm()
        self._apply(asyncio.run(form.run(dispatcher, tracker, FORM_DOMAIN)))

    def press(self, title: str) -> list[dict]:
        payload = next(b["payload"] for b in self.buttons if b["title"] == title)
        return self.say(payload)

    @property
    def last(self) -> list[dict]:
        return self.transcript[-1][1]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or m.get("response") or "" for m in self.last)

    @property
    def responses(self) -> list[str | None]:
        return [m.get("response") for m in self.last]

    @property
    def buttons(self) -> list[dict]:
        return [b for m in self.last for b in m.get("buttons") or []]

    def _tracker(self, latest: dict, *candidates: dict) -> Tracker:
        return Tracker(
            sender_id=self.sender_id,
            slots=dict(self.slots),
            latest_message=latest["parse_data"],
            events=[*self.events, *candidates],
            paused=False,
            followup_action=None,
            active_loop={"name": "question_form"} if self.slots.get("question") else {},
            latest_action_name="action_listen",
        )

    def _apply(self, events: list[dict]) -> None:
        for event in events:
            if event.get("event") == "reset_slots":
                self.slots.clear()
            elif event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]

    def _said(self, text: str, dispatcher: CollectingDispatcher) -> list[dict]:
        for message in dispatcher.messages:
            check_variables(message, self.slots)
            # As Rasa stores what was said: the text, and the response name in the metadata.
            bot = {
                "text": message.get("text"),
                "metadata": {"utter_action": message.get("response")},
            }
            self.events.append({"event": "bot", **bot})
        self.transcript.append((text, list(dispatcher.messages)))
        return dispatcher.messages


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """domain.yml, read once: parsing it took most of each dialogue test's time."""
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def entity_slots() -> dict[str, tuple[str, ...]]:
    """entity -> the slots domain.yml fills from it."""
    found: dict[str, list[str]] = {}
    for name, slot in domain()["slots"].items():
        for mapping in slot.get("mappings") or []:
            if mapping.get("type") == "from_entity":
                found.setdefault(mapping["entity"], []).append(name)
    return {entity: tuple(names) for entity, names in found.items()}


def domain_responses() -> dict[str, list[dict]]:
    return domain()["responses"]


def check_variables(message: dict, slots: dict[str, Any]) -> None:
    """Every variation of a response sent can be filled from what the action passed (and the
    slots, as Rasa does): a missing one would reach the person as "{name}"."""
    name = message.get("response")
    if not name:
        return
    assert name in domain_responses(), f"{name} is not in domain.yml"
    values = {**{k: v for k, v in slots.items() if v is not None}, **message}
    for variation in domain_responses()[name]:
        for field_name in re.findall(r"{([a-z_]+)}", variation.get("text") or ""):
            assert field_name in values, f"{name} needs {{{field_name}}}"


def _payload(text: str) -> tuple[str, list[dict]]:
    name, _, raw = text[1:].partition("{")
    entities = json.loads("{" + raw) if raw else {}
    return name, [{"entity": k, "value": v} for k, v in entities.items()]
