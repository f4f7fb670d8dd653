"""Conversation moves shared by the top-level actions and the question form: greeting,
the topic menu, answers to requests, export, delete and the saved summaries."""

from __future__ import annotations

import json
import logging

from rasa_sdk.events import AllSlotsReset, SlotSet

from actions import slots
from actions.buttons import button
from actions.dialogue.language import note_for, notes
from actions.dialogue.lexicon import lexicon
from actions.dialogue.question import ask, close
from actions.dialogue.reply import reply_of
from actions.dialogue.turn import Turn
from actions.exercises import engine
from actions.exercises.catalogue import exercises, ui_text
from actions.exercises.progress import open_run
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.persistence.transcript import conversation_transcript
from actions.safety.gate import faq_answer
from actions.tracker_facts import last_bot_message, latest_entity

logger = logging.getLogger(__name__)
MAX_LISTED = 10
REQUEST_RESPONSES = {
    "bot_challenge": "utter_disclosure",
    "thanks": "utter_thanks_reply",
    "frustration": "utter_frustration",
    "covert_monitoring": "utter_covert_monitoring_declined",
    "want_to_talk": "utter_listening",
    "set_reminder": "utter_reminder_after_exercise",  # said mid-exercise: after it, not now
    "change_reminder": "utter_reminder_after_exercise",
}


def disclose_once(turn: Turn) -> None:
    """The first thing anyone hears is that this is automated self-help, not a person."""
    if not turn.slot(slots.WELCOMED):
        turn.say("utter_disclosure_short")
        turn.set(slots.WELCOMED, True)


def greet(turn: Turn) -> None:
    """A first visit gets the welcome; a returning person is welcomed back, told what this
    is and where urgent help is, and offered their unfinished exercise."""
    if not turn.slot(slots.WELCOMED):
        turn.say("utter_welcome", buttons=[button(ui_text()["show_topics"], "help")])
        turn.set(slots.WELCOMED, True)
        return
    from actions.dialogue import reminder_flow  # reminders build on the moves

    if reminder_flow.show_waiting(turn):  # a check-in came due while they were away
        return
    run = open_run(turn)
    if run is not None:
        turn.say("utter_welcome_back")
        ask(turn, "resume_offer", exercise_title=exercises()[run.exercise_id].title)
        return
    turn.say("utter_welcome_back", buttons=[button(ui_text()["show_topics"], "help")])


def wanted_exercise(turn: Turn) -> str | None:
    return latest_entity(turn.tracker, "exercise") or turn.slot(slots.OFFERED_EXERCISE)


def answer_faq(turn: Turn) -> None:
    """The answer Rasa's retrieval intent selected (bot/nlu/faq_selector.py)."""
    disclose_once(turn)
    reply = reply_of(turn.tracker)
    if reply.faq:
        say_faq(turn, reply.faq)
    else:
        turn.say("utter_rephrase")


def say_faq(turn: Turn, response: str) -> None:
    """An FAQ answer, the one way every move gives it (careful after abuse: safety/gate.py)."""
    turn.say(faq_answer(response, turn.tracker))


def language_note(turn: Turn) -> str | None:
    """The note, in the person's language, that the assistant works in English."""
    code = (turn.tracker.latest_message.get("language") or {}).get("code")
    return note_for(code) if code else None


def list_topics(turn: Turn) -> None:
    disclose_once(turn)
    ask(turn, "topic_stage")


