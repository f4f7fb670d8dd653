"""Settings of the action server, read from the environment when first needed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    # SQLite next to the repository by default (not relative to the working directory).
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'trust_repair.db'}"
    # Rasa's conversations (endpoints.yml), read for "export my data": the same default
    # file, or the TRACKER_DATABASE_URL that docs/deploy/endpoints.postgresql.yml uses.
    tracker_database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'rasa_tracker.db'}"

    class Config:
        env_prefix = ""
        fields = {
            "database_url": {"env": "DATABASE_URL"},
            "tracker_database_url": {"env": "TRACKER_DATABASE_URL"},
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
