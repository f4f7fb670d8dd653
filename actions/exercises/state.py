"""The exercise in progress, as kept in the conversation's slots.

Slots are the working copy (they survive in the tracker store even if the app database is
down); the database is the durable copy used for resume and summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.exercises.catalogue import exercises
from actions.exercises.content_model import Exercise

SLOT_EXERCISE = "exercise_id"
SLOT_RUN = "exercise_run_id"
SLOT_STEP = "exercise_step"
SLOT_ANSWERS = "exercise_answers"
SLOT_ANSWER = "exercise_answer"
SLOT_ROLE = "role"


@dataclass
class ExerciseState:
    exercise: Exercise
    run_id: int | None
    step_id: str | None
    role: str | None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> ExerciseState | None:
        exercise = exercises().get(tracker.get_slot(SLOT_EXERCISE) or "")
        if exercise is None:
            return None
        run_id = tracker.get_slot(SLOT_RUN)
        return cls(
            exercise=exercise,
            run_id=int(run_id) if run_id is not None else None,
            step_id=tracker.get_slot(SLOT_STEP),
            role=tracker.get_slot(SLOT_ROLE),
            answers=dict(tracker.get_slot(SLOT_ANSWERS) or {}),
        )

    def slot_events(self) -> list[SlotSet]:
        return [
            SlotSet(SLOT_EXERCISE, self.exercise.id),
            SlotSet(SLOT_RUN, self.run_id),
            SlotSet(SLOT_STEP, self.step_id),
            SlotSet(SLOT_ANSWERS, self.answers),
        ]


def cleared_slot_events() -> list[SlotSet]:
    return [
        SlotSet(name, None)
        for name in (SLOT_EXERCISE, SLOT_RUN, SLOT_STEP, SLOT_ANSWERS, SLOT_ANSWER)
    ]
