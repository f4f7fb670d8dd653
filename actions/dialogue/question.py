"""The question the assistant is waiting for an answer to, kept in the `question` slot.

Only what cannot be derived is stored: which question (its handler's id and arguments), how
many replies missed it, and the button titles shown (their typed labels are read too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions import slots
from actions.dialogue.turn import Turn


@dataclass
class Question:
    id: str
    args: dict[str, Any] = field(default_factory=dict)
    misses: int = 0  # replies that did not answer it, since it was first asked
    lead: str | None = None  # a response said just before it is asked (again)
    say: bool = True  # the form's ask action still has to say it (False after a re-ask)
    shown: list[str] = field(default_factory=list)  # button titles of the last asking

    def as_slot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "args": self.args,
            "misses": self.misses,
            "lead": self.lead,
            "say": self.say,
            "shown": self.shown,
        }

    @classmethod
    def from_slot(cls, value: Any) -> Question | None:
        if not isinstance(value, dict) or not value.get("id"):
            return None
        return cls(
            id=value["id"],
            args=dict(value.get("args") or {}),
            misses=int(value.get("misses") or 0),
            lead=value.get("lead"),
            say=bool(value.get("say", True)),
            shown=list(value.get("shown") or []),
        )


def pending(turn: Turn) -> Question | None:
    return Question.from_slot(turn.slot(slots.QUESTION))


def ask(turn: Turn, question_id: str, lead: str | None = None, **args: Any) -> Question:
    """Makes `question_id` the question waiting for an answer; the form asks it next."""
    question = Question(question_id, args, lead=lead)
    put(turn, question)
    turn.set(slots.SET_ASIDE, None)  # a new question: the one left for a break is old news
    return question


def put(turn: Turn, question: Question) -> None:
    turn.set(slots.QUESTION, question.as_slot())
    turn.set(slots.REPLY, None)  # an old reply must not complete the form at once


def ask_again(turn: Turn, question: Question, lead: str | None = "utter_back_to_question") -> None:
    """The same question in full once more, after an interruption (a question answered, a
    request done): with a short lead-in, so it never repeats the previous message as is."""
    question.lead, question.say = lead, True
    put(turn, question)


def reask(turn: Turn, question: Question, response: str, buttons: list, **values) -> None:
    """A reply missed the question: say so in other words, with the way out, and count it."""
    question.misses += 1
    question.say = False
    question.shown = [b["title"] for b in buttons]
    turn.say(response, buttons=buttons, **values)
    put(turn, question)


def close(turn: Turn) -> None:
    """Nothing is asked any more."""
    turn.set(slots.QUESTION, None)


def set_aside(turn: Turn, question: Question) -> None:
    """A break ("brb", "pause" outside an exercise): nothing is asked meanwhile, and the
    question is kept to be asked again when the person is back."""
    close(turn)
    turn.set(slots.SET_ASIDE, question.as_slot())


def take_set_aside(turn: Turn) -> Question | None:
    question = Question.from_slot(turn.slot(slots.SET_ASIDE))
    if question is not None:
        turn.set(slots.SET_ASIDE, None)
    return question
