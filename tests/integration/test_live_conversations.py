"""End to end: the trained model, the Rasa server and the action server, over REST.

Asserts on what a person sees (the bot's words and buttons) and on the saved rows.
"""

from __future__ import annotations

import pytest

from actions.exercises.catalogue import load_exercises
from actions.persistence.database import Database
from actions.persistence.repository import Repository
from tests.support.live import LiveServers

pytestmark = pytest.mark.live


@pytest.fixture
def servers(shared_servers: LiveServers) -> LiveServers:
    return shared_servers


@pytest.fixture
def saved(servers):
    repo = Repository(Database(servers.database_url))
    yield repo
    repo.database.dispose()


def test_welcome_says_it_is_automated_self_help(servers):
    chat = servers.chat("welcome")
    chat.say("hi")
    assert "automated self-help assistant" in chat.text and "not a therapist" in chat.text
    chat.say("are you a real person?")
    assert "not a human" in chat.text


def test_a_theme_message_is_reflected_and_the_exercise_offered(servers):
    chat = servers.chat("theme")
    chat.say("i found messages from another man on my wife's phone")
    assert "automated self-help assistant" in chat.text  # first contact: disclosure first
    assert "Understanding what happened" in chat.text
    assert [b["title"] for b in chat.buttons()] == ["Yes, let's start", "Not now"]


def test_the_self_check_end_to_end_with_buttons(servers, saved):
    chat = servers.chat("self-check")
    chat.say("i keep tracking where she is on my phone all day")
    chat.press("Yes, let's start")
    assert "Question 1 of 7" in chat.text
    assert '"Often"' in chat.text  # "all day" was already an answer: offered back
    chat.press("Yes, that's right")
    for answer in ["Sometimes", "Rarely or never", "Often", "Sometimes", "Often"]:
        chat.press(answer)
    assert "Question 7 of 7" in chat.text
    chat.say("eleven")  # not one of the options: asked again, gently, with the options
    assert chat.said("utter_step_unclear_choice")
    assert "Often" in [b["title"] for b in chat.buttons()]
    chat.press("Often")
    assert "Your trust-signs self-check" in chat.text
    assert "Your score: 10 out of 14" in chat.text
    runs = saved.finished_runs("self-check")
    assert len(runs) == 1 and runs[0].score == 10 and len(runs[0].answers) == 7

    chat.say("show my summaries")
    assert "Your trust-signs self-check" in chat.text and "Your score: 10 out of 14" in chat.text


def test_crisis_mid_exercise_stops_it_until_they_are_safe(servers, saved):
    chat = servers.chat("crisis")
    chat.say('/start_exercise{"exercise":"signs_of_eroded_trust"}')
    chat.press("Often")
    chat.say("honestly i just want to die")
    assert "findahelpline.com" in chat.text and "I'm safe right now" in [
        b["title"] for b in chat.buttons()
    ]
    assert saved.latest_open_run("crisis").status == "paused"
    chat.say("we were talking about something again after a setback")
    assert "Question" not in chat.text and "Would you like to try" not in chat.text
    chat.press("I'm safe right now")
    assert chat.said("utter_safe_glad")
    assert "Would you like" not in chat.text  # no exercise offer inside the safety flow
    chat.say("i'd rather not say")
    chat.say("continue my exercise")
    assert "Question 2 of 7" in chat.text


def test_abuse_gates_the_forgiveness_exercise(servers):
    chat = servers.chat("abuse")
    chat.say("my boyfriend slapped me last night when i asked about the texts")
    assert "not your fault" in chat.text
    chat.press("I'm safe right now")
    chat.say("how do i forgive him")
    assert "Forgiveness steps" not in chat.text
    assert "not going to walk you through this exercise" in chat.text


def test_pause_and_resume_after_the_action_server_restarts(servers, saved):
    chat = servers.chat("restart")
    chat.say('/start_exercise{"exercise":"monitor_progress"}')
    chat.press("4")
    chat.say("let's stop here for now, i'll finish later")
    assert "saved" in chat.text
    servers.stop_action_server()
    servers.start_action_server()
    chat.say("continue my exercise")
    assert chat.said("utter_exercise_resumed") and "Question 2 of" in chat.text
    run = saved.latest_open_run("restart")
    assert run.answers["honesty"] == {"value": "4", "number": 4}


