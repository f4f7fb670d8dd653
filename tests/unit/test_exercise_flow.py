"""Exercises through the question form: saved as given, resumable after a restart, honest
about what was stored, tolerant of a database that is down."""

from __future__ import annotations

import re

import pytest

from actions.persistence import access
from actions.persistence.models import RunStatus
from tests.support.dialogue import Talk

SELF_CHECK = "signs_of_eroded_trust"


@pytest.fixture
def talk(repo) -> Talk:
    return Talk()


def start(talk: Talk, exercise: str = SELF_CHECK) -> None:
    talk.say(f'/start_exercise{{"exercise":"{exercise}"}}')


def test_start_saves_a_run_and_asks_the_first_step(talk, repo):
    start(talk)
    run = repo.get_run(talk.slots["exercise_run_id"])
    assert run.status == RunStatus.ACTIVE and run.current_step == "checking"
    assert "Question 1 of 7" in talk.text
    assert len(talk.buttons) <= 6


def test_an_unknown_exercise_asks_which_one(talk):
    talk.say('/start_exercise{"exercise":"nonsense"}')
    assert talk.responses == ["utter_which_exercise"]


def test_each_answer_is_saved_when_given(talk, repo):
    start(talk)
    talk.press("Often")
    talk.say("sometimes")
    run = repo.get_run(talk.slots["exercise_run_id"])
    assert run.answers == {
        "checking": {"value": "often", "number": 2},
        "control": {"value": "sometimes", "number": 1},
    }
    assert run.current_step == "jealousy"


@pytest.mark.parametrize("said", ["eleven", "idk", "maybe"])
def test_a_malformed_rating_gets_a_gentle_reask_then_moves_on(talk, said):
    start(talk, "monitor_progress")
    talk.say(said)
    assert talk.responses[0] in (
        "utter_step_out_of_range",
        "utter_step_unclear_rating",
        "utter_step_non_answer_choice",
    )
    assert talk.slots["exercise_step"] == "honesty"
    talk.say(said)
    assert "utter_step_moved_on" in talk.responses
    assert talk.slots["exercise_answers"]["honesty"]["value"] == ""


def test_the_last_answer_gives_the_summary_and_saves_it_finished(talk, repo):
    start(talk)
    run_id = talk.slots["exercise_run_id"]
    for _ in range(7):
        talk.say("often")
    run = repo.get_run(run_id)
    assert run.status == RunStatus.FINISHED and run.score == 14
    assert "utter_summary_saved" in talk.responses
    assert talk.slots["exercise_id"] is None


def test_skip_records_the_step_as_skipped(talk, repo):
    start(talk)
    talk.say("skip")
    assert "utter_step_skipped" in talk.responses
    assert talk.slots["exercise_step"] == "control"
    assert repo.get_run(talk.slots["exercise_run_id"]).answers["checking"]["value"] == ""


def test_pause_then_resume_after_a_restart(talk, repo):
    start(talk)
    talk.say("often")
    run_id = talk.slots["exercise_run_id"]
    talk.say("pause")
    assert talk.responses == ["utter_exercise_paused"]
    assert repo.get_run(run_id).status == RunStatus.PAUSED and talk.slots["exercise_id"] is None
    # The action server restarts and the conversation's slots are gone.
    access.reset_repository()
    again = Talk()
    again.say("continue my exercise", intent="resume_exercise")
    assert again.responses[0] == "utter_exercise_resumed"
    assert again.slots["exercise_step"] == "control"
    shown = re.search(r"Question (\d+) of", again.text).group(1)
    assert str(again.last[0]["number"]) == shown  # "carry on from question 2", "Question 2 of 7"
    assert again.slots["exercise_answers"]["checking"]["value"] == "often"
    assert access.repository().get_run(run_id).status == RunStatus.ACTIVE


def test_resume_with_nothing_paused(talk):
    talk.say("continue", intent="resume_exercise")
    assert talk.responses == ["utter_no_paused_exercise"]


def test_stop_asks_first_and_discards_only_when_confirmed(talk, repo):
    start(talk)
    talk.say("often")
    run_id = talk.slots["exercise_run_id"]
    talk.say("stop")
    assert talk.responses == ["utter_confirm_stop_exercise"]
    talk.say("keep going")
    assert talk.slots["exercise_step"] == "control"
    talk.say("stop")
    talk.say("Yes, discard it")
    run = repo.get_run(run_id)
    assert run.status == RunStatus.STOPPED and run.answers == {}
    assert "utter_exercise_stopped" in talk.responses


def test_a_role_aware_exercise_asks_the_role_with_a_neutral_way_out(talk):
    start(talk, "apology_past_hurts")
    assert talk.slots["exercise_step"] == "role"
    titles = [b["title"] for b in talk.buttons]
    assert "Word it for both of us" in titles and len(titles) <= 6
    talk.press("I broke the trust")
    assert talk.slots["role"] == "broke_trust" and talk.slots["exercise_step"] != "role"


def test_a_database_that_is_down_loses_nothing(talk, monkeypatch, sqlite_url):
    start(talk)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    access.reset_repository()
    talk.say("often")
    assert "utter_storage_unavailable" in talk.responses
    assert talk.slots["exercise_answers"]["checking"]["value"] == "often"
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    access.reset_repository()
    talk.say("never")
    answers = access.repository().get_run(talk.slots["exercise_run_id"]).answers
    assert set(answers) == {"checking", "control"}


