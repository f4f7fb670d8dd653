"""The exercise engine: step order and branching, answer parsing, summaries and scores."""

from __future__ import annotations

import pytest

from actions.dialogue.reading import Expectation, Reply, read
from actions.exercises import engine
from actions.exercises.catalogue import load_exercises, ui_text
from actions.exercises.content_model import Exercise
from actions.exercises.rendering import expectation
from actions.exercises.state import ExerciseState

EXERCISE = Exercise.parse_obj(
    {
        "id": "demo",
        "title": "Demo",
        "purpose": "p",
        "intro": "i",
        "role_aware": True,
        "steps": [
            {"id": "what", "kind": "text", "prompt": "What happened?"},
            {
                "id": "who",
                "kind": "choice",
                "prompt": "Who?",
                "options": [
                    {"value": "partner", "title": "My partner", "score": 2},
                    {"value": "myself", "title": "Myself", "score": 0},
                ],
            },
            {
                "id": "self_note",
                "kind": "text",
                "prompt": "A note to yourself",
                "when": {"step": "who", "in": ["myself"]},
            },
            {
                "id": "for_hurt",
                "kind": "info",
                "prompt": "Only for the hurt partner",
                "when": {"role": "hurt"},
            },
            {
                "id": "ready",
                "kind": "rating",
                "prompt": "How ready?",
                "scale": {"min": 0, "max": 10, "low": "no", "high": "yes"},
            },
        ],
        "summary": {
            "title": "Your demo",
            "items": [{"step": "what", "label": "What"}, {"step": "who", "label": "Who"}],
            "template": "I said {what} about {who}.",
            "score": {
                "steps": ["who", "ready"],
                "meaning": "Higher is readier.",
                "bands": [
                    {"max": 5, "reading": "low"},
                    {"max": 12, "reading": "high", "next_exercise": "setback"},
                ],
            },
        },
    }
)


def walk(role, answers):
    ids, current = [], engine.next_step_id(EXERCISE, answers, role)
    while current is not None:
        ids.append(current)
        current = engine.next_step_id(EXERCISE, answers, role, after=current)
    return ids


def test_role_is_asked_first_when_unknown():
    assert engine.next_step_id(EXERCISE, {}, None) == engine.ROLE_STEP_ID
    assert engine.next_step_id(EXERCISE, {}, None, after=engine.ROLE_STEP_ID) == "what"


@pytest.mark.parametrize(
    "role, who, expected",
    [
        ("hurt", "partner", ["what", "who", "for_hurt", "ready"]),
        ("hurt", "myself", ["what", "who", "self_note", "for_hurt", "ready"]),
        ("broke_trust", "partner", ["what", "who", "ready"]),
    ],
)
def test_steps_branch_on_role_and_earlier_answers(role, who, expected):
    assert walk(role, {"who": {"value": who}}) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7", 7),
        ("7/10", 7),
        ("about seven", 7),
        ("10", 10),
        ("zero", 0),
        ("0", 0),
        ("eleven", None),
        ("11", None),
        ("idk", None),
        ("", None),
        ("-1", None),
    ],
)
def test_rating_answers(text, expected):
    step = engine.step_by_id(EXERCISE, "ready")
    reading = read(Reply(text), Expectation("rating", scale=(step.scale.min, step.scale.max)))
    assert (reading.number if reading.kind == "answer" else None) == expected


def _choice(step_id: str) -> Expectation:
    state = ExerciseState(EXERCISE, None, step_id, None)
    return expectation(state)


@pytest.mark.parametrize(
    "text, choice, from_button, expected",
    [
        ('/choose{"choice":"myself"}', "myself", True, "myself"),
        ("Myself", None, False, "myself"),
        ("my partner", None, False, "partner"),
        ("2", None, False, "myself"),
        ("whatever", None, False, None),
        ('/choose{"choice":"nonsense"}', "nonsense", True, None),
    ],
)
def test_choice_answers(text, choice, from_button, expected):
    reply = Reply(
        text, intent="choose" if from_button else None, choice=choice, from_button=from_button
    )
    reading = read(reply, _choice("who"))
    assert (reading.value if reading.kind == "answer" else None) == expected


