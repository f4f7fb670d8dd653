"""Loads and validates every exercise content file, and the theme labels."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Extra, ValidationError

from actions.exercises.content_model import Exercise

CONTENT_DIR = Path(__file__).resolve().parent / "content"
THEMES_FILE = Path(__file__).resolve().parent / "themes.yml"
UI_FILE = Path(__file__).resolve().parent / "ui.yml"


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the step."""


class Theme(BaseModel):
    label: str
    minutes: int

    class Config:
        extra = Extra.forbid


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error


def _describe(error: ValidationError, raw: Mapping) -> str:
    """Turns pydantic's error locations (steps -> 3 -> prompt) into step ids."""
    parts = []
    for detail in error.errors():
        location = list(detail["loc"])
        if len(location) >= 2 and location[0] == "steps" and isinstance(location[1], int):
            steps = raw.get("steps") or []
            index = location[1]
            step_id = (
                steps[index].get("id", "?")
                if index < len(steps) and isinstance(steps[index], dict)
                else "?"
            )
            location[:2] = [f"step {step_id!r} (#{index + 1})"]
        parts.append(f"{' -> '.join(map(str, location))}: {detail['msg']}")
    return "; ".join(parts)


def load_exercise(path: Path) -> Exercise:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top level")
    try:
        exercise = Exercise.parse_obj(raw)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {_describe(error, raw)}") from error
    if exercise.id != path.stem:
        raise ContentError(f"{path.name}: id {exercise.id!r} must match the file name")
    return exercise


def load_exercises(directory: Path = CONTENT_DIR) -> dict[str, Exercise]:
    return {path.stem: load_exercise(path) for path in sorted(directory.glob("*.yml"))}


def load_themes(path: Path = THEMES_FILE) -> dict[str, Theme]:
    raw = _read_yaml(path)
    try:
        return {name: Theme.parse_obj(value) for name, value in raw.items()}
    except ValidationError as error:
        raise ContentError(f"{path.name}: {error}") from error


@lru_cache(maxsize=1)
def exercises() -> dict[str, Exercise]:
    """All exercises, loaded once on first use (not at import time)."""
    return load_exercises()


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    return load_themes()


@lru_cache(maxsize=1)
def ui_text() -> dict[str, str]:
    """Labels the engine puts on its own buttons (Skip, Pause, Continue, ...)."""
    return _read_yaml(UI_FILE)