@pytest.mark.parametrize("index, exercise_id", list(enumerate(sorted(load_exercises()))))
def test_every_exercise_can_be_walked_to_its_summary(servers, saved, index, exercise_id):
    exercise = load_exercises()[exercise_id]
    chat = servers.chat(f"walk-{exercise_id}")
    chat.say(f'/start_exercise{{"exercise":"{exercise_id}"}}')
    role = "I was hurt" if index % 2 else "I broke the trust"
    for _ in range(12):
        if "I've saved this summary" in chat.text:
            break
        choices = [b for b in chat.buttons() if b["payload"].startswith("/choose")]
        if any(b["title"] == role for b in choices):
            chat.press(role)
        elif choices:
            chat.say(choices[-1]["payload"])
        else:
            chat.say("this is what i would say, in my own words")
    assert exercise.summary.title in chat.text
    assert "I've saved this summary" in chat.text
    finished = saved.finished_runs(f"walk-{exercise_id}")
    assert [run.exercise_id for run in finished] == [exercise_id]
    assert finished[0].answers


def test_an_unclear_message_gets_a_question_with_theme_buttons_and_no_loop(servers):
    chat = servers.chat("unsure")
    chat.say("hi")
    chat.say("things are weird")
    titles = [b["title"] for b in chat.buttons()]
    assert chat.said("utter_clarify_theme")
    assert 2 <= len(titles) <= 4 and titles[-1] == "Something else"
    chat.say("hmm")
    assert chat.said("utter_clarify_reask")  # once more, with the same few themes
    chat.say("hmm")
    assert "journey" in chat.text and 3 <= len(chat.buttons()) <= 6  # the stages, not 15 topics
    first = chat.text
    chat.say("hmm")
    assert chat.text != first


def test_an_empty_message_gets_an_answer_and_an_exercise_goes_on_after_it(servers):
    chat = servers.chat("empty")
    chat.say("")
    assert "not sure I understood" in chat.text and chat.buttons()
    chat.say("i keep tracking where she is on my phone all day")
    chat.press("Yes, let's start")
    chat.say("   ")
    assert chat.said("utter_step_non_answer_choice")
    assert "Often" in [b["title"] for b in chat.buttons()]
    chat.press("Often")
    assert "Question 2 of 7" in chat.text


def test_delete_my_data_erases_the_answers_and_the_conversation(servers, saved):
    import sqlite3

    chat = servers.chat("forget-me")
    chat.say("i lied to my wife about the gambling debts")
    chat.press("Yes, let's start")  # "i lied" told it the role: confirmed, not asked
    assert "I broke the trust" in chat.text
    chat.press("Yes, that's right")
    chat.say("i hid forty thousand in debt from her")
    assert saved.latest_open_run("forget-me").answers
    chat.say("delete my data")
    chat.press("Yes, delete everything")
    assert "deleted everything" in chat.text
    assert saved.export_person("forget-me") == {}
    with sqlite3.connect(servers.tracker_db) as db:
        stored = [
            row[0] for row in db.execute("select data from events where sender_id = 'forget-me'")
        ]
    assert stored, "the conversation after the deletion is still kept"
    assert not any("gambling" in data or "forty thousand" in data for data in stored)
    chat.say("hi")  # a fresh start: the full welcome again
    assert "automated self-help assistant" in chat.text


def test_goodbye_says_saved_only_when_something_was_written(servers):
    chat = servers.chat("goodbye-nothing")
    chat.say("hi")
    chat.say("bye")
    assert chat.said("utter_goodbye") and "saved" not in chat.text.lower()

    chat = servers.chat("goodbye-kept")
    chat.say('/start_exercise{"exercise":"trust_breach"}')
    chat.press("I was hurt")
    for _ in range(3):  # past the information steps to the first written answer
        if "Continue" not in [b["title"] for b in chat.buttons()]:
            break
        chat.press("Continue")
    chat.say("he hid a second phone for a year")
    chat.say("ok bye for now")
    assert "saved" in chat.text.lower()
