"""The safety flow with the person's region and age (tests/support/dialogue.py): local numbers
from their words, asked once, youth services and no couple exercises for under 18s, text
first when calling is not safe, and tappable links in the widget and Telegram only."""

from __future__ import annotations

import pytest

from tests.support.dialogue import Talk

ABUSE = {"intent": "abuse", "safety": {"categories": ["abuse"]}}
CRISIS = {"intent": "crisis", "safety": {"categories": ["crisis"]}}


@pytest.fixture
def talk(repo) -> Talk:
    return Talk()


def message(talk: Talk, response: str) -> dict:
    return next(m for m in talk.last if m.get("response") == response)


def test_a_region_said_with_the_disclosure_gives_local_numbers_and_is_not_asked(talk, repo):
    talk.say("I'm in Dublin and my husband won't let me see my friends or my family", **ABUSE)
    abuse = message(talk, "utter_abuse_resources")
    assert "Women's Aid National Freephone Helpline: call 1800 341 900" in abuse["resources"]
    assert "Men's Aid Ireland" in abuse["resources"] and "LGBT Ireland" in abuse["resources"]
    assert abuse["region_name"] == "Ireland"
    assert talk.slots["region"] == "ie" and repo.region("person-1") == "ie"
    talk.say("yes i'm safe")
    assert "utter_safe_glad" in talk.responses and "utter_ask_region" not in talk.responses


def test_the_region_question_understands_a_country_in_words(talk):
    talk.say("i don't want to be here anymore", **CRISIS)
    assert message(talk, "utter_crisis_resources")["region_name"] == "your country"
    talk.say("i'm safe for now")
    assert "utter_ask_region" in talk.responses
    talk.say("Aussie here")
    sent = message(talk, "utter_region_resources_one")  # a crisis: crisis lines only
    assert "Lifeline: call 13 11 14" in sent["resources"] and "1800RESPECT" not in sent["resources"]
    assert talk.slots["region"] == "au"


def test_safe_and_where_they_are_in_one_reply_gives_the_local_numbers(talk):
    talk.say("i don't want to be here anymore", **CRISIS)
    talk.say("not sure")
    talk.say("i'm safe i guess. i'm in the uk")
    assert "utter_safe_glad" in talk.responses
    sent = message(talk, "utter_region_resources_one")
    assert "Samaritans" in sent["resources"] and sent["region_name"] == "the UK"
    assert talk.slots["region"] == "uk" and "utter_ask_region" not in talk.responses


def test_a_place_without_its_own_numbers_gets_the_international_ones(talk):
    talk.say("i don't want to be here anymore", **CRISIS)
    talk.say("i'm safe")
    talk.say("i'm in brazil")
    sent = message(talk, "utter_region_unknown")
    assert "findahelpline.com" in sent["crisis"]
    assert talk.slots["region"] == "international"


def test_a_country_told_with_no_question_waiting_is_understood(talk):
    talk.say("we live in Toronto", intent="inform_region")
    sent = message(talk, "utter_region_resources")
    assert "9-8-8 Suicide Crisis Helpline" in sent["crisis"] and sent["region_name"] == "Canada"


def test_a_country_named_while_are_you_safe_is_open_is_used(talk):
    talk.say("he hits me when he drinks", **ABUSE)
    talk.say("i live in germany")
    sent = message(talk, "utter_region_resources_one")
    assert "Hilfetelefon Gewalt gegen Frauen" in sent["resources"]


def test_when_calling_is_not_safe_text_services_come_first(talk):
    talk.slots["region"] = "uk"
    talk.say("he hits me when he drinks", **ABUSE)
    talk.say("i can't call, he'll hear")
    lines = message(talk, "utter_cannot_call")["resources"].splitlines()
    names = [line.split(":")[0] for line in lines]
    shout, scotland = names.index("• Shout"), next(i for i, n in enumerate(names) if "Scot" in n)
    assert names[0] == "• National Domestic Abuse Helpline (England)"  # it has a web chat
    assert shout < scotland  # text before a line one can only call
    assert lines[-1].startswith("• In immediate danger: call 999")


