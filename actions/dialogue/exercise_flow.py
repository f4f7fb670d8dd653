"""An exercise as a sequence of questions: start, each step, skip, pause, resume, stop, the
summary. Every step is the `exercise_step` question; its handler reads the reply with the
step's expectation and records exactly what was said (answers, skips, notes)."""

from __future__ import annotations

from actions import slots
from actions.buttons import button
from actions.dialogue.fixed_questions import button_titles, title_of
from actions.dialogue.handlers import Handler, option_buttons
from actions.dialogue.lexicon import normalise
from actions.dialogue.moves import delete_data
from actions.dialogue.question import (
    Question,
    ask,
    ask_again,
    close,
    pending,
    put,
    reask,
    take_set_aside,
)
from actions.dialogue.reading import (
    Expectation,
    Option,
    Reading,
    excerpt,
    generic_words,
    longest_spans,
    says_back,
)
from actions.dialogue.turn import Turn
from actions.exercises import engine
from actions.exercises.catalogue import exercises, ui_text
from actions.exercises.content_model import Exercise, Step
from actions.exercises.progress import open_run, save_progress
from actions.exercises.rendering import (
    answer_buttons,
    expectation,
    render_step,
    with_controls,
)
from actions.exercises.state import ExerciseState, clear_exercise
from actions.persistence.models import RunStatus
from actions.safety import flow as safety_flow
from actions.safety.gate import gate_reply, is_gated
from actions.tracker_facts import last_bot_message

DECLINE_PREFILL = "__no__"
EXCERPT_WORDS = 12  # how much of a written answer is quoted back
STORY_WORDS = 4  # at the role confirmation, this many words of story go on from the role told
HISTORY_MESSAGES = 3  # recent messages searched for answers given before the exercise


# --- moves ---------------------------------------------------------------------------------
def start(turn: Turn, exercise_id: str | None) -> None:
    if safety_flow.still_open(turn):
        return
    exercise = exercises().get(exercise_id or "")
    if exercise is None or is_gated(exercise.id, turn.tracker):
        close(turn)
        # A closed exercise asked for by name gets the reason and the services instead.
        if exercise is None or not gate_reply(turn.dispatcher, turn.tracker, exercise.id):
            turn.say("utter_which_exercise")
        return
    role = turn.slot(slots.ROLE)
    state = ExerciseState(exercise, run_id=None, step_id=None, role=None)
    state.prefills = remembered_answers(turn, exercise)
    if exercise.role_aware and role in engine.ROLES:
        state.prefills[engine.ROLE_STEP_ID] = role
    elif not exercise.role_aware:
        state.role = role if role in engine.ROLES else None
    state.step_id = engine.next_step_id(exercise, {}, state.role)
    state.total = planned_total(exercise, state.role)
    turn.set(slots.OFFERED_EXERCISE, None)
    turn.say(text=exercise.intro)
    save_progress(turn, state)
    ask_step(turn, state)


def resume(turn: Turn) -> None:
    if safety_flow.still_open(turn):
        return
    state = ExerciseState.of(turn)
    if state is None:
        run = open_run(turn)
        if run is None:
            back_without_exercise(turn)
            return
        exercise = exercises()[run.exercise_id]
        role = run.role or turn.slot(slots.ROLE)
        state = ExerciseState(exercise, run.id, run.current_step, role, dict(run.answers))
        state.total = planned_total(exercise, role)
        if state.step_id is None:
            state.step_id = engine.next_step_id(exercise, state.answers, role)
    save_progress(turn, state, status=RunStatus.ACTIVE)
    turn.say(
        "utter_exercise_resumed", exercise_title=state.exercise.title, number=question_number(state)
    )
    ask_step(turn, state)


def question_number(state: ExerciseState) -> int:
    """The number "Question N of M" shows for the current step (or the next question, at an
    information step, which carries no number)."""
    visible = engine.visible_path(state.exercise, state.answers, state.role)
    asked = engine.question_path(state.exercise, state.answers, state.role)
    before = visible[: visible.index(state.step_id)] if state.step_id in visible else []
    return len([s for s in before if s in asked]) + 1


