"""Responses to crisis and abuse disclosures, the safety check-in, and regional resources."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.exercises.progress import offer_to_resume, save_progress
from actions.exercises.state import ExerciseState, cleared_slot_events
from actions.persistence.access import repository
from actions.persistence.models import RunStatus
from actions.persistence.repository import StorageUnavailable
from actions.safety.gate import person_region, safe_buttons
from actions.safety.resources import known_region, region_name, resources_text
from actions.tracker_facts import channel_of, latest_entity

logger = logging.getLogger(__name__)


def _pause_exercise_in_progress(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """A disclosure stops any exercise; its answers are kept, paused, for later."""
    state = ExerciseState.from_tracker(tracker)
    if state is None:
        return []
    save_progress(dispatcher, tracker, state, status=RunStatus.PAUSED)
    return cleared_slot_events()


def _categories(tracker: Tracker) -> set:
    """Which safety nets fired on the latest message (set by bot.nlu.safety_net)."""
    return set((tracker.latest_message.get("safety") or {}).get("categories") or [])


def _record_abuse(tracker: Tracker, disclosed: bool) -> None:
    try:
        repository().set_abuse_disclosed(tracker.sender_id, channel_of(tracker), disclosed)
    except StorageUnavailable:
        logger.warning("Could not save the abuse-disclosure flag; kept in the conversation")


class ActionRespondToCrisis(Action):
    def name(self) -> str:
        return "action_respond_to_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = _pause_exercise_in_progress(dispatcher, tracker)
        region = person_region(tracker)
        dispatcher.utter_message(response="utter_crisis_acknowledge")
        dispatcher.utter_message(
            response="utter_crisis_resources",
            resources=resources_text("crisis", region),
            region_name=region_name(region),
        )
        dispatcher.utter_message(response="utter_ask_safe_now", buttons=safe_buttons())
        events += [SlotSet(slots.SAFETY_CHECK_PENDING, True), SlotSet(slots.WELCOMED, True)]
        if "abuse" in _categories(tracker):
            _record_abuse(tracker, True)
            events.append(SlotSet(slots.ABUSE_DISCLOSED, True))
        return events


class ActionRespondToAbuse(Action):
    def name(self) -> str:
        return "action_respond_to_abuse"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = _pause_exercise_in_progress(dispatcher, tracker)
        _record_abuse(tracker, True)
        region = person_region(tracker)
        dispatcher.utter_message(response="utter_abuse_acknowledge")
        dispatcher.utter_message(
            response="utter_abuse_resources",
            resources=resources_text("abuse", region),
            region_name=region_name(region),
        )
        dispatcher.utter_message(response="utter_quick_exit")
        dispatcher.utter_message(response="utter_ask_safe_to_talk", buttons=safe_buttons())
        return events + [
            SlotSet(slots.SAFETY_CHECK_PENDING, True),
            SlotSet(slots.ABUSE_DISCLOSED, True),
            SlotSet(slots.WELCOMED, True),
        ]


class ActionConfirmSafe(Action):
    def name(self) -> str:
        return "action_confirm_safe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_glad_you_are_safe")
        offer_to_resume(dispatcher, tracker)
        return [SlotSet(slots.SAFETY_CHECK_PENDING, False)]


class ActionRespondNotSafe(Action):
    def name(self) -> str:
        return "action_respond_not_safe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        region = person_region(tracker)
        kind = "abuse" if tracker.get_slot(slots.ABUSE_DISCLOSED) else "crisis"
        dispatcher.utter_message(response="utter_not_safe", resources=resources_text(kind, region))
        dispatcher.utter_message(response="utter_stay_with_you", buttons=safe_buttons())
        return [SlotSet(slots.SAFETY_CHECK_PENDING, True)]


class ActionHandleFalseAlarm(Action):
    """The person says the safety response was a misunderstanding: review the flag."""

    def name(self) -> str:
        return "action_handle_false_alarm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        _record_abuse(tracker, False)
        dispatcher.utter_message(response="utter_false_alarm_noted")
        return [SlotSet(slots.SAFETY_CHECK_PENDING, False), SlotSet(slots.ABUSE_DISCLOSED, False)]


class ActionSetRegion(Action):
    def name(self) -> str:
        return "action_set_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        region = known_region(latest_entity(tracker, "region"))
        if region is None:
            dispatcher.utter_message(
                response="utter_region_unknown",
                crisis=resources_text("crisis", None),
                abuse=resources_text("abuse", None),
            )
            return []
        try:
            repository().set_region(tracker.sender_id, channel_of(tracker), region)
        except StorageUnavailable:
            logger.warning("Could not save the region; kept in the conversation")
        dispatcher.utter_message(
            response="utter_region_resources",
            region_name=region_name(region),
            crisis=resources_text("crisis", region),
            abuse=resources_text("abuse", region),
        )
        return [SlotSet(slots.REGION, region)]
