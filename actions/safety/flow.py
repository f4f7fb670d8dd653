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
from actions.dialogue.handlers import Handler, handler_for
from actions.dialogue.lexicon import normalise
from actions.dialogue.question import Question, ask, ask_again, close, put, reask
from actions.dialogue.reading import (
    INTENT_CONFIDENCE,
    Expectation,
    Reading,
    asks_in_a_clause,
    excerpt,
    is_question,
)
from actions.dialogue.reply import reply_of
from actions.dialogue.turn import Turn
from actions.exercises.progress import save_progress
from actions.exercises.state import ExerciseState, clear_exercise
from actions.persistence.access import repository
from actions.persistence.models import RunStatus
from actions.persistence.repository import StorageUnavailable
from actions.safety.age import person_is_minor
from actions.safety.gate import faq_answer, person_region
from actions.safety.places import read_region, stated_region
from actions.safety.resources import (
    known_region,
    links_payload,
    listing,
    region_name,
    resources,
)
from actions.tracker_facts import channel_of, latest_entity
from bot.nlu import safety_signal

logger = logging.getLogger(__name__)
CATEGORIES = ("crisis", "abuse")
QUOTE_WORDS = 8  # how much of the person's own wording the check question repeats


def verdict(turn: Turn) -> dict:
    return turn.tracker.latest_message.get("safety") or {}


def adds_up(turn: Turn) -> dict | None:
    """The last few messages together worry where none does alone ("i don't see the point",
    then "they'd manage without me"): the lifted verdict, else None."""
    if verdict(turn).get("tier") != safety_signal.NONE:
        return None
    combined = safety_signal.combine_recent(safety_signal.recent_verdicts(turn.tracker.events))
    return combined if "recent" in (combined.get("nets") or []) else None


def categories_of(turn: Turn) -> list[str]:
    intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
    found = [c for c in verdict(turn).get("categories") or [] if c in CATEGORIES]
    if intent in CATEGORIES and intent not in found:
        found.insert(0, intent)
    return found


def takes_over(turn: Turn, question: Question, reading: Reading) -> bool:
    """A safety signal in a reply wins over the question it answers, except inside the
    safety conversation itself: "no, I'm not safe" answers "are you safe?", and a disclosure
    of the kind already answered is heard there, not answered with the whole opening again."""
    intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
    if intent in CATEGORIES and question.id == "are_you_safe":
        if reading.kind == "answer":
            return False
        new = [c for c in categories_of(turn) if c not in kinds_given(turn)]
        if not new:
            turn.say("utter_safety_heard")
            handler_for(question).listen(turn, question)
            return True
        respond(turn, new)
        return True
    if intent in CATEGORIES and question.id != "safety_check":
        respond(turn, categories_of(turn))
        return True
    if _picked_a_shown_answer(turn, question, reading):
        return False  # "Keep going" typed from the buttons: an answer, however it scores
    if intent == "safety_check" and question.id not in ("are_you_safe", "safety_check"):
        check(turn, then=question)
        return True
    lifted = None if question.id in ("are_you_safe", "safety_check") else adds_up(turn)
    if lifted is not None:  # then back to the question, once answered
        check(turn, then=question, suspected=lifted["categories"])
        return True
    return False


def _picked_a_shown_answer(turn: Turn, question: Question, reading: Reading) -> bool:
    """An uncertain signal never outweighs the label of a button just shown, typed."""
    said = normalise(turn.said)
    return reading.kind == "answer" and said in {normalise(t) for t in question.shown}


def kinds_given(turn: Turn) -> set[str]:
    """The kinds of safety response this person has had in this conversation."""
    given = {turn.slot(slots.SAFETY_KIND)} - {None}
    if turn.slot(slots.ABUSE_DISCLOSED):
        given.add("abuse")
    return given


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


