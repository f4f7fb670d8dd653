"""A person who says they are under 18 (actions/safety/age.py): the reader, the NLU flag,
the latest statement winning, and the exercise gate."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.safety.age import person_is_minor, stated_minor
from actions.safety.gate import gate_reply, is_gated
from tests.support.trackers import build_tracker, user_event


@pytest.mark.parametrize(
    "text",
    [
        "I'm 16",
        "im 15 and my bf checks my phone",
        "i am seventeen",
        "I'm only 14, is that normal",
        "I (16F) and my bf (17M) had a fight",
        "I'm a 15 year old girl",
        "16 year old here",
        "16yo here",
        "I just turned 15",
        "I'll be 18 next month",
        "im in year 11",
        "I'm in year 9 at school",
        "im in 10th grade",
        "i'm in grade 11",
        "I'm in high school",
        "I'm a sophomore in high school",
        "I'm doing my GCSEs",
        "my boyfriend at school keeps going through my bag",
        "my gf from school said she'll leave if i talk to my friends",
        "I'm under 18",
        "I\u2019m 16",
    ],
)
def test_saying_one_is_under_18(text):
    assert stated_minor(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "I was 16 when we met",
        "since i was 14 i've been with him",
        "I'm 16 weeks pregnant",
        "i'm 15 minutes late to everything and he hates it",
        "my son is 15",
        "we have been together 16 years",
        "my daughter is in year 11",
        "he's 17 years older than me",
        "my boyfriend from university",
        "we waited 15 here for him",
        "how do i rebuild trust",
        "",
        None,
    ],
)
def test_what_is_not_a_statement_of_ones_own_age(text):
    assert stated_minor(text) is None


@pytest.mark.parametrize(
    "text", ["I'm 34", "I'm 18", "i just turned 21", "I'm 16. sorry I mean 26"]
)
def test_a_stated_adult_age(text):
    assert stated_minor(text) is False


def _tracker(*said: str, slots=None, **parse):
    events = [user_event(text, "inform") for text in said[:-1]]
    return build_tracker(said[-1], "inform", slots=slots, events=events, **parse)


def test_an_age_said_earlier_in_the_conversation_counts():
    assert person_is_minor(_tracker("I'm 16", "my boyfriend reads my messages"))


def test_the_latest_statement_of_age_wins():
    assert not person_is_minor(_tracker("I'm 16", "sorry, typo, I'm 26", "ok"))
    assert person_is_minor(_tracker("I'm 26", "actually I lied, I'm 15"))


def test_the_nlu_flag_counts_and_the_slot_remembers_across_sessions():
    assert person_is_minor(_tracker("sixteen and scared", safety={"minor": True}))
    # The NLU's False only means its patterns saw nothing: the reader still reads the text
    # (a teenager once got the couple exercises because the NLU's False won).
    assert person_is_minor(_tracker("I'm 16", safety={"minor": False}))
    assert person_is_minor(_tracker("hello again", slots={"minor": True}))
    assert not person_is_minor(_tracker("hello"))


@pytest.mark.parametrize(
    "theme", ["signs_of_eroded_trust", "commit_together", "apology_past_hurts"]
)
def test_couple_exercises_are_refused_for_a_minor_with_youth_services(repo, theme):
    tracker = _tracker("I'm 16 and my boyfriend checks where I am", slots={"region": "us"})
    dispatcher = CollectingDispatcher()
    assert is_gated(theme, tracker)
    assert gate_reply(dispatcher, tracker, theme)
    [message] = dispatcher.messages
    assert message["response"] == "utter_gated_minor"
    assert "Childhelp" in message["resources"] and "loveisrespect" in message["resources"]


def test_an_adult_still_gets_the_exercise(repo):
    tracker = _tracker("I'm 34 and I keep checking his phone")
    assert not is_gated("signs_of_eroded_trust", tracker)
    assert not gate_reply(CollectingDispatcher(), tracker, "signs_of_eroded_trust")


def test_the_gate_message_carries_links_in_the_widget(repo):
    tracker = _tracker("im 15", slots={"region": "uk"})
    tracker.events[-1]["input_channel"] = "socketio"
    dispatcher = CollectingDispatcher()
    gate_reply(dispatcher, tracker, "forgiveness")
    links = dispatcher.messages[0]["custom"]["links"]
    assert {"label": "Childline 0800 1111", "href": "tel:08001111"} in links
