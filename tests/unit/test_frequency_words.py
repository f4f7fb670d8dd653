"""Everyday frequency words answer every step with the shared Rarely / Sometimes / Often
options, not only the steps whose content lists them."""

from __future__ import annotations

import pytest

from actions.dialogue.reading import Reply, read
from actions.exercises.catalogue import exercises
from actions.exercises.rendering import expectation
from actions.exercises.state import ExerciseState


def frequency_steps():
    for exercise in exercises().values():
        for step in exercise.steps:
            values = {o.value for o in step.options or []}
            if step.kind == "choice" and {"never", "sometimes", "often"} <= values:
                yield exercise, step


@pytest.mark.parametrize(
    "said, value",
    [
        ("all the time", "often"),
        ("rarely", "never"),
        ("not a lot", "never"),
        ("now and then", "sometimes"),
    ],
)
def test_everyday_words_pick_the_frequency_at_every_such_step(said, value):
    steps = list(frequency_steps())
    assert len(steps) >= 5
    for exercise, step in steps:
        state = ExerciseState(exercise, run_id=None, step_id=step.id, role="hurt")
        assert read(Reply(said), expectation(state)).value == value, (exercise.id, step.id)
