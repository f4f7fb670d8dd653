"""The reply reader: replies to the assistant's own questions, in any wording."""

from __future__ import annotations

import pytest

from actions.dialogue.fixed_questions import options_for
from actions.dialogue.reading import Expectation, Option, Reply, list_items, parse_number, read

OFFER = Expectation("choice", options_for("offer"), by_position=False)
SAFE = Expectation("choice", options_for("are_you_safe"), by_position=False)
STEP_CHOICE = Expectation(
    "choice",
    (
        Option("never", "Rarely or never", ("hardly ever",)),
        Option("sometimes", "Sometimes", ("now and then",)),
        Option("often", "Often", ("every hour", "all the time")),
    ),
    controls=True,
)
RATING = Expectation("rating", scale=(0, 10), controls=True)
TEXT = Expectation("text", controls=True)


@pytest.mark.parametrize(
    "said, value",
    [
        ("sure, anything that helps me sleep tonight", "yes"),
        ("alright, let's try the exercise then", "yes"),
        ("ok", "yes"),
        ("👍", "yes"),
        ("Yes, let's start", "yes"),
        ("yeah go on then", "yes"),
        ("not now", "not_now"),
        ("maybe later", "not_now"),
        ("nah", "no"),
        ("no thanks", "no"),
    ],
)
def test_an_offer_is_accepted_or_declined_in_any_words(said, value):
    reading = read(Reply(said), OFFER)
    assert (reading.kind, reading.value) == ("answer", value)


@pytest.mark.parametrize("said", ["I guess that's everything", "no wait actually yes", "hmm"])
def test_what_is_neither_yes_nor_no_is_not_taken_as_either(said):
    assert read(Reply(said), OFFER).kind in ("unclear", "non_answer")


@pytest.mark.parametrize(
    "said, value",
    [
        ("yeah im ok", "safe"),
        ("not really", "not_safe"),
        ("no", "not_safe"),
        ("he's in the next room", "partner_nearby"),
        ("no, he's in the next room", "partner_nearby"),
        ("can you give me the number", "wants_numbers"),
        ("i'll call them", "will_call"),
        ("i wouldnt do anything, i just feel empty", "safe"),
        ("i can't call, he'd hear", "cannot_call"),
        ("im not sure", "not_sure"),
        ("there's no violence though", "no_violence"),
    ],
)
def test_are_you_safe_is_read_in_words(said, value):
    reading = read(Reply(said), SAFE)
    assert (reading.kind, reading.value) == ("answer", value)


@pytest.mark.parametrize(
    "said, value",
    [
        ("often", "often"),
        ("Rarely or never", "never"),
        ("the second one", "sometimes"),
        ("3", "often"),
        ("pretty much every hour tbh", "often"),
    ],
)
def test_an_option_by_title_position_or_synonym(said, value):
    assert read(Reply(said), STEP_CHOICE).value == value


def test_an_option_by_meaning_from_the_nlu_matches():
    expects = Expectation("choice", STEP_CHOICE.options, match_key="x.checking")
    reply = Reply("i'm on her phone constantly", option_matches=(("x.checking", "often", 0.8),))
    assert read(reply, expects).value == "often"
    weak = Reply("something", option_matches=(("x.checking", "often", 0.4),))
    assert read(weak, expects).kind == "unclear"


@pytest.mark.parametrize(
    "said, number", [("7", 7), ("a three", 3), ("probably 6", 6), ("7/10", 7), ("six-ish", 6)]
)
def test_ratings_in_digits_and_words(said, number):
    reading = read(Reply(said), RATING)
    assert (reading.kind, reading.number) == ("answer", number)


def test_an_out_of_range_rating_is_not_taken():
    reading = read(Reply("eleven"), Expectation("rating", scale=(1, 5)))
    assert reading.kind == "unclear" and reading.out_of_range and reading.number == 11


@pytest.mark.parametrize("said", ["idk", "?", "dunno", "🤷", "no idea", "..."])
def test_non_answers_are_never_answers(said):
    assert read(Reply(said), TEXT).kind == "non_answer"
    assert read(Reply(said), RATING).kind == "non_answer"


@pytest.mark.parametrize(
    "said", ["why do you need to know that?", "what if it doesn't work?", "is that normal?"]
)
def test_a_question_back_at_a_text_step_is_not_stored_as_the_answer(said):
    assert read(Reply(said), TEXT).kind in ("question", "control")


def test_a_question_that_the_faq_answers():
    reply = Reply("who can read this?", intent="faq", faq="utter_faq/who_reads", faq_confidence=0.9)
    assert read(reply, TEXT).faq == "utter_faq/who_reads"


