"""The safety conversation, on the same question mechanism as everything else.

A clear disclosure (intent `crisis` or `abuse` from the safety net) stops whatever was going
on: acknowledge, give resources, ask whether the person is safe right now. An uncertain
signal (intent `safety_check`) gets one gentle, direct check question first. After a
disclosure the assistant stays with the person (the `are_you_safe` question keeps reading
every reply: safe, not safe, not sure, the partner nearby, asking for the numbers, "I'll
call them", "calling isn't safe") until they choose to go on; no menus, no exercise offers.
"""

from __future__ import annotations

import logging

from actions import slots
from actions.dialogue.handlers import Handler
from actions.dialogue.question import Question, ask, close, put
from actions.dialogue.reading import Expectation, Reading
from actions.dialogue.turn import Turn
from actions.exercises.progress import save_progress
from actions.exercises.state import ExerciseState, clear_exercise
from actions.persistence.access import repository
from actions.persistence.models import RunStatus
from actions.persistence.repository import StorageUnavailable
from actions.safety.gate import person_region
from actions.safety.resources import known_region, region_name, resources_text
from actions.tracker_facts import channel_of, latest_entity

logger = logging.getLogger(__name__)
CATEGORIES = ("crisis", "abuse")
QUOTE_WORDS = 8  # how much of the person's own wording the check question repeats


def verdict(turn: Turn) -> dict:
    return turn.tracker.latest_message.get("safety") or {}


def categories_of(turn: Turn) -> list[str]:
    intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
    found = [c for c in verdict(turn).get("categories") or [] if c in CATEGORIES]
    if intent in CATEGORIES and intent not in found:
        found.insert(0, intent)
    return found


def takes_over(turn: Turn, question: Question) -> bool:
    """A safety signal in a reply wins over the question it answers."""
    intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
    if intent in CATEGORIES and question.id != "safety_check":
        respond(turn, categories_of(turn))
        return True
    if intent == "safety_check" and question.id not in ("are_you_safe", "safety_check"):
        check(turn, then=question)
        return True
    return False


def still_open(turn: Turn) -> bool:
    """While "are you safe?" is open, nothing else starts: it is asked again, gently."""
    if not turn.slot(slots.SAFETY_CHECK_PENDING):
        return False
    ask(turn, "are_you_safe", lead="utter_safety_check_first")
    return True


def pause_exercise(turn: Turn) -> None:
    """A disclosure stops any exercise; its answers are kept, paused, for later."""
    state = ExerciseState.of(turn)
    if state is not None:
        save_progress(turn, state, status=RunStatus.PAUSED)
        clear_exercise(turn)


def record_abuse(turn: Turn, disclosed: bool) -> None:
    turn.set(slots.ABUSE_DISCLOSED, disclosed)
    try:
        repository().set_abuse_disclosed(turn.sender_id, channel_of(turn.tracker), disclosed)
    except StorageUnavailable:
        logger.warning("Could not save the abuse-disclosure flag; kept in the conversation")


def respond(turn: Turn, categories: list[str]) -> None:
    """The full safety response for a clear disclosure, then "are you safe right now?"."""
    pause_exercise(turn)
    region = person_region(turn.tracker)
    kinds = [c for c in CATEGORIES if c in categories] or ["crisis"]
    if "crisis" in kinds:
        turn.say("utter_crisis_acknowledge")
        turn.say(
            "utter_crisis_resources",
            resources=resources_text("crisis", region),
            region_name=region_name(region),
        )
    if "abuse" in kinds:
        record_abuse(turn, True)
        if "crisis" not in kinds:
            turn.say("utter_abuse_acknowledge")
        turn.say(
            "utter_abuse_resources",
            resources=resources_text("abuse", region),
            region_name=region_name(region),
        )
        turn.say("utter_quick_exit")
    turn.set(slots.SAFETY_CHECK_PENDING, True)
    turn.set(slots.WELCOMED, True)
    turn.set(slots.SAFETY_KIND, kinds[0])
    ask(turn, "are_you_safe")


def check(turn: Turn, then: Question | None = None) -> None:
    """One gentle, direct check question for an uncertain signal."""
    suspected = verdict(turn).get("categories") or ["crisis"]
    words = (turn.tracker.latest_message.get("text") or "").split()
    quote = " ".join(words[:QUOTE_WORDS]) + (" ..." if len(words) > QUOTE_WORDS else "")
    ask(
        turn,
        "safety_check",
        category=suspected[0],
        quote=quote,
        then=then.as_slot() if then is not None else None,
    )


def back_to(turn: Turn, earlier: dict | None) -> None:
    question = Question.from_slot(earlier)
    if question is None:
        close(turn)
        return
    question.say, question.lead = True, "utter_back_to_question"
    put(turn, question)


class SafetyCheckHandler(Handler):
    id = "safety_check"
    reask_response = "utter_safety_check_reask"

    def render(self, turn: Turn, question: Question) -> None:
        buttons = self.buttons(turn, question)
        question.shown = [b["title"] for b in buttons]
        category = question.args.get("category", "crisis")
        turn.say(f"utter_safety_check_{category}", quote=question.args["quote"], buttons=buttons)

    def values(self, turn: Turn, question: Question) -> dict:
        return {}

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        if reading.value == "no":
            turn.say("utter_safety_check_cleared")
            back_to(turn, question.args.get("then"))
        else:  # yes, or not sure: the full response
            respond(turn, [question.args.get("category", "crisis")])

    def give_up(self, turn: Turn, question: Question) -> None:
        respond(turn, [question.args.get("category", "crisis")])


