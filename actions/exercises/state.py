"""The exercise in progress, as kept in the conversation's slots.

Slots are the working copy (they survive in the tracker store even if the app database is
down); the database is the durable copy used for resume and summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions import slots
from actions.dialogue.turn import Turn
from actions.exercises.catalogue import exercises
from actions.exercises.content_model import Exercise

EXERCISE_SLOTS = (
    slots.EXERCISE_ID,
    slots.EXERCISE_RUN_ID,
    slots.EXERCISE_STEP,
    slots.EXERCISE_ANSWERS,
    slots.EXERCISE_PREFILLS,
    slots.EXERCISE_TOTAL,
    slots.EXERCISE_ROLE,
)


@dataclass
class ExerciseState:
    exercise: Exercise
    run_id: int | None
    step_id: str | None
    role: str | None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    prefills: dict[str, str] = field(default_factory=dict)  # step id -> option value said early
    total: int | None = None  # steps this person sees, fixed when it starts (None: it varies)

    @classmethod
    def of(cls, turn: Turn) -> ExerciseState | None:
        exercise = exercises().get(turn.slot(slots.EXERCISE_ID) or "")
        if exercise is None:
            return None
        run_id = turn.slot(slots.EXERCISE_RUN_ID)
        return cls(
            exercise=exercise,
            run_id=int(run_id) if run_id is not None else None,
            step_id=turn.slot(slots.EXERCISE_STEP),
            role=turn.slot(slots.EXERCISE_ROLE),
            answers=dict(turn.slot(slots.EXERCISE_ANSWERS) or {}),
            prefills=dict(turn.slot(slots.EXERCISE_PREFILLS) or {}),
            total=turn.slot(slots.EXERCISE_TOTAL),
        )

    def store(self, turn: Turn) -> None:
        turn.set(slots.EXERCISE_ID, self.exercise.id)
        turn.set(slots.EXERCISE_RUN_ID, self.run_id)
        turn.set(slots.EXERCISE_STEP, self.step_id)
        turn.set(slots.EXERCISE_ANSWERS, self.answers)
        turn.set(slots.EXERCISE_PREFILLS, self.prefills)
        turn.set(slots.EXERCISE_TOTAL, self.total)
        turn.set(slots.EXERCISE_ROLE, self.role)
        if self.role is not None:
            turn.set(slots.ROLE, self.role)  # remembered for the next exercise


def clear_exercise(turn: Turn) -> None:
    for name in EXERCISE_SLOTS:
        turn.set(name, None)
