"""The texts the scheduler sends outside a conversation (texts.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.content import Strict, load_content

TEXTS_FILE = Path(__file__).resolve().parent / "texts.yml"


class ReminderTexts(Strict):
    push: str
    start_button: str
    shell_waiting: str
    every_week: str
    every_two_weeks: str
    your_day: str
    move_button: str
    stop_button: str
    set_button: str


@lru_cache(maxsize=1)
def texts() -> ReminderTexts:
    return load_content(TEXTS_FILE, ReminderTexts)
