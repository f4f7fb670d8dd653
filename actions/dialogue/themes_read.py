"""Which theme a message is about, from the classifier's ranking: one theme, two themes in a
long story, or unsure (then the person is asked which is closest)."""

from __future__ import annotations

import re
from typing import Any

from actions.dialogue.lexicon import lexicon, normalise
from actions.dialogue.moves import disclose_once, say_faq
from actions.dialogue.offers import offer_theme
from actions.dialogue.question import ask
from actions.dialogue.reading import INTENT_CONFIDENCE, asks_in_a_clause
from actions.dialogue.reply import reply_of
from actions.dialogue.turn import Turn
from actions.safety.gate import gate_reply, is_gated
from actions.themes import THEME_INTENTS
from actions.tracker_facts import intent_ranking, latest_intent

# Below this the ranking is noise; candidates must also be within reach of the best one.
MIN_CANDIDATE_CONFIDENCE = 0.08
CANDIDATE_RATIO = 0.35
MAX_CANDIDATES = 3
# A story: this long, or this many sentences. Its reflection thanks the person for telling it.
LONG_STORY_CHARACTERS = 280
LONG_STORY_SENTENCES = 3
# Two themes really present: the second within reach of the first. Chosen on
# tests/integration/two_theme_stories.yml (at 0.2 / 0.1 both themes found in 24 of 60, a wrong
# second theme in 2), never on the held-out long messages.
SECOND_THEME_RATIO = 0.25
SECOND_THEME_CONFIDENCE = 0.1
SURE_THEME = 0.8  # a question this surely about a theme gets the theme, not an FAQ answer...
ASKED_IN_STORY_FAQ = 0.8  # ...and, when it asks what the selector is this sure of, its answer too
VERY_SURE_FAQ = 0.9  # with no theme found, a selector this sure answers even without a "?"
SHORT_NUMBER_MESSAGE = 6  # "idk. a three? a four?": a number out of the blue, asked about
BARE_NUMBER = re.compile(r"^-?\d+(?:[.,/]\d+)?$")


def theme_candidates(ranking: list[dict[str, Any]]) -> list[str]:
    """The two or three themes the classifier hesitated between, best first."""
    scored = [(r["name"], r["confidence"]) for r in ranking if r["name"] in THEME_INTENTS]
    if not scored:
        return []
    best = scored[0][1]
    return [
        name
        for name, confidence in scored[:MAX_CANDIDATES]
        if confidence >= MIN_CANDIDATE_CONFIDENCE and confidence >= best * CANDIDATE_RATIO
    ]


def is_long_story(text: str) -> bool:
    sentences = [s for s in re.split(r"[.!?\n]+", text) if len(s.split()) >= 3]
    return len(text) >= LONG_STORY_CHARACTERS or len(sentences) >= LONG_STORY_SENTENCES


def second_theme(ranking: list[dict[str, Any]], first: str) -> str | None:
    """The other theme of a story that really asks about two."""
    themes = [r for r in ranking if r["name"] in THEME_INTENTS]
    if len(themes) < 2 or themes[0]["name"] != first:
        return None
    best, runner_up = themes[0]["confidence"], themes[1]
    if (
        runner_up["confidence"] >= SECOND_THEME_CONFIDENCE
        and runner_up["confidence"] >= best * SECOND_THEME_RATIO
    ):
        return runner_up["name"]
    return None


def out_of_scope(turn: Turn) -> None:
    """Not about a relationship, the classifier thinks; but a number, another language or a
    message with relationship words is never told it is outside what this can help with."""
    disclose_once(turn)
    if not_a_theme_message(turn) or answered_as_faq(turn):
        return
    said = normalise(turn.said)
    if set(said.split()) & set(lexicon().relationship_words):
        clarify(turn)
        return
    turn.say("utter_out_of_scope")


def not_a_theme_message(turn: Turn) -> bool:
    """Answers a bare number; True if it did."""
    said = normalise(turn.said)
    words = said.split()
    numbers = [w for w in words if BARE_NUMBER.match(w.strip("?.,!")) or w in lexicon().numbers]
    if numbers and len(words) <= SHORT_NUMBER_MESSAGE:
        turn.say("utter_ask_about_number")
        return True
    return False


def answered_as_faq(turn: Turn) -> bool:
    """A question the FAQ selector is sure of ("is it normal to still be this angry?") gets
    its answer, even where the classifier leaned to a theme or was unsure. True if it did."""
    reply = reply_of(turn.tracker)
    sure = reply.faq_selected and reply.faq_confidence >= INTENT_CONFIDENCE
    theme = reply.intent in THEME_INTENTS
    theme_sure = theme and reply.confidence >= SURE_THEME
    # a theme closed to this person (under 18, after abuse) is answered by its gate instead
    gated = theme and is_gated(reply.intent, turn.tracker)
    # "r u like a licensed therapist or no": no question word, but nothing else fits
    asks = asks_in_a_clause(normalise(reply.text)) or (
        not theme and reply.faq_confidence >= VERY_SURE_FAQ
    )
    if not sure or theme_sure or gated or not asks:
        return False
    disclose_once(turn)
    say_faq(turn, reply.faq_selected)
    return True


def offer_for_message(turn: Turn) -> None:
    if answered_as_faq(turn):
        return
    theme = latest_intent(turn.tracker)
    if theme not in THEME_INTENTS:
        ask(turn, "topic_stage")
        return
    text = turn.said
    long_story = is_long_story(text)
    also = second_theme(intent_ranking(turn.tracker), theme) if long_story else None
    offer_theme(turn, theme, also=also, long_story=long_story, answer=asked_in_story(turn))


def asked_in_story(turn: Turn) -> str | None:
    """The FAQ answer to a question asked inside a message that is surely about a theme
    ("...she says nothing physical happened. Is that actually cheating?"): given with the
    theme's reflection, before its exercise is offered."""
    reply = reply_of(turn.tracker)
    asked = asks_in_a_clause(normalise(reply.text)) and reply.faq_confidence >= ASKED_IN_STORY_FAQ
    return reply.faq_selected if asked else None


def clarify(turn: Turn) -> None:
    """Asks which theme fits instead of guessing (the menu by stage when none is close)."""
    disclose_once(turn)
    if not_a_theme_message(turn) or answered_as_faq(turn):
        return
    candidates = theme_candidates(intent_ranking(turn.tracker))
    # a menu never offers what is closed to this person (under 18: every couple exercise)
    closed = [t for t in candidates or THEME_INTENTS if is_gated(t, turn.tracker)]
    if closed == list(candidates or THEME_INTENTS):
        gate_reply(turn.dispatcher, turn.tracker, closed[0])
        return
    candidates = [t for t in candidates if t not in closed]
    if candidates:
        ask(turn, "clarify", themes=candidates)
    else:
        ask(turn, "topic_stage", lead="utter_rephrase")