@pytest.mark.parametrize(
    "said, control",
    [
        ("skip", "skip"),
        ("next one", "skip"),
        ("pass", "skip"),
        ("pause", "pause"),
        ("stop", "stop"),
    ],
)
def test_short_controls(said, control):
    assert read(Reply(said), TEXT).control == control


def test_a_long_answer_that_mentions_stop_is_an_answer():
    said = "i want us to stop fighting every single night about the same thing"
    assert read(Reply(said), TEXT).kind == "answer"


def test_a_button_press_is_exact():
    reply = Reply('/choose{"choice":"often"}', intent="choose", choice="often", from_button=True)
    assert read(reply, STEP_CHOICE).value == "often"
    stale = Reply('/choose{"choice":"weekly"}', intent="choose", choice="weekly", from_button=True)
    assert read(stale, STEP_CHOICE).kind == "unclear"


def test_another_theme_said_clearly_is_a_digression():
    reply = Reply("how do i forgive him though", intent="forgiveness", confidence=0.9)
    assert read(reply, STEP_CHOICE).kind == "digression"


@pytest.mark.parametrize(
    "text, items",
    [
        (
            "he makes me coffee\nhe listens\nhe tries",
            ["he makes me coffee", "he listens", "he tries"],
        ),
        ("1. coffee 2. walks 3. texts", ["coffee", "walks", "texts"]),
        ("coffee; walks; texts", ["coffee", "walks", "texts"]),
        ("he makes me coffee and listens", ["he makes me coffee and listens"]),
    ],
)
def test_a_list_in_one_message(text, items):
    assert list_items(text) == items


def test_parse_number_finds_words_and_digits():
    assert parse_number("maybe 4 or 5") == 4 and parse_number("none") == 0
    assert parse_number("no number here") is None


@pytest.mark.parametrize(
    "said, intent",
    [
        ("ok never mind, whats a good exercise for when i get triggered", "setback"),
        ("yes, but actually can you tell me who reads these messages?", "faq"),
        ("sure, what do you do with my data though? is it stored", "faq"),
    ],
)
def test_a_yes_word_that_opens_something_else_does_not_accept_the_offer(said, intent):
    reading = read(Reply(said, intent=intent, confidence=0.9), OFFER)
    assert reading.kind != "answer"


@pytest.mark.parametrize("said", ["sure, what do i do first", "yes please, how long is it"])
def test_a_yes_with_a_question_about_the_offer_itself_still_accepts_it(said):
    assert read(Reply(said, intent="affirm", confidence=0.9), OFFER).value == "yes"


def test_positions_count_only_the_options_on_screen():
    hidden = Expectation(
        "choice", (Option("a", "A"), Option("b", "B"), Option("x", "", button=False))
    )
    assert read(Reply("3"), hidden).kind != "answer"
    assert read(Reply("2"), hidden).value == "b"


def test_a_sure_faq_after_an_opening_ok_is_answered_as_a_question():
    reply = Reply(
        "ok, but who can read the stuff i write here",
        intent="faq",
        confidence=0.9,
        faq="utter_faq/who_reads",
        faq_confidence=0.8,
    )
    assert read(reply, OFFER).faq == "utter_faq/who_reads"


def test_a_topic_after_never_mind_is_taken_at_a_lower_confidence():
    reply = Reply("ok never mind, whats a good exercise for when i get triggered", "setback", 0.45)
    reading = read(reply, OFFER)
    assert (reading.kind, reading.theme) == ("digression", "setback")
    assert read(Reply("i get triggered a lot", "setback", 0.45), OFFER).kind != "digression"


def test_a_question_the_classifier_is_sure_is_a_faq_gets_the_selectors_answer():
    reply = Reply(
        "can he see this chat if he uses my laptop?",
        intent="faq",
        confidence=0.91,
        faq="utter_faq/partner_find_out",
        faq_confidence=0.36,
    )
    assert read(reply, SAFE).faq == "utter_faq/partner_find_out"
    unsure = Reply(
        "can he see this", intent="faq", confidence=0.5, faq="utter_faq/x", faq_confidence=0.3
    )
    assert read(unsure, SAFE).faq is None


def test_never_mind_and_something_unclear_asks_for_the_topics():
    reading = read(Reply("ok never mind, what else is there", "nlu_fallback", 0.3), OFFER)
    assert (reading.kind, reading.request) == ("request", "help")


@pytest.mark.parametrize("said", ["ok nvm", "forget it", "never mind"])
def test_a_bare_never_mind_turns_the_offer_down(said):
    assert read(Reply(said, "affirm", 0.7), OFFER).value in ("no", "not_now")


def test_the_continue_label_typed_at_an_information_step_goes_on():
    info = Expectation("info", controls=True, shown=("Continue", "Skip this", "Pause"))
    assert read(Reply("Continue"), info).kind == "answer"
    assert read(Reply("continue"), Expectation("text", controls=True)).control == "resume"


