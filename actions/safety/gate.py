"""What the assistant must not offer after a safety disclosure, or to someone under 18.

After abuse has been disclosed, exercises that ask the person to forgive, commit or be
more transparent with the partner can do harm; couples therapy is not the first step
either. The flag is kept with the person in the database, so it survives restarts.
The couple exercises are written for adults; a person who says they are under 18 is
pointed to youth and teen dating-abuse services instead (actions/safety/age.py).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import slots
from actions.buttons import button
from actions.exercises.catalogue import ui_text
from actions.persistence.access import repository
from actions.persistence.repository import StorageUnavailable
from actions.safety.age import person_is_minor
from actions.safety.resources import links_payload, listing
from actions.themes import THEME_INTENTS

GATED_AFTER_ABUSE = frozenset({"forgiveness", "commit_together", "transparency_consistency"})
SPECIALIST_FIRST = frozenset({"professional_help"})
# FAQ answers written for a couple repairing trust ("is it normal...", doing it together):
# after abuse, an answer that takes the partner's control for ordinary repair can do harm.
FAQ_AFTER_ABUSE = {
    "utter_faq/partner_use_it_too": "utter_faq_together_after_abuse",
    "utter_faq/use_together": "utter_faq_together_after_abuse",
    "utter_faq/share_summary": "utter_faq_together_after_abuse",
    **{
        f"utter_faq/{topic}": "utter_faq_repair_after_abuse"
        for topic in (
            "how_long_to_rebuild",
            "stay_or_leave",
            "should_i_confess",
            "is_it_my_fault",
            "will_it_happen_again",
            "can_trust_come_back",
            "tell_family_or_kids",
            "partner_wont_talk",
        )
    },
}
NORMAL_FAQ_PREFIX = "utter_faq/normal_"


def faq_answer(response: str, tracker: Tracker) -> str:
    """The FAQ response to give this person: after abuse, a careful one instead of the
    couple-repair answers."""
    if not abuse_disclosed(tracker):
        return response
    if response.startswith(NORMAL_FAQ_PREFIX):
        return "utter_faq_normal_after_abuse"
    return FAQ_AFTER_ABUSE.get(response, response)


# Every exercise works on a relationship with a partner, written for adults.
GATED_FOR_MINORS = frozenset(THEME_INTENTS)


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


def gated_for_minor(theme: str | None, tracker: Tracker) -> bool:
    return theme in GATED_FOR_MINORS and person_is_minor(tracker)


def is_gated(theme: str | None, tracker: Tracker) -> bool:
    if gated_for_minor(theme, tracker):
        return True
    return theme in GATED_AFTER_ABUSE | SPECIALIST_FIRST and abuse_disclosed(tracker)


def gate_reply(dispatcher: CollectingDispatcher, tracker: Tracker, theme: str) -> bool:
    """Sends the safe alternative instead of the theme's exercise; True if it did."""
    if not is_gated(theme, tracker):
        return False
    region = person_region(tracker)
    if gated_for_minor(theme, tracker):
        # Youth and teen dating-abuse services; abuse services too once abuse was disclosed.
        needs = ["abuse"] if abuse_disclosed(tracker) else []
        shown = listing(needs, region, minor=True, emergency=bool(needs))
        response = "utter_gated_minor"
    else:
        shown = listing(["abuse"], region)
        response = (
            "utter_specialist_support_first"
            if theme in SPECIALIST_FIRST
            else "utter_gated_exercise"
        )
    dispatcher.utter_message(
        response=response,
        resources=shown.text,
        **links_payload(tracker.get_latest_input_channel(), shown),
    )
    return True


def safe_buttons() -> list[dict[str, str]]:
    ui = ui_text()
    return [button(ui["i_am_safe"], "confirm_safe"), button(ui["not_safe"], "deny")]


def ask_safety_first(dispatcher: CollectingDispatcher) -> None:
    """While a safety check is open, this is the answer to anything that would start an exercise."""
    dispatcher.utter_message(response="utter_safety_check_first", buttons=safe_buttons())
