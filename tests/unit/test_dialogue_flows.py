"""Whole conversations through the real actions and the question form (tests/support/dialogue.py):
replies read in context, no loops, nothing asked twice, nothing said lost."""

from __future__ import annotations

import pytest

from bot.nlu import safety_signal
from tests.support.dialogue import Talk

ROLE_ENTITY = [{"entity": "role", "value": "broke_trust", "start": 0, "end": 5}]


@pytest.fixture
def talk(repo) -> Talk:
    return Talk()


def offer(talk: Talk, theme: str = "signs_of_eroded_trust", text: str = "i keep checking") -> None:
    talk.say(text, intent=theme)
    assert "utter_offer_exercise" in talk.responses


def test_an_offer_accepted_in_words_starts_the_exercise(talk):
    offer(talk)
    talk.say("sure, anything that helps me sleep tonight", intent="out_of_scope", confidence=0.7)
    assert "Question 1 of 7" in talk.text


def test_a_declined_offer_can_be_taken_up_later_in_words(talk):
    offer(talk)
    talk.say("not now")
    assert talk.responses == ["utter_offer_declined"]
    talk.say("alright, let's try the exercise then", intent="start_exercise")
    assert "Question 1 of 7" in talk.text


def test_what_is_neither_yes_nor_no_starts_nothing_and_never_loops(talk):
    offer(talk)
    talk.say("I guess that's everything", intent="goodbye", confidence=0.4)
    first = talk.responses
    talk.say("hmm")
    assert first == ["utter_reask_offer"] and talk.responses == ["utter_offer_left_open"]
    assert "exercise_id" not in talk.slots or talk.slots["exercise_id"] is None


def test_an_answer_said_before_the_exercise_is_confirmed_not_asked(talk):
    offer(talk, text="i check her location every hour, i hate it")
    talk.say("yes")
    assert "utter_prefill_confirm" in talk.responses
    talk.say("yes")
    assert talk.slots["exercise_answers"]["checking"]["value"] == "often"
    assert "Question 2 of 7" in talk.text


def test_the_role_said_in_the_story_is_confirmed_instead_of_asked(talk):
    talk.say("it was me who had the affair", intent="trust_breach", entities=ROLE_ENTITY)
    talk.slots["role"] = "broke_trust"  # Rasa's from_entity mapping fills it
    talk.say("ok lets do it")
    assert "utter_role_confirm" in talk.responses
    talk.say("yes")
    assert talk.slots["role"] == "broke_trust"
    assert "what did you do" in talk.text.lower()


def test_the_role_question_never_loops_and_can_be_worded_for_both(talk):
    talk.say("we had a huge breach of trust", intent="trust_breach")
    talk.say("yes")
    assert "closer to your side" in talk.text
    talk.say("what would you do?")
    assert talk.responses[0] == "utter_role_why"  # the question back is answered
    talk.say("just ask the questions")
    assert "utter_role_neutral" in talk.responses
    assert talk.slots["role"] == "neutral"


def test_a_day_given_at_the_frequency_question_is_kept_for_the_day_question(talk):
    talk.say("can we set up a weekly talk", intent="regular_check_ins")
    talk.say("yes")
    talk.say("thursday evenings work for us")
    assert "utter_prefill_later" in talk.responses
    assert "utter_step_unclear_choice" in talk.responses
    talk.say("once a week")
    assert "utter_prefill_confirm" in talk.responses
    talk.say("yes please")
    assert talk.slots["exercise_answers"]["day"]["value"] == "midweek"


def test_three_things_in_one_message_fill_three_steps(talk):
    talk.say("we only talk about problems", intent="appreciation_respect")
    talk.say("yes")
    talk.say("1. he made me coffee 2. he listened 3. he held my hand")
    answers = talk.slots["exercise_answers"]
    assert [answers[s]["value"] for s in ("noticed_one", "noticed_two", "noticed_three")] == [
        "he made me coffee",
        "he listened",
        "he held my hand",
    ]
    assert "utter_items_filled" in talk.responses


