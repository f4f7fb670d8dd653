"""What each question does with a reply: the handler registry and the shared base.

A handler says what its question expects, how it is asked, and what each kind of reading
leads to. The order in which a reply is read, and what every question does with a question
back, a request or a second miss, live in `actions/dialogue/conversation.py`; a handler only
overrides what is particular to its question.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from typing import ClassVar

from actions.buttons import button
from actions.dialogue.fixed_questions import options_for
from actions.dialogue.question import Question, close, put, reask, set_aside
from actions.dialogue.reading import Expectation, Reading
from actions.dialogue.turn import Turn


def handler_for(question: Question) -> Handler:
    return _registry()[question.id]


@lru_cache(maxsize=1)
def _registry() -> dict[str, Handler]:
    """Every concrete handler by its question id (the modules that define them)."""
    from actions.dialogue import exercise_flow, offers, reminder_questions  # noqa: F401
    from actions.safety import flow  # noqa: F401

    found: dict[str, Handler] = {}
    pending = list(Handler.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if getattr(cls, "id", None):
            if cls.id in found and type(found[cls.id]) is not cls:
                raise ValueError(f"two handlers for the question {cls.id!r}")
            found[cls.id] = cls()
    return found


def option_buttons(question_id: str) -> list[dict[str, str]]:
    return [button(o.title, "choose", choice=o.value) for o in options_for(question_id) if o.button]


class Handler(ABC):
    id: ClassVar[str]
    ask_response: ClassVar[str | None] = None  # utter_ask_<id> by default
    reask_response: ClassVar[str | None] = None  # utter_reask_<id> by default

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        return Expectation("choice", options_for(self.id), by_position=False)

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return option_buttons(self.id)

    def values(self, turn: Turn, question: Question) -> dict:
        """Variables of the question's responses."""
        return dict(question.args)

    def render(self, turn: Turn, question: Question) -> None:
        """Says the question in full, with its buttons."""
        buttons = self.buttons(turn, question)
        question.shown = [b["title"] for b in buttons]
        turn.say(
            self.ask_response or f"utter_ask_{self.id}",
            buttons=buttons,
            **self.values(turn, question),
        )

    @abstractmethod
    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        """An expected answer: what it leads to."""

    def explain(self, turn: Turn, question: Question) -> bool:
        """ "Why?", "what is this for?" about the question: answered, and the question stands.
        False where there is nothing more to say than the question itself (a miss then)."""
        return False

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        """A reply that did not answer: asked again once, differently, then left. A first
        question back that nothing else answered ("why are you asking me that") is taken as
        being about this question."""
        if reading.kind == "question" and question.misses == 0 and self.explain(turn, question):
            return
        if question.misses >= 1:
            self.give_up(turn, question)
            return
        reask(
            turn,
            question,
            self.reask_response or f"utter_reask_{self.id}",
            self.buttons(turn, question),
            **self.values(turn, question),
        )

    def give_up(self, turn: Turn, question: Question) -> None:
        """A second miss: the question is let go, saying so (handlers may say more)."""
        close(turn)
        turn.say("utter_question_left")

    def control(self, turn: Turn, question: Question, control: str) -> None:
        """Exercise words outside an exercise: "stop" ends the question kindly, "pause" or
        "brb" keeps it for when the person is back, "continue" picks up a paused exercise (or
        this question), "why?" is explained where the handler can; anything else is asked
        again."""
        from actions.dialogue import exercise_flow  # exercises build on handlers

        if control == "stop":
            close(turn)
            turn.say("utter_stop_talking")
        elif control == "pause":
            set_aside(turn, question)
            turn.say("utter_break_question_kept")
        elif control == "resume":
            exercise_flow.resume(turn)
        elif not (control == "explain" and self.explain(turn, question)):
            self.miss(turn, question, Reading("unclear"))

    def digression(self, turn: Turn, question: Question, theme: str) -> None:
        """Another topic instead of an answer: the question is dropped for it."""
        from actions.dialogue.offers import offer_theme  # offers build on handlers

        close(turn)
        offer_theme(turn, theme)

    def keep(self, turn: Turn, question: Question) -> None:
        put(turn, question)
