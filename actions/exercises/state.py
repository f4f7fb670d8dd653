"""The exercise in progress, as kept in the conversation's slots.

Slots are the working copy (they survive in the tracker store even if the app database is
down); the database is the durable copy used for resume and summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import slots
from actions.exercises.catalogue import exercises
from actions.exercises.content_model import Exercise

# Filling the form's one slot with this ends the form: the last step has been answered.
FORM_COMPLETE = "__exercise_complete__"


@dataclass
class ExerciseState:
    exercise: Exercise
    run_id: int | None
    step_id: str | None
    role: str | None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> ExerciseState | None:
        exercise = exercises().get(tracker.get_slot(slots.EXERCISE_ID) or "")
        if exercise is None:
            return None
        run_id = tracker.get_slot(slots.EXERCISE_RUN_ID)
        return cls(
            exercise=exercise,
            run_id=int(run_id) if run_id is not None else None,
            step_id=tracker.get_slot(slots.EXERCISE_STEP),
            role=tracker.get_slot(slots.ROLE),
            answers=dict(tracker.get_slot(slots.EXERCISE_ANSWERS) or {}),
        )

    def slot_events(self) -> list[SlotSet]:
        return [
            SlotSet(slots.EXERCISE_ID, self.exercise.id),
            SlotSet(slots.EXERCISE_RUN_ID, self.run_id),
            SlotSet(slots.EXERCISE_STEP, self.step_id),
            SlotSet(slots.EXERCISE_ANSWERS, self.answers),
        ]


def cleared_slot_events() -> list[SlotSet]:
    return [
        SlotSet(name, None)
        for name in (
            slots.EXERCISE_ID,
            slots.EXERCISE_RUN_ID,
            slots.EXERCISE_STEP,
            slots.EXERCISE_ANSWERS,
            slots.EXERCISE_ANSWER,
        )
    ]
