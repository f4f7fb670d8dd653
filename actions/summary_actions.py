"""Showing the summaries of finished exercises, and reopening one."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.buttons import button
from actions.exercises import engine
from actions.exercises.catalogue import exercises, ui_text
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.tracker_facts import latest_entity

MAX_LISTED = 10


class ActionShowSummaries(Action):
    def name(self) -> str:
        return "action_show_summaries"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            runs = repository().finished_runs(tracker.sender_id)
        except StorageUnavailable:
            dispatcher.utter_message(response="utter_storage_unavailable")
            return []
        runs = [run for run in runs if run.exercise_id in exercises()]
        if not runs:
            dispatcher.utter_message(response="utter_no_summaries")
            return []
        wanted = latest_entity(tracker, "summary_id") or latest_entity(tracker, "exercise")
        chosen = next((run for run in runs if wanted in (str(run.id), run.exercise_id)), None)
        if chosen is None and len(runs) == 1:
            chosen = runs[0]
        if chosen is not None:
            summary = engine.build_summary(exercises()[chosen.exercise_id], chosen.answers)
            dispatcher.utter_message(text=summary.as_text(ui_text()["score_line"]))
            return []
        listed = runs[:MAX_LISTED]
        lines = "\n".join(
            f"• {exercises()[run.exercise_id].title} ({run.finished_at:%d %b %Y})" for run in listed
        )
        dispatcher.utter_message(
            response="utter_summaries_list",
            summaries=lines,
            buttons=[
                button(exercises()[run.exercise_id].title, "show_summaries", summary_id=str(run.id))
                for run in listed
            ],
        )
        return []
