"""Reading every reply in context: the one place that decides what a reply to a question is.

`handle_reply` runs for every message while a question waits for its answer (the question
form's validator calls it): a clear safety signal first, then the reply read against what
the question expects (actions/dialogue/reading.py), then the question's handler acts on the
reading. `ask_pending` is the form's ask action: it says the waiting question in full.
"""

from __future__ import annotations

from actions.dialogue import moves, requests
from actions.dialogue.handlers import handler_for
from actions.dialogue.question import Question, ask_again, pending, put
from actions.dialogue.reading import read
from actions.dialogue.reply import reply_of
from actions.dialogue.turn import Turn
from actions.safety import flow as safety_flow


def handle_reply(turn: Turn, question: Question) -> None:
    handler = handler_for(question)
    reply = reply_of(turn.tracker)
    reading = read(reply, handler.expectation(turn, question))
    if safety_flow.takes_over(turn, question, reading):
        return
    if reading.kind == "answer":
        handler.answer(turn, question, reading)
    elif reading.kind == "question" and reading.faq:
        moves.say_faq(turn, reading.faq)
        ask_again(turn, question)
    elif reading.kind == "request":
        requests.during_question(turn, question, reading.request)
    elif reading.kind == "control":
        handler.control(turn, question, reading.control)
    elif reading.kind == "digression":
        handler.digression(turn, question, reading.theme)
    else:  # a non-answer, a question we cannot answer, or nothing that fits
        handler.miss(turn, question, reading)
    if not turn.dispatcher.messages and pending(turn) is None:
        turn.say("utter_question_left")  # never a turn without a reply


def ask_pending(turn: Turn) -> None:
    question = pending(turn)
    if question is None or not question.say:
        return
    if question.lead:
        turn.say(question.lead)
    handler_for(question).render(turn, question)
    question.lead, question.say = None, False
    put(turn, question)
