"""The question form: while the assistant waits for an answer, every reply comes here.

`question_form` (domain.yml) requires one slot, `reply`, filled from the text of every message
while the form asks for it. Which question is waiting lives in the `question` slot.

- `validate_question_form` reads the reply in context (actions/dialogue/conversation.py) and
  lets the question's handler act: an answer leads on (to the next step, an exercise, a
  confirmation carried out), a miss is asked again once and then let go. When another
  question is waiting afterwards, `reply` is emptied and the form stays; when none is,
  `reply` is filled and the form ends.
- The same call then says the waiting question in full when it has not been said yet (after
  a re-ask it is already on screen). There is no ask action: Rasa's form calls the
  validation before it would ask, every time (on activation, after each reply, on coming
  back from an interruption), and with no `action_ask_reply` in the domain it asks nothing
  itself. That saves one round trip to this server on every turn of a question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.dialogue.conversation import ask_pending, handle_reply
from actions.dialogue.question import pending
from actions.dialogue.turn import Turn

FORM_DONE = "__answered__"  # filling `reply` with this ends the form


class ValidateQuestionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_question_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Nothing waiting for an answer: nothing to ask, so the form ends at once.
        return domain_slots if tracker.get_slot(slots.QUESTION) else []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said = tracker.slots_to_validate().get(slots.REPLY)
        if said is None or not tracker.get_slot(slots.QUESTION):
            # Activation, or back after an interruption: nothing to read, only to ask.
            events = await super().run(dispatcher, tracker, domain)
            turn = Turn(dispatcher, tracker)
            ask_pending(turn)
            return events + turn.events()
        # Read here rather than in validate_reply: a reply may also need events that are
        # not slot values (forgetting everything after "delete my data").
        turn = Turn(dispatcher, tracker)
        handle_reply(turn, pending(turn))
        if pending(turn):
            turn.set(slots.REPLY, None)
            ask_pending(turn)
        else:
            turn.set(slots.REPLY, FORM_DONE)
        return turn.events()

    def validate_reply(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {slots.REPLY: value}