def test_show_my_apology_draft_reopens_that_summary(talk, repo):
    for exercise, answers in [
        ("setback", {}),
        ("apology_past_hurts", {"what_i_did": {"value": "I lied about the money", "number": None}}),
    ]:
        run_id = repo.start_run("person-1", "rest", exercise, "broke_trust", None)
        repo.save_answers(run_id, answers, None)
        repo.set_status(run_id, RunStatus.FINISHED)
    talk.say(
        "show my apology draft",
        intent="show_summaries",
        entities=[{"entity": "exercise", "value": "apology_past_hurts"}],
    )
    assert "I lied about the money" in talk.text


def test_show_summaries_lists_them_with_at_most_six_buttons(talk, repo):
    for _ in range(8):
        run_id = repo.start_run("person-1", "rest", "setback", "hurt", None)
        repo.set_status(run_id, RunStatus.FINISHED)
    talk.say("show my summaries", intent="show_summaries")
    assert talk.responses == ["utter_summaries_list"] and len(talk.buttons) <= 6


def test_no_exercise_starts_while_a_safety_check_is_open(talk):
    talk.slots["safety_check_pending"] = True
    start(talk)
    assert talk.slots.get("exercise_id") is None
    assert "utter_safety_check_first" in talk.responses


def test_another_theme_mid_exercise_is_answered_with_a_way_back(talk, repo):
    start(talk)
    run_id = talk.slots["exercise_run_id"]
    talk.say("how do i forgive him though", intent="forgiveness", confidence=0.9)
    assert talk.responses[:2] == ["utter_reflect_forgiveness", "utter_digression_offer"]
    assert repo.get_run(run_id).status == RunStatus.PAUSED
    talk.say("back to my exercise")
    assert talk.slots["exercise_step"] == "checking"


def test_a_reflection_that_sounds_like_a_theme_is_kept_as_an_answer(talk):
    start(talk, "commit_together")
    said = "i stay because we've built a life and i still believe we can forgive each other"
    talk.say(said, intent="forgiveness", confidence=0.8)
    first = next(iter(talk.slots["exercise_answers"].values()))
    assert first["value"] == said


def test_text_typed_at_an_information_step_is_kept_as_a_note(talk):
    start(talk, "honest_communication")
    talk.say("i want to tell her i'm scared she'll leave")
    talk.say("i get it, but he never lets me finish a sentence")
    assert "utter_step_note_kept" in talk.responses
    assert talk.slots["exercise_answers"]["i_statements"]["value"].startswith("i get it")


@pytest.mark.parametrize("said", ["ok", "Okay.", "👍", "got it", "yes"])
def test_ok_at_an_information_step_goes_on_without_a_note(talk, said):
    start(talk, "apology_past_hurts")
    talk.press("Word it for both of us")
    talk.say(said)
    assert "utter_step_note_kept" not in talk.responses
    assert "Question 1 of 5" in talk.text
    assert talk.slots["exercise_answers"]["before_we_start"]["value"] == "seen"


def test_a_role_word_mid_exercise_does_not_switch_the_path(talk, repo):
    """ "I lied about where I was" carries the role entity: the slot `role` follows it, but
    the running exercise keeps the side chosen at its start (it once ended after one step)."""
    start(talk, "apology_past_hurts")
    talk.press("Word it for both of us")
    talk.press("Continue")
    talk.say(
        "I lied about where I was for months and she found the messages",
        entities=[{"entity": "role", "value": "broke_trust"}],
    )
    assert "Question 2 of 5" in talk.text
    assert talk.slots["exercise_role"] == "neutral"


@pytest.mark.parametrize("said", ["i dunno", "ok", "Word it for both of us"])
def test_filler_or_an_old_button_label_is_never_stored_as_a_text_answer(talk, said):
    start(talk, "apology_past_hurts")
    talk.press("Word it for both of us")
    talk.press("Continue")
    talk.say(said)
    assert "past_hurt" not in talk.slots["exercise_answers"]
    assert "Question 1 of 5" in talk.text or talk.buttons  # asked again, gently


def test_someone_walking_in_pauses_at_once(talk, repo):
    start(talk, "apology_past_hurts")
    talk.press("Word it for both of us")
    talk.press("Continue")
    run_id = talk.slots["exercise_run_id"]
    talk.say("actually can we stop, my wife just walked in")
    run = repo.get_run(run_id)
    assert run.status == RunStatus.PAUSED and "past_hurt" not in run.answers


def test_the_resumed_question_number_skips_information_steps_as_the_counter_does():
    from actions.dialogue.exercise_flow import question_number
    from actions.exercises.catalogue import exercises
    from actions.exercises.state import ExerciseState

    rules = exercises()["boundaries_rules"]
    answered = {"feels_unsafe": {"value": "x"}}
    numbers = [
        question_number(ExerciseState(rules, None, step, "hurt", answered))
        for step in ("feels_unsafe", "fair_rules", "rule_one", "rule_two")
    ]
    assert numbers == [1, 2, 2, 3]  # fair_rules is information: the next question is 2
