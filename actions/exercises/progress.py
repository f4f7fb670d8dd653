"""Saving an exercise's progress, tolerant of a database that is down.

Answers always live in the conversation's slots first; every save writes the full set,
so anything a failed save missed is written by the next one that succeeds.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.buttons import button
from actions.exercises.catalogue import exercises, ui_text
from actions.exercises.state import ExerciseState
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.tracker_facts import channel_of

logger = logging.getLogger(__name__)


def save_progress(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    state: ExerciseState,
    status: str | None = None,
    score: int | None = None,
) -> bool:
    """Writes the state (and optionally a new status); tells the person if it failed."""
    repo = repository()
    try:
        if state.run_id is None:
            state.run_id = repo.start_run(
                tracker.sender_id, channel_of(tracker), state.exercise.id, state.role, state.step_id
            )
        repo.save_answers(state.run_id, state.answers, state.step_id, state.role)
        if status is not None:
            repo.set_status(state.run_id, status, score)
        return True
    except StorageUnavailable as error:
        # No message text in the log: only what failed.
        logger.warning("Could not save exercise progress (%s); kept in the conversation", error)
        dispatcher.utter_message(response="utter_storage_unavailable")
        return False


def offer_to_resume(dispatcher: CollectingDispatcher, tracker: Tracker, *extra_buttons) -> bool:
    """Offers the person's unfinished exercise, if there is one; True if it did."""
    try:
        run = repository().latest_open_run(tracker.sender_id)
    except StorageUnavailable:
        return False  # not worth an error message: this is only an offer
    exercise = exercises().get(run.exercise_id) if run else None
    if exercise is None:
        return False
    dispatcher.utter_message(
        response="utter_offer_resume",
        exercise_title=exercise.title,
        buttons=[button(ui_text()["resume_now"], "resume_exercise"), *extra_buttons],
    )
    return True
