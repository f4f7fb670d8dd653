"""What the assistant must not offer after a safety disclosure.

After abuse has been disclosed, exercises that ask the person to forgive, commit or be
more transparent with the partner can do harm; couples therapy is not the first step
either. The flag is kept with the person in the database, so it survives restarts.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.buttons import button
from actions.exercises.catalogue import ui_text
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.safety.resources import resources_text

GATED_AFTER_ABUSE = frozenset({"forgiveness", "commit_together", "transparency_consistency"})
SPECIALIST_FIRST = frozenset({"professional_help"})


def safety_check_pending(tracker: Tracker) -> bool:
    return bool(tracker.get_slot(slots.SAFETY_CHECK_PENDING))


def abuse_disclosed(tracker: Tracker) -> bool:
    """True when this person disclosed abuse, in this conversation or a saved one."""
    if tracker.get_slot(slots.ABUSE_DISCLOSED):
        return True
    try:
        return repository().abuse_disclosed(tracker.sender_id)
    except StorageUnavailable:
        return False


def person_region(tracker: Tracker) -> str | None:
    """Where the person said they are: this conversation first, then what was saved."""
    region = tracker.get_slot(slots.REGION)
    if region:
        return region
    try:
        return repository().region(tracker.sender_id)
    except StorageUnavailable:
        return None


def is_gated(theme: str | None, tracker: Tracker) -> bool:
    return theme in GATED_AFTER_ABUSE | SPECIALIST_FIRST and abuse_disclosed(tracker)


def gate_reply(dispatcher: CollectingDispatcher, tracker: Tracker, theme: str) -> bool:
    """Sends the safe alternative instead of the theme's exercise; True if it did."""
    if not is_gated(theme, tracker):
        return False
    response = (
        "utter_specialist_support_first" if theme in SPECIALIST_FIRST else "utter_gated_exercise"
    )
    dispatcher.utter_message(
        response=response, resources=resources_text("abuse", person_region(tracker))
    )
    return True


def safe_buttons() -> list[dict[str, str]]:
    ui = ui_text()
    return [button(ui["i_am_safe"], "confirm_safe"), button(ui["not_safe"], "deny")]


def ask_safety_first(dispatcher: CollectingDispatcher) -> None:
    """While a safety check is open, this is the answer to anything that would start an exercise."""
    dispatcher.utter_message(response="utter_safety_check_first", buttons=safe_buttons())
