"""Export and delete, from inside the chat: the person's words are theirs."""

from __future__ import annotations

import json

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable


class ActionExportMyData(Action):
    def name(self) -> str:
        return "action_export_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            export = repository().export_person(tracker.sender_id)
        except StorageUnavailable:
            dispatcher.utter_message(response="utter_storage_unavailable")
            return []
        # JSON: complete, unambiguous and machine-readable; the person can keep or move it.
        dispatcher.utter_message(
            response="utter_data_export",
            export=json.dumps(export, indent=1, ensure_ascii=False, default=str),
        )
        return []


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            repository().delete_person(tracker.sender_id)
        except StorageUnavailable:
            dispatcher.utter_message(response="utter_storage_unavailable")
            return []
        dispatcher.utter_message(response="utter_data_deleted")
        # data_deleted tells the tracker store (bot/tracker_store.py) to erase the conversation.
        return [AllSlotsReset(), SlotSet(slots.DATA_DELETED, True)]