def test_a_non_answer_is_never_stored_and_a_second_one_moves_on(talk):
    talk.say("we only talk about problems", intent="appreciation_respect")
    talk.say("yes")
    talk.say("idk")
    assert talk.responses == ["utter_step_non_answer_text"]
    talk.say("idk")
    assert "utter_step_moved_on" in talk.responses
    assert talk.slots["exercise_answers"]["noticed_one"]["value"] == ""


def test_a_worry_at_a_text_step_is_answered_not_stored(talk):
    talk.say("we both want to make this work", intent="commit_together")
    talk.say("yes")
    talk.say("what if it doesn't work?")
    assert talk.responses == ["utter_step_question"]
    assert not talk.slots["exercise_answers"]


def test_a_number_picks_an_option_and_a_skip_is_marked_in_the_summary(talk):
    offer(talk)
    talk.say("yes")
    for said in ("2", "skip", "often", "never", "sometimes", "3", "1"):
        talk.say(said)
    assert "(skipped)" in talk.text
    assert "Question" not in talk.text


def test_the_counter_is_stable(talk):
    offer(talk)
    talk.say("yes")
    counters = []
    for said in ("often", "often", "often"):
        counters += [line for line in talk.text.splitlines() if line.startswith("Question")]
        talk.say(said)
    assert counters == ["Question 1 of 7", "Question 2 of 7", "Question 3 of 7"]


def test_pausing_with_nothing_answered_does_not_say_saved(talk):
    offer(talk)
    talk.say("yes")
    talk.say("pause")
    assert talk.responses == ["utter_exercise_paused_empty"]


def test_a_typed_button_label_confirms_deletion(talk):
    talk.say("delete my data", intent="delete_my_data")
    assert talk.responses == ["utter_confirm_delete"]
    talk.say("Yes, delete everything", intent="out_of_scope", confidence=0.5)
    assert "utter_data_deleted" in talk.responses


def test_a_faq_mid_exercise_is_answered_then_the_step_asked_again(talk):
    offer(talk)
    talk.say("yes")
    talk.say(
        "wait who can read this?",
        intent="faq",
        response_selector={
            "faq": {"response": {"utter_action": "utter_faq/who_reads", "confidence": 0.9}}
        },
    )
    assert talk.responses[:2] == ["utter_faq/who_reads", "utter_back_to_question"]
    assert "Question 1 of 7" in talk.text


def test_a_crisis_mid_exercise_pauses_it_and_stays_with_the_person(talk):
    offer(talk)
    talk.say("yes")
    talk.say("i don't want to be here anymore", intent="crisis", safety={"categories": ["crisis"]})
    assert "utter_crisis_acknowledge" in talk.responses and "utter_ask_safe_now" in talk.responses
    talk.say("he's in the next room")
    assert talk.responses == ["utter_partner_nearby"]
    talk.say("how do i forgive him", intent="forgiveness")
    assert talk.responses == ["utter_safety_theme_during_flow"]
    talk.say("yeah im ok now")
    assert "utter_safe_glad" in talk.responses
    assert not any(r and r.startswith("utter_offer") for r in talk.responses)


def test_no_bot_message_is_sent_twice_in_a_row(talk):
    offer(talk)
    for said, intent in [
        ("?", "nlu_fallback"),
        ("??", "nlu_fallback"),
        ("yes", "affirm"),
        ("idk", "nlu_fallback"),
        ("idk", "nlu_fallback"),
        ("huh", "nlu_fallback"),
        ("what", "nlu_fallback"),
        ("idk", "nlu_fallback"),
        ("huh", "nlu_fallback"),
        ("pause", "pause_exercise"),
    ]:
        talk.say(said, intent=intent)
    messages = [m.get("response") or m.get("text") for _, reply in talk.transcript for m in reply]
    repeats = [a for a, b in zip(messages, messages[1:], strict=False) if a == b]
    assert not repeats


