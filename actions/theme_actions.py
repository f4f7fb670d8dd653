"""Greeting, topic list, offering the exercise for a theme, and asking when unsure."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.buttons import button
from actions.exercises.catalogue import exercises, themes, ui_text
from actions.exercises.progress import offer_to_resume
from actions.safety.gate import ask_safety_first, gate_reply, safety_check_pending
from actions.themes import THEME_INTENTS
from actions.tracker_facts import intent_ranking, latest_intent

# Below this the ranking is noise; candidates must also be within reach of the best one.
MIN_CANDIDATE_CONFIDENCE = 0.08
CANDIDATE_RATIO = 0.35
MAX_CANDIDATES = 3


def topic_buttons() -> list[dict[str, str]]:
    return [button(theme.label, name) for name, theme in themes().items()]


def disclose_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The first thing anyone hears is that this is automated self-help, not a person."""
    if tracker.get_slot(slots.WELCOMED):
        return []
    dispatcher.utter_message(response="utter_disclosure_short")
    return [SlotSet(slots.WELCOMED, True)]


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot(slots.WELCOMED):
            dispatcher.utter_message(
                response="utter_welcome", buttons=[button(ui_text()["show_topics"], "help")]
            )
            return [SlotSet(slots.WELCOMED, True)]
        dispatcher.utter_message(response="utter_greet_again")
        offer_to_resume(dispatcher, tracker, button(ui_text()["show_topics"], "help"))
        return []


class ActionDefaultFallback(Action):
    """Rasa's core fallback (no rule fits the conversation), which can be the very first
    reply: so it discloses first, like every other first reply."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        disclosed = disclose_once(dispatcher, tracker)
        dispatcher.utter_message(response="utter_default")
        # As Rasa's own: forget the message that fitted nothing; the disclosure stays said.
        return [UserUtteranceReverted(), *disclosed]


class ActionListTopics(Action):
    def name(self) -> str:
        return "action_list_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = disclose_once(dispatcher, tracker)
        dispatcher.utter_message(response="utter_help", buttons=topic_buttons())
        return events


class ActionOfferExercise(Action):
    """Reflects the theme back in plain words and offers its exercise."""

    def name(self) -> str:
        return "action_offer_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        theme = latest_intent(tracker)
        if theme not in THEME_INTENTS:
            dispatcher.utter_message(response="utter_help", buttons=topic_buttons())
            return []
        events = disclose_once(dispatcher, tracker)
        if safety_check_pending(tracker):
            ask_safety_first(dispatcher)
            return events
        if gate_reply(dispatcher, tracker, theme):
            return events
        exercise = exercises()[theme]
        dispatcher.utter_message(response=f"utter_reflect_{theme}")
        dispatcher.utter_message(
            response="utter_offer_exercise",
            exercise_title=exercise.title,
            minutes=themes()[theme].minutes,
            buttons=[
                button(ui_text()["yes_start"], "start_exercise", exercise=theme),
                button(ui_text()["not_now"], "deny"),
            ],
        )
        return events + [SlotSet(slots.OFFERED_EXERCISE, theme)]


def theme_candidates(ranking: list[dict[str, Any]]) -> list[str]:
    """The two or three themes the classifier hesitated between, best first."""
    scored = [(r["name"], r["confidence"]) for r in ranking if r["name"] in THEME_INTENTS]
    if not scored:
        return []
    best = scored[0][1]
    return [
        name
        for name, confidence in scored[:MAX_CANDIDATES]
        if confidence >= MIN_CANDIDATE_CONFIDENCE and confidence >= best * CANDIDATE_RATIO
    ]


class ActionClarifyTheme(Action):
    """Asks which theme fits instead of guessing; never asks twice in a row."""

    def name(self) -> str:
        return "action_clarify_theme"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = disclose_once(dispatcher, tracker)
        previous_bot_action = _previous_action(tracker)
        candidates = theme_candidates(intent_ranking(tracker))
        labels = themes()
        if previous_bot_action == self.name():
            # Second miss in a row: show the whole menu instead of asking again.
            dispatcher.utter_message(response="utter_help_after_miss", buttons=topic_buttons())
            return events
        if not candidates:
            dispatcher.utter_message(response="utter_rephrase", buttons=topic_buttons())
            return events
        buttons = [button(labels[name].label, name) for name in candidates]
        buttons.append(button(ui_text()["something_else"], "help"))
        dispatcher.utter_message(response="utter_clarify_theme", buttons=buttons)
        return events


def _previous_action(tracker: Tracker) -> str:
    """The last action before the current user message, ignoring listens."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return ""
            seen_user = True
        elif (
            seen_user
            and event.get("event") == "action"
            and event.get("name") not in ("action_listen", None)
        ):
            return event["name"]
    return ""
