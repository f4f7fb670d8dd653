"""Crisis and abuse responses, the safety check-in, resources by region, and gating."""

from __future__ import annotations

import pytest

from actions.persistence import access
from actions.safety.resources import resource_lines
from actions.safety_actions import (
    ActionConfirmSafe,
    ActionHandleFalseAlarm,
    ActionRespondNotSafe,
    ActionRespondToAbuse,
    ActionRespondToCrisis,
    ActionSetRegion,
)
from actions.theme_actions import ActionOfferExercise
from tests.support.trackers import responses, slot_values


async def test_crisis_gets_resources_and_the_safety_question(
    repo, make_tracker, dispatcher, domain
):
    events = await ActionRespondToCrisis().run(
        dispatcher, make_tracker("i want to die", "crisis"), domain
    )
    assert responses(dispatcher) == [
        "utter_crisis_acknowledge",
        "utter_crisis_resources",
        "utter_ask_safe_now",
    ]
    assert "findahelpline.com" in dispatcher.messages[1]["resources"]
    assert [b["payload"] for b in dispatcher.messages[2]["buttons"]] == ["/confirm_safe", "/deny"]
    assert slot_values(events)["safety_check_pending"] is True


async def test_crisis_uses_the_persons_region(repo, make_tracker, dispatcher, domain):
    await ActionRespondToCrisis().run(
        dispatcher, make_tracker("i want to die", "crisis", slots={"region": "us"}), domain
    )
    assert "988" in dispatcher.messages[1]["resources"]
    uk = resource_lines("crisis", "uk")
    assert any("116 123" in line for line in uk)


async def test_a_disclosure_mid_exercise_pauses_it_and_keeps_the_answers(
    repo, make_tracker, dispatcher, domain
):
    run_id = repo.start_run("person-1", "rest", "forgiveness", "hurt", "b")
    slots = {
        "exercise_id": "forgiveness",
        "exercise_run_id": run_id,
        "exercise_step": "b",
        "exercise_answers": {"a": {"value": "kept", "number": None}},
    }
    events = await ActionRespondToCrisis().run(
        dispatcher, make_tracker("i want to end it", "crisis", slots=slots), domain
    )
    assert slot_values(events)["exercise_id"] is None
    run = repo.get_run(run_id)
    assert run.status == "paused" and run.answers == {"a": {"value": "kept", "number": None}}


async def test_abuse_is_acknowledged_with_specialist_services_and_flagged(
    repo, make_tracker, dispatcher, domain
):
    events = await ActionRespondToAbuse().run(
        dispatcher, make_tracker("he hits me", "abuse"), domain
    )
    assert responses(dispatcher) == [
        "utter_abuse_acknowledge",
        "utter_abuse_resources",
        "utter_quick_exit",
        "utter_ask_safe_to_talk",
    ]
    assert "not your fault" in domain["responses"]["utter_abuse_acknowledge"][0]["text"]
    assert "couples" not in dispatcher.messages[1]["resources"].lower()
    assert slot_values(events)["abuse_disclosed"] is True
    assert repo.abuse_disclosed("person-1") is True