class AreYouSafeHandler(Handler):
    """Stays with the person: every reply is read, answered, and the flow goes on listening
    (without asking the same thing again) until they are safe or say they will call."""

    id = "are_you_safe"
    ask_response = "utter_ask_safe_now"
    STAY_RESPONSES = ("utter_safety_stay", "utter_safety_stay_again")

    def values(self, turn: Turn, question: Question) -> dict:
        return {}

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return super().buttons(turn, question)[:3]

    def listen(self, turn: Turn, question: Question) -> None:
        """Keeps reading replies without asking again; the answers stay one tap away."""
        buttons = self.buttons(turn, question)
        if turn.dispatcher.messages and not turn.dispatcher.messages[-1].get("buttons"):
            turn.dispatcher.messages[-1]["buttons"] = buttons
        question.say, question.shown = False, [b["title"] for b in buttons]
        put(turn, question)

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        region = person_region(turn.tracker)
        kind = turn.slot(slots.SAFETY_KIND) or "crisis"
        value = reading.value
        if value == "safe":
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_safe_glad")
            if region is None and not turn.slot(slots.REGION_ASKED):
                turn.set(slots.REGION_ASKED, True)
                ask(turn, "region")
            else:
                close(turn)
            return
        if value == "will_call":
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_will_call")
            close(turn)
            return
        if value == "not_safe":
            turn.say("utter_not_safe_emergency", emergency=resources_text(kind, region))
        elif value == "partner_nearby":
            turn.say("utter_partner_nearby")
        elif value == "not_sure":
            turn.say("utter_not_sure_safe", resources=resources_text(kind, region))
        elif value == "cannot_call":
            turn.say("utter_cannot_call", resources=resources_text(kind, region))
        elif value == "wants_numbers":
            turn.say("utter_here_are_numbers", resources=resources_text(kind, region))
        elif value == "no_violence":
            turn.say("utter_control_is_abuse")
        if value in ("not_safe", "not_sure", "cannot_call", "wants_numbers"):
            offer_local_numbers(turn, region)
        self.listen(turn, question)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        region = known_region(latest_entity(turn.tracker, "region"))
        if region is not None:
            set_region(turn, region)
        else:
            turn.say(self.STAY_RESPONSES[question.misses % 2])
        question.misses += 1
        self.listen(turn, question)

    def digression(self, turn: Turn, question: Question, theme: str) -> None:
        turn.say("utter_safety_theme_during_flow")
        self.listen(turn, question)

    def control(self, turn: Turn, question: Question, control: str) -> None:
        self.miss(turn, question, Reading("unclear"))


def offer_local_numbers(turn: Turn, region: str | None) -> None:
    """Once, while the numbers are general: where they are brings the local ones. Not a
    question of its own, so the person is never held up by it; a country named in any
    later reply is read (AreYouSafeHandler.miss)."""
    if region is None and not turn.slot(slots.REGION_ASKED):
        turn.set(slots.REGION_ASKED, True)
        turn.say("utter_region_nudge")


def set_region(turn: Turn, region: str) -> None:
    turn.set(slots.REGION, region)
    try:
        repository().set_region(turn.sender_id, channel_of(turn.tracker), region)
    except StorageUnavailable:
        logger.warning("Could not save the region; kept in the conversation")
    kind = turn.slot(slots.SAFETY_KIND)
    if kind in ("crisis", "abuse"):  # only what this person needs, short on a phone
        turn.say(
            "utter_region_resources_one",
            region_name=region_name(region),
            resources=resources_text(kind, region),
        )
        return
    turn.say(
        "utter_region_resources",
        region_name=region_name(region),
        crisis=resources_text("crisis", region),
        abuse=resources_text("abuse", region),
    )


class RegionHandler(Handler):
    """Asked once, after the person is safe: where they are, for local numbers. Anything
    else in reply is fine: the numbers already given stay, and the question is let go."""

    id = "region"
    ask_response = "utter_ask_region"

    def values(self, turn: Turn, question: Question) -> dict:
        return {}

    def buttons(self, turn: Turn, question: Question) -> list[dict[str, str]]:
        return []

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        return Expectation("text")

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        self.miss(turn, question, reading)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        close(turn)
        region = known_region(latest_entity(turn.tracker, "region"))
        if region is not None:
            set_region(turn, region)
            return
        kind = turn.slot(slots.SAFETY_KIND) or "crisis"
        turn.say("utter_region_skipped", resources=resources_text(kind, None))


class ConfirmMisunderstandingHandler(Handler):
    id = "confirm_misunderstanding"

    def values(self, turn: Turn, question: Question) -> dict:
        return {}

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        close(turn)
        if reading.value == "yes":
            record_abuse(turn, False)
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_misunderstanding_noted")
        else:
            turn.say("utter_safety_flow_end")