def back_without_exercise(turn: Turn) -> None:
    """ "I'm back" or "continue" with no exercise to pick up: the question left for a break,
    or the one still waiting, asked again; else a welcome back. Never the same "nothing to
    continue" twice in a row."""
    kept, waiting = take_set_aside(turn), pending(turn)
    if kept is not None:
        ask_again(turn, kept, lead="utter_welcome_back_to_question")
        return
    if waiting is not None:
        ask_again(turn, waiting)
        return
    close(turn)
    topics = [button(ui_text()["show_topics"], "help")]
    if says_back(turn.said):
        turn.say("utter_welcome_back_nothing_open", buttons=topics)
    elif last_bot_message(turn.tracker)["response"] == "utter_no_paused_exercise":
        turn.say("utter_no_paused_exercise_again", buttons=topics)
    else:
        turn.say("utter_no_paused_exercise", buttons=topics)


def nothing_running(turn: Turn, pausing: bool = False) -> None:
    """Skip or pause with no exercise in progress: offer the paused one, if there is one; a
    pause with nothing open is a break ("brb, kid woke up"), answered as one."""
    run = open_run(turn)
    if run is None:
        turn.say("utter_break_nothing_open" if pausing else "utter_no_active_exercise")
        return
    ask(turn, "resume_offer", exercise_title=exercises()[run.exercise_id].title)


def pause(turn: Turn, closing: bool = False) -> None:
    """Pauses the exercise in progress; says "saved" only when there were answers to save."""
    state = ExerciseState.of(turn)
    close(turn)
    if state is None:
        nothing_running(turn, pausing=True)
        return
    saved = save_progress(turn, state, status=RunStatus.PAUSED)
    answered = any(not engine.is_skipped(a) for a in state.answers.values())
    response = "utter_exercise_paused" if saved and answered else "utter_exercise_paused_empty"
    turn.say(
        response,
        exercise_title=state.exercise.title,
        buttons=[] if closing else [button(ui_text()["resume_now"], "resume_exercise")],
    )
    if saved:
        clear_exercise(turn)


def stop(turn: Turn) -> None:
    """Stops and discards the exercise (after the person confirmed)."""
    state = ExerciseState.of(turn)
    close(turn)
    if state is None:
        turn.say("utter_no_active_exercise")
        return
    recorded = state.run_id is None or save_progress(
        turn, state, status=RunStatus.STOPPED, unavailable=None
    )
    clear_exercise(turn)
    # During an outage the stored run stays open: say so, so a later offer to resume it
    # is no surprise.
    turn.say("utter_exercise_stopped" if recorded else "utter_exercise_stopped_not_recorded")


def ask_step(turn: Turn, state: ExerciseState) -> None:
    state.store(turn)
    ask(turn, "exercise_step")


def advance(turn: Turn, state: ExerciseState) -> None:
    state.step_id = engine.next_step_id(
        state.exercise, state.answers, state.role, after=state.step_id
    )
    if state.step_id is None:
        finish(turn, state)
        return
    save_progress(turn, state)
    ask_step(turn, state)


def skip(turn: Turn, state: ExerciseState, response: str = "utter_step_skipped") -> None:
    if state.step_id == engine.ROLE_STEP_ID:
        choose_role(turn, state, "neutral")
        return
    state.answers[state.step_id] = engine.SKIPPED.as_dict()
    turn.say(response)
    advance(turn, state)