def remember(turn: Turn, slot: str, value, store: str, what: str) -> None:
    """A fact kept with the person: in the conversation at once, and in the app database
    (`Repository.<store>`) when it is reachable."""
    turn.set(slot, value)
    try:
        getattr(repository(), store)(turn.sender_id, channel_of(turn.tracker), value)
    except StorageUnavailable:
        logger.warning("Could not save the %s; kept in the conversation", what)


def record_abuse(turn: Turn, disclosed: bool) -> None:
    remember(turn, slots.ABUSE_DISCLOSED, disclosed, "set_abuse_disclosed", "abuse flag")


def note_age(turn: Turn) -> bool:
    """Whether the person said they are under 18; kept in a slot for later sessions."""
    minor = person_is_minor(turn.tracker)
    if bool(turn.slot(slots.MINOR)) != minor:
        turn.set(slots.MINOR, minor)
    return minor


def told_region(turn: Turn) -> str | None:
    """The region the person gave before this message (this conversation or a past one)."""
    return turn.slot(slots.REGION) or person_region(turn.tracker)


def region_of(turn: Turn) -> str | None:
    """The person's region: known already, or said in this message ("I'm in Dublin and...")."""
    region = told_region(turn)
    if region is None:
        region = known_region(stated_region(turn.said))
        if region is not None:
            remember_region(turn, region)
    return region


def show(
    turn: Turn,
    response: str,
    needs: list[str],
    *,
    into: str = "resources",
    calling_safe: bool = True,
    emergency: bool = True,
    **values,
) -> None:
    """Says `response` with the services for `needs` as text in `{into}`, and as tappable
    links for the channels that show them."""
    shown = listing(
        needs,
        region_of(turn),
        minor=note_age(turn),
        calling_safe=calling_safe,
        emergency=emergency,
    )
    turn.say(
        response,
        **{into: shown.text},
        **values,
        **links_payload(turn.tracker.get_latest_input_channel(), shown),
    )


def respond(turn: Turn, categories: list[str]) -> None:
    """The full safety response for a clear disclosure, then "are you safe right now?"."""
    pause_exercise(turn)
    region = region_of(turn)
    kinds = [c for c in CATEGORIES if c in categories] or ["crisis"]
    if "crisis" in kinds:
        turn.say("utter_crisis_acknowledge")
        show(turn, "utter_crisis_resources", ["crisis"], region_name=region_name(region))
    if "abuse" in kinds:
        record_abuse(turn, True)
        if "crisis" not in kinds:
            turn.say("utter_abuse_acknowledge")
        if note_age(turn):
            turn.say("utter_minor_support")  # youth services, and why no couple exercises
        show(
            turn,
            "utter_abuse_resources",
            ["abuse"],
            emergency="crisis" not in kinds,  # said once, in the crisis message above
            region_name=region_name(region),
        )
        turn.say("utter_quick_exit")
    turn.set(slots.SAFETY_CHECK_PENDING, True)
    turn.set(slots.WELCOMED, True)
    turn.set(slots.SAFETY_KIND, kinds[0])
    ask(turn, "are_you_safe")


def check(turn: Turn, then: Question | None = None, suspected: list[str] | None = None) -> None:
    """One gentle, direct check question for an uncertain signal. A plain question about the
    assistant that the FAQ selector is sure of ("do you keep this stuff forever??") is
    answered instead: asking it about suicide would be jarring, and the signal was weak."""
    reply = reply_of(turn.tracker)
    sure_faq = reply.faq_selected and reply.faq_confidence >= INTENT_CONFIDENCE
    if sure_faq and is_question(normalise(reply.text)):
        turn.say(faq_answer(reply.faq_selected, turn.tracker))
        if then is not None:
            ask_again(turn, then)
        return
    suspected = suspected or verdict(turn).get("categories") or ["crisis"]
    ask(
        turn,
        "safety_check",
        category=suspected[0],
        quote=worrying_words(turn, suspected[0]),
        then=then.as_slot() if then is not None else None,
    )


