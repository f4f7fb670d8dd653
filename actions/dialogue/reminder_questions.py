"""The questions of setting a reminder (reminder_flow.py): each reads its reply against what
it asked, and any other detail said with it ("Tuesday, 8pm" to "which day?") is kept."""

from __future__ import annotations

import contextlib

from actions.dialogue import exercise_flow, reminder_flow
from actions.dialogue.handlers import Handler
from actions.dialogue.question import Question, ask, close
from actions.dialogue.reading import Expectation, Reading
from actions.dialogue.turn import Turn
from actions.persistence.access import reminder_store
from actions.persistence.repository import StorageUnavailable
from actions.reminders.schedule import pm_of, read_schedule, read_time_zone
from actions.tracker_facts import channel_of


def said_over(turn: Turn, question: Question) -> dict:
    """The draft with whatever the latest message says about the schedule."""
    return read_schedule(reminder_flow.latest_text(turn)).over(question.args["draft"])


class ReminderHandler(Handler):
    """Shared by the reminder questions: letting one go means no reminder, said plainly."""

    def give_up(self, turn: Turn, question: Question) -> None:
        close(turn)
        turn.say("utter_reminder_not_set")


class DetailHandler(ReminderHandler):
    """A free-text detail (the day, the time): answered when the reply supplies `needs`."""

    needs: str

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        return Expectation("text")

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return []

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        draft = said_over(turn, question)
        if draft.get(self.needs) is None:
            self.miss(turn, question, reading)
            return
        reminder_flow.continue_draft(turn, draft)


class ReminderDayHandler(DetailHandler):
    id = "reminder_day"
    needs = "weekday"


class ReminderTimeHandler(DetailHandler):
    id = "reminder_time"
    needs = "hour"


class ReminderNewTimeHandler(DetailHandler):
    """ "Move it": when instead? A day, a time or both change the reminder."""

    id = "reminder_new_time"
    needs = "hour"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        said = read_schedule(reminder_flow.latest_text(turn))
        if not said.says_anything:
            self.miss(turn, question, reading)
            return
        reminder_flow.continue_draft(turn, said.over(question.args["draft"]))


class ReminderAmPmHandler(ReminderHandler):
    id = "reminder_ampm"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        draft = dict(question.args["draft"], ambiguous=False)
        if reading.value == "pm":
            draft["hour"] = pm_of(draft["hour"])
        else:
            draft["hour"] = draft["hour"] % 12
        reminder_flow.continue_draft(turn, draft)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        draft = said_over(turn, question)  # "8pm" typed, or "actually 19:30"
        if draft.get("hour") is not None and not draft.get("ambiguous"):
            reminder_flow.continue_draft(turn, draft)
            return
        super().miss(turn, question, reading)


class ReminderTimeZoneHandler(ReminderHandler):
    """Asked once: the answer is stored with the person and used for every reminder."""

    id = "reminder_time_zone"

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        return Expectation("text")

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return []

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        zone_name = read_time_zone(reading.value or "")
        if zone_name is None:
            self.miss(turn, question, reading)
            return
        # Kept in the draft if the database is down; saved with the reminder then.
        with contextlib.suppress(StorageUnavailable):
            reminder_store().set_time_zone(turn.sender_id, channel_of(turn.tracker), zone_name)
        reminder_flow.continue_draft(turn, dict(question.args["draft"], time_zone=zone_name))


class ReminderPrivacyHandler(ReminderHandler):
    """After an abuse disclosure: a notification a partner might see, only with a yes."""

    id = "reminder_privacy"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value != "yes":
            self.decline(turn, question)
            return
        if question.args.get("existing"):
            close(turn)
            reminder_store().allow_after_disclosure(turn.sender_id)
            turn.say("utter_reminder_privacy_kept")
            return
        reminder_flow.continue_draft(turn, dict(question.args["draft"], privacy_ok=True))

    def decline(self, turn: Turn, question: Question) -> None:
        close(turn)
        if question.args.get("existing"):
            reminder_store().stop(turn.sender_id)
            turn.say("utter_reminders_stopped")
        else:
            turn.say("utter_reminder_not_set")

    def give_up(self, turn: Turn, question: Question) -> None:
        self.decline(turn, question)  # unclear twice: the safer side, nothing is sent


class ReminderConfirmHandler(ReminderHandler):
    id = "reminder_confirm"

    def values(self, turn: Turn, question: Question) -> dict:
        return reminder_flow.describe(question.args["draft"])

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "yes":
            reminder_flow.save(turn, question.args["draft"])
        elif reading.value == "change":
            ask(turn, "reminder_new_time", draft=dict(question.args["draft"]))
        else:
            close(turn)
            turn.say("utter_reminder_not_set")

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        said = read_schedule(reminder_flow.latest_text(turn))
        if said.says_anything:  # "make it 9pm instead": the draft changes, asked again
            reminder_flow.continue_draft(turn, said.over(question.args["draft"]))
            return
        super().miss(turn, question, reading)


class ReminderOfferHandler(ReminderHandler):
    """The end of the check-in ritual: a reminder on the chosen day?"""

    id = "reminder_offer"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "yes":
            reminder_flow.continue_draft(turn, said_over(turn, question))
        else:
            close(turn)
            turn.say("utter_reminder_offer_declined")

    def give_up(self, turn: Turn, question: Question) -> None:
        close(turn)
        turn.say("utter_reminder_offer_declined")


class ReminderDueHandler(Handler):
    """A check-in came due while the person was away: do it now?"""

    id = "reminder_due"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "yes":
            exercise_flow.start(turn, reminder_flow.CHECK_IN)
        else:
            close(turn)
            turn.say("utter_reminder_due_later")
