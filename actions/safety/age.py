"""Whether the person says they are under 18: "I'm 16", "im in year 11", "my bf at school".

A small, precise reader: only first-person, present-tense statements count, so "I was 16
when we met", "I'm 16 weeks pregnant", "my son is 15" and "together 16 years" do not. A
stated adult age ("I'm 34") counts too, so a later correction wins over an earlier slip.
The NLU safety net may already have decided (`minor` in its verdict); its answer is used
first for each message, this reader where it says nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rasa_sdk import Tracker

from actions import slots

ADULT = 18
NUMBER_WORDS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_AGE = r"(?P<age>[1-9][0-9]|" + "|".join(NUMBER_WORDS) + r")"
_I_AM = r"(?:i'?m|i am|im)(?: only| just| now| still)?"
_SEX = r"(?:f|m|nb|girl|boy|guy)"
# What may follow "I'm 16" for it to be an age, not "16 weeks pregnant" or "15 minutes late".
_AGE_END = (
    r"(?=\s*(?:$|[,.!?;:)]|-?years?[ -]old|yrs?(?: old)?|y/?o\b|y\.o\.|" + _SEX + r"\b|"
    r"and\b|but\b|so\b|now\b|btw\b|lol\b|too\b|though\b|myself\b))"
)
_YEARS_OLD = r"[ -]?(?:years?|yrs?)[ -]?old"
AGE_STATEMENTS = [
    re.compile(rf"\b{_I_AM}\s+(?:turning\s+|about to turn\s+)?{_AGE}\s*{_AGE_END}"),
    re.compile(rf"\bi (?:just )?turned\s+{_AGE}\b"),
    re.compile(rf"\bi mean(?:t)?,? (?:i'?m )?{_AGE}\s*{_AGE_END}"),  # a correction
    re.compile(rf"\b(?:i'?m|i am|im|as)\s+an?\s+{_AGE}{_YEARS_OLD}"),
    # "16yo here", "16 year old girl here": at the start of a sentence only
    re.compile(rf"(?:^|[.!?]\s*){_AGE}(?:{_YEARS_OLD}|\s*y/?o)?\s*(?:{_SEX}\s+)?here\b"),
    re.compile(rf"\bi \(\s*{_AGE}\s*{_SEX}?\s*\)"),  # "I (16F)"
    re.compile(rf"\b(?:my age is|i'?m aged|aged|age:?)\s+{_AGE}\b(?! (?:years|yrs) ago)"),
]
# "I'll be 18 next month": a year younger now.
TURNING_SOON = re.compile(rf"\b(?:i'?ll be|i will be|{_I_AM})\s+{_AGE}\s+(?:next|in|this|soon)\b")
# School, in words only a pupil uses of themselves.
_SCHOOL_YEAR = r"(?:year|yr) (?:[7-9]|1[0-3])"
_GRADE = r"(?:grade (?:[6-9]|1[0-2])|(?:[6-9]|1[0-2])th grade)"
_PUPIL = (
    r"(?:high school|secondary school|middle school|junior high|sixth form|6th form"
    r"|grammar school|primary school)"
)
_PARTNER = r"(?:boyfriend|girlfriend|bf|gf|partner)"
SCHOOL_STATEMENTS = [
    re.compile(rf"\b(?:i'?m|i am|im)(?: still| currently| now)? in (?:{_SCHOOL_YEAR}|{_GRADE})\b"),
    re.compile(rf"\b(?:i'?m|i am|im)(?: still| currently)? (?:in|at|a) {_PUPIL}\b"),
    re.compile(r"\b(?:i'?m|i am|im) an? (?:freshman|sophomore|junior|senior) in high school\b"),
    re.compile(r"\b(?:i'?m|i am|im) (?:doing|sitting|taking) my (?:gcses|a[- ]levels|junior cert)"),
    re.compile(r"\b(?:i'?m|i am|im) a (?:high ?schooler|teen|teenager|minor)\b"),
    re.compile(rf"\bmy {_PARTNER} (?:at|from|in) (?:my )?(?:school|class|year|{_PUPIL})\b"),
    re.compile(rf"\b(?:at|in) (?:my )?(?:school|{_PUPIL}) with my {_PARTNER}\b"),
    re.compile(r"\bi'?m not 18 yet\b|\bi'?m under 18\b|\bi am under 18\b|\bim under 18\b"),
]


def _age_value(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


@lru_cache(maxsize=4096)  # the gate asks about every earlier message, several times a turn
def stated_minor(text: str | None) -> bool | None:
    """True when the text says the writer is under 18, False when it states an adult age,
    None when it says nothing about their age."""
    if not text:
        return None
    lowered = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'"))
    # (where, age): the last statement in the message wins ("I'm 16. sorry, I mean 26").
    ages = [
        (match.start(), _age_value(match.group("age")))
        for pattern in AGE_STATEMENTS
        for match in pattern.finditer(lowered)
    ]
    ages += [(m.start(), _age_value(m.group("age")) - 1) for m in TURNING_SOON.finditer(lowered)]
    if ages:
        return max(ages)[1] < ADULT
    return True if any(pattern.search(lowered) for pattern in SCHOOL_STATEMENTS) else None


def message_says_minor(parse_data: dict, text: str | None) -> bool | None:
    """The NLU verdict's `minor` for one message if it gave one, else this reader's."""
    flag = (parse_data.get("safety") or {}).get("minor")
    # The verdict's True is trusted; its False is only "its patterns saw nothing", and this
    # reader knows more ways of saying it ("im in year 11"), so it still reads the text.
    return True if flag else stated_minor(text)


def person_is_minor(tracker: Tracker) -> bool:
    """What the latest statement of age in the conversation says; then the slot (kept
    across sessions); otherwise not known to be a minor."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        said = message_says_minor(event.get("parse_data") or {}, event.get("text"))
        if said is not None:
            return said
    return bool(tracker.get_slot(slots.MINOR))
