"""Loads and validates every exercise content file, the theme labels and the engine's labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from actions.exercises.content_model import Exercise
from bot.content import ContentError, Strict, load_content, read_yaml, validate

__all__ = ["ContentError", "exercises", "load_exercise", "load_exercises", "load_themes", "themes"]

CONTENT_DIR = Path(__file__).resolve().parent / "content"
THEMES_FILE = Path(__file__).resolve().parent / "themes.yml"
UI_FILE = Path(__file__).resolve().parent / "ui.yml"


class Theme(Strict):
    label: str
    minutes: int


class UiText(Strict):
    """Labels the engine puts on its own buttons and around steps (ui.yml)."""

    skip: str
    pause: str
    continue_: str
    role_hurt: str
    role_broke_trust: str
    role_prompt: str
    something_else: str
    yes_start: str
    not_now: str
    progress: str
    rating_scale: str
    resume_now: str
    show_topics: str
    i_am_safe: str
    not_safe: str
    score_line: str
    back_to_exercise: str

    class Config:
        fields = {"continue_": "continue"}


def load_exercise(path: Path) -> Exercise:
    exercise = load_content(path, Exercise)
    if exercise.id != path.stem:
        raise ContentError(f"{path.name}: id {exercise.id!r} must match the file name")
    return exercise


def load_exercises(directory: Path = CONTENT_DIR) -> dict[str, Exercise]:
    return {path.stem: load_exercise(path) for path in sorted(directory.glob("*.yml"))}


def load_themes(path: Path = THEMES_FILE) -> dict[str, Theme]:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top level")
    return {name: validate(path, value, Theme) for name, value in raw.items()}


@lru_cache(maxsize=1)
def exercises() -> dict[str, Exercise]:
    """All exercises, loaded once on first use (not at import time)."""
    return load_exercises()


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    return load_themes()


@lru_cache(maxsize=1)
def ui_text() -> dict[str, str]:
    """Labels the engine puts on its own buttons (Skip, Pause, Continue, ...), validated."""
    return load_content(UI_FILE, UiText).dict(by_alias=True)