def test_not_safe_asks_once_where_they_are_and_gives_only_the_lines_they_need(talk):
    talk.say(
        "everyone would be better off without me",
        intent="crisis",
        safety={"categories": ["crisis"]},
    )
    talk.say("not really")
    assert talk.responses[:2] == ["utter_not_safe_emergency", "utter_region_nudge"]
    talk.say("what's the number")
    assert "utter_region_nudge" not in talk.responses  # once is enough
    talk.say("i'm in ireland", entities=[{"entity": "region", "value": "ie"}])
    assert talk.responses[0] == "utter_region_resources_one"
    lines = talk.last[0]["resources"]
    assert "116 123" in lines and "Women's Aid" not in lines
    assert talk.slots["region"] == "ie"


def test_the_safety_question_answered_in_its_own_words_is_an_answer_not_a_new_alarm(talk):
    """ "No, I'm not safe" is itself read as abuse by the NLU: it must answer the question,
    not start the whole opening again."""
    talk.say("he hit me last night", intent="abuse", safety={"categories": ["abuse"]})
    talk.say("no im not safe", intent="abuse", safety={"categories": ["abuse"]})
    assert talk.responses[0] == "utter_not_safe_emergency"
    assert "utter_abuse_acknowledge" not in talk.responses
    talk.say("he pushed me into the wall", intent="abuse", safety={"categories": ["abuse"]})
    assert talk.responses == ["utter_safety_heard"]
    talk.say("no i'm safe, he's not violent usually, it's a trust thing")
    assert "utter_safe_glad" in talk.responses


def test_a_new_kind_of_disclosure_in_the_safety_conversation_gets_its_resources(talk):
    talk.say(
        "he reads all my messages and takes my bank card",
        intent="abuse",
        safety={"categories": ["abuse"]},
    )
    talk.say("honestly i just want to die", intent="crisis", safety={"categories": ["crisis"]})
    assert "utter_crisis_acknowledge" in talk.responses


def test_a_sure_faq_question_with_a_weak_safety_signal_is_answered_not_checked(talk):
    faq = {"faq": {"response": {"utter_action": "utter_faq/how_long_kept", "confidence": 0.9}}}
    talk.say(
        "do you keep this stuff forever??",
        intent="safety_check",
        response_selector=faq,
        safety={"categories": ["crisis"], "tier": "uncertain"},
    )
    assert talk.responses[0] == "utter_faq/how_long_kept"
    assert "utter_ask_safety_check" not in talk.responses


def test_a_weak_safety_signal_that_is_not_a_faq_question_gets_the_check(talk):
    talk.say(
        "i told you way too much last night",
        intent="safety_check",
        safety={"categories": ["crisis"], "tier": "uncertain"},
    )
    assert (talk.slots.get("question") or {}).get("id") == "safety_check"


def test_the_check_question_quotes_the_worrying_sentence_not_the_start_of_the_story(talk):
    story = (
        "We've been together nine years and last spring I found out about the affair. "
        "Since then I barely sleep. Honestly they would all manage fine without me."
    )
    worrying = "Honestly they would all manage fine without me."
    talk.say(
        story,
        intent="safety_check",
        safety={"categories": ["crisis"], "tier": "uncertain", "strongest": {"crisis": worrying}},
    )
    asked = [m for m in talk.last if m.get("response") == "utter_safety_check_crisis"]
    assert [m.get("quote") for m in asked] == [worrying]


@pytest.mark.parametrize(
    "category, question_back",
    [("crisis", "why are you asking me that"), ("abuse", "what do you mean?")],
)
def test_a_question_back_at_the_check_is_answered_then_the_check_stands(
    talk, category, question_back
):
    talk.say(
        "gave my cat to my neighbour and cleaned the flat, feel calm now",
        intent="safety_check",
        safety={"categories": [category], "tier": "uncertain"},
    )
    talk.say(question_back, intent="out_of_scope", confidence=0.4)
    assert talk.responses == [f"utter_safety_check_why_{category}"]
    assert [b["title"] for b in talk.buttons] == ["Yes", "No", "I'm not sure"]
    talk.say("no, not like that")
    assert "utter_safety_check_cleared" in talk.responses


@pytest.mark.parametrize("question_back", ["why are you asking me that", "why?"])
def test_a_question_back_at_are_you_safe_is_answered_and_the_answers_stay(talk, question_back):
    talk.say("i want to die", intent="crisis", safety={"categories": ["crisis"]})
    talk.say(question_back, intent="out_of_scope", confidence=0.4)
    assert talk.responses == ["utter_safe_why"]
    assert [b["title"] for b in talk.buttons][:2] == ["I'm safe right now", "No, I'm not safe"]
    talk.say("i'm safe")
    assert "utter_safe_glad" in talk.responses


