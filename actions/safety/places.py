"""Where the person is, from their own words: "I'm in Dublin", "uk", "Aussie here".

Two readings. `read_region` answers "where are you?": any place named counts. `stated_region`
reads other messages, where a place may be part of a story ("we met in Paris"): only a
statement about where the person is counts ("I'm in Dublin", "we live in Toronto", "Aussie
here", or a message that is just the place). When several places are named, the one the
person is in now wins over the one they are from ("from Australia but living in Spain").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import validator

from bot.content import Strict, load_content
from bot.paths import PLACES_FILE

JUST_THE_CODE = re.compile(r"(?:(?:i'?m|i am|we'?re)\s+)?(?:(?:in|from)\s+)?(?:the\s+)?\S{2,4}")
SHORT_ANSWER_WORDS = 4  # "in dublin", "uk", "london uk": a message that is just the place

# What comes just before a place in a statement of where one is.
_NOW = (
    r"(?:i'?m|i am|we'?re|we are|i live|we live|i'?m living|living|based|here|currently"
    r"|now|moved)"
)
STATED_BEFORE = re.compile(_NOW + r"\s+(?:(?:in|from|to|at|near)\s+)?(?:the\s+)?$")
STATED_AFTER = re.compile(r"^\s*(?:here|based|living|resident)\b")
# Words before a place that say where the person is now, or where they come from.
NOW_BEFORE = re.compile(r"\b(?:in|live|living|based|now|currently|moved to|near|at)\s+(?:the\s+)?$")
ORIGIN_BEFORE = re.compile(r"\b(?:from|originally|born in|grew up in)\s+(?:the\s+)?$")
LOOK_BACK = 24  # characters before a place searched for those words


class RegionWords(Strict):
    names: list[str]  # mean the place anywhere; also the NLU's region entity patterns
    people: list[str]  # "Aussie", "Irish": also languages or food, so for the actions only

    @property
    def words(self) -> list[str]:
        return self.names + self.people


class Places(Strict):
    case_sensitive: dict[str, list[str]]
    regions: dict[str, RegionWords]

    @validator("regions")
    def _no_word_twice(cls, regions: dict[str, RegionWords]) -> dict[str, RegionWords]:
        seen: dict[str, str] = {}
        for code, entry in regions.items():
            for word in entry.words:
                key = word.lower()
                if key in seen:
                    raise ValueError(f"{word!r} is listed for both {seen[key]} and {code}")
                seen[key] = code
        return regions


@dataclass(frozen=True)
class Mention:
    region: str
    start: int
    end: int


def _alternation(words: list[str]) -> str:
    ordered = sorted(set(words), key=len, reverse=True)  # the longest name wins
    return r"(?<![\w.])(" + "|".join(re.escape(word) for word in ordered) + r")(?![\w])"


@lru_cache(maxsize=1)
def places() -> Places:
    return load_content(PLACES_FILE, Places)


@lru_cache(maxsize=1)
def _matchers() -> tuple[re.Pattern, re.Pattern | None, dict[str, str]]:
    code_of = {word.lower(): code for code, e in places().regions.items() for word in e.words}
    exact = {word: code for code, words in places().case_sensitive.items() for word in words}
    code_of.update(exact)
    words = re.compile(_alternation([w.lower() for w in code_of if w not in exact]))
    cased = re.compile(_alternation(list(exact))) if exact else None
    return words, cased, code_of


def _plain(text: str) -> str:
    """Curly apostrophes straightened and spaces collapsed; case kept (for "US")."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


def mentions(text: str) -> list[Mention]:
    """Every place named, in order of appearance, none overlapping."""
    words, cased, code_of = _matchers()
    plain = _plain(text)
    found = [
        Mention(code_of[m.group(1)], m.start(), m.end()) for m in words.finditer(plain.lower())
    ]
    if cased is not None:
        for match in cased.finditer(plain):
            if not any(m.start < match.end() and match.start() < m.end for m in found):
                found.append(Mention(code_of[match.group(1)], match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _here_now(text: str, mention: Mention) -> int:
    before = text[max(0, mention.start - LOOK_BACK) : mention.start]
    return 1 if NOW_BEFORE.search(before) else -1 if ORIGIN_BEFORE.search(before) else 0


def _choose(text: str, found: list[Mention]) -> str | None:
    if not found:
        return None
    lowered = _plain(text).lower()
    # The place they are in now, then the latest named; ties go to the later mention.
    best = max(enumerate(found), key=lambda pair: (_here_now(lowered, pair[1]), pair[0]))
    return best[1].region


def read_region(text: str | None) -> str | None:
    """The region a reply to "where are you?" names, if any; there a case-sensitive name
    counts in lower case too when it is the whole reply ("us", "im in the us")."""
    found = mentions(text or "")
    if not found and JUST_THE_CODE.fullmatch(_plain(text or "").lower().rstrip(".!")):
        found = mentions(_plain(text or "").upper())
    return _choose(text or "", found)


def stated_region(text: str | None) -> str | None:
    """The region of a statement of where the person is, inside any message."""
    if not text:
        return None
    lowered = _plain(text).lower()
    found = mentions(text)
    if len(lowered.split()) <= SHORT_ANSWER_WORDS:
        return _choose(text, found)
    stated = [
        m
        for m in found
        if STATED_BEFORE.search(lowered[max(0, m.start - LOOK_BACK) : m.start])
        or STATED_AFTER.match(lowered[m.end :])
    ]
    return _choose(text, stated)
