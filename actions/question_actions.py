"""The question form: while the assistant waits for an answer, every reply comes here.

`question_form` (domain.yml) requires one slot, `reply`, filled from the text of every message
while the form asks for it. Which question is waiting lives in the `question` slot.

- `action_ask_reply` (the form's ask action) says the waiting question in full when it has
  not been said yet (after a re-ask it is already on screen).
- `validate_question_form` reads the reply in context (actions/dialogue/conversation.py) and
  lets the question's handler act: an answer leads on (to the next step, an exercise, a
  confirmation carried out), a miss is asked again once and then let go. When another
  question is waiting afterwards, `reply` is emptied and the form asks it; when none is,
  `reply` is filled and the form ends.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.dialogue.conversation import ask_pending, handle_reply
from actions.dialogue.question import pending
from actions.dialogue.turn import Turn

FORM_DONE = "__answered__"  # filling `reply` with this ends the form


class ActionAskReply(Action):
    def name(self) -> str:
        return "action_ask_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        ask_pending(turn)
        return turn.events()


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
            return await super().run(dispatcher, tracker, domain)
        # Read here rather than in validate_reply: a reply may also need events that are
        # not slot values (forgetting everything after "delete my data").
        turn = Turn(dispatcher, tracker)
        question = pending(turn)
        handle_reply(turn, question)
        turn.set(slots.REPLY, None if pending(turn) else FORM_DONE)
        return turn.events()

    def validate_reply(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {slots.REPLY: value}