@pytest.mark.parametrize("theme", ["forgiveness", "commit_together", "transparency_consistency"])
async def test_after_abuse_the_partner_exercises_are_not_offered_even_after_a_restart(
    repo, make_tracker, dispatcher, domain, theme
):
    await ActionRespondToAbuse().run(dispatcher, make_tracker("he hits me", "abuse"), domain)
    access.reset_repository()  # the action server restarts; the conversation slots are gone too
    dispatcher.messages.clear()
    events = await ActionOfferExercise().run(
        dispatcher, make_tracker("...", theme, slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == ["utter_gated_exercise"]
    assert "offered_exercise" not in slot_values(events)


async def test_after_abuse_professional_help_points_to_specialists_first(
    repo, make_tracker, dispatcher, domain
):
    repo.set_abuse_disclosed("person-1", "rest", True)
    await ActionOfferExercise().run(
        dispatcher, make_tracker("...", "professional_help", slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == ["utter_specialist_support_first"]


async def test_other_themes_are_still_offered_after_abuse(repo, make_tracker, dispatcher, domain):
    repo.set_abuse_disclosed("person-1", "rest", True)
    await ActionOfferExercise().run(
        dispatcher, make_tracker("...", "setback", slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == ["utter_reflect_setback", "utter_offer_exercise"]


async def test_no_exercise_is_offered_until_they_say_they_are_safe(
    repo, make_tracker, dispatcher, domain
):
    tracker = make_tracker("...", "setback", slots={"welcomed": True, "safety_check_pending": True})
    await ActionOfferExercise().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_safety_check_first"]

    dispatcher.messages.clear()
    events = await ActionConfirmSafe().run(
        dispatcher, make_tracker("i'm safe", "confirm_safe"), domain
    )
    assert responses(dispatcher)[0] == "utter_glad_you_are_safe"
    assert slot_values(events)["safety_check_pending"] is False


async def test_confirming_safe_offers_the_paused_exercise(repo, make_tracker, dispatcher, domain):
    run_id = repo.start_run("person-1", "rest", "setback", None, "a")
    repo.set_status(run_id, "paused")
    await ActionConfirmSafe().run(dispatcher, make_tracker("yes", "affirm"), domain)
    assert responses(dispatcher) == ["utter_glad_you_are_safe", "utter_offer_resume"]


async def test_not_safe_repeats_emergency_resources(repo, make_tracker, dispatcher, domain):
    events = await ActionRespondNotSafe().run(
        dispatcher, make_tracker("no", "deny", slots={"abuse_disclosed": True}), domain
    )
    assert responses(dispatcher) == ["utter_not_safe", "utter_stay_with_you"]
    assert "domestic" in dispatcher.messages[0]["resources"].lower()
    assert slot_values(events)["safety_check_pending"] is True


async def test_a_false_alarm_clears_the_flag(repo, make_tracker, dispatcher, domain):
    repo.set_abuse_disclosed("person-1", "rest", True)
    events = await ActionHandleFalseAlarm().run(
        dispatcher, make_tracker("you misunderstood", "false_alarm"), domain
    )
    assert responses(dispatcher) == ["utter_false_alarm_noted"]
    assert repo.abuse_disclosed("person-1") is False
    assert slot_values(events) == {"safety_check_pending": False, "abuse_disclosed": False}


async def test_region_is_saved_and_local_resources_shown(repo, make_tracker, dispatcher, domain):
    tracker = make_tracker(
        "i'm in the uk", "inform_region", entities=[{"entity": "region", "value": "uk"}]
    )
    events = await ActionSetRegion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_region_resources"]
    assert (
        "116 123" in dispatcher.messages[0]["crisis"]
        and "0808 2000 247" in dispatcher.messages[0]["abuse"]
    )
    assert slot_values(events) == {"region": "uk"}
    assert repo.region("person-1") == "uk"


async def test_unknown_region_falls_back_to_international(repo, make_tracker, dispatcher, domain):
    await ActionSetRegion().run(
        dispatcher, make_tracker("i'm on the moon", "inform_region"), domain
    )
    assert responses(dispatcher) == ["utter_region_unknown"]
    assert "findahelpline.com" in dispatcher.messages[0]["crisis"]


async def test_a_saved_region_is_used_in_a_later_conversation(
    repo, make_tracker, dispatcher, domain
):
    repo.set_region("person-1", "rest", "au")
    await ActionRespondToCrisis().run(dispatcher, make_tracker("i want to die", "crisis"), domain)
    assert "13 11 14" in dispatcher.messages[1]["resources"]


async def test_the_summary_does_not_suggest_a_gated_exercise(
    repo, make_tracker, dispatcher, domain
):
    from actions.exercise_actions import ActionFinishExercise
    from actions.exercises.catalogue import load_exercises

    repo.set_abuse_disclosed("person-1", "rest", True)
    steps = [s.id for s in load_exercises()["monitor_progress"].steps if s.kind == "rating"]
    answers = {
        step: {"value": "1", "number": 1} for step in steps
    }  # lowest scores suggest professional help
    slots = {
        "exercise_id": "monitor_progress",
        "exercise_run_id": None,
        "exercise_step": None,
        "exercise_answers": answers,
    }
    await ActionFinishExercise().run(dispatcher, make_tracker("", None, slots=slots), domain)
    assert "utter_suggest_next_exercise" not in responses(dispatcher)
