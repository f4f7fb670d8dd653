"""The note, in the person's language, that the assistant works in English (languages.yml).
Which language a message is in is decided in the NLU pipeline (bot/nlu/language_guard.py)."""

from __future__ import annotations

from functools import lru_cache

from bot.content import Strict, load_content
from bot.paths import LANGUAGE_NOTES_FILE


class LanguageNotes(Strict):
    english: str
    notes: dict[str, str]


@lru_cache(maxsize=1)
def notes() -> LanguageNotes:
    return load_content(LANGUAGE_NOTES_FILE, LanguageNotes)


def note_for(code: str) -> str | None:
    return notes().notes.get(code)
