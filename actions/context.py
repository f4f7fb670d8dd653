"""What every action needs: the repository (created on first use) and facts about the message."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from actions.persistence.database import Database
from actions.persistence.repository import Repository
from actions.settings import get_settings

THEME_INTENTS = (
    "trust_breach",
    "signs_of_eroded_trust",
    "commit_together",
    "honest_communication",
    "forgiveness",
    "transparency_consistency",
    "boundaries_rules",
    "appreciation_respect",
    "regular_check_ins",
    "apology_past_hurts",
    "plan_future",
    "setback",
    "monitor_progress",
    "long_term_trust",
    "professional_help",
)


@lru_cache(maxsize=1)
def repository() -> Repository:
    return Repository(Database(get_settings().database_url))


def reset_repository() -> None:
    """Forgets the cached repository (tests switch databases; settings are re-read)."""
    if repository.cache_info().currsize:
        repository().database.dispose()
    repository.cache_clear()
    get_settings.cache_clear()


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    return next(tracker.get_latest_entity_values(entity), None)


def intent_ranking(tracker: Tracker) -> list[dict[str, Any]]:
    return tracker.latest_message.get("intent_ranking") or []


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button whose payload triggers `intent` directly (no NLU), with optional entities."""
    payload = f"/{intent}"
    if entities:
        payload += json.dumps(entities, separators=(",", ":"))
    return {"title": title, "payload": payload}
