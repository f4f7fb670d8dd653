"""Greeting, topics, offering a theme's exercise, and asking when unsure."""

from __future__ import annotations

import pytest

from actions.theme_actions import (
    ActionClarifyTheme,
    ActionDefaultFallback,
    ActionGreet,
    ActionListTopics,
    ActionOfferExercise,
    theme_candidates,
)
from actions.themes import THEME_INTENTS
from tests.support.trackers import responses, slot_values


async def test_first_greeting_discloses_what_the_assistant_is(
    repo, make_tracker, dispatcher, domain
):
    events = await ActionGreet().run(dispatcher, make_tracker("hi", "greet"), domain)
    assert responses(dispatcher) == ["utter_welcome"]
    welcome = domain["responses"]["utter_welcome"][0]["text"]
    assert (
        "not a person" in welcome
        and "not a therapist" in welcome
        and "not an emergency service" in welcome
    )
    assert slot_values(events) == {"welcomed": True}


@pytest.mark.parametrize(
    "welcomed, said",
    [(None, ["utter_disclosure_short", "utter_default"]), (True, ["utter_default"])],
)
async def test_the_core_fallback_discloses_on_first_contact_and_forgets_the_message(
    repo, make_tracker, dispatcher, domain, welcomed, said
):
    events = await ActionDefaultFallback().run(
        dispatcher, make_tracker("?", "choose", slots={"welcomed": welcomed}), domain
    )
    assert responses(dispatcher) == said
    assert events[0]["event"] == "rewind"
    assert slot_values(events) == ({} if welcomed else {"welcomed": True})


async def test_greeting_again_offers_to_resume_an_unfinished_exercise(
    repo, make_tracker, dispatcher, domain
):
    repo.start_run("person-1", "rest", "setback", None, "what_happened")
    await ActionGreet().run(
        dispatcher, make_tracker("hi", "greet", slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == ["utter_greet_again", "utter_offer_resume"]
    assert dispatcher.messages[1]["exercise_title"] == "Setback response"
    assert dispatcher.messages[1]["buttons"][0]["payload"] == "/resume_exercise"


@pytest.mark.parametrize("theme", THEME_INTENTS)
async def test_each_theme_is_reflected_and_its_exercise_offered(
    repo, make_tracker, dispatcher, domain, theme
):
    events = await ActionOfferExercise().run(
        dispatcher, make_tracker("...", theme, slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == [f"utter_reflect_{theme}", "utter_offer_exercise"]
    offer = dispatcher.messages[1]
    assert [b["payload"] for b in offer["buttons"]] == [
        f'/start_exercise{{"exercise":"{theme}"}}',
        "/deny",
    ]
    assert offer["exercise_title"] and offer["minutes"] > 0
    assert slot_values(events)["offered_exercise"] == theme


async def test_first_message_about_a_theme_gets_the_disclosure_first(
    repo, make_tracker, dispatcher, domain
):
    await ActionOfferExercise().run(dispatcher, make_tracker("...", "setback"), domain)
    assert responses(dispatcher)[0] == "utter_disclosure_short"


async def test_topics_are_listed_as_buttons(repo, make_tracker, dispatcher, domain):
    await ActionListTopics().run(
        dispatcher, make_tracker("what can you do", "help", slots={"welcomed": True}), domain
    )
    assert responses(dispatcher) == ["utter_help"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        f"/{t}" for t in THEME_INTENTS
    ]


def ranking(*pairs):
    return [{"name": "nlu_fallback", "confidence": 0.3}] + [
        {"name": n, "confidence": c} for n, c in pairs
    ]


def test_candidates_are_the_close_themes_only():
    assert theme_candidates(
        ranking(("forgiveness", 0.25), ("apology_past_hurts", 0.22), ("setback", 0.03))
    ) == ["forgiveness", "apology_past_hurts"]
    assert theme_candidates(ranking(("greet", 0.2), ("thanks", 0.2))) == []


async def test_unsure_asks_which_theme_with_buttons(repo, make_tracker, dispatcher, domain):
    tracker = make_tracker(
        "i dont know anymore",
        "nlu_fallback",
        slots={"welcomed": True},
        ranking=ranking(("forgiveness", 0.25), ("apology_past_hurts", 0.22), ("setback", 0.03)),
    )
    await ActionClarifyTheme().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_clarify_theme"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        "/forgiveness",
        "/apology_past_hurts",
        "/help",
    ]


async def test_a_second_miss_in_a_row_shows_the_topics_instead_of_asking_again(
    repo, make_tracker, dispatcher, domain
):
    earlier = [
        {"event": "user", "text": "hmm", "parse_data": {}},
        {"event": "action", "name": "action_clarify_theme"},
        {"event": "bot", "text": "Which of these..."},
        {"event": "action", "name": "action_listen"},
    ]
    tracker = make_tracker(
        "blah",
        "nlu_fallback",
        slots={"welcomed": True},
        events=earlier,
        ranking=ranking(("forgiveness", 0.25), ("apology_past_hurts", 0.22)),
    )
    await ActionClarifyTheme().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_help_after_miss"]
    assert len(dispatcher.messages[0]["buttons"]) == len(THEME_INTENTS)