def test_saying_they_will_call_twice_is_not_answered_with_the_same_words(talk):
    talk.say("i'll call them", intent="will_call")
    assert talk.responses[0] == "utter_will_call"
    talk.say("ok i will", intent="will_call")
    assert talk.responses[0] == "utter_listening"


def test_two_sad_emoji_in_a_row_do_not_get_the_same_words(talk):
    talk.say("😞", intent="emoji_only")
    assert talk.responses[0] == "utter_emoji_negative"
    talk.say("💔💔", intent="emoji_only")
    assert talk.responses[0] == "utter_listening"


def test_a_break_at_a_question_keeps_it_for_when_the_person_is_back(talk):
    talk.say("help", intent="help")
    assert "utter_topic_stages" in talk.responses
    talk.say("brb kid woke up", intent="pause_exercise", confidence=0.8)
    assert talk.responses == ["utter_break_question_kept"]
    talk.say("im back", intent="resume_exercise")
    assert talk.responses == ["utter_welcome_back_to_question", "utter_topic_stages"]
    talk.say("im back", intent="resume_exercise")  # said again: the question is still waiting
    assert "utter_welcome_back_to_question" not in talk.responses


def test_back_from_a_break_with_nothing_open_is_welcomed_never_told_the_same_twice(talk):
    talk.say("brb", intent="pause_exercise")
    assert talk.responses == ["utter_break_nothing_open"]
    talk.say("ok im back", intent="resume_exercise")
    assert talk.responses == ["utter_welcome_back_nothing_open"]
    talk.say("continue my exercise", intent="resume_exercise")
    assert talk.responses == ["utter_no_paused_exercise"]
    talk.say("continue my exercise", intent="resume_exercise")
    assert talk.responses == ["utter_no_paused_exercise_again"]


def test_a_number_past_the_buttons_is_not_read_as_a_hidden_option(talk):
    talk.say("it was me who had the affair", intent="trust_breach", entities=ROLE_ENTITY)
    talk.slots["role"] = "broke_trust"
    talk.say("ok")
    assert "utter_role_confirm" in talk.responses
    talk.say("4")
    assert talk.responses == ["utter_role_reask"]  # not "no" to the suggestion
    talk.say("2")  # the second button on screen
    assert talk.slots["exercise_role"] == "hurt"


def test_a_non_answer_to_which_theme_is_asked_once_more_before_the_menu(talk):
    ranking = [
        {"name": "setback", "confidence": 0.45},
        {"name": "trust_breach", "confidence": 0.40},
    ]
    talk.say("my girlfriend found the app again", intent="nlu_fallback", ranking=ranking)
    assert talk.responses[-1] == "utter_clarify_theme"
    talk.say("ok")
    assert talk.responses == ["utter_clarify_reask"]
    talk.say("idk")
    assert talk.responses[:2] == ["utter_clarify_still_unsure", "utter_topic_stages"]


def faint(crisis: float) -> dict:
    thresholds = {
        "crisis": {"uncertain": 0.2, "clear": 0.8},
        "abuse": {"uncertain": 0.3, "clear": 0.9},
    }
    return safety_signal.decide(scores={"crisis": crisis, "abuse": 0.0}, thresholds=thresholds)


def test_faint_worries_that_add_up_get_the_check_question_once(talk):
    talk.say(
        "i dont see the point of any of it", intent="signs_of_eroded_trust", safety=faint(0.12)
    )
    assert "utter_safety_check_crisis" not in talk.responses  # one faint message alone
    talk.say("i'm just tired of everything", intent="out_of_scope", safety=faint(0.15))
    assert "utter_safety_check_crisis" in talk.responses
    talk.say("no not like that", safety=faint(0.0))
    assert "utter_safety_check_cleared" in talk.responses
    talk.say("we never talk anymore", intent="honest_communication", safety=faint(0.13))
    assert "utter_safety_check_crisis" not in talk.responses  # the worry was answered


