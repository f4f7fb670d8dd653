"""The one repository the actions share, created on first use (never at import time)."""

from __future__ import annotations

from functools import lru_cache

from actions.persistence.database import Database
from actions.persistence.reminders import ReminderStore
from actions.persistence.repository import Repository
from actions.settings import get_settings


@lru_cache(maxsize=1)
def repository() -> Repository:
    return Repository(Database(get_settings().database_url))


def reset_repository() -> None:
    """Forgets the cached repository (tests switch databases; settings are re-read)."""
    if repository.cache_info().currsize:
        repository().database.dispose()
    repository.cache_clear()
    get_settings.cache_clear()


def reminder_store() -> ReminderStore:
    """The reminders, over the same database (and engine) as the repository."""
    return ReminderStore(repository().database)
