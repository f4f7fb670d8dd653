"""Turns a step into what the person sees: the prompt text and its buttons."""

from __future__ import annotations

from actions.buttons import button
from actions.exercises import engine
from actions.exercises.catalogue import ui_text
from actions.exercises.content_model import Exercise
from actions.exercises.state import ExerciseState


def _controls(can_skip: bool = True) -> list[dict[str, str]]:
    ui = ui_text()
    controls = [button(ui["skip"], "skip_step")] if can_skip else []
    return controls + [button(ui["pause"], "pause_exercise")]


def step_position(exercise: Exercise, state: ExerciseState) -> dict[str, int] | None:
    """ "Question 3 of 7": counts the steps this person will see, given answers so far."""
    ids: list[str] = []
    current = engine.next_step_id(exercise, state.answers, state.role)
    while current is not None and current != engine.ROLE_STEP_ID:
        ids.append(current)
        current = engine.next_step_id(exercise, state.answers, state.role, after=current)
    if state.step_id not in ids:
        return None
    return {"number": ids.index(state.step_id) + 1, "total": len(ids)}


def render_step(state: ExerciseState) -> dict:
    """Keyword arguments for dispatcher.utter_message for the current step."""
    ui = ui_text()
    if state.step_id == engine.ROLE_STEP_ID:
        return {
            "text": ui["role_prompt"],
            "buttons": [
                button(ui["role_hurt"], "choose", choice="hurt"),
                button(ui["role_broke_trust"], "choose", choice="broke_trust"),
            ]
            + _controls(can_skip=False),
        }
    step = engine.step_by_id(state.exercise, state.step_id)
    parts = []
    position = step_position(state.exercise, state)
    if position:
        parts.append(ui["progress"].format(**position))
    parts.append(step.prompt_for(state.role))
    if step.kind == "rating":
        scale = step.scale
        parts.append(
            ui["rating_scale"].format(min=scale.min, max=scale.max, low=scale.low, high=scale.high)
        )
    if step.hint:
        parts.append(step.hint)
    if step.kind == "choice":
        buttons = [button(o.title, "choose", choice=o.value) for o in step.options] + _controls()
    elif step.kind == "rating":
        numbers = range(step.scale.min, step.scale.max + 1)
        buttons = [button(str(n), "choose", choice=str(n)) for n in numbers] + _controls()
    elif step.kind == "info":
        buttons = [
            button(ui["continue"], "choose", choice="continue"),
            button(ui["pause"], "pause_exercise"),
        ]
    else:
        buttons = _controls()
    return {"text": "\n\n".join(parts), "buttons": buttons}