def test_faint_worries_that_add_up_mid_exercise_check_then_return(talk):
    offer(talk)
    talk.say("yes")
    talk.say("everything feels pointless lately", safety=faint(0.14))
    talk.say("honestly what's the point of me", safety=faint(0.16))
    assert "utter_safety_check_crisis" in talk.responses
    talk.say("no, i'm ok", safety=faint(0.0))
    assert "Question" in talk.text  # back to the exercise step


def test_a_number_at_the_stages_menu_is_never_a_hidden_theme(talk):
    talk.say("help", intent="help")
    talk.say("6")
    assert not any(r and r.startswith("utter_reflect_") for r in talk.responses)
    talk.say("2")
    assert "utter_topic_stage_themes" in talk.responses


def test_why_at_an_offer_says_what_the_exercise_is_for_and_offers_again(talk):
    offer(talk)
    talk.say("why do you need to know")
    assert "utter_reask_offer" not in talk.responses
    assert talk.responses[-1] == "utter_offer_exercise"


def test_the_role_from_the_story_is_kept_when_the_role_question_is_missed_twice(talk):
    talk.say("it was me who had the affair", intent="trust_breach", entities=ROLE_ENTITY)
    talk.slots["role"] = "broke_trust"
    talk.say("ok")
    talk.say("idk 😔")
    talk.say("she says she doesnt know if she can ever trust me again")
    assert "utter_role_from_story" in talk.responses
    assert talk.slots["exercise_role"] == "broke_trust"


def test_more_of_the_story_at_the_role_confirmation_goes_on_from_the_role_told(talk):
    talk.say("it was me who had the affair", intent="trust_breach", entities=ROLE_ENTITY)
    talk.slots["role"] = "broke_trust"
    talk.say("ok")
    assert "utter_role_confirm" in talk.responses
    talk.say("i hid a credit card and about 6k of debt", intent="trust_breach", confidence=0.5)
    assert "utter_role_reask" not in talk.responses
    assert talk.responses[0] == "utter_role_from_story"
    assert talk.slots["exercise_role"] == "broke_trust"


def test_a_short_unclear_reply_at_the_role_confirmation_is_asked_again_once(talk):
    talk.say("it was me who had the affair", intent="trust_breach", entities=ROLE_ENTITY)
    talk.slots["role"] = "broke_trust"
    talk.say("ok")
    talk.say("hmm well")
    assert talk.responses == ["utter_role_reask"]


def test_the_means_at_hand_after_a_crisis_get_distance_and_a_call_now(talk):
    talk.say("i just want it all to stop", intent="crisis", safety={"categories": ["crisis"]})
    talk.say("i have his sleeping pills in the bathroom", intent="crisis")
    assert talk.responses[0] == "utter_crisis_means"
    assert "utter_safety_heard" not in talk.responses
    talk.say("i dont want to call anyone")
    assert talk.responses[0] == "utter_cannot_call_crisis"  # not advice on hiding the chat


def test_a_weapon_after_an_abuse_disclosure_is_about_the_partner(talk):
    talk.say("he hits me when he drinks", intent="abuse", safety={"categories": ["abuse"]})
    talk.say("he has a gun in the house")
    assert "utter_crisis_means" not in talk.responses


def test_is_it_normal_after_an_abuse_disclosure_is_answered_with_care(talk):
    talk.say(
        "he takes my bank card and checks my phone every night",
        intent="abuse",
        safety={"categories": ["abuse"]},
    )
    talk.say(
        "isnt it fair that he checks? is this normal after an affair",
        intent="faq",
        confidence=0.9,
        response_selector={
            "faq": {
                "response": {
                    "utter_action": "utter_faq/normal_guilt_after_cheating",
                    "confidence": 0.7,
                }
            }
        },
    )
    assert "utter_faq_normal_after_abuse" in talk.responses
    assert "utter_faq/normal_guilt_after_cheating" not in talk.responses