def answer_request(turn: Turn, intent: str, in_exercise: bool = False) -> None:
    """Answers a request that leaves the conversation where it was."""
    if intent == "export_my_data":
        export_data(turn)
    elif intent == "show_summaries":
        show_summaries(turn)
    elif intent in ("show_reminders", "stop_reminders", "show_progress"):
        from actions.dialogue import progress_moves, reminder_flow  # they build on the moves

        {**reminder_flow.REQUESTS, **progress_moves.REQUESTS}[intent](turn)
    elif intent == "help":
        turn.say("utter_help_in_exercise" if in_exercise else "utter_help_commands")
    elif intent in ("start_conversation", "start"):
        # /start (Telegram's Start button) may come from someone who forgot what this is.
        turn.say("utter_welcome_back")
    elif intent == "greet":
        turn.say("utter_greet_again")
    elif intent == "goodbye":
        say_goodbye(turn)
    elif intent == "other_language":
        note = language_note(turn)
        if note and note == last_bot_message(turn.tracker)["text"]:
            note = notes().english  # said in their language already: not the same twice
        if note:
            turn.say(text=note)
    elif intent == "will_call":
        say_fresh(turn, "utter_will_call", instead="utter_listening")
    elif intent == "faq":
        answer_faq(turn)
    elif intent == "emoji_only":
        said = turn.said
        negative = any(e in said for e in lexicon().emoji_negative)
        say_fresh(turn, "utter_emoji_negative" if negative else "utter_emoji_positive")
    elif intent in REQUEST_RESPONSES:
        turn.say(REQUEST_RESPONSES[intent])
    else:
        logger.debug("No answer for request %s", intent)


def say_goodbye(turn: Turn) -> None:
    """ "Your answers are saved" only when something this person wrote is kept."""
    try:
        kept = repository().keeps_answers(turn.sender_id)
    except StorageUnavailable:
        kept = False  # not known: promise nothing
    turn.say("utter_goodbye_saved" if kept else "utter_goodbye")


def say_fresh(turn: Turn, response: str, instead: str = "utter_listening") -> None:
    """`response`, unless it was the assistant's last message: then `instead`, so the same
    words never come twice in a row ("💔" after "😞", a second "ok i'll call")."""
    repeat = last_bot_message(turn.tracker)["response"] == response
    turn.say(instead if repeat else response)


def export_data(turn: Turn) -> None:
    try:
        export = repository().export_person(turn.sender_id)
        # The conversation itself is stored too (Rasa's tracker store): all of it, every
        # session, disclosures included.
        export["conversation"] = conversation_transcript(turn.sender_id)
    except StorageUnavailable:
        turn.say("utter_export_unavailable")
        return
    # JSON: complete, unambiguous and machine-readable; the person can keep or move it.
    turn.say(
        "utter_data_export", export=json.dumps(export, indent=1, ensure_ascii=False, default=str)
    )


def delete_data(turn: Turn) -> None:
    try:
        repository().delete_person(turn.sender_id)
    except StorageUnavailable:
        turn.say("utter_delete_unavailable")
        return
    turn.say("utter_data_deleted")
    close(turn)
    turn.changes.clear()
    # DATA_DELETED tells the tracker store (bot/tracker_store.py) to erase the conversation.
    turn.extra_events += [AllSlotsReset(), SlotSet(slots.DATA_DELETED, True)]


def show_summaries(turn: Turn, wanted: str | None = None) -> None:
    try:
        runs = repository().finished_runs(turn.sender_id)
    except StorageUnavailable:
        turn.say("utter_summaries_unavailable")
        return
    runs = [run for run in runs if run.exercise_id in exercises()]
    if not runs:
        turn.say("utter_no_summaries")
        return
    chosen = next((run for run in runs if wanted in (str(run.id), run.exercise_id)), None)
    if chosen is None and len(runs) == 1:
        chosen = runs[0]
    if chosen is not None:
        summary = engine.build_summary(
            exercises()[chosen.exercise_id],
            chosen.answers,
            ui_text()["skipped_mark"],
            role=chosen.role,
        )
        turn.say(text=summary.as_text(ui_text()))
        return
    listed = runs[:MAX_LISTED]
    lines = "\n".join(
        f"• {exercises()[run.exercise_id].title} ({run.finished_at:%d %b %Y})" for run in listed
    )
    turn.say(
        "utter_summaries_list",
        summaries=lines,
        buttons=[
            button(exercises()[run.exercise_id].title, "show_summaries", summary_id=str(run.id))
            for run in listed[:6]
        ],
    )