def worrying_words(turn: Turn, category: str) -> str:
    """What the check question quotes: the sentence of the latest message that worried the
    detector, not the start of a long story (the whole message when it has no such part)."""
    strongest = (verdict(turn).get("strongest") or {}).get(category)
    return excerpt(strongest or turn.said, QUOTE_WORDS)


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

    def explain(self, turn: Turn, question: Question) -> bool:
        """ "Why are you asking me that?": why, in plain words, with the question again; a
        second unclear reply gets the full response (give_up)."""
        category = question.args.get("category", "crisis")
        reask(turn, question, f"utter_safety_check_why_{category}", self.buttons(turn, question))
        return True


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

    def expectation(self, turn: Turn, question: Question) -> Expectation:
        # Pills or a rope at hand matter after a crisis disclosure; after abuse only, "he
        # has a gun" is about the partner, answered as not safe.
        expects = super().expectation(turn, question)
        if "crisis" in needs_of(turn):
            return expects
        options = tuple(o for o in expects.options if o.value != "has_means")
        return Expectation("choice", options, by_position=expects.by_position)

    def listen(self, turn: Turn, question: Question) -> None:
        """Keeps reading replies without asking again; the answers stay one tap away."""
        buttons = self.buttons(turn, question)
        if turn.dispatcher.messages and not turn.dispatcher.messages[-1].get("buttons"):
            turn.dispatcher.messages[-1]["buttons"] = buttons
        question.say, question.shown = False, [b["title"] for b in buttons]
        put(turn, question)

    def answer(self, turn: Turn, question: Question, reading: Reading) -> None:
        told_before = told_region(turn)
        region = region_of(turn)
        needs = needs_of(turn)
        value = reading.value
        if value == "safe":
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_safe_glad")
            if region is not None and told_before is None:
                # "i'm safe. i'm in the uk": the numbers shown were general; here are theirs.
                set_region(turn, region)
                close(turn)
            elif region is None and not turn.slot(slots.REGION_ASKED):
                turn.set(slots.REGION_ASKED, True)
                ask(turn, "region")
            else:
                close(turn)
            return
        if value == "misread":
            if "abuse" in needs:  # stored with the person: asked to be sure before it is undone
                ask(turn, "confirm_misunderstanding")
                return
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_misunderstanding_noted")
            close(turn)
            return
        if value == "will_call":
            turn.set(slots.SAFETY_CHECK_PENDING, False)
            turn.say("utter_will_call")
            close(turn)
            return
        if value == "has_means":
            show(turn, "utter_crisis_means", ["crisis"])
        elif value == "not_safe":
            show(turn, "utter_not_safe_emergency", needs, into="emergency")
        elif value == "partner_nearby":
            turn.say("utter_partner_nearby")
        elif value == "not_sure":
            show(turn, "utter_not_sure_safe", needs)
        elif value == "cannot_call":
            # Hiding the contact matters when a partner checks the phone; in a crisis alone,
            # what helps is that writing works too.
            response = "utter_cannot_call" if "abuse" in needs else "utter_cannot_call_crisis"
            show(turn, response, needs, calling_safe=False)
        elif value == "wants_numbers":
            show(turn, "utter_here_are_numbers", needs)
        elif value == "no_violence":
            turn.say("utter_control_is_abuse")
        if value in ("has_means", "not_safe", "not_sure", "cannot_call", "wants_numbers"):
            offer_local_numbers(turn, region)
        self.listen(turn, question)

    def miss(self, turn: Turn, question: Question, reading: Reading) -> None:
        # After "which country are you in?" (offer_local_numbers) a bare place answers it.
        nudged = region_of(turn) is None and bool(turn.slot(slots.REGION_ASKED))
        region = said_region(turn, answering=nudged)
        careful = self.careful_answer(turn)
        if region is not None:
            set_region(turn, region)
        elif careful is not None:
            turn.say(careful)  # "is it normal that he checks?" right after an abuse disclosure
        elif reading.kind == "question" or reading.control == "explain":
            self.explain(turn, question)
        else:
            turn.say(self.STAY_RESPONSES[question.misses % 2])
        question.misses += 1
        self.listen(turn, question)

    @staticmethod
    def careful_answer(turn: Turn) -> str | None:
        """A question back answered here too ("can he read this?"): the FAQ answer the
        selector is sure of; or, after abuse, the careful version of its likely answer even
        when the selector is unsure (every such answer says the same careful thing)."""
        reply = reply_of(turn.tracker)
        if not reply.faq_selected or not asks_in_a_clause(normalise(reply.text)):
            return None
        careful = faq_answer(reply.faq_selected, turn.tracker)
        if careful != reply.faq_selected or reply.faq_confidence >= INTENT_CONFIDENCE:
            return careful
        return None

    def digression(self, turn: Turn, question: Question, theme: str) -> None:
        careful = self.careful_answer(turn)
        turn.say(careful or "utter_safety_theme_during_flow")
        self.listen(turn, question)

    def explain(self, turn: Turn, question: Question) -> bool:
        """ "Why are you asking me that?": why; the flow goes on listening (miss)."""
        turn.say("utter_safe_why")
        return True

    def control(self, turn: Turn, question: Question, control: str) -> None:
        self.miss(turn, question, Reading("control", control=control))