def finish(turn: Turn, state: ExerciseState) -> None:
    ui = ui_text()
    summary = engine.build_summary(
        state.exercise, state.answers, ui["skipped_mark"], role=state.role
    )
    turn.say(text=summary.as_text(ui))
    saved = save_progress(turn, state, status=RunStatus.FINISHED, score=summary.score)
    clear_exercise(turn)
    close(turn)
    if saved:
        turn.say("utter_summary_saved")
    if after_summary(turn, state):
        return
    suggested = exercises().get(summary.next_exercise or "")
    if suggested is not None and not is_gated(suggested.id, turn.tracker):
        turn.set(slots.OFFERED_EXERCISE, suggested.id)
        ask(turn, "next_exercise", theme=suggested.id, exercise_title=suggested.title)


def after_summary(turn: Turn, state: ExerciseState) -> bool:
    """What some exercises lead to instead of the next one: the check-in ritual offers its
    reminder, the health check shows progress since last time. True when it asked."""
    from actions.dialogue import progress_moves, reminder_flow  # both build on this module

    if state.exercise.id == reminder_flow.CHECK_IN:
        reminder_flow.offer_after_check_in(turn, state.answers)
        return True
    if state.exercise.id in progress_moves.TRACKED:
        progress_moves.after_check(turn, state.exercise.id)
    return False


def choose_role(turn: Turn, state: ExerciseState, role: str) -> None:
    state.role = role
    state.prefills.pop(engine.ROLE_STEP_ID, None)
    state.total = planned_total(state.exercise, role)
    if role == "neutral":
        turn.say("utter_role_neutral")
    advance(turn, state)


def planned_total(exercise: Exercise, role: str | None) -> int | None:
    """The number of questions shown, fixed at the start; None when answers change it."""
    if engine.branches_on_answers(exercise) or engine.needs_role(exercise, role):
        return None
    return len(engine.question_path(exercise, {}, role))


# --- remembering what was said -------------------------------------------------------------
def remembered_answers(turn: Turn, exercise: Exercise) -> dict[str, str]:
    """Answers to this exercise's choice steps said before it started: from slots the content
    names (e.g. the breach type) and from the words of the last few messages."""
    found: dict[str, str] = {}
    recent = recent_texts(turn)
    for step in exercise.steps:
        if step.kind != "choice":
            continue
        if step.prefill is not None:
            value = step.prefill.values.get(str(turn.slot(step.prefill.slot)))
            if value:
                found[step.id] = value
                continue
        for text in recent:
            value = said_option(step, text, synonyms_only=True)
            if value:
                found[step.id] = value
                break
    return found


def remember_for_later(turn: Turn, state: ExerciseState) -> None:
    """A written answer may already answer a choice step still to come ("the money he hid"
    before "which of these is closest?"): offered back there, as at the start."""
    for step_id, value in remembered_answers(turn, state.exercise).items():
        if step_id not in state.answers:
            state.prefills.setdefault(step_id, value)


def recent_texts(turn: Turn) -> list[str]:
    texts = [
        event.get("text") or ""
        for event in reversed(turn.tracker.events)
        if event.get("event") == "user" and not (event.get("text") or "").startswith("/")
    ]
    return [normalise(text) for text in texts[:HISTORY_MESSAGES] if text]


def said_option(step: Step, said: str, synonyms_only: bool = False) -> str | None:
    labelled = [
        (normalise(word), option.value)
        for option in step.options or []
        for word in (option.synonyms if synonyms_only else [option.title, *option.synonyms])
    ]
    values = {value for _, _, value in longest_spans(said, labelled)}
    return values.pop() if len(values) == 1 else None


def later_answer(state: ExerciseState, said: str) -> tuple[Step, str] | None:
    """A reply that does not answer this step but a later one ("Thursday evenings" when asked
    how often): that step and the option."""
    ids = [s.id for s in state.exercise.steps]
    start = ids.index(state.step_id) + 1 if state.step_id in ids else 0
    for step in state.exercise.steps[start:]:
        if step.kind == "choice" and step.id not in state.prefills:
            value = said_option(step, said)
            if value:
                return step, value
    return None


