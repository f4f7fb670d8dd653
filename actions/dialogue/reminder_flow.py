"""Check-in reminders in chat: set one ("remind me every Tuesday at 8"), show, move, stop, the
offer at the end of the check-in ritual, and a due reminder shown at the next visit.

Setting or moving a reminder is a short run of questions over one draft (the question's
args): the day, the time, morning or evening when "at 8" does not say, the time zone (asked
once, then remembered), a yes after an abuse disclosure, and a confirmation. Each question
asks only for what is still missing; the handlers are in reminder_questions.py.
"""

from __future__ import annotations

import logging

from actions.buttons import button
from actions.dialogue.question import ask, close
from actions.dialogue.turn import Turn
from actions.persistence.access import reminder_store
from actions.persistence.models import utcnow
from actions.persistence.reminders import NewReminder, ReminderView
from actions.persistence.repository import StorageUnavailable
from actions.reminders.schedule import Schedule, first_due, read_schedule
from actions.reminders.scheduler import PUSH_CHANNELS
from actions.reminders.texts import texts
from actions.reminders.words import day_name
from actions.safety.gate import abuse_disclosed
from actions.tracker_facts import channel_of

logger = logging.getLogger(__name__)
CHECK_IN = "regular_check_ins"
# The check-in ritual's day and frequency answers, as a reminder draft.
CHECK_IN_DAYS = {"monday": 0, "friday": 4, "saturday": 5, "sunday": 6}
CHECK_IN_WEEKS = {"weekly": 1, "twice_a_week": 1, "every_two_weeks": 2}


# --- describing a schedule ------------------------------------------------------------------
def describe(draft: dict) -> dict[str, str]:
    """The response variables that say a schedule back: cadence ("every Tuesday"), time."""
    template = texts().every_two_weeks if draft.get("every_weeks") == 2 else texts().every_week
    return {
        "cadence": template.format(day=day_name(draft["weekday"])),
        "time": f"{draft['hour']:02d}:{draft.get('minute') or 0:02d}",
        "time_zone": draft["time_zone"],
    }


def draft_of(reminder: ReminderView) -> dict:
    return {
        "weekday": reminder.weekday,
        "hour": reminder.hour,
        "minute": reminder.minute,
        "every_weeks": reminder.every_weeks,
        "time_zone": reminder.time_zone,
        "privacy_ok": reminder.privacy_ok,
    }


def known_time_zone(turn: Turn) -> str | None:
    try:
        return reminder_store().time_zone(turn.sender_id)
    except StorageUnavailable:
        return None


def active_reminder(turn: Turn) -> ReminderView | None:
    return reminder_store().active_for(turn.sender_id)


def latest_text(turn: Turn) -> str:
    text = turn.said
    return "" if text.startswith("/") else text


# --- the draft, one question at a time ------------------------------------------------------
def continue_draft(turn: Turn, draft: dict) -> None:
    """Asks for the first thing the draft still lacks, or for the confirmation."""
    if draft.get("weekday") is None:
        ask(turn, "reminder_day", draft=draft)
    elif draft.get("hour") is None:
        ask(turn, "reminder_time", draft=draft)
    elif draft.get("ambiguous"):
        ask(turn, "reminder_ampm", draft=draft, hour=str(draft["hour"]))
    elif not (draft.get("time_zone") or known_time_zone(turn)):
        ask(turn, "reminder_time_zone", draft=draft)
    else:
        draft["time_zone"] = draft.get("time_zone") or known_time_zone(turn)
        if abuse_disclosed(turn.tracker) and not draft.get("privacy_ok"):
            ask(turn, "reminder_privacy", draft=draft)
        else:
            ask(turn, "reminder_confirm", draft=draft, **describe(draft))


