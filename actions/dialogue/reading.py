"""The reply reader: what a message says in answer to the question the assistant asked.

Pure functions over a `Reply` (the message as NLU parsed it) and an `Expectation` (what the
question accepts). The order is the product's rule, "context first": a button press, then
the expected answers in any wording (options by title, synonym, position or meaning; yes /
no in words and emoji; numbers in words), then what else the message could be (an exercise
control, a non-answer, a question, another topic). Safety signals are checked by the caller
before anything here runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from actions.dialogue.lexicon import CONTROLS, lexicon, normalise
from actions.themes import THEME_INTENTS

ExpectationKind = Literal["choice", "rating", "text", "info"]
ReadingKind = Literal[
    "answer",  # value (option value, text, or the number as text) and number
    "non_answer",  # "idk", "?", an emoji shrug
    "question",  # a question back; faq is the answer Rasa's response selector found, if any
    "control",  # skip, pause, stop, explain, resume
    "request",  # an intent that is not an answer: export, delete, help, a greeting, ...
    "digression",  # another theme, said clearly
    "unclear",  # nothing fits
]

# Intents that mean "do this" wherever they are said; answered, then the question is asked again.
REQUEST_INTENTS = frozenset(
    {
        "export_my_data",
        "delete_my_data",
        "show_summaries",
        "help",
        "bot_challenge",
        "greet",
        "thanks",
        "goodbye",
        "stop_talking",
        "frustration",
        "out_of_scope",
        "start_conversation",
        "start",
        "covert_monitoring",
        "want_to_talk",
        "other_language",
        "start_exercise",
        "show_progress",
        "set_reminder",
        "change_reminder",
        "show_reminders",
        "stop_reminders",
    }
)
CONTROL_INTENTS = {
    "skip_step": "skip",
    "pause_exercise": "pause",
    "stop_exercise": "stop",
    "explain_exercise": "explain",
    "resume_exercise": "resume",
}
AUXILIARY = (
    r"is|are|am|was|were|can|could|should|would|will|do|does|did|has|have|may|might|must"
    r"|isn't|isnt|aren't|arent|doesn't|doesnt|don't|dont|didn't|didnt|can't|cant|won't|wont"
    r"|shouldn't|shouldnt|wouldn't|wouldnt"
)
# A question opens with an auxiliary ("should i leave him"), or a question word followed by
# one or by "if" ("what if it fails", "how do i"); "when he turns his phone over" is an answer.
QUESTION_START = re.compile(
    rf"^(?:(?:{AUXILIARY})\b|(?:why|what|how|when|where|who|which)(?:'s|'re|\s+(?:{AUXILIARY}"
    r"|if|about|else|now|come|much|many|long|often|exactly|i|we|you)\b|$)|whats\b|hows\b|wats\b)"
)
# Words a question may come after, in any clause: "honestly should i just leave him?",
# "ok, but who reads this"
LEAD_WORDS = re.compile(
    r"^(?:(?:honestly|seriously|so|ok|okay|like|tbh|but|and|um+|hmm+|well|also|actually|just"
    r"|really|idk|ugh|lol|anyway|sorry|though|then|tho)[\s,]+)+"
)
HOLD_ON = re.compile(r"^(?:(?:wait|hold on|hang on|sorry|um+|quick question|sorry but)[\s,:-]+)+")
EMOJI_OR_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
NUMBER = re.compile(r"(?<![\w.])(-?\d+)(?:[.,]\d+)?")
GENERIC_WORD_POSITION = 3  # a lone yes / no word counts among a reply's first three words
SHORT_REPLY_WORDS = 6  # controls and requests are read only in replies this short
SENTENCE_REPLY_WORDS = 16  # "i don't know. can we do something else" still asks to stop
OPENING_WORDS = 2  # "honestly, i'd rather not say": the words a decline may come after
COMPLAINT_WORDS = 8  # a longer reply that says "waste of time" is more likely an answer
INTENT_CONFIDENCE = 0.6
REQUEST_CONFIDENCE = 0.75
DIGRESSION_CONFIDENCE = 0.6
TAKEN_BACK_DIGRESSION_CONFIDENCE = 0.35  # after "never mind": another topic is expected
SMALL_TALK = frozenset({"goodbye", "greet", "thanks"})
SURE_SMALL_TALK = 0.9  # at a written step, a greeting or goodbye the lexicon does not confirm
OPTION_MATCH_SCORE = 0.62
OPTION_MATCH_MARGIN = 0.05


@dataclass(frozen=True)
class Option:
    value: str
    title: str
    synonyms: tuple[str, ...] = ()  # words for this option in particular
    button: bool = True  # shown as a button (some accepted answers are only typed)
    generic: tuple[str, ...] = ()  # yes / no words that also mean it; weaker than synonyms
    weight: int = 0  # settles a reply that matches several options (see questions.yml)


@dataclass(frozen=True)
class Expectation:
    kind: ExpectationKind
    options: tuple[Option, ...] = ()
    scale: tuple[int, int] | None = None
    by_position: bool = True  # options are shown as a list, so "the second one" picks one
    controls: bool = False  # exercise controls (skip, pause, stop) apply
    match_key: str | None = None  # key of this question in the NLU option matches
    shown: tuple[str, ...] = ()  # button titles just shown; their typed label is read too
    theme: str | None = None  # the exercise's own theme is not a digression
    entity: str | None = None  # an entity whose value is an option ("i cheated": the role)


@dataclass(frozen=True)
class Reply:
    text: str
    intent: str | None = None
    confidence: float = 0.0
    choice: str | None = None  # from a button payload
    from_button: bool = False  # the message is a payload ("/intent{...}")
    faq: str | None = None  # a retrieval response Rasa's response selector picked
    faq_confidence: float = 0.0
    faq_selected: str | None = None  # the selector's pick even when the intent is not faq
    option_matches: tuple[tuple[str, str, float], ...] = ()  # (match key, value, score)
    entities: tuple[tuple[str, str], ...] = ()  # (entity, value) the NLU pipeline found

    @property
    def words(self) -> list[str]:
        return normalise(self.text).split()

    @property
    def faq_answer(self) -> str | None:
        """The FAQ answer to give: the selector's pick, when it is sure or the classifier is
        sure the message is one of the frequently asked questions (as with no question
        waiting: actions/dialogue/moves.py answer_faq)."""
        sure = self.faq_confidence >= INTENT_CONFIDENCE or self.confidence >= REQUEST_CONFIDENCE
        return self.faq if self.faq and sure else None


@dataclass(frozen=True)
class Reading:
    kind: ReadingKind
    value: str | None = None
    number: int | None = None
    control: str | None = None
    request: str | None = None
    theme: str | None = None
    faq: str | None = None
    out_of_range: bool = False
    complaint: bool = False  # a non-answer that is a complaint about the exercise itself
    items: tuple[str, ...] = field(default=())  # a text answer that lists several things


def read(reply: Reply, expects: Expectation) -> Reading:
    """What `reply` says in answer to a question that `expects` something."""
    if reply.from_button:
        return _read_button(reply, expects)
    said = normalise(reply.text)
    if not said:
        return Reading("non_answer")
    if expects.kind == "info" and said in {normalise(t) for t in expects.shown}:
        return Reading("answer", value="continue")  # the "Continue" button's label, typed
    if expects.options:  # a choice, or a text step offering back what was written
        named = _named_option(said, expects.options)
        if named is not None:  # "pause it" at "stop or pause?" is that option, not a control
            return Reading("answer", value=named.value)
    control = _control(reply, said, expects)
    if control:
        return Reading("control", control=control)
    if expects.kind == "choice":
        found = match_option(reply, expects)
        if found is not None:
            return Reading("answer", value=found.value)
    elif expects.kind == "rating":
        number = parse_number(said)
        if number is not None:
            low, high = expects.scale
            if low <= number <= high:
                return Reading("answer", value=str(number), number=number)
            return Reading("unclear", number=number, out_of_range=True)
    return _read_other(reply, said, expects)


def _read_button(reply: Reply, expects: Expectation) -> Reading:
    if reply.intent in CONTROL_INTENTS:
        return Reading("control", control=CONTROL_INTENTS[reply.intent])
    if reply.intent == "choose" and reply.choice is not None:
        if any(o.value == reply.choice for o in expects.options):
            return Reading("answer", value=reply.choice)
        if expects.kind == "rating" and reply.choice.lstrip("-").isdigit():
            number = int(reply.choice)
            low, high = expects.scale
            if low <= number <= high:
                return Reading("answer", value=str(number), number=number)
        if expects.kind == "info":
            return Reading("answer", value=reply.choice)
        return Reading("unclear")  # a button from an earlier question
    if reply.intent in ("affirm", "deny") and expects.kind == "choice":
        wanted = "yes" if reply.intent == "affirm" else "no"
        if any(o.value == wanted for o in expects.options):
            return Reading("answer", value=wanted)
    if reply.intent in THEME_INTENTS:
        return Reading("digression", theme=reply.intent)
    return Reading("request", request=reply.intent)


def _read_other(reply: Reply, said: str, expects: Expectation) -> Reading:
    """The reply is not one of the expected answers: what else is it?"""
    short = len(said.split()) <= SHORT_REPLY_WORDS
    if expects.kind == "info" and (said in _phrases("go_on") or said in _phrases("yes")):
        return Reading("answer", value="continue")  # read it: go on, nothing to keep
    if said in _phrases("non_answers") or EMOJI_OR_PUNCT.match(said):
        return Reading("non_answer")
    request = _request(reply, short)
    if expects.kind == "text" and request in SMALL_TALK and not leaves(said):
        # "late nights with no message" is an answer the classifier took for "good night"
        request = request if reply.confidence >= SURE_SMALL_TALK else None
    if request is None and leaves(said):
        request = "goodbye"
    faq = reply.faq_answer
    if faq and asks_in_a_clause(said):  # "ok, but who reads this"
        return Reading("question", faq=faq)
    if is_question(said):
        if faq:
            return Reading("question", faq=faq)
        if said in _phrases("explain") or reply.intent == "explain_exercise":
            return Reading("control", control="explain")
        if request:
            return Reading("request", request=request)
        theme = _digression(reply, expects)
        if theme:
            return Reading("digression", theme=theme)
        return Reading("question")
    complains = _complains(reply, said, request)
    if complains and expects.controls:
        return Reading("non_answer", complaint=True)  # at a step: acknowledged, not stored
    if request or complains:
        return Reading("request", request=request or "frustration")
    if expects.kind == "text":
        return Reading("answer", value=reply.text.strip(), items=tuple(list_items(reply.text)))
    if expects.kind == "info":
        return Reading("answer", value=reply.text.strip())
    # "ok never mind, what about triggers": taken back for another topic, said less surely.
    theme = _digression(reply, expects, sure=not _asks_something_else(reply, said))
    if theme:
        return Reading("digression", theme=theme)
    if _takes_back(said):  # "never mind" and then something unclear: the topics instead
        return Reading("request", request="help")
    return Reading("unclear")


def _request(reply: Reply, short: bool) -> str | None:
    if reply.intent not in REQUEST_INTENTS:
        return None
    if reply.intent in ("out_of_scope",):
        return None  # "that's outside what I do" is never the answer to our own question
    if short or reply.confidence >= 0.9:
        return reply.intent if reply.confidence >= REQUEST_CONFIDENCE else None
    return None


def _complains(reply: Reply, said: str, request: str | None) -> bool:
    """ "this is a waste of time": about the exercise or the assistant, not an answer."""
    if request == "frustration":
        return True
    if len(said.split()) > COMPLAINT_WORDS:
        return False
    return bool(longest_spans(said, [(p, "complaint") for p in _phrases("complaints")]))


def _digression(reply: Reply, expects: Expectation, sure: bool = True) -> str | None:
    other_theme = reply.intent in THEME_INTENTS and reply.intent != expects.theme
    needed = DIGRESSION_CONFIDENCE if sure else TAKEN_BACK_DIGRESSION_CONFIDENCE
    return reply.intent if other_theme and reply.confidence >= needed else None


def _control(reply: Reply, said: str, expects: Expectation) -> str | None:
    """Skip, pause, stop, "what is this for", continue, in a short reply: by the lexicon's
    words inside an exercise, by a sure intent anywhere. Where the answer is an option or a
    number, a longer "let's stop here for now" cannot be an answer, so it counts too."""
    lexicon_words = expects.controls
    any_length = expects.kind in ("choice", "rating")
    intent_control = CONTROL_INTENTS.get(reply.intent or "")
    if any_length and intent_control and reply.confidence >= REQUEST_CONFIDENCE:
        return intent_control
    if lexicon_words and longest_spans(said, [(p, "pause") for p in _phrases("interrupted")]):
        return "pause"  # "my wife just walked in": kept safe at once, never an answer
    if lexicon_words and len(said.split()) <= SENTENCE_REPLY_WORDS:
        # "i'd rather not" answers a yes / no option; it declines only a written answer
        declining = ("declined", "skip") if expects.kind in ("text", "info") else None
        for name, control in filter(None, (("changed_mind", "stop"), declining)):
            if said_in_own_words(said, [(p, control) for p in _phrases(name)]):
                return control  # asked whether to stop or pause / the step left out
        # "no stop. i want to quit this exercise", but not "i need to stop checking his phone"
        stopping = [(p, "stop") for p in _phrases("stop") if " " in p]
        if said_in_own_words(said, stopping, whole_clause=True):
            return "stop"
    if len(said.split()) > SHORT_REPLY_WORDS:
        return None
    for name in ("skip", "pause", "stop", "explain", "resume") if lexicon_words else ():
        if said in _phrases(name):
            return name
    for name in ("stop", "pause") if lexicon_words else ():
        # "i said i want to stop": a phrase of several words inside a short reply counts too
        # (a single word does not: "stop lying" is an answer)
        phrases = [(p, name) for p in _phrases(name) if " " in p]
        if longest_spans(said, phrases):
            return name
    intent_control = CONTROL_INTENTS.get(reply.intent or "")
    if intent_control and reply.confidence >= REQUEST_CONFIDENCE and len(said.split()) <= 4:
        return intent_control
    return None


def said_in_own_words(said: str, phrases: list[tuple[str, str]], whole_clause=False) -> bool:
    """A phrase that opens the reply or one of its sentences ("sorry, i'd rather not say";
    "i don't know. can we do something else"), not one quoted inside an answer ("he just
    says i don't want to talk about it"); with `whole_clause`, also ending that sentence."""
    for clause in re.split(r"[.;!?]+", said):
        clause = clause.strip()
        for start, end, _ in longest_spans(clause, phrases):
            opens = len(clause[:start].split()) <= OPENING_WORDS
            ends = not clause[end:].strip(" ,")
            if not whole_clause and opens:
                return True
            if whole_clause and ends and (opens or len(clause.split()) <= SHORT_REPLY_WORDS):
                return True
    return False


def leaves(said: str) -> bool:
    """ "ok thanks bye", "nah im good. bye": a short reply that says goodbye."""
    if len(said.split()) > SHORT_REPLY_WORDS:
        return False
    spans = longest_spans(said, [(p, "bye") for p in _phrases("leaving")])
    return any(end == len(said) or start == 0 for start, end, _ in spans)


def excerpt(text: str, words: int) -> str:
    """The start of what someone wrote, to quote it back to them."""
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def asks_in_a_clause(said: str) -> bool:
    """A question anywhere in the reply, also after an opening "ok," or "sure,"."""
    clauses = (c.strip() for c in re.split(r"[,.;!?]+", said)[1:])
    return is_question(said) or any(is_question(c) for c in clauses if c)


def is_question(said: str) -> bool:
    opening = LEAD_WORDS.sub("", HOLD_ON.sub("", said))  # "wait does this get saved"
    asked = QUESTION_START.match(opening)
    return said.endswith("?") or (bool(asked) and len(said.split()) <= 12)


# --- options ---------------------------------------------------------------------------------
def match_option(reply: Reply, expects: Expectation) -> Option | None:
    """The option a typed reply picks: by its words, its position, yes / no, or its meaning."""
    said = normalise(reply.text)
    options = expects.options
    for option in options:  # the whole reply is an option's title, value or a synonym
        names = {
            normalise(option.title),
            option.value.replace("_", " "),
            *option.synonyms,
            *option.generic,
        }
        if said in {normalise(n) for n in names}:
            return option
    typed = [o for o in options if normalise(o.title) in {normalise(t) for t in expects.shown}]
    for option in typed:  # the typed label of a button just shown
        if said == normalise(option.title):
            return option
    if expects.by_position:
        # Positions count what is on screen: a hidden, typed-only option has none.
        listed = [o for o in options if o.button]
        position = _position(said, len(listed))
        if position is not None:
            return listed[position]
    stated = _by_entity(reply, expects)
    if stated is not None:
        return stated
    taken_back = _asks_something_else(reply, said)
    found = _by_phrases(said, options, generic=not taken_back)
    if found is not None:
        return found
    if taken_back:
        # a bare "ok nvm" / "forget it" turns the question down, where it can be turned down
        bare = len(said.split()) <= 3
        return next((o for o in options if o.value in ("no", "not_now")), None) if bare else None
    if reply.intent in ("affirm", "deny") and reply.confidence >= INTENT_CONFIDENCE:
        wanted = "yes" if reply.intent == "affirm" else "no"
        found = next((o for o in options if o.value == wanted), None)
        if found is not None:
            return found
    return _by_meaning(reply, expects)


def _named_option(said: str, options: Sequence[Option]) -> Option | None:
    """The one option whose title or own synonym is the whole reply."""
    named = [o for o in options if said in {normalise(w) for w in (o.title, *o.synonyms)}]
    return named[0] if len(named) == 1 else None


def _position(said: str, count: int) -> int | None:
    ordinals = lexicon().ordinals
    for key, phrases in ordinals.items():
        if said in phrases:
            index = count - 1 if key == "last" else int(key) - 1
            return index if 0 <= index < count else None
    return None


def _by_entity(reply: Reply, expects: Expectation) -> Option | None:
    """An option stated in a sentence the entity patterns recognise (bot/patterns/
    entities.yml: "he cheated on me" is the role `hurt`); one value only."""
    if not expects.entity:
        return None
    values = {value for entity, value in reply.entities if entity == expects.entity}
    if len(values) != 1:
        return None
    value = values.pop()
    return next((o for o in expects.options if o.value == value), None)


def _takes_back(said: str) -> bool:
    return bool(longest_spans(said, [(p, "retract") for p in _phrases("retract")]))


def _asks_something_else(reply: Reply, said: str) -> bool:
    """A yes or no word that takes the question back ("ok never mind") or opens another
    request ("ok, but what's a good exercise for triggers?") is no answer to this question."""
    if _takes_back(said) or leaves(said):  # "ok thanks bye" is no yes
        return True
    if len(said.split()) <= SHORT_REPLY_WORDS:
        return False
    elsewhere = (
        reply.intent in THEME_INTENTS or reply.intent in REQUEST_INTENTS or reply.intent == "faq"
    )
    return asks_in_a_clause(said) and elsewhere and reply.confidence >= DIGRESSION_CONFIDENCE


def _by_phrases(said: str, options: Sequence[Option], generic: bool = True) -> Option | None:
    """Options whose words appear in the reply: first an option's own synonyms (or title),
    then the generic yes / no words. The longest match wins; matches for different options
    make the reply unclear (None)."""
    short = len(said.split()) <= SHORT_REPLY_WORDS
    passes = [(False, lambda o: (o.title, *o.synonyms))]
    if generic:
        passes.append((True, lambda o: o.generic))
    for generic_words_pass, words_of in passes:
        labelled = [
            (normalise(phrase), option.value)
            for option in options
            for phrase in words_of(option)
            if normalise(phrase)
        ]
        found = longest_spans(said, labelled)
        if generic_words_pass and len({value for _, _, value in found}) > 1:
            return None  # "no wait, actually yes": a change of mind is asked again
        values = {span[2] for span in found if _counts(said, span, short, generic_words_pass)}
        matched = [o for o in options if o.value in values]
        if len(matched) == 1:
            return matched[0]
        if matched:
            # "no i'm safe, he's not violent": one option may say more than the others.
            matched.sort(key=lambda o: o.weight, reverse=True)
            return matched[0] if matched[0].weight > matched[1].weight else None
    return None


def _counts(said: str, span: tuple[int, int, str], short: bool, generic: bool) -> bool:
    """A one-word match ("her", "sure") is trusted only where it cannot be part of a story:
    in a short reply, or (yes / no words) at its start; longer phrases count anywhere."""
    start, end, _ = span
    if " " in said[start:end].strip():
        return True
    if generic:
        return len(said[:start].split()) < GENERIC_WORD_POSITION
    return short


def _by_meaning(reply: Reply, expects: Expectation) -> Option | None:
    """The NLU pipeline's sentence-embedding match against this question's options."""
    if not expects.match_key:
        return None
    scored = sorted(
        ((score, value) for key, value, score in reply.option_matches if key == expects.match_key),
        reverse=True,
    )
    if not scored or scored[0][0] < OPTION_MATCH_SCORE:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < OPTION_MATCH_MARGIN:
        return None
    return next((o for o in expects.options if o.value == scored[0][1]), None)


def longest_spans(text: str, labelled: Iterable[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping matches of (phrase, label) in `text`, longest first."""
    found = []
    for phrase, label in labelled:
        for match in _phrase_pattern(phrase).finditer(text):
            found.append((match.start(), match.end(), label))
    found.sort(key=lambda span: (-(span[1] - span[0]), span[0]))
    chosen: list[tuple[int, int, str]] = []
    for start, end, label in found:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, label))
    return sorted(chosen)


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern:
    escaped = re.escape(phrase)
    if re.match(r"^\w", phrase) and re.search(r"\w$", phrase):
        return re.compile(rf"(?<![\w']){escaped}(?![\w'])")
    return re.compile(escaped)


def says_back(text: str) -> bool:
    """A short "I'm back" ("sorry, im back now"): someone returning from a break."""
    said = normalise(text)
    if len(said.split()) > SHORT_REPLY_WORDS:
        return False
    return bool(longest_spans(said, [(p, "back") for p in _phrases("returned")]))


@lru_cache(maxsize=16)
def _phrases(name: str) -> frozenset[str]:
    lex = lexicon()
    if name in ("interrupted", "declined", "changed_mind", *CONTROLS):
        return frozenset(normalise(p) for p in getattr(lex.controls, name))
    return frozenset(normalise(p) for p in getattr(lex, name))


def generic_words(meaning: str | None) -> tuple[str, ...]:
    """The lexicon's words for yes, no, not now or not sure."""
    if meaning not in ("yes", "no", "not_now", "not_sure", "yes_plain"):
        return ()
    return tuple(normalise(p) for p in getattr(lexicon(), meaning))


# --- numbers and lists -----------------------------------------------------------------------
def parse_number(said: str) -> int | None:
    """A whole number from free text: "7", "7/10", "a three", "probably six", "6ish"."""
    match = NUMBER.search(said)
    if match:
        return int(match.group(1))
    words = lexicon().numbers
    for word in re.findall(r"[a-z]+", said):
        if word in words:
            return words[word]
    return None


LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\(\d+\))\s*")


def list_items(text: str) -> list[str]:
    """The things a reply lists, when it clearly lists several: one per line, numbered or
    bulleted, or separated by semicolons. A plain sentence is one item."""
    lines = [line for line in re.split(r"\n+", text) if line.strip()]
    if len(lines) > 1:
        return [LIST_MARKER.sub("", line).strip() for line in lines]
    numbered = re.split(r"(?:^|\s)(?:\d+[.)]|\(\d+\))\s+", text)
    numbered = [part.strip(" ,;") for part in numbered if part.strip(" ,;")]
    if len(numbered) > 1:
        return numbered
    parts = [part.strip() for part in text.split(";") if part.strip()]
    return parts if len(parts) > 1 else [text.strip()]
