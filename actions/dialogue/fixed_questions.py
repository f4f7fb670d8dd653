"""The answers each fixed question accepts (questions.yml), as reader options."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import validator

from actions.dialogue.lexicon import normalise
from actions.dialogue.reading import Option, generic_words
from bot.content import ContentError, Strict, load_content

QUESTIONS_FILE = Path(__file__).resolve().parent / "questions.yml"
Meaning = Literal["yes", "no", "not_now", "not_sure"]
MEANS = {
    "are_you_safe": {"safe": "yes_plain", "not_safe": "no", "not_sure": "not_sure"},
    "confirm_stop": {"discard": "yes", "keep_going": "no", "pause": "not_now"},
}


class FixedOption(Strict):
    value: str
    title: str
    synonyms: list[str] = []
    button: bool = True
    weight: int = 0  # when a reply matches several options, the one of highest weight wins

    @validator("title")
    def fits_a_button(cls, title: str) -> str:
        if len(title) > 40:
            raise ValueError("a button title has at most 40 characters")
        return title


class QuestionsFile(Strict):
    __root__: dict[str, list[FixedOption]]


@lru_cache(maxsize=1)
def _questions() -> dict[str, list[FixedOption]]:
    return load_content_root(QUESTIONS_FILE)


def load_content_root(path: Path) -> dict[str, list[FixedOption]]:
    loaded = load_content(path, QuestionsFile).__root__
    for name, options in loaded.items():
        if len({o.value for o in options}) != len(options):
            raise ContentError(f"{path.name}: {name}: option values must be unique")
    return loaded


def options_for(question: str) -> tuple[Option, ...]:
    """Reader options of a fixed question; yes / no words count for the option they mean."""
    means = MEANS.get(question, {})
    return tuple(
        Option(
            value=o.value,
            title=o.title,
            synonyms=tuple(normalise(s) for s in o.synonyms),
            button=o.button,
            weight=o.weight,
            generic=generic_words(means.get(o.value, o.value)),
        )
        for o in _questions()[question]
    )


def title_of(question: str, value: str) -> str:
    return next(o.title for o in _questions()[question] if o.value == value)


@lru_cache(maxsize=1)
def button_titles() -> frozenset[str]:
    """Every fixed question's button title: typed (or tapped late) at a text step, one of
    these is a tap on an old keyboard, not an answer to keep."""
    return frozenset(normalise(o.title) for options in _questions().values() for o in options)
