"""Loads and validates every exercise content file, the theme labels and the engine's labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from actions.exercises.content_model import Exercise
from bot.content import ContentError, Strict, load_content

__all__ = [
    "ContentError",
    "exercises",
    "load_exercise",
    "load_exercises",
    "load_themes",
    "stages",
    "themes",
    "themes_in",
]

CONTENT_DIR = Path(__file__).resolve().parent / "content"
THEMES_FILE = Path(__file__).resolve().parent / "themes.yml"
UI_FILE = Path(__file__).resolve().parent / "ui.yml"


class Theme(Strict):
    label: str
    minutes: int
    stage: str
    words: list[str] = []  # what people type to pick it in a menu


class Stage(Strict):
    label: str
    words: list[str] = []


class ThemesFile(Strict):
    stages: dict[str, Stage]
    themes: dict[str, Theme]


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
    score_line_partial: str
    score_too_few: str
    back_to_exercise: str
    skipped_mark: str
    notes_heading: str
    other_stages: str
    yes_that: str
    use_written: str
    or_: str
    progress_open: str  # "Question 3", when the number of steps depends on the answers

    class Config:
        fields = {"continue_": "continue", "or_": "or"}


def load_exercise(path: Path) -> Exercise:
    exercise = load_content(path, Exercise)
    if exercise.id != path.stem:
        raise ContentError(f"{path.name}: id {exercise.id!r} must match the file name")
    return exercise


def load_exercises(directory: Path = CONTENT_DIR) -> dict[str, Exercise]:
    return {path.stem: load_exercise(path) for path in sorted(directory.glob("*.yml"))}


def load_themes_file(path: Path = THEMES_FILE) -> ThemesFile:
    loaded = load_content(path, ThemesFile)
    unknown = {t.stage for t in loaded.themes.values()} - set(loaded.stages)
    if unknown:
        raise ContentError(f"{path.name}: themes refer to unknown stages {sorted(unknown)}")
    return loaded


def load_themes(path: Path = THEMES_FILE) -> dict[str, Theme]:
    return load_themes_file(path).themes


@lru_cache(maxsize=1)
def exercises() -> dict[str, Exercise]:
    """All exercises, loaded once on first use (not at import time)."""
    return load_exercises()


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    return load_themes()


@lru_cache(maxsize=1)
def stages() -> dict[str, Stage]:
    """The stages of the journey, in menu order."""
    return load_themes_file().stages


def themes_in(stage: str) -> list[str]:
    return [name for name, theme in themes().items() if theme.stage == stage]


@lru_cache(maxsize=1)
def ui_text() -> dict[str, str]:
    """Labels the engine puts on its own buttons (Skip, Pause, Continue, ...), validated."""
    return load_content(UI_FILE, UiText).dict(by_alias=True)