def test_a_long_text_answer_is_capped_when_stored():
    assert len(engine.Answer("a" * 10000).as_dict()["value"]) == engine.MAX_TEXT_ANSWER


LABELS = {"score_line": "{score}/{score_max}", "notes_heading": "Notes:"}


def test_summary_lines_template_and_score():
    answers = {
        "what": {"value": "I lied."},
        "who": {"value": "partner", "number": 2},
        "ready": {"value": "7", "number": 7},
    }
    view = engine.build_summary(EXERCISE, answers, "(skipped)")
    assert view.lines == ["What: I lied.", "Who: My partner"]
    assert view.paragraph == "I said I lied about My partner."
    assert (
        view.score == 9
        and view.score_max == 12
        and view.reading == "high"
        and view.next_exercise == "setback"
    )
    assert "Your demo" in view.as_text(LABELS) and "9/12" in view.as_text(LABELS)


def test_summary_leaves_out_skipped_steps_and_a_template_missing_answers():
    view = engine.build_summary(EXERCISE, {"who": {"value": "myself", "number": 0}}, "(skipped)")
    assert view.lines == ["Who: Myself"]
    assert view.paragraph is None
    assert view.score == 0 and view.reading == "low"


def test_self_check_scores_map_to_readings():
    exercise = load_exercises()["signs_of_eroded_trust"]
    steps = [s for s in exercise.steps if s.kind == "choice"]
    assert len(steps) == 7
    all_often = {s.id: {"value": "often", "number": 2} for s in steps}
    all_never = {s.id: {"value": "never", "number": 0} for s in steps}
    high = engine.build_summary(exercise, all_often, "(skipped)")
    low = engine.build_summary(exercise, all_never, "(skipped)")
    assert high.score == 14 and low.score == 0
    assert high.reading != low.reading
    assert high.next_exercise == "professional_help"


def _self_check(answered: int):
    exercise = load_exercises()["signs_of_eroded_trust"]
    steps = [s for s in exercise.steps if s.kind == "choice"]
    answers = {s.id: {"value": "often", "number": 2} for s in steps[:answered]}
    answers.update({s.id: engine.SKIPPED.as_dict() for s in steps[answered:]})
    return exercise, engine.build_summary(exercise, answers, "(skipped)")


def test_skipped_questions_leave_the_score_out_of_what_was_answered():
    _, full = _self_check(7)
    exercise, partial = _self_check(5)
    assert (partial.score, partial.score_max) == (10, 10)  # not "10 out of 14"
    assert partial.reading == full.reading  # "often" to everything answered reads the same
    text = partial.as_text(ui_text())
    assert "10 out of 10, from the 5 of 7 questions you answered" in text
    assert "The higher the score, the more often these signs" in text  # which way it reads


def test_too_few_answers_give_no_reading():
    _, view = _self_check(3)
    assert view.score == 6 and view.reading is None and view.next_exercise is None
    assert ui_text()["score_too_few"] in view.as_text(ui_text())


def test_word_it_for_both_of_us_gets_neutral_examples():
    exercise = load_exercises()["apology_past_hurts"]
    step = engine.step_by_id(exercise, "need_acknowledged")
    assert step.hint_for("hurt") == step.hint
    assert step.hint_for("neutral") != step.hint and "you let me" not in step.hint_for("neutral")


def test_the_apology_closing_fits_what_the_person_wrote():
    exercise = load_exercises()["apology_past_hurts"]
    closing = {
        role: engine.build_summary(exercise, {}, "(skipped)", role=role).closing
        for role in ("broke_trust", "hurt", "neutral")
    }
    assert "draft" in closing["broke_trust"]
    assert "draft" not in closing["hurt"] and "draft" not in closing["neutral"]
    assert len(set(closing.values())) == 3
