"""Turns a step into what the person sees: the prompt text and its buttons.

At most six buttons fit a phone: a step's answers come first, then Skip and Pause while
there is room (both can always be typed). Ratings with more than five points show five
evenly spread anchors; any number on the scale can be typed.
"""

from __future__ import annotations

from actions.buttons import button
from actions.dialogue.fixed_questions import options_for
from actions.dialogue.lexicon import lexicon, normalise
from actions.dialogue.reading import Expectation, Option
from actions.exercises import engine
from actions.exercises.catalogue import ui_text
from actions.exercises.content_model import Step
from actions.exercises.state import ExerciseState

MAX_BUTTONS = 6
RATING_ANCHORS = 5


def controls(room: int) -> list[dict[str, str]]:
    ui = ui_text()
    wanted = [button(ui["skip"], "skip_step"), button(ui["pause"], "pause_exercise")]
    return wanted[: max(room, 0)]


def rating_values(step: Step) -> list[int]:
    low, high = step.scale.min, step.scale.max
    if high - low + 1 <= RATING_ANCHORS:
        return list(range(low, high + 1))
    spread = (high - low) / (RATING_ANCHORS - 1)
    return sorted({round(low + i * spread) for i in range(RATING_ANCHORS)})


def answer_buttons(state: ExerciseState, step: Step | None) -> list[dict[str, str]]:
    """The buttons for a step's answers (the role question when `step` is None)."""
    if step is None:
        return [button(o.title, "choose", choice=o.value) for o in options_for("role") if o.button]
    if step.kind == "choice":
        return [button(o.title, "choose", choice=o.value) for o in step.options]
    if step.kind == "rating":
        return [button(str(n), "choose", choice=str(n)) for n in rating_values(step)]
    if step.kind == "info":
        return [button(ui_text()["continue"], "choose", choice=engine.SEEN)]
    if step.id in state.prefills:  # a text step: what they wrote just before, offered back
        return [button(ui_text()["use_written"], "choose", choice=engine.USE_WRITTEN)]
    return []


def with_controls(answers: list[dict[str, str]], skippable: bool = True) -> list[dict[str, str]]:
    room = MAX_BUTTONS - len(answers)
    return answers + (controls(room) if skippable else [])[:room]


def step_position(state: ExerciseState) -> str | None:
    """ "Question 3 of 7", or "Question 3" when the number of steps depends on the answers;
    the total is fixed when the exercise starts, so it never jumps."""
    path = engine.question_path(state.exercise, state.answers, state.role)
    if state.step_id not in path:
        return None
    number = path.index(state.step_id) + 1
    ui = ui_text()
    if state.total is None or number > state.total:
        return ui["progress_open"].format(number=number)
    return ui["progress"].format(number=number, total=state.total)


def render_step(state: ExerciseState) -> dict:
    """Keyword arguments for dispatcher.utter_message for the current step."""
    ui = ui_text()
    if state.step_id == engine.ROLE_STEP_ID:
        return {"text": ui["role_prompt"], "buttons": answer_buttons(state, None)}
    step = engine.step_by_id(state.exercise, state.step_id)
    prefilled = state.prefills.get(step.id)
    position = step_position(state)
    # The counter is a header on the prompt's own line, not a paragraph of its own.
    parts = ["\n".join(filter(None, [position, step.prompt_for(state.role)]))]
    if step.kind == "rating":
        scale = step.scale
        parts.append(
            ui["rating_scale"].format(min=scale.min, max=scale.max, low=scale.low, high=scale.high)
        )
    hint = step.hint_for(state.role)
    if hint and prefilled is None:
        parts.append(hint)
    return {"text": "\n\n".join(parts), "buttons": with_controls(answer_buttons(state, step))}


def expectation(state: ExerciseState) -> Expectation:
    """What the current step accepts, for the reply reader."""
    if state.step_id == engine.ROLE_STEP_ID:
        return Expectation(
            "choice", options_for("role"), controls=True, theme=state.exercise.id, entity="role"
        )
    step = engine.step_by_id(state.exercise, state.step_id)
    shown = tuple(b["title"] for b in answer_buttons(state, step))
    if step.kind == "choice":
        everyday = lexicon().frequency_words  # "all the time" means Often at every such step
        options = tuple(
            Option(
                o.value,
                o.title,
                tuple(s.lower() for s in [*o.synonyms, *everyday.get(o.value, [])]),
            )
            for o in step.options
        )
        return Expectation(
            "choice",
            options,
            controls=True,
            match_key=f"{state.exercise.id}.{step.id}",
            shown=shown,
            theme=state.exercise.id,
        )
    if step.kind == "rating":
        return Expectation(
            "rating", scale=(step.scale.min, step.scale.max), controls=True, theme=state.exercise.id
        )
    written = ()
    if step.kind == "text" and step.id in state.prefills:
        yes = tuple(normalise(w) for w in lexicon().yes_plain + lexicon().go_on)
        written = (Option(engine.USE_WRITTEN, ui_text()["use_written"], yes),)
    return Expectation(step.kind, written, controls=True, shown=shown, theme=state.exercise.id)