@pytest.mark.parametrize("said", ["i said i want to stop", "ok can we pause please"])
def test_a_stop_or_pause_phrase_inside_a_short_reply_is_the_control(said):
    assert read(Reply(said), TEXT).kind == "control"


def test_a_single_control_word_inside_an_answer_is_the_answer():
    assert read(Reply("stop lying to me"), TEXT).kind == "answer"


def test_a_question_after_wait_at_a_text_step_is_not_stored():
    assert read(Reply("wait does this get saved somewhere she could see"), TEXT).kind != "answer"


@pytest.mark.parametrize(
    "said",
    [
        "this is a waste of time",
        "honestly this isn't helping",
        "ugh stupid question",
        "i hate these questions",
        "you're not listening to me",
    ],
)
def test_a_complaint_at_a_written_step_is_not_an_answer(said):
    reading = read(Reply(said), TEXT)
    assert reading.kind == "non_answer" and reading.complaint


def test_a_complaint_outside_an_exercise_is_frustration():
    reading = read(Reply("this is a waste of time"), OFFER)
    assert (reading.kind, reading.request) == ("request", "frustration")


@pytest.mark.parametrize(
    "said, control",
    [
        ("i'd rather not say", "skip"),
        ("honestly i don't want to answer that one", "skip"),
        ("sorry, too painful to write about right now", "skip"),
        ("actually i changed my mind", "stop"),
        ("can we do something else instead", "stop"),
        ("wait this isn't what i wanted", "stop"),
    ],
)
def test_declining_or_changing_ones_mind_at_a_written_step(said, control):
    assert read(Reply(said), TEXT).control == control


@pytest.mark.parametrize(
    "said",
    [
        "he just says i don't want to talk about it and walks off",
        "that the lying was a waste of time for both of us, and it cost us years",
        "i feel so stupid for not seeing it",
        "she changed her mind about the counsellor twice",
    ],
)
def test_answers_that_quote_such_words_are_kept(said):
    reading = read(Reply(said), TEXT)
    assert (reading.kind, reading.value) == ("answer", said)


def test_id_rather_not_answers_a_yes_no_step():
    step = Expectation("choice", (Option("yes", "Yes", ()), Option("no", "No", ())), controls=True)
    assert read(Reply("i'd rather not"), step).control != "skip"


@pytest.mark.parametrize("said, value", [("pause it", "pause"), ("keep going", "keep_going")])
def test_an_option_named_in_full_wins_over_the_control_of_the_same_words(said, value):
    stop_or_pause = Expectation("choice", options_for("confirm_stop"), by_position=False)
    reply = Reply(said, intent="pause_exercise", confidence=0.97)
    assert read(reply, stop_or_pause).value == value


@pytest.mark.parametrize("question", ["safety_check", "are_you_safe"])
@pytest.mark.parametrize("said", ["i don't want to talk about it", "i'd rather not say"])
def test_declining_a_safety_question_is_not_a_no(question, said):
    expects = Expectation("choice", options_for(question), by_position=False)
    assert read(Reply(said), expects).value == "not_sure"


@pytest.mark.parametrize(
    "said, kind",
    [
        ("when he turns his phone face down on the table", "answer"),
        ("how he lied to me for months", "answer"),
        ("i need to stop checking his phone", "answer"),
        ("he said i need to stop being paranoid", "answer"),
        ("what if it doesn't work", "question"),
        ("honestly should i just leave him, im so tired of this", "question"),
    ],
)
def test_a_written_answer_is_told_from_a_question(said, kind):
    assert read(Reply(said), TEXT).kind == kind


@pytest.mark.parametrize(
    "said, control",
    [
        ("actually wait i dont even know if i want to stay. can we do something else", "stop"),
        ("no stop. i want to quit this exercise", "stop"),
        ("ok i need to stop", "stop"),
    ],
)
def test_stopping_said_in_a_sentence_of_its_own(said, control):
    assert read(Reply(said), TEXT).control == control


@pytest.mark.parametrize("said", ["ok thanks bye", "nah im good. bye", "bye, I need to go"])
def test_a_short_goodbye_at_any_question_ends_kindly(said):
    assert read(Reply(said), TEXT).request == "goodbye"
    at_offer = read(Reply(said), OFFER)
    assert at_offer.value != "yes" and at_offer.request in (None, "goodbye")


def test_this_is_dumb_at_a_step_is_a_complaint():
    assert read(Reply("this is dumb lol"), TEXT).complaint


def test_an_answer_the_classifier_takes_for_goodnight_is_kept_at_a_written_step():
    reply = Reply("late nights with no message", intent="goodbye", confidence=0.75)
    assert read(reply, TEXT).kind == "answer"
    assert read(Reply("ok bye", intent="goodbye", confidence=0.75), TEXT).request == "goodbye"