def test_is_it_normal_in_the_safety_conversation_after_abuse_gets_the_careful_answer(talk):
    talk.say(
        "he took my bank card, im scared of him", intent="abuse", safety={"categories": ["abuse"]}
    )
    talk.say(
        "isnt it fair that he checks? is this normal after an affair",
        intent="boundaries_rules",
        confidence=0.56,
        response_selector={
            "faq": {
                "response": {
                    "utter_action": "utter_faq/normal_jealous_of_affair_partner",
                    "confidence": 0.3,
                }
            }
        },
    )
    assert talk.responses[0] == "utter_faq_normal_after_abuse"


def test_the_menu_follows_what_is_told_in_own_words(talk):
    talk.say("help", intent="help")
    ranking = [{"name": "trust_breach", "confidence": 0.42}, {"name": "setback", "confidence": 0.3}]
    talk.say(
        "she lost our savings gambling and lied about it", intent="nlu_fallback", ranking=ranking
    )
    assert talk.responses == ["utter_clarify_theme"]
    talk.say("help", intent="help")
    one = [{"name": "plan_future", "confidence": 0.5}, {"name": "setback", "confidence": 0.05}]
    talk.say(
        "we are divorcing, how do we split the house fairly", intent="nlu_fallback", ranking=one
    )
    assert "utter_offer_exercise" in talk.responses


def test_a_question_back_at_an_offer_is_answered_with_what_the_exercise_does(talk):
    offer(talk)
    talk.say("what would that even do", intent="nlu_fallback", confidence=0.3)
    assert talk.responses[-1] == "utter_offer_exercise" and len(talk.responses) == 2
    talk.say("hmm")
    assert talk.responses == ["utter_offer_left_open"]  # explained once, then let go


def test_no_not_like_that_in_the_safety_conversation_is_a_misreading_not_danger(talk):
    talk.say(
        "everyone would be fine without me", intent="crisis", safety={"categories": ["crisis"]}
    )
    talk.say("no not like that. i mean the marriage")
    assert talk.responses == ["utter_misunderstanding_noted"]
    assert not talk.slots.get("safety_check_pending")


def test_a_sure_faq_question_in_the_safety_conversation_is_answered(talk):
    talk.say(
        "everyone would be fine without me", intent="crisis", safety={"categories": ["crisis"]}
    )
    selected = {
        "faq": {"response": {"utter_action": "utter_faq/partner_find_out", "confidence": 0.8}}
    }
    talk.say(
        "can my husband read what i write here?", intent="nlu_fallback", response_selector=selected
    )
    assert talk.responses[0] == "utter_faq/partner_find_out"
    assert talk.slots["question"]["id"] == "are_you_safe"  # still listening


@pytest.mark.parametrize("topic", ["stay_or_leave", "partner_wont_talk", "can_trust_come_back"])
def test_advice_on_repairing_trust_after_an_abuse_disclosure_is_answered_with_care(talk, topic):
    talk.say("he hits me when he drinks", intent="abuse", safety={"categories": ["abuse"]})
    talk.say("i'm safe right now")
    talk.say(
        "so what do i do, should i just stay and work on it?",
        intent="faq",
        confidence=0.9,
        response_selector={
            "faq": {"response": {"utter_action": f"utter_faq/{topic}", "confidence": 0.8}}
        },
    )
    assert "utter_faq_repair_after_abuse" in talk.responses
    assert f"utter_faq/{topic}" not in talk.responses


def test_a_written_answer_that_answers_a_later_choice_is_offered_back_there(talk):
    talk.say("we had a huge breach of trust", intent="trust_breach")
    talk.say("yes")
    talk.say("word it for both of us")
    money = [{"entity": "breach_type", "value": "money", "start": 3, "end": 12}]
    talk.say("he hid money from our joint account for a year", entities=money)
    assert "utter_prefill_confirm" in talk.responses  # not asked afresh which kind it was
    talk.say("yes")
    assert talk.slots["exercise_answers"]["breach_kind"]["value"] == "dishonesty"


def say_with_faq(talk, said: str, intent: str, confidence: float, topic: str, sure: float):
    """A message as NLU reads it: the intent, and the FAQ answer the selector picked."""
    faq = {"faq": {"response": {"utter_action": f"utter_faq/{topic}", "confidence": sure}}}
    talk.say(said, intent=intent, confidence=confidence, response_selector=faq)