def save(turn: Turn, draft: dict) -> None:
    close(turn)
    schedule = Schedule(
        draft["weekday"], draft["hour"], draft.get("minute") or 0, draft.get("every_weeks") or 1
    )
    channel = channel_of(turn.tracker)
    new = NewReminder(
        weekday=schedule.weekday,
        hour=schedule.hour,
        minute=schedule.minute,
        every_weeks=schedule.every_weeks,
        time_zone=draft["time_zone"],
        next_due_at=first_due(schedule, draft["time_zone"], utcnow()),
        privacy_ok=bool(draft.get("privacy_ok")),
    )
    try:
        reminder_store().save(turn.sender_id, channel, new)
    except StorageUnavailable:
        turn.say("utter_reminder_not_saved")
        return
    turn.say("utter_reminder_set", **describe(draft))
    if channel not in PUSH_CHANNELS:
        turn.say("utter_reminder_set_next_visit")


# --- moves ----------------------------------------------------------------------------------
def set_reminder(turn: Turn) -> None:
    """ "Remind me every Tuesday at 8": what the message says, then what is missing."""
    close(turn)
    said = read_schedule(latest_text(turn))
    continue_draft(turn, said.over({"every_weeks": 1}))


def change_reminder(turn: Turn) -> None:
    """ "Move it to Monday 8pm": the active reminder with what the message changes."""
    close(turn)
    try:
        reminder = active_reminder(turn)
    except StorageUnavailable:
        turn.say("utter_reminders_unavailable")
        return
    said = read_schedule(latest_text(turn))
    if reminder is None:
        if said.says_anything:
            continue_draft(turn, said.over({"every_weeks": 1}))
        else:
            say_none(turn)
        return
    if not said.says_anything:
        ask(turn, "reminder_new_time", draft=draft_of(reminder))
        return
    continue_draft(turn, said.over(draft_of(reminder)))


def show_reminders(turn: Turn) -> None:
    try:
        reminder = active_reminder(turn)
    except StorageUnavailable:
        turn.say("utter_reminders_unavailable")
        return
    if reminder is None:
        say_none(turn)
        return
    buttons = [
        button(texts().move_button, "change_reminder"),
        button(texts().stop_button, "stop_reminders"),
    ]
    turn.say("utter_reminder_shown", buttons=buttons, **describe(draft_of(reminder)))
    if reminder.held:
        ask(turn, "reminder_privacy", draft=draft_of(reminder), existing=True)


def stop_reminders(turn: Turn) -> None:
    close(turn)
    try:
        stopped = reminder_store().stop(turn.sender_id)
    except StorageUnavailable:
        turn.say("utter_reminders_unavailable")
        return
    turn.say("utter_reminders_stopped" if stopped else "utter_no_reminders")


def say_none(turn: Turn) -> None:
    turn.say("utter_no_reminders", buttons=[button(texts().set_button, "set_reminder")])


def offer_after_check_in(turn: Turn, answers: dict) -> None:
    """The check-in ritual's last word: a reminder on the day the person chose."""
    day = (answers.get("day") or {}).get("value")
    frequency = (answers.get("frequency") or {}).get("value")
    draft = {"weekday": CHECK_IN_DAYS.get(day), "every_weeks": CHECK_IN_WEEKS.get(frequency, 1)}
    if draft["weekday"] is None:
        ask(turn, "reminder_offer", draft=draft, day=texts().your_day)
    else:
        ask(turn, "reminder_offer", draft=draft, day=day_name(draft["weekday"]))


def show_waiting(turn: Turn) -> bool:
    """At a visit: a check-in that came due while the person was away, shown once."""
    try:
        reminder = reminder_store().take_waiting(turn.sender_id)
    except StorageUnavailable:
        return False
    if reminder is None:
        return False
    ask(turn, "reminder_due", day=day_name(reminder.weekday))
    return True


def note_visit(turn: Turn) -> None:
    """A returning person opened the widget: a waiting check-in, or nothing at all."""
    show_waiting(turn)


# Answered like any request, also while another question waits (actions/dialogue/moves.py).
REQUESTS = {"show_reminders": show_reminders, "stop_reminders": stop_reminders}
# Requests that start the reminder questions (they replace a question that was waiting).
ASKING = {"set_reminder": set_reminder, "change_reminder": change_reminder}