def test_not_safe_gives_the_emergency_number_first(talk):
    talk.slots["region"] = "us"
    talk.say("he hits me when he drinks", **ABUSE)
    talk.say("no i'm not safe")
    sent = message(talk, "utter_not_safe_emergency")
    assert sent["emergency"].startswith("• In immediate danger: call 911")


def test_a_teenager_gets_youth_and_teen_dating_services_and_no_couple_exercise(talk):
    talk.slots["region"] = "us"
    talk.say("I'm 16 and my boyfriend checks my phone and tells me who I can see", **ABUSE)
    assert talk.responses[:3] == [
        "utter_abuse_acknowledge",
        "utter_minor_support",
        "utter_abuse_resources",
    ]
    lines = message(talk, "utter_abuse_resources")["resources"].splitlines()
    assert "Childhelp" in lines[1] and "loveisrespect" in lines[2]
    assert talk.slots["minor"] is True
    talk.say("i'm safe")
    talk.say("how can i tell if i can trust him", intent="signs_of_eroded_trust")
    assert talk.responses == ["utter_gated_minor"]
    assert "utter_offer_exercise" not in talk.responses
    # unsure which theme: no menu of couple exercises either
    ranking = [
        {"name": "signs_of_eroded_trust", "confidence": 0.3},
        {"name": "setback", "confidence": 0.2},
    ]
    talk.say(
        "idk if i can trust him", intent="nlu_fallback", confidence=0.3, intent_ranking=ranking
    )
    assert talk.responses == ["utter_gated_minor"]


def test_an_age_said_before_the_disclosure_counts(talk):
    talk.slots["region"] = "uk"
    talk.say("im in year 11", intent="inform")
    talk.say("he said he'll hurt me if i tell anyone", **ABUSE)
    assert "Childline" in message(talk, "utter_abuse_resources")["resources"].splitlines()[1]


@pytest.mark.parametrize("channel", ["socketio", "telegram"])
def test_the_widget_and_telegram_get_tappable_links_with_the_text(repo, channel):
    talk = Talk(channel=channel, slots={"region": "uk"})
    talk.say("i don't want to be here anymore", **CRISIS)
    sent = message(talk, "utter_crisis_resources")
    assert "Samaritans: call 116 123" in sent["resources"]
    assert {"label": "Samaritans 116 123", "href": "tel:116123"} in sent["custom"]["links"]


def test_rest_and_the_shell_get_the_text_alone(talk):
    talk.slots["region"] = "uk"
    talk.say("i don't want to be here anymore", **CRISIS)
    assert not any(m.get("custom") for m in talk.last)


def test_a_couple_exercise_asked_for_by_name_gets_the_reason_not_a_menu(talk):
    talk.slots["region"] = "uk"
    talk.say("im 15", intent="inform")
    talk.say('/start_exercise{"exercise":"commit_together"}')
    assert talk.responses == ["utter_gated_minor"]
    assert "Childline" in talk.last[0]["resources"]
    assert "exercise_id" not in talk.slots or talk.slots["exercise_id"] is None


def test_a_place_in_a_story_during_are_you_safe_is_not_taken_as_the_region(talk):
    talk.say("he hits me when he drinks", **ABUSE)
    paris = [{"entity": "region", "value": "fr", "start": 10, "end": 15}]
    talk.say("we met in paris years ago, he was different then", entities=paris)
    assert not {"utter_region_resources", "utter_region_resources_one"} & set(talk.responses)
    assert talk.slots.get("region") is None


def test_a_country_button_payload_is_understood(talk):
    talk.say('/inform_region{"region":"nz"}')
    assert message(talk, "utter_region_resources")["region_name"] == "New Zealand"
