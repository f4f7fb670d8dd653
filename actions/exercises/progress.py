"""Saving an exercise's progress, tolerant of a database that is down.

Answers always live in the conversation's slots first; every save writes the full set,
so anything a failed save missed is written by the next one that succeeds.
"""

from __future__ import annotations

import logging

from actions.dialogue.turn import Turn
from actions.exercises.catalogue import exercises
from actions.exercises.state import ExerciseState
from actions.persistence.access import repository
from actions.persistence.repository import RunView, StorageUnavailable
from actions.tracker_facts import channel_of

logger = logging.getLogger(__name__)


def save_progress(
    turn: Turn,
    state: ExerciseState,
    status: str | None = None,
    score: int | None = None,
    unavailable: str | None = "utter_storage_unavailable",
) -> bool:
    """Writes the state (and optionally a new status); if it failed, says `unavailable`
    (None: the caller says what did not happen)."""
    repo = repository()
    try:
        if state.run_id is None:
            state.run_id = repo.start_run(
                turn.sender_id,
                channel_of(turn.tracker),
                state.exercise.id,
                state.role,
                state.step_id,
            )
        repo.save_answers(state.run_id, state.answers, state.step_id, state.role)
        if status is not None:
            repo.set_status(state.run_id, status, score)
        return True
    except StorageUnavailable as error:
        # No message text in the log: only what failed.
        logger.warning("Could not save exercise progress (%s); kept in the conversation", error)
        if unavailable:
            turn.say(unavailable)
        return False


def open_run(turn: Turn) -> RunView | None:
    """The person's unfinished exercise, if there is one (None also when storage is down)."""
    try:
        run = repository().latest_open_run(turn.sender_id)
    except StorageUnavailable:
        return None
    return run if run is not None and run.exercise_id in exercises() else None
