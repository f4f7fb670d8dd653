"""Thin actions over the exercise engine: start, ask, validate, skip, pause, resume, stop, end."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.buttons import button
from actions.exercises import engine
from actions.exercises.catalogue import exercises, ui_text
from actions.exercises.progress import save_progress
from actions.exercises.rendering import render_step
from actions.exercises.state import FORM_COMPLETE, ExerciseState, cleared_slot_events
from actions.persistence.access import repository
from actions.persistence.models import RunStatus
from actions.persistence.repository import StorageUnavailable
from actions.safety.gate import ask_safety_first, is_gated, safety_check_pending
from actions.themes import THEME_INTENTS
from actions.tracker_facts import latest_entity, latest_intent

DIGRESSION_CONFIDENCE = 0.5


def _with_role(state: ExerciseState, role: str | None) -> list[EventType]:
    return [SlotSet(slots.ROLE, role)] if role else []


class ActionStartExercise(Action):
    def name(self) -> str:
        return "action_start_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if safety_check_pending(tracker):
            ask_safety_first(dispatcher)
            return cleared_slot_events()
        exercise_id = latest_entity(tracker, "exercise") or tracker.get_slot(slots.OFFERED_EXERCISE)
        exercise = exercises().get(exercise_id or "")
        if exercise is None or is_gated(exercise.id, tracker):
            dispatcher.utter_message(response="utter_which_exercise")
            return cleared_slot_events()
        role = tracker.get_slot(slots.ROLE)
        state = ExerciseState(exercise, run_id=None, step_id=None, role=role)
        state.step_id = engine.next_step_id(exercise, state.answers, role)
        dispatcher.utter_message(text=exercise.intro)
        save_progress(dispatcher, tracker, state)
        return [
            SlotSet(slots.OFFERED_EXERCISE, None),
            SlotSet(slots.EXERCISE_ANSWER, None),
        ] + state.slot_events()


class ActionAskExerciseAnswer(Action):
    """Asks the current step; Rasa calls it whenever the form requests `exercise_answer`."""

    def name(self) -> str:
        return "action_ask_exercise_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is not None and state.step_id is not None:
            dispatcher.utter_message(**render_step(state))
        return []


class ValidateExerciseForm(FormValidationAction):
    """Reads each reply against the current exercise step; the form's one slot is the step.

    Contract (docs/architecture.md, "The exercise form"):
    - `exercise_form` requires one slot, `exercise_answer`, filled from the text of any message
      that is not an exercise control (skip, pause, stop, ...; the `not_intent` list in
      domain.yml), and only while the form asks for it.
    - `required_slots` asks for it only while an exercise with a current step is in the slots,
      so the form ends at once when there is none.
    - `validate_exercise_answer` returns slot values only:
      an answer to the step: it is saved, the step advances and the slot is emptied again, so
      the form asks the next step (`action_ask_exercise_answer`); after the last step the slot
      is set to `FORM_COMPLETE`, the form ends and a rule runs `action_finish_exercise`;
      not an answer: a re-ask is sent and the slot emptied (the same step is asked again);
      another theme said clearly: the exercise is paused and its slots cleared (the form ends).
    """

    def name(self) -> str:
        return "validate_exercise_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # No exercise in progress: nothing to ask, so the form ends at once.
        state = ExerciseState.from_tracker(tracker)
        return domain_slots if state is not None and state.step_id is not None else []

    def validate_exercise_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        state = ExerciseState.from_tracker(tracker)
        if value is None or state is None or state.step_id is None:
            # Nothing was said in answer yet (e.g. the form was just started or resumed).
            return {slots.EXERCISE_ANSWER: None}
        text = value if isinstance(value, str) else ""
        choice = latest_entity(tracker, "choice")
        events: dict[str, Any] = {}
        if state.step_id == engine.ROLE_STEP_ID:
            role = engine.parse_role(text, choice, latest_entity(tracker, "role"))
            if role is None:
                dispatcher.utter_message(response="utter_exercise_role_needed")
                return {slots.EXERCISE_ANSWER: None}
            state.role = events[slots.ROLE] = role
        else:
            step = engine.step_by_id(state.exercise, state.step_id)
            answer = engine.parse_answer(step, text, choice, latest_intent(tracker))
            other_theme = digression(tracker, state, step, text, answered=answer is not None)
            if other_theme is not None:
                return self._digress(dispatcher, tracker, state, other_theme)
            if answer is None:
                dispatcher.utter_message(
                    response=f"utter_exercise_invalid_{step.kind}", **_scale_vars(step)
                )
                return {slots.EXERCISE_ANSWER: None}
            state.answers[step.id] = answer.as_dict()
        state.step_id = engine.next_step_id(
            state.exercise, state.answers, state.role, after=state.step_id
        )
        save_progress(dispatcher, tracker, state)
        events.update({event["name"]: event["value"] for event in state.slot_events()})
        # Filling the slot ends the form; leaving it empty asks the next step.
        events[slots.EXERCISE_ANSWER] = FORM_COMPLETE if state.step_id is None else None
        return events

    @staticmethod
    def _digress(
        dispatcher: CollectingDispatcher, tracker: Tracker, state: ExerciseState, theme: str
    ) -> dict[str, Any]:
        """Answers the other topic and offers the way back; the exercise is paused meanwhile."""
        save_progress(dispatcher, tracker, state, status=RunStatus.PAUSED)
        dispatcher.utter_message(response=f"utter_reflect_{theme}")
        buttons = [button(ui_text()["back_to_exercise"], "resume_exercise")]
        if not is_gated(theme, tracker):
            buttons.append(button(exercises()[theme].title, "start_exercise", exercise=theme))
        dispatcher.utter_message(
            response="utter_digression_offer", exercise_title=state.exercise.title, buttons=buttons
        )
        # No exercise in the slots: the form ends (see required_slots) and nothing is lost.
        return {event["name"]: event["value"] for event in cleared_slot_events()}


def digression(
    tracker: Tracker, state: ExerciseState, step, text: str, answered: bool
) -> str | None:
    """Another theme, said clearly, where an answer was expected; None when it is an answer.

    On choice and rating steps anything that is not an answer can be a digression; on text
    steps only a question is, because a reflection naturally sounds like a theme.
    """
    intent = tracker.latest_message.get("intent") or {}
    theme = intent.get("name")
    if theme not in THEME_INTENTS or theme == state.exercise.id:
        return None
    if (intent.get("confidence") or 0) < DIGRESSION_CONFIDENCE:
        return None
    if step.kind in ("choice", "rating") and not answered:
        return theme
    if step.kind == "text" and text.rstrip().endswith("?"):
        return theme
    return None


def _scale_vars(step) -> dict[str, Any]:
    if step.scale is None:
        return {}
    return {"min": step.scale.min, "max": step.scale.max}


class ActionSkipExerciseStep(Action):
    def name(self) -> str:
        return "action_skip_exercise_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is None or state.step_id is None:
            dispatcher.utter_message(response="utter_no_active_exercise")
            return []
        if state.step_id == engine.ROLE_STEP_ID:
            dispatcher.utter_message(response="utter_exercise_role_needed")
            return []
        state.step_id = engine.next_step_id(
            state.exercise, state.answers, state.role, after=state.step_id
        )
        dispatcher.utter_message(response="utter_step_skipped")
        save_progress(dispatcher, tracker, state)
        return state.slot_events() + [
            SlotSet(slots.EXERCISE_ANSWER, FORM_COMPLETE if state.step_id is None else None)
        ]


class ActionPauseExercise(Action):
    def name(self) -> str:
        return "action_pause_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is None:
            dispatcher.utter_message(response="utter_no_active_exercise")
            return []
        save_progress(dispatcher, tracker, state, status=RunStatus.PAUSED)
        dispatcher.utter_message(
            response="utter_exercise_paused",
            exercise_title=state.exercise.title,
            buttons=[button(ui_text()["resume_now"], "resume_exercise")],
        )
        return cleared_slot_events()


class ActionResumeExercise(Action):
    def name(self) -> str:
        return "action_resume_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if safety_check_pending(tracker):
            # After a disclosure the exercise waits until the person says they are safe.
            ask_safety_first(dispatcher)
            return cleared_slot_events()
        state = ExerciseState.from_tracker(tracker)
        if state is None:
            try:
                run = repository().latest_open_run(tracker.sender_id)
            except StorageUnavailable:
                dispatcher.utter_message(response="utter_storage_unavailable")
                return cleared_slot_events()
            exercise = exercises().get(run.exercise_id) if run else None
            if exercise is None:
                dispatcher.utter_message(
                    response="utter_no_paused_exercise",
                    buttons=[button(ui_text()["show_topics"], "help")],
                )
                return cleared_slot_events()
            role = run.role or tracker.get_slot(slots.ROLE)
            state = ExerciseState(exercise, run.id, run.current_step, role, dict(run.answers))
            if state.step_id is None:
                state.step_id = engine.next_step_id(exercise, state.answers, role)
        save_progress(dispatcher, tracker, state, status=RunStatus.ACTIVE)
        dispatcher.utter_message(
            response="utter_exercise_resumed", exercise_title=state.exercise.title
        )
        return (
            state.slot_events()
            + _with_role(state, state.role)
            + [SlotSet(slots.EXERCISE_ANSWER, None)]
        )


class ActionStopExercise(Action):
    def name(self) -> str:
        return "action_stop_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is None:
            dispatcher.utter_message(response="utter_no_active_exercise")
            return []
        if state.run_id is not None:
            save_progress(dispatcher, tracker, state, status=RunStatus.STOPPED)
        dispatcher.utter_message(response="utter_exercise_stopped")
        return cleared_slot_events()


class ActionExplainExercise(Action):
    def name(self) -> str:
        return "action_explain_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is None:
            dispatcher.utter_message(response="utter_explain_exercises")
        else:
            dispatcher.utter_message(text=state.exercise.purpose)
        return []


class ActionFinishExercise(Action):
    def name(self) -> str:
        return "action_finish_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        state = ExerciseState.from_tracker(tracker)
        if state is None:
            return cleared_slot_events()
        summary = engine.build_summary(state.exercise, state.answers)
        dispatcher.utter_message(text=summary.as_text(ui_text()["score_line"]))
        saved = save_progress(
            dispatcher, tracker, state, status=RunStatus.FINISHED, score=summary.score
        )
        next_exercise = exercises().get(summary.next_exercise or "")
        if next_exercise is not None and is_gated(next_exercise.id, tracker):
            next_exercise = None
        if next_exercise is not None:
            dispatcher.utter_message(
                response="utter_suggest_next_exercise",
                exercise_title=next_exercise.title,
                buttons=[
                    button(ui_text()["yes_start"], "start_exercise", exercise=next_exercise.id),
                    button(ui_text()["not_now"], "deny"),
                ],
            )
        if saved:
            dispatcher.utter_message(response="utter_summary_saved")
        offered = next_exercise.id if next_exercise is not None else None
        return cleared_slot_events() + [SlotSet(slots.OFFERED_EXERCISE, offered)]
