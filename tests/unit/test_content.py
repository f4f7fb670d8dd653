"""Exercise content: every theme has a valid exercise, and every response the code sends exists."""

from __future__ import annotations

import re

import pytest

from actions.dialogue.handlers import Handler, _registry
from actions.exercises import engine
from actions.exercises.catalogue import (
    ContentError,
    load_exercise,
    load_exercises,
    load_themes,
    ui_text,
)
from actions.themes import THEME_INTENTS
from bot.paths import REPO_ROOT


def test_every_theme_has_an_exercise_a_label_and_a_reflection(domain):
    exercises = load_exercises()
    themes = load_themes()
    assert set(exercises) == set(THEME_INTENTS)
    assert set(themes) == set(THEME_INTENTS)
    for theme in THEME_INTENTS:
        assert f"utter_reflect_{theme}" in domain["responses"], theme
        assert theme in domain["intents"]


@pytest.mark.parametrize("theme", THEME_INTENTS)
def test_each_person_sees_four_to_eight_steps(theme):
    exercise = load_exercises()[theme]
    for role in ("hurt", "broke_trust"):
        answers = {}
        shown = []
        step_id = engine.next_step_id(exercise, answers, role)
        while step_id is not None:
            step = engine.step_by_id(exercise, step_id)
            shown.append(step_id)
            # answer with the first option, a middle rating, or some text
            if step.kind == "choice":
                answers[step_id] = {"value": step.options[0].value, "number": step.options[0].score}
            elif step.kind == "rating":
                answers[step_id] = {"value": str(step.scale.min), "number": step.scale.min}
            else:
                answers[step_id] = {"value": "something", "number": None}
            step_id = engine.next_step_id(exercise, answers, role, after=step_id)
        assert 4 <= len(shown) <= 8, (theme, role, shown)
        summary = engine.build_summary(exercise, answers, ui_text()["skipped_mark"])
        assert summary.lines or summary.paragraph, theme


def test_every_response_the_actions_send_exists_in_the_domain(domain):
    sources = "\n".join(p.read_text() for p in (REPO_ROOT / "actions").rglob("*.py"))
    named = set(re.findall(r'"(utter_[a-z_]+)"', sources))
    named.discard("utter_action")  # a key of Rasa's response-selector output, not a response
    assert len(named) > 50, "expected the actions to send domain responses"
    missing = named - set(domain["responses"])
    assert not missing
    # responses built from a name: each question's ask and re-ask, each theme's reflection
    for handler in _registry().values():
        asked = handler.ask_response or f"utter_ask_{handler.id}"
        if handler.id != "exercise_step" and type(handler).render is Handler.render:
            assert asked in domain["responses"], handler.id
    for category in ("crisis", "abuse"):
        assert f"utter_safety_check_{category}" in domain["responses"]


def test_engine_button_labels_exist():
    labels = ui_text()
    for key in (
        "skip",
        "pause",
        "continue",
        "role_hurt",
        "role_broke_trust",
        "role_prompt",
        "progress",
        "rating_scale",
        "yes_start",
        "not_now",
        "something_else",
        "resume_now",
        "show_topics",
        "i_am_safe",
        "not_safe",
    ):
        assert labels.get(key), key


BODY = "title: t\npurpose: p\nintro: i\nsteps:\n"
BROKEN = "id: broken\n" + BODY


@pytest.mark.parametrize(
    "content, message",
    [
        (
            BROKEN + "  - {id: a, kind: rating, prompt: q}\nsummary: {title: s}\n",
            "step 'a' (#1)",
        ),
        (
            BROKEN + "  - {id: a, kind: dance, prompt: q}\nsummary: {title: s}\n",
            "step 'a' (#1) -> kind",
        ),
        (
            BROKEN + "  - {id: a, kind: text, prompt: q, when: {step: zzz, in: [x]}}\n"
            "summary: {title: s}\n",
            "not an earlier step",
        ),
        (
            BROKEN + "  - {id: a, kind: text, prompt: q}\n"
            "summary: {title: s, items: [{step: nope, label: x}]}\n",
            "summary refers to step 'nope'",
        ),
        (
            "id: other\n" + BODY + "  - {id: a, kind: text, prompt: q}\nsummary: {title: s}\n",
            "must match the file name",
        ),
        ("id: broken\n  title: [\n", "not valid YAML"),
    ],
)
def test_malformed_content_names_the_file_and_the_step(tmp_path, content, message):
    path = tmp_path / "broken.yml"
    path.write_text(content)
    with pytest.raises(ContentError) as error:
        load_exercise(path)
    assert "broken.yml" in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize("theme", [t for t, e in load_exercises().items() if e.role_aware])
def test_word_it_for_both_of_us_has_its_own_wording_at_every_step(theme):
    """A person who chose the neutral wording never meets a question written for one side."""
    exercise = load_exercises()[theme]
    for step_id in engine.visible_path(exercise, {}, "neutral"):
        step = engine.step_by_id(exercise, step_id)
        if step.prompt_by_role is not None or step.roles is not None:
            assert step.prompt_neutral, (theme, step_id)


@pytest.mark.parametrize("theme", THEME_INTENTS)
def test_only_the_offer_says_how_long_an_exercise_takes(theme):
    """The duration has one home (themes.yml, shown in the offer): an intro that says its own
    figure contradicted the offer just before it ("about 7 minutes", then "about 10")."""
    intro = load_exercises()[theme].intro
    assert not re.search(r"\bminutes?\b", intro, re.IGNORECASE), intro
