"""What the Telegram connector is configured with: settings from the environment and its own
reply texts."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.content import Strict, load_content

DEFAULT_API_BASE = "https://api.telegram.org"
TEXTS_FILE = Path(__file__).with_name("texts.yml")

# Telegram accepts 1-256 characters from this set as a webhook secret token.
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# credentials.yml key -> environment variable. A non-empty credentials value wins, so the
# usual setup is an empty credentials entry and the secrets in the environment.
_SOURCES = {
    "access_token": "TELEGRAM_TOKEN",
    "webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
    "api_base": "TELEGRAM_API_BASE",
}


@dataclass(frozen=True)
class TelegramSettings:
    access_token: str = ""
    webhook_secret: str = ""
    webhook_url: str = ""
    api_base: str = DEFAULT_API_BASE
    api_timeout: float = 15.0  # seconds for one Bot API call; a call that hangs is tried again

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> TelegramSettings:
        credentials = credentials or {}
        environ = os.environ if environ is None else environ
        values = {
            key: str(credentials.get(key) or environ.get(env, "") or "").strip()
            for key, env in _SOURCES.items()
        }
        values["api_base"] = (values["api_base"] or DEFAULT_API_BASE).rstrip("/")
        timeout = environ.get("TELEGRAM_API_TIMEOUT_SECONDS")
        return cls(**values, **({"api_timeout": float(timeout)} if timeout else {}))

    def problems(self) -> list[str]:
        """Why the webhook cannot accept updates; empty when it can. Never contains the secrets."""
        found = []
        if not self.access_token:
            found.append("TELEGRAM_TOKEN is not set")
        if not self.webhook_secret:
            found.append("TELEGRAM_WEBHOOK_SECRET is not set")
        elif not _SECRET_PATTERN.match(self.webhook_secret):
            found.append(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        return found

    @property
    def is_configured(self) -> bool:
        return not self.problems()


class Commands(Strict):
    """The command menu Telegram shows next to the text box (setMyCommands)."""

    start: str
    help: str
    stop: str
    delete: str


class ConnectorTexts(Strict):
    """The replies the connector sends itself, for updates that never reach Rasa (texts.yml)."""

    only_text: str
    caption_note: str
    voice: str
    contact: str
    edits_not_read: str
    help: str
    private_only: str  # with {link}, the bot's t.me address
    private_only_no_link: str  # when the bot's username is not known
    too_long: str
    empty: str
    button_expired: str
    commands: Commands


@lru_cache(maxsize=1)
def connector_texts() -> dict[str, Any]:
    """The replies the connector sends itself (content, kept out of Python), validated."""
    return load_content(TEXTS_FILE, ConnectorTexts).dict()
