"""Setting, showing, moving and stopping reminders in chat, the check-in ritual's offer, a
due check-in at the next visit, and the question first after an abuse disclosure: whole
conversations through the real actions and the question form (tests/support/dialogue.py)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from actions.persistence.access import reminder_store
from actions.persistence.models import utcnow
from tests.support.dialogue import Talk


@pytest.fixture
def talk(repo) -> Talk:
    return Talk(slots={"welcomed": True})


def set_tuesday_evening(talk: Talk) -> None:
    talk.say("remind me every Tuesday at 8", intent="set_reminder")
    assert talk.responses == ["utter_ask_reminder_ampm"]
    talk.say("evening")
    assert talk.responses == ["utter_ask_reminder_time_zone"]
    talk.say("London")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    assert talk.last[0]["cadence"] == "every Tuesday" and talk.last[0]["time"] == "20:00"
    talk.say("yes")


def test_remind_me_every_tuesday_at_8_confirms_day_time_and_time_zone(talk):
    set_tuesday_evening(talk)
    assert talk.responses == ["utter_reminder_set", "utter_reminder_set_next_visit"]
    reminder = reminder_store().active_for("person-1")
    due = reminder.next_due_at.astimezone(ZoneInfo("Europe/London"))
    assert (due.weekday(), due.hour, due.minute) == (1, 20, 0)
    assert reminder.time_zone == "Europe/London" and reminder.channel == "rest"
    assert talk.slots["question"] is None


def test_the_time_zone_is_asked_once_and_remembered(talk):
    set_tuesday_evening(talk)
    talk.say("set a reminder for sunday at 7pm", intent="set_reminder")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    assert talk.last[0]["time_zone"] == "Europe/London"


def test_missing_details_are_asked_one_at_a_time_and_several_can_come_at_once(talk):
    talk.say("set a reminder", intent="set_reminder")
    assert talk.responses == ["utter_ask_reminder_day"]
    talk.say("thursdays at 19:30 please, new york time")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    assert (talk.last[0]["cadence"], talk.last[0]["time"]) == ("every Thursday", "19:30")
    assert talk.last[0]["time_zone"] == "America/New_York"


def test_a_day_that_is_not_a_day_is_asked_again_once_then_nothing_is_set(talk):
    talk.say("set a reminder", intent="set_reminder")
    talk.say("whenever really")
    assert talk.responses == ["utter_reask_reminder_day"]
    talk.say("hmm")
    assert talk.responses == ["utter_reminder_not_set"]
    assert reminder_store().active_for("person-1") is None


def test_a_different_time_at_the_confirmation_changes_the_draft(talk):
    talk.say("remind me mondays 8pm uk time", intent="set_reminder")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    talk.say("actually make it 9pm")
    assert talk.responses == ["utter_ask_reminder_confirm"] and talk.last[0]["time"] == "21:00"


def test_show_move_and_stop(talk):
    set_tuesday_evening(talk)
    talk.say("show my reminders", intent="show_reminders")
    assert talk.responses == ["utter_reminder_shown"]
    assert [b["title"] for b in talk.buttons] == ["Move it", "Stop reminders"]
    talk.say("move it to Monday 8pm", intent="change_reminder")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    assert (talk.last[0]["cadence"], talk.last[0]["time"]) == ("every Monday", "20:00")
    talk.say("yes")
    reminder = reminder_store().active_for("person-1")
    assert (reminder.weekday, reminder.hour) == (0, 20)
    talk.say("stop the reminders", intent="stop_reminders")
    assert talk.responses == ["utter_reminders_stopped"]
    assert reminder_store().active_for("person-1") is None
    talk.say("show my reminders", intent="show_reminders")
    assert talk.responses == ["utter_no_reminders"]


def test_moving_only_the_time_keeps_the_day(talk):
    set_tuesday_evening(talk)
    talk.say("/change_reminder")  # the "Move it" button
    assert talk.responses == ["utter_ask_reminder_new_time"]
    talk.say("7pm")
    assert (talk.last[0]["cadence"], talk.last[0]["time"]) == ("every Tuesday", "19:00")


def test_after_an_abuse_disclosure_the_person_is_asked_before_any_reminder(talk):
    talk.slots["abuse_disclosed"] = True
    talk.say("remind me every sunday at 7pm", intent="set_reminder")
    talk.say("Berlin")
    assert talk.responses == ["utter_ask_reminder_privacy"]
    talk.say("no, he checks my phone")
    assert talk.responses == ["utter_reminder_not_set"]
    assert reminder_store().active_for("person-1") is None


def test_after_an_abuse_disclosure_a_yes_sets_it_and_it_is_sent(talk):
    talk.slots["abuse_disclosed"] = True
    talk.say("remind me every sunday at 7pm berlin time", intent="set_reminder")
    talk.say("yes, my phone is private")
    assert talk.responses == ["utter_ask_reminder_confirm"]
    talk.say("yes")
    assert reminder_store().active_for("person-1").privacy_ok


def finish_check_in(talk: Talk, day: str = "sunday", frequency: str = "every two weeks") -> None:
    talk.say("can we set up a weekly talk", intent="regular_check_ins")
    talk.say("yes")
    talk.say(frequency)
    talk.say(day)
    talk.say("30 minutes")
    talk.press("Continue")
    talk.say("keep it")
    talk.say("phones stay in another room")


def test_the_check_in_ritual_ends_by_offering_a_reminder_for_the_chosen_day(talk):
    finish_check_in(talk)
    assert "utter_ask_reminder_offer" in talk.responses
    assert talk.last[-1]["day"] == "Sunday"
    talk.say("yes please")
    assert talk.responses == ["utter_ask_reminder_time"]
    talk.say("7pm")
    talk.say("Dublin")
    assert talk.last[0]["cadence"] == "every other Sunday"
    talk.say("yes")
    reminder = reminder_store().active_for("person-1")
    assert (reminder.weekday, reminder.hour, reminder.every_weeks) == (6, 19, 2)


def test_a_midweek_check_in_asks_which_day(talk):
    finish_check_in(talk, day="midweek", frequency="once a week")
    talk.say("yes")
    assert talk.responses == ["utter_ask_reminder_day"]


def test_the_offer_declined_sets_nothing(talk):
    finish_check_in(talk)
    talk.say("no thanks")
    assert talk.responses == ["utter_reminder_offer_declined"]
    assert reminder_store().active_for("person-1") is None


def make_due(sender: str = "person-1") -> None:
    """The scheduler marked the reminder's due time for the next visit."""
    store = reminder_store()
    reminder = store.active_for(sender)
    store.claim(
        reminder.id, reminder.next_due_at, reminder.next_due_at + timedelta(weeks=1), "waiting"
    )


