"""Thin Rasa actions for what the person says when no question is waiting: each runs one
move (actions/dialogue/) and, where the move asks something, the rules start the question
form next (data/rules/)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.dialogue import exercise_flow, moves, progress_moves, reminder_flow
from actions.dialogue.question import ask
from actions.dialogue.reading import REQUEST_CONFIDENCE
from actions.dialogue.reply import reply_of
from actions.dialogue.themes_read import answered_as_faq, clarify, offer_for_message, out_of_scope
from actions.dialogue.turn import Turn
from actions.safety import flow as safety_flow
from actions.tracker_facts import latest_entity, latest_intent


class MoveAction(Action, ABC):
    """An action that runs one move over a Turn and returns its events."""

    action_name: str

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def apply(self, turn: Turn) -> None:
        """The move."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        self.apply(turn)
        return turn.events()


# Moves about what the person is going through: where the last few messages add up to a
# safety worry, the gentle check comes first. (Commands, the safety moves themselves and
# questions about the assistant are done as asked.)
HEARS_RECENT = frozenset(
    {
        "action_greet",
        "action_offer_exercise",
        "action_clarify_theme",
        "action_out_of_scope",
        "action_answer_request",
        "action_stop_talking",
    }
)


def _say(response: str) -> Callable[[Turn], None]:
    return lambda turn: turn.say(response)


def unless_asked_about(move: Callable[[Turn], None]) -> Callable[[Turn], None]:
    """A request the classifier is unsure of that is really a question about it ("where is
    my data saved?" is not "export my data"): the FAQ answer the selector is sure of."""

    def guarded(turn: Turn) -> None:
        if reply_of(turn.tracker).confidence < REQUEST_CONFIDENCE and answered_as_faq(turn):
            return
        move(turn)

    return guarded


def _affirm(turn: Turn) -> None:
    """A yes with no question waiting: the exercise offered last, if there was one."""
    offered = turn.slot(slots.OFFERED_EXERCISE)
    if offered and latest_intent(turn.tracker) in ("affirm", "start_exercise"):
        exercise_flow.start(turn, offered)
    else:
        turn.say("utter_affirm_nothing_pending")


def _start(turn: Turn) -> None:
    wanted = latest_entity(turn.tracker, "exercise") or turn.slot(slots.OFFERED_EXERCISE)
    if wanted:
        exercise_flow.start(turn, wanted)
    else:
        _affirm(turn)


def _confirm_safe(turn: Turn) -> None:
    turn.set(slots.SAFETY_CHECK_PENDING, False)
    turn.say("utter_safe_glad")


def _region(turn: Turn) -> None:
    region = safety_flow.said_region(turn, answering=True)
    if region is None:
        turn.say("utter_region_not_understood")
    else:
        safety_flow.set_region(turn, region)


def _default_fallback(turn: Turn) -> None:
    moves.disclose_once(turn)
    turn.say("utter_default")
    # As Rasa's own: forget the message that fitted nothing; the disclosure stays said.
    turn.extra_events.insert(0, UserUtteranceReverted())


MOVES: dict[str, Callable[[Turn], None]] = {
    "action_greet": moves.greet,
    "action_list_topics": moves.list_topics,
    "action_offer_exercise": offer_for_message,
    "action_clarify_theme": clarify,
    "action_out_of_scope": out_of_scope,
    "action_start_exercise": _start,
    "action_resume_exercise": exercise_flow.resume,
    "action_pause_exercise": exercise_flow.pause,
    "action_skip_exercise_step": exercise_flow.nothing_running,
    "action_stop_talking": _say("utter_stop_talking"),
    "action_explain_exercise": _say("utter_explain_exercises"),
    "action_show_summaries": lambda turn: moves.show_summaries(
        turn, latest_entity(turn.tracker, "summary_id") or latest_entity(turn.tracker, "exercise")
    ),
    "action_export_my_data": unless_asked_about(moves.export_data),
    "action_ask_delete": unless_asked_about(lambda turn: ask(turn, "confirm_delete")),
    "action_handle_affirm": _affirm,
    "action_respond_to_crisis": lambda turn: safety_flow.respond(
        turn, safety_flow.categories_of(turn) or ["crisis"]
    ),
    "action_respond_to_abuse": lambda turn: safety_flow.respond(
        turn, safety_flow.categories_of(turn) or ["abuse"]
    ),
    "action_safety_check": safety_flow.check,
    "action_confirm_safe": _confirm_safe,
    "action_handle_false_alarm": lambda turn: ask(turn, "confirm_misunderstanding"),
    "action_set_region": _region,
    "action_answer_request": lambda turn: moves.answer_request(
        turn, latest_intent(turn.tracker) or ""
    ),
    "action_default_fallback": _default_fallback,
    "action_answer_faq": moves.answer_faq,
    "action_set_reminder": reminder_flow.set_reminder,
    "action_change_reminder": reminder_flow.change_reminder,
    "action_show_reminders": reminder_flow.show_reminders,
    "action_stop_reminders": reminder_flow.stop_reminders,
    "action_note_visit": reminder_flow.note_visit,
    "action_show_progress": progress_moves.show_progress,
}


def run_move(action_name: str, turn: Turn) -> None:
    """The action's move; where recent messages add up to a worry, the check question first."""
    lifted = safety_flow.adds_up(turn) if action_name in HEARS_RECENT else None
    if lifted is None:
        MOVES[action_name](turn)
    elif not safety_flow.still_open(turn):
        safety_flow.check(turn, suspected=lifted["categories"])


def _action_class(action_name: str) -> type[MoveAction]:
    return type(
        "".join(part.title() for part in action_name.split("_")),
        (MoveAction,),
        {"action_name": action_name, "apply": lambda self, turn: run_move(action_name, turn)},
    )


# rasa-sdk registers every Action subclass it finds in the package: one class per move.
ACTIONS = [_action_class(name) for name in MOVES]