# --- the step question ---------------------------------------------------------------------
class ExerciseStepHandler(Handler):
    id = "exercise_step"

    def state(self, turn: Turn) -> ExerciseState | None:
        return ExerciseState.of(turn)

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        state = self.state(turn)
        expects = expectation(state)
        prefilled = state.prefills.get(state.step_id)
        if prefilled is None or expects.kind == "text":  # text: the offer is in `expects`
            return expects
        yes, no = generic_words("yes"), generic_words("no")
        # In the order shown: the suggested answer first ("Yes, that's right"), then the rest.
        ordered = sorted(expects.options, key=lambda o: o.value != prefilled)
        options = tuple(
            Option(
                o.value, o.title, o.synonyms, o.button, generic=yes if o.value == prefilled else ()
            )
            for o in ordered
        )
        decline = Option(DECLINE_PREFILL, "", generic=no, button=False)
        return Expectation(
            "choice",
            (*options, decline),
            by_position=expects.by_position,
            controls=True,
            match_key=expects.match_key,
            shown=expects.shown,
            theme=expects.theme,
            entity=expects.entity,
        )

    def render(self, turn: Turn, question: Question) -> None:
        state = self.state(turn)
        if state is None or state.step_id is None:
            close(turn)
            return
        message = render_step(state)
        prefilled = state.prefills.get(state.step_id)
        if prefilled is None:
            question.shown = [b["title"] for b in message["buttons"]]
            turn.say(**message)
            return
        turn.say(text=message["text"])
        role_step = state.step_id == engine.ROLE_STEP_ID
        if not role_step and engine.step_by_id(state.exercise, state.step_id).kind == "text":
            question.shown = [b["title"] for b in message["buttons"]]
            written = excerpt(prefilled, EXCERPT_WORDS)
            turn.say("utter_prefill_written", written=written, buttons=message["buttons"])
            return
        buttons = self.prefill_buttons(state, prefilled)
        question.shown = [b["title"] for b in buttons]
        response = "utter_role_confirm" if state.step_id == engine.ROLE_STEP_ID else None
        turn.say(
            response or "utter_prefill_confirm",
            title=self.title(state, prefilled),
            buttons=buttons,
        )

    @staticmethod
    def title(state: ExerciseState, value: str) -> str:
        if state.step_id == engine.ROLE_STEP_ID:
            return title_of("role", value)
        return engine.step_by_id(state.exercise, state.step_id).option(value).title

    def prefill_buttons(self, state: ExerciseState, prefilled: str) -> list[dict[str, str]]:
        ui = ui_text()
        step = None
        if state.step_id != engine.ROLE_STEP_ID:
            step = engine.step_by_id(state.exercise, state.step_id)
        others = [
            b for b in answer_buttons(state, step) if b["payload"] != _choose_payload(prefilled)
        ]
        first = button(ui["yes_that"], "choose", choice=prefilled)
        return with_controls([first, *others], skippable=step is not None)

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        state = self.state(turn)
        if reading.value == DECLINE_PREFILL:
            state.prefills.pop(state.step_id, None)
            state.store(turn)
            ask_again(turn, question, lead=None)
            return
        if state.step_id == engine.ROLE_STEP_ID:
            choose_role(turn, state, reading.value)
            return
        step = engine.step_by_id(state.exercise, state.step_id)
        if reading.value == engine.USE_WRITTEN and step.id in state.prefills:
            reading = Reading("answer", value=state.prefills[step.id])
        elif step.kind == "text" and normalise(reading.value or "") in button_titles():
            self.miss(turn, question, Reading("unclear"))  # a label from another question
            return
        state.prefills.pop(step.id, None)
        if step.kind == "info":
            self.record_info(turn, state, reading.value)
        elif step.kind == "text" and len(reading.items) > 1:
            self.record_list(turn, state, step, reading.items)
        elif step.kind == "choice":
            state.answers[step.id] = engine.Answer(
                reading.value, step.option(reading.value).score
            ).as_dict()
        else:
            state.answers[step.id] = engine.Answer(reading.value, reading.number).as_dict()
        if step.kind == "text":
            remember_for_later(turn, state)
        advance(turn, state)

    @staticmethod
    def record_info(turn: Turn, state: ExerciseState, value: str) -> None:
        if value in (engine.SEEN, "continue"):
            state.answers[state.step_id] = engine.Answer(engine.SEEN).as_dict()
            return
        following = engine.next_step_id(
            state.exercise, state.answers, state.role, after=state.step_id
        )
        if following and engine.step_by_id(state.exercise, following).kind == "text":
            # written ahead of the question it answers: offered back there, not asked again
            state.answers[state.step_id] = engine.Answer(engine.SEEN).as_dict()
            state.prefills[following] = value
            return
        state.answers[state.step_id] = engine.Answer(value).as_dict()  # kept as a note
        turn.say("utter_step_note_kept")

    @staticmethod
    def record_list(turn: Turn, state: ExerciseState, step: Step, items: tuple[str, ...]) -> None:
        """Several things in one message fill the consecutive steps of the same list."""
        group = [
            s for s in engine.group_after(state.exercise, step.id) if s.id not in state.answers
        ]
        if len(group) < 2:
            state.answers[step.id] = engine.Answer("\n".join(items)).as_dict()
            return
        parts = list(items[: len(group) - 1]) + ["; ".join(items[len(group) - 1 :])]
        for target, text in zip(group, parts, strict=False):
            state.answers[target.id] = engine.Answer(text).as_dict()
        state.step_id = group[len(parts) - 1].id
        turn.say("utter_items_filled", count=len(parts))

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        state = self.state(turn)
        role_step = state.step_id == engine.ROLE_STEP_ID
        if question.misses >= 1 or role_step and self.more_story(turn, state, reading):
            if role_step:
                # What they told us before beats a guess: the role from their story, if any.
                told = state.prefills.get(engine.ROLE_STEP_ID)
                if told in engine.ROLES and told != "neutral":
                    turn.say("utter_role_from_story")
                choose_role(turn, state, told if told in engine.ROLES else "neutral")
            else:
                skip(turn, state, response="utter_step_moved_on")
            return
        if state.step_id == engine.ROLE_STEP_ID:
            # A question back ("what would you do?", "why does it matter") gets the reason,
            # as the one re-ask: the next miss still words the questions for both.
            response = "utter_role_why" if reading.kind == "question" else "utter_role_reask"
            reask(turn, question, response, answer_buttons(state, None))
            return
        step = engine.step_by_id(state.exercise, state.step_id)
        buttons = with_controls(answer_buttons(state, step))
        skip_only = with_controls([])
        open_step = step.kind in ("text", "info")
        if reading.complaint:
            # "this is pointless": heard, and the ways out of this step offered with it
            reask(turn, question, "utter_step_complaint", buttons if not open_step else skip_only)
        elif reading.kind == "question":
            # A question back: held gently; at a choice the options stay on screen.
            if open_step:
                reask(turn, question, "utter_step_question", skip_only)
            else:
                reask(turn, question, "utter_step_question_choice", buttons)
        elif open_step:
            reask(turn, question, "utter_step_non_answer_text", skip_only)
        elif reading.kind == "non_answer":
            reask(turn, question, "utter_step_non_answer_choice", buttons)
        elif step.kind == "rating":
            self.reask_rating(turn, question, step, reading, buttons)
        else:
            self.reask_choice(turn, question, state, step, buttons)

    @staticmethod
    def more_story(turn: Turn, state: ExerciseState, reading: Reading) -> bool:
        """At "it sounds like you were hurt, shall I word it that way?", more of the story
        ("i hid a credit card and 6k of debt") neither says no nor names another role: it
        goes on from what they told, instead of asking the role again."""
        told = state.prefills.get(engine.ROLE_STEP_ID)
        said = normalise(turn.said).split()
        return (
            told in engine.ROLES
            and told != "neutral"
            and reading.kind == "unclear"
            and reading.number is None
            and len(said) >= STORY_WORDS
        )

    @staticmethod
    def reask_rating(turn, question, step: Step, reading: Reading, buttons) -> None:
        scale = step.scale
        if reading.out_of_range:
            reask(
                turn,
                question,
                "utter_step_out_of_range",
                buttons,
                number=reading.number,
                min=scale.min,
                max=scale.max,
            )
        else:
            reask(
                turn,
                question,
                "utter_step_unclear_rating",
                buttons,
                min=scale.min,
                max=scale.max,
                low=scale.low,
                high=scale.high,
            )

    @staticmethod
    def reask_choice(turn, question, state: ExerciseState, step: Step, buttons) -> None:
        said = normalise(turn.said)
        later = later_answer(state, said)
        if later is not None:
            later_step, value = later
            state.prefills[later_step.id] = value
            state.store(turn)
            turn.say("utter_prefill_later", title=later_step.option(value).title)
        titles = [o.title for o in step.options]
        joined = ", ".join(titles[:-1]) + f" {ui_text()['or']} " + titles[-1]
        reask(turn, question, "utter_step_unclear_choice", buttons, options=joined)

    def control(self, turn: Turn, question: Question, control: str) -> None:
        state = self.state(turn)
        if control == "skip":
            skip(turn, state)
        elif control == "pause":
            pause(turn)
        elif control == "stop":
            ask(turn, "confirm_stop")
        elif control == "explain":
            self.explain(turn, question)
        else:  # resume: we are in it already
            turn.say("utter_already_in_exercise", exercise_title=state.exercise.title)
            ask_again(turn, question, lead=None)

    def explain(self, turn: Turn, question: Question) -> bool:
        """Why the role matters, or what the exercise is for; then the step again."""
        state = self.state(turn)
        if state.step_id == engine.ROLE_STEP_ID:
            turn.say("utter_role_why")
        else:
            turn.say(text=state.exercise.purpose)
        ask_again(turn, question)
        return True

    def digression(self, turn: Turn, question: Question, theme: str) -> None:
        """Another topic said clearly: answered, the exercise paused, the way back offered."""
        state = self.state(turn)
        save_progress(turn, state, status=RunStatus.PAUSED)
        clear_exercise(turn)
        turn.say(f"utter_reflect_{theme}")
        ask(turn, "digression", theme=theme, exercise_title=state.exercise.title)


