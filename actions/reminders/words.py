"""The reminder reader's words (words.yml), validated and loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.content import Strict, load_content

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"


class Day(Strict):
    name: str
    words: list[str]


class ReminderWords(Strict):
    days: list[Day]
    risky_day_words: list[str]
    every_two_weeks: list[str]
    every_week: list[str]
    morning: list[str]
    evening: list[str]
    noon: list[str]
    midnight: list[str]
    hour_words: dict[str, int]
    time_zones: dict[str, str]


@lru_cache(maxsize=1)
def words() -> ReminderWords:
    loaded = load_content(WORDS_FILE, ReminderWords)
    if len(loaded.days) != 7:
        raise ValueError("words.yml: days must list the seven days, Monday first")
    return loaded


def day_name(weekday: int) -> str:
    return words().days[weekday].name
