"""The one loader for content files (YAML the assistant reads its words from).

Every content file has a pydantic schema; `load_content` reads the file and validates it, so
a missing, misspelt or extra key stops the server at start-up (or fails the tests) with the
file and the place named, instead of surfacing as a KeyError in the middle of a conversation.
docs/architecture.md lists every content file and its schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, Extra, ValidationError


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the place."""


class Strict(BaseModel):
    """Base of every content schema: unknown keys are errors, values are read-only."""

    class Config:
        extra = Extra.forbid
        allow_mutation = False


Model = TypeVar("Model", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error


def describe(error: ValidationError, raw: Mapping) -> str:
    """pydantic's error locations as text; list items that have an `id` are named by it
    (steps -> 3 -> prompt becomes step 'name' (#4) -> prompt)."""
    parts = []
    for detail in error.errors():
        location = list(detail["loc"])
        if len(location) >= 2 and isinstance(location[1], int) and isinstance(raw, Mapping):
            items = raw.get(location[0]) or []
            index = location[1]
            item = items[index] if index < len(items) else None
            item_id = item.get("id", "?") if isinstance(item, dict) else "?"
            location[:2] = [f"{str(location[0]).rstrip('s')} {item_id!r} (#{index + 1})"]
        parts.append(f"{' -> '.join(map(str, location))}: {detail['msg']}")
    return "; ".join(parts)


def validate(path: Path, raw: Any, model: type[Model]) -> Model:
    if not isinstance(raw, dict):
        raise ContentError(f"{path.name}: expected a mapping at the top level")
    try:
        return model.parse_obj(raw)
    except ValidationError as error:
        raise ContentError(f"{path.name}: {describe(error, raw)}") from error


def load_content(path: Path, model: type[Model]) -> Model:
    """Reads `path` and validates it against `model`."""
    return validate(path, read_yaml(path), model)