def _choose_payload(value: str) -> str:
    return button("", "choose", choice=value)["payload"]


class ConfirmStopHandler(Handler):
    id = "confirm_stop"
    ask_response = "utter_confirm_stop_exercise"
    reask_response = "utter_confirm_stop_reask"

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "discard":
            stop(turn)
        elif reading.value == "pause":
            pause(turn)
        else:
            state = ExerciseState.of(turn)
            if state is None:
                close(turn)
            else:
                ask_step(turn, state)

    def give_up(self, turn: Turn, question: Question) -> None:
        # Unclear twice: nothing is thrown away; the exercise waits, paused.
        pause(turn)


class ConfirmDeleteHandler(Handler):
    id = "confirm_delete"
    ask_response = "utter_confirm_delete"
    reask_response = "utter_confirm_delete_reask"

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return option_buttons(self.id)

    def values(self, turn: Turn, question: Question) -> dict:
        return {}

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "yes":
            delete_data(turn)
            return
        turn.say("utter_delete_cancelled")
        self.back(turn, question)

    def give_up(self, turn: Turn, question: Question) -> None:
        turn.say("utter_delete_cancelled")
        self.back(turn, question)

    @staticmethod
    def back(turn: Turn, question: Question) -> None:
        earlier = Question.from_slot(question.args.get("then"))
        if earlier is None:
            close(turn)
            return
        earlier.say, earlier.lead = True, "utter_back_to_question"
        put(turn, earlier)