def offer_local_numbers(turn: Turn, region: str | None) -> None:
    """Once, while the numbers are general: where they are brings the local ones. Not a
    question of its own, so the person is never held up by it; a country named in any
    later reply is read (AreYouSafeHandler.miss)."""
    if region is None and not turn.slot(slots.REGION_ASKED):
        turn.set(slots.REGION_ASKED, True)
        turn.say("utter_region_nudge")


def needs_of(turn: Turn) -> list[str]:
    """What the resources are for: the disclosure's kind, and abuse too once disclosed."""
    kind = turn.slot(slots.SAFETY_KIND) or "crisis"
    return list(dict.fromkeys([kind] + (["abuse"] if turn.slot(slots.ABUSE_DISCLOSED) else [])))


def said_region(turn: Turn, answering: bool) -> str | None:
    """The region named in this message. Answering "which country?" (or telling it), any
    place: the NLU entity (also a button payload's), else the words. Otherwise only a
    statement of where one is, never the entity: "we met in Paris" is not where they are."""
    text = turn.said
    if not answering:
        return known_region(stated_region(text))
    return known_region(latest_entity(turn.tracker, "region")) or known_region(read_region(text))


def remember_region(turn: Turn, region: str) -> None:
    remember(turn, slots.REGION, region, "set_region", "region")


def set_region(turn: Turn, region: str) -> None:
    """Remembers the region and gives its numbers (international ones for a place that has
    none of its own listed)."""
    remember_region(turn, region)
    minor = note_age(turn)
    needs = needs_of(turn)
    disclosed = turn.slot(slots.SAFETY_KIND) is not None
    if disclosed and len(needs) == 1 and region != resources().default_region:
        # Only what this person needs: short on a phone.
        lines = listing(needs, region, minor=minor)
        turn.say(
            "utter_region_resources_one",
            region_name=region_name(region),
            resources=lines.text,
            **links_payload(turn.tracker.get_latest_input_channel(), lines),
        )
        return
    crisis = listing(["crisis"], region, minor=minor)
    abuse = listing(["abuse"], region, minor=minor, emergency=False)
    response = "utter_region_unknown" if region == resources().default_region else None
    turn.say(
        response or "utter_region_resources",
        region_name=region_name(region),
        crisis=crisis.text,
        abuse=abuse.text,
        **links_payload(turn.tracker.get_latest_input_channel(), crisis, abuse),
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
        region = said_region(turn, answering=True)
        if region is not None:
            set_region(turn, region)
            return
        show(turn, "utter_region_skipped", needs_of(turn))


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