def test_a_check_in_due_while_away_is_shown_at_the_next_visit_and_opens_the_check_in(talk):
    talk.channel = "socketio"
    set_tuesday_evening(talk)
    talk.say("/visit")
    assert talk.last == []  # nothing due: the widget shows nothing
    make_due()
    talk.say("/visit")
    assert talk.responses == ["utter_ask_reminder_due"] and talk.last[0]["day"] == "Tuesday"
    talk.say("yes")
    assert "check-in" in talk.text.lower() and "Question 1" in talk.text
    talk.say("/visit")
    assert talk.last == []  # shown once; the step waiting is not said again
    assert talk.slots["question"]["id"] == "exercise_step"


def test_a_returning_greeting_shows_a_due_check_in(talk):
    set_tuesday_evening(talk)
    make_due()
    talk.say("hi", intent="greet")
    assert talk.responses == ["utter_ask_reminder_due"]
    talk.say("not now")
    assert talk.responses == ["utter_reminder_due_later"]


def test_deleting_everything_removes_the_reminders(talk):
    set_tuesday_evening(talk)
    talk.say("delete my data", intent="delete_my_data")
    talk.say("yes delete everything")
    assert reminder_store().active_for("person-1") is None
    assert reminder_store().due(utcnow() + timedelta(weeks=2)) == []


def test_export_includes_reminders_and_time_zone(talk, repo):
    set_tuesday_evening(talk)
    exported = repo.export_person("person-1")
    assert exported["time_zone"] == "Europe/London"
    assert exported["reminders"][0]["time"] == "20:00" and exported["reminders"][0]["active"]
