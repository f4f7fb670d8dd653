"""The words the reply reader recognises (lexicon.yml), validated and compiled once."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot.content import Strict, load_content

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yml"
CONTROLS = ("skip", "pause", "stop", "explain", "resume")


class Controls(Strict):
    interrupted: list[str]
    declined: list[str]
    changed_mind: list[str]
    skip: list[str]
    pause: list[str]
    stop: list[str]
    explain: list[str]
    resume: list[str]


class Lexicon(Strict):
    yes: list[str]
    no: list[str]
    not_now: list[str]
    not_sure: list[str]
    yes_plain: list[str]
    go_on: list[str]
    non_answers: list[str]
    controls: Controls
    returned: list[str]
    retract: list[str]
    complaints: list[str]
    leaving: list[str]
    frequency_words: dict[str, list[str]]
    ordinals: dict[str, list[str]]
    numbers: dict[str, int]
    emoji_positive: list[str]
    emoji_negative: list[str]
    relationship_words: list[str]


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, runs of spaces and trailing punctuation cut."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^[\s.,!;:]+|[\s.,!;:]+$", "", text) or text.strip()


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return load_content(LEXICON_FILE, Lexicon)
