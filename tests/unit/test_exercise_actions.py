"""Exercise actions over built trackers: what the person sees, the slots, and the saved rows."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.exercise_actions import (
    ActionAskExerciseAnswer,
    ActionFinishExercise,
    ActionPauseExercise,
    ActionResumeExercise,
    ActionSkipExerciseStep,
    ActionStartExercise,
    ActionStopExercise,
    ValidateExerciseForm,
)
from actions.exercises.catalogue import load_exercises
from actions.exercises.state import FORM_COMPLETE
from actions.persistence import access
from tests.support.trackers import responses, slot_values

SELF_CHECK = "signs_of_eroded_trust"
SELF_CHECK_STEPS = [s.id for s in load_exercises()[SELF_CHECK].steps]


async def start(make_tracker, dispatcher, domain, exercise=SELF_CHECK, role=None) -> dict[str, Any]:
    tracker = make_tracker(
        "/start_exercise",
        "start_exercise",
        entities=[{"entity": "exercise", "value": exercise}],
        slots={"role": role},
    )
    return slot_values(await ActionStartExercise().run(dispatcher, tracker, domain))


def answer_slot(slots: dict[str, Any]) -> dict[str, Any]:
    return {
        k: slots[k] for k in ("exercise_id", "exercise_run_id", "exercise_step", "exercise_answers")
    }


async def give(make_tracker, domain, slots, text, intent="choose", choice=None):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "choice", "value": choice}] if choice else []
    tracker = make_tracker(
        text,
        intent,
        slots={**slots, "requested_slot": "exercise_answer"},
        entities=entities,
        active_loop="exercise_form",
    )
    result = ValidateExerciseForm().validate_exercise_answer(text, dispatcher, tracker, domain)
    return dispatcher, {**slots, **result}


async def test_start_saves_a_run_and_asks_the_first_step(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == load_exercises()[SELF_CHECK].intro
    assert slots["exercise_step"] == SELF_CHECK_STEPS[0]
    run = repo.get_run(slots["exercise_run_id"])
    assert (
        run.exercise_id == SELF_CHECK
        and run.status == "active"
        and run.current_step == SELF_CHECK_STEPS[0]
    )

    dispatcher.messages.clear()
    tracker = make_tracker("", None, slots=slots)
    await ActionAskExerciseAnswer().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["text"].startswith("Question 1 of 7")
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["Rarely or never", "Sometimes", "Often", "Skip this", "Pause"]
    assert message["buttons"][2]["payload"] == '/choose{"choice":"often"}'


async def test_unknown_exercise_asks_which_one(repo, make_tracker, dispatcher, domain):
    tracker = make_tracker("yes", "affirm")
    await ActionStartExercise().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_which_exercise"]


async def test_each_answer_is_saved_when_given(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    _, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    assert slots["exercise_step"] == SELF_CHECK_STEPS[1] and slots["exercise_answer"] is None
    _, slots = await give(make_tracker, domain, slots, "sometimes", intent="deny")
    run = repo.get_run(slots["exercise_run_id"])
    assert run.answers == {
        SELF_CHECK_STEPS[0]: {"value": "often", "number": 2},
        SELF_CHECK_STEPS[1]: {"value": "sometimes", "number": 1},
    }
    assert run.current_step == SELF_CHECK_STEPS[2]


@pytest.mark.parametrize("said", ["eleven", "idk", "maybe"])
async def test_malformed_rating_gets_a_gentle_reask(repo, make_tracker, dispatcher, domain, said):
    slots = await start(make_tracker, dispatcher, domain, exercise="monitor_progress")
    step = slots["exercise_step"]
    reply, after = await give(make_tracker, domain, slots, said, intent="out_of_scope")
    assert responses(reply) == ["utter_exercise_invalid_rating"]
    assert reply.messages[0]["min"] == 1 and reply.messages[0]["max"] == 5
    assert after["exercise_answer"] is None and after.get("exercise_step", step) == step


async def test_answering_the_last_step_completes_the_form(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    for _ in SELF_CHECK_STEPS:
        _, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    assert slots["exercise_answer"] == FORM_COMPLETE and slots["exercise_step"] is None

    dispatcher.messages.clear()
    events = await ActionFinishExercise().run(
        dispatcher, make_tracker("", None, slots=slots), domain
    )
    summary = dispatcher.messages[0]["text"]
    assert summary.startswith("Your trust-signs self-check")
    assert "Your score: 14 out of 14" in summary
    assert responses(dispatcher)[1:] == ["utter_suggest_next_exercise", "utter_summary_saved"]
    assert (
        dispatcher.messages[1]["buttons"][0]["payload"]
        == '/start_exercise{"exercise":"professional_help"}'
    )
    run = repo.get_run(slots["exercise_run_id"])
    assert run.status == "finished" and run.score == 14
    assert slot_values(events)["exercise_id"] is None


async def test_skip_moves_on_and_saves_nothing_for_that_step(
    repo, make_tracker, dispatcher, domain
):
    slots = await start(make_tracker, dispatcher, domain)
    events = await ActionSkipExerciseStep().run(
        dispatcher, make_tracker("skip", "skip_step", slots=slots), domain
    )
    slots = {**slots, **slot_values(events)}
    assert "utter_step_skipped" in responses(dispatcher)
    assert slots["exercise_step"] == SELF_CHECK_STEPS[1]
    assert repo.get_run(slots["exercise_run_id"]).answers == {}


async def test_skipping_the_last_step_finishes(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    slots["exercise_step"] = SELF_CHECK_STEPS[-1]
    events = await ActionSkipExerciseStep().run(
        dispatcher, make_tracker("skip", "skip_step", slots=slots), domain
    )
    assert slot_values(events)["exercise_answer"] == FORM_COMPLETE


async def test_pause_then_resume_after_a_restart(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    _, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    events = await ActionPauseExercise().run(
        dispatcher, make_tracker("pause", "pause_exercise", slots=slots), domain
    )
    assert "utter_exercise_paused" in responses(dispatcher)
    assert slot_values(events)["exercise_id"] is None
    assert repo.get_run(slots["exercise_run_id"]).status == "paused"

    # The action server restarts: nothing cached, and the conversation's slots are gone.
    access.reset_repository()
    resumed = make_tracker("continue my exercise", "resume_exercise", slots={})
    dispatcher.messages.clear()
    events = await ActionResumeExercise().run(dispatcher, resumed, domain)
    restored = slot_values(events)
    assert responses(dispatcher) == ["utter_exercise_resumed"]
    assert (
        restored["exercise_id"] == SELF_CHECK and restored["exercise_step"] == SELF_CHECK_STEPS[1]
    )
    assert restored["exercise_answers"] == {SELF_CHECK_STEPS[0]: {"value": "often", "number": 2}}
    assert access.repository().get_run(restored["exercise_run_id"]).status == "active"


async def test_resume_with_nothing_paused(repo, make_tracker, dispatcher, domain):
    events = await ActionResumeExercise().run(
        dispatcher, make_tracker("continue", "resume_exercise"), domain
    )
    assert responses(dispatcher) == ["utter_no_paused_exercise"]
    assert slot_values(events)["exercise_id"] is None


async def test_stop_discards_the_answers(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain)
    _, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    await ActionStopExercise().run(dispatcher, make_tracker("yes", "affirm", slots=slots), domain)
    run = repo.get_run(slots["exercise_run_id"])
    assert run.status == "stopped" and run.answers == {}
    assert "utter_exercise_stopped" in responses(dispatcher)


async def test_role_aware_exercise_asks_the_role_first(repo, make_tracker, dispatcher, domain):
    slots = await start(make_tracker, dispatcher, domain, exercise="apology_past_hurts")
    assert slots["exercise_step"] == "role"
    dispatcher.messages.clear()
    await ActionAskExerciseAnswer().run(dispatcher, make_tracker("", None, slots=slots), domain)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/choose{"choice":"broke_trust"}' in payloads and "/skip_step" not in payloads
    _, slots = await give(make_tracker, domain, slots, "/choose", choice="broke_trust")
    assert slots["role"] == "broke_trust" and slots["exercise_step"] not in (None, "role")


async def test_a_database_that_is_down_loses_nothing(
    repo, make_tracker, dispatcher, domain, monkeypatch, sqlite_url
):
    slots = await start(make_tracker, dispatcher, domain)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    access.reset_repository()
    reply, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    assert responses(reply) == ["utter_storage_unavailable"]
    assert slots["exercise_answers"] == {SELF_CHECK_STEPS[0]: {"value": "often", "number": 2}}
    assert slots["exercise_step"] == SELF_CHECK_STEPS[1]

    # The database is back: the next answer saves both.
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    access.reset_repository()
    reply, slots = await give(make_tracker, domain, slots, "/choose", choice="never")
    assert responses(reply) == []
    assert set(access.repository().get_run(slots["exercise_run_id"]).answers) == set(
        SELF_CHECK_STEPS[:2]
    )


async def test_show_my_apology_draft_reopens_that_summary(repo, make_tracker, dispatcher, domain):
    from actions.summary_actions import ActionShowSummaries

    for exercise, answers in [
        ("setback", {}),
        ("apology_past_hurts", {"what_i_did": {"value": "I lied about the money", "number": None}}),
    ]:
        run_id = repo.start_run("person-1", "rest", exercise, "broke_trust", None)
        repo.save_answers(run_id, answers, None)
        repo.set_status(run_id, "finished")
    tracker = make_tracker(
        "show my apology draft",
        "show_summaries",
        entities=[{"entity": "exercise", "value": "apology_past_hurts"}],
    )
    await ActionShowSummaries().run(dispatcher, tracker, domain)
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].startswith(
        load_exercises()["apology_past_hurts"].summary.title
    )


async def test_show_summaries_lists_finished_exercises_as_buttons(
    repo, make_tracker, dispatcher, domain
):
    from actions.summary_actions import ActionShowSummaries

    for exercise in ("setback", "plan_future"):
        run_id = repo.start_run("person-1", "rest", exercise, None, None)
        repo.set_status(run_id, "finished")
    await ActionShowSummaries().run(
        dispatcher, make_tracker("show my summaries", "show_summaries"), domain
    )
    assert responses(dispatcher) == ["utter_summaries_list"]
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "Shared future plan",
        "Setback response",
    ]


async def test_no_exercise_starts_while_a_safety_check_is_open(
    repo, make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        "/start_exercise",
        "start_exercise",
        entities=[{"entity": "exercise", "value": "setback"}],
        slots={"safety_check_pending": True},
    )
    events = await ActionStartExercise().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_safety_check_first"]
    assert slot_values(events)["exercise_id"] is None
    dispatcher.messages.clear()
    await ActionResumeExercise().run(
        dispatcher,
        make_tracker("continue", "resume_exercise", slots={"safety_check_pending": True}),
        domain,
    )
    assert responses(dispatcher) == ["utter_safety_check_first"]


async def test_another_theme_mid_exercise_is_answered_with_a_way_back(repo, make_tracker, domain):
    dispatcher = CollectingDispatcher()
    slots = await start(make_tracker, dispatcher, domain)
    _, slots = await give(make_tracker, domain, slots, "/choose", choice="often")
    reply = CollectingDispatcher()
    tracker = make_tracker(
        "should we see a couples therapist",
        "professional_help",
        slots={**slots, "requested_slot": "exercise_answer"},
        active_loop="exercise_form",
    )
    result = ValidateExerciseForm().validate_exercise_answer(
        tracker.latest_message["text"], reply, tracker, domain
    )
    assert responses(reply) == ["utter_reflect_professional_help", "utter_digression_offer"]
    assert [b["payload"] for b in reply.messages[1]["buttons"]] == [
        "/resume_exercise",
        '/start_exercise{"exercise":"professional_help"}',
    ]
    assert result["exercise_id"] is None
    run = repo.get_run(slots["exercise_run_id"])
    assert run.status == "paused" and len(run.answers) == 1


async def test_a_reflection_that_sounds_like_a_theme_is_kept_as_an_answer(
    repo, make_tracker, domain
):
    dispatcher = CollectingDispatcher()
    slots = await start(make_tracker, dispatcher, domain, exercise="forgiveness", role="hurt")
    exercise = load_exercises()["forgiveness"]
    step = slots["exercise_step"] = next(
        s.id for s in exercise.steps if s.kind == "text" and s.when is None
    )
    reply, after = await give(
        make_tracker,
        domain,
        slots,
        "he lied to me for a year about the money",
        intent="trust_breach",
    )
    assert responses(reply) == []
    assert after["exercise_answers"][step]["value"] == "he lied to me for a year about the money"