@pytest.mark.parametrize(
    "said, intent, confidence, topic, sure, answered",
    [
        # the classifier says out of scope, or is unsure and there is no question word
        ("our kids can tell something is wrong. what do i tell them?", "out_of_scope", 0.4,
         "tell_family_or_kids", 0.97, True),
        ("r u like a licensed therapist or no", "nlu_fallback", 0.3, "is_it_therapist", 0.95,
         True),
        # a theme story that asks nothing keeps its reflection and offer
        ("she messages her ex every night and hides it", "trust_breach", 0.93,
         "is_it_cheating", 0.83, False),
    ],
)  # fmt: skip
def test_a_sure_faq_pick_is_answered_where_the_message_asks_it(
    talk, said, intent, confidence, topic, sure, answered
):
    say_with_faq(talk, said, intent, confidence, topic, sure)
    assert (f"utter_faq/{topic}" in talk.responses) == answered
    assert "utter_out_of_scope" not in talk.responses
    assert answered or "utter_reflect_trust_breach" in talk.responses


def test_a_question_inside_a_theme_story_is_answered_before_the_offer(talk):
    said = "she messages her ex every night but says nothing physical happened. is that cheating?"
    say_with_faq(talk, said, "trust_breach", 0.93, "is_it_cheating", 0.83)
    assert talk.responses[-2:] == ["utter_faq/is_it_cheating", "utter_offer_exercise"]
    talk.say("yes")
    assert "Question" in talk.text or "closer to your side" in talk.text  # the exercise starts


def test_yes_to_an_offer_that_names_another_exercise_starts_that_one(talk):
    talk.say("my wife found out about my affair", intent="trust_breach")
    named = [{"entity": "exercise", "value": "apology_past_hurts", "start": 15, "end": 26}]
    talk.say("ok lets do the apology one", entities=named)
    assert talk.slots["exercise_id"] == "apology_past_hurts"


def test_a_question_about_the_data_is_answered_not_taken_as_the_export(talk):
    say_with_faq(talk, "where is my data saved?", "export_my_data", 0.6, "where_stored", 0.97)
    assert "utter_faq/where_stored" in talk.responses and "utter_data_export" not in talk.responses
    talk.say("export my data", intent="export_my_data", confidence=0.98)
    assert "utter_data_export" in talk.responses


def test_a_button_label_typed_is_an_answer_whatever_the_detector_thinks(talk):
    offer(talk)
    talk.say("yes")
    talk.say("stop")
    assert (talk.slots.get("question") or {}).get("id") == "confirm_stop"
    uncertain = {"categories": ["crisis"], "tier": "uncertain"}
    talk.say("Keep going", intent="safety_check", safety=uncertain)
    assert "utter_ask_safety_check" not in talk.responses
    assert "Question 1 of 7" in talk.text  # back to the step


def test_an_answer_written_at_an_information_step_is_offered_back_at_the_next_question(talk):
    talk.say("i want to apologise properly for lying", intent="apology_past_hurts")
    talk.say("yes")
    talk.say("i broke the trust")
    assert "A few things help an apology land" in talk.text  # the information step
    talk.say("I spent our savings on betting and hid the statements")
    assert (
        "utter_prefill_written" in talk.responses and "utter_step_note_kept" not in talk.responses
    )
    quoted = [m.get("written") for m in talk.last if m.get("response") == "utter_prefill_written"]
    assert quoted == ["I spent our savings on betting and hid the statements"]
    talk.say("yes")
    answers = talk.slots["exercise_answers"]
    assert answers["what_i_did"]["value"] == "I spent our savings on betting and hid the statements"
    assert "Question 2 of 5" in talk.text


def test_a_new_answer_replaces_what_was_written_before(talk):
    talk.say("i want to apologise properly for lying", intent="apology_past_hurts")
    talk.say("yes")
    talk.say("i broke the trust")
    talk.say("this part is hard to read")
    talk.say("I lied for two years about where the money went")
    answers = talk.slots["exercise_answers"]
    assert answers["what_i_did"]["value"] == "I lied for two years about where the money went"
