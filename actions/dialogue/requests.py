"""Requests that are not answers (export, delete, help, a greeting, "that's enough for today"):
answered the same way at the top level and in the middle of a question, after which the
question is asked again (or left, when the request ends the conversation)."""

from __future__ import annotations

from actions.dialogue.question import Question, ask, ask_again, close, put
from actions.dialogue.turn import Turn
from actions.exercises.state import ExerciseState

OFFERS = frozenset({"offer", "next_exercise", "resume_offer", "digression"})
ENDINGS = frozenset({"goodbye", "stop_talking"})
LISTENING = frozenset({"are_you_safe"})


def during_question(turn: Turn, question: Question, intent: str) -> None:
    from actions.dialogue import exercise_flow, moves

    in_exercise = question.id == "exercise_step" and ExerciseState.of(turn) is not None
    if intent == "visit":  # the widget reopened mid-question: the question is on screen
        question.say = False
        put(turn, question)
        return
    if intent in ENDINGS or (intent == "thanks" and question.id in OFFERS):
        if in_exercise:
            exercise_flow.pause(turn, closing=True)
        else:
            close(turn)
            if intent == "stop_talking":
                turn.say("utter_stop_talking")
            else:
                moves.say_goodbye(turn)
        return
    if intent == "delete_my_data":
        ask(turn, "confirm_delete", then=question.as_slot())
        return
    if intent == "start_exercise" and not in_exercise:
        exercise_flow.start(turn, moves.wanted_exercise(turn))
        return
    if intent in ("set_reminder", "change_reminder") and not in_exercise:
        from actions.dialogue import reminder_flow  # reminders build on requests

        reminder_flow.ASKING[intent](turn)
        return
    if intent == "help" and not in_exercise:
        close(turn)
        moves.list_topics(turn)
        return
    moves.answer_request(turn, intent, in_exercise=in_exercise)
    if question.id in LISTENING:
        question.say = False  # the safety flow keeps listening; it does not ask again
        put(turn, question)
    else:
        ask_again(turn, question)
