"""Shared secrets: the token Rasa sends the action server (and the REST token).

A secret comes from the environment, or else from a file under var/ that is created with a
random value on first use (mode 0600, never committed). `make run`, `make shell` and the
tests export it for Rasa, whose endpoints.yml sends it as `Authorization: Bearer ...`.

    python -m bot.shared_secret    # prints the action-server secret, creating it if needed
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from bot.paths import REPO_ROOT
from bot.private_files import private_file

ACTION_TOKEN_ENV = "ACTION_SERVER_TOKEN"
ACTION_TOKEN_FILE_ENV = "ACTION_SERVER_TOKEN_FILE"
DEFAULT_ACTION_TOKEN_FILE = REPO_ROOT / "var" / "action_server.secret"
MIN_LENGTH = 32


class SecretMissing(RuntimeError):
    pass


def read_or_create(path: Path) -> str:
    """The secret stored in `path`; a new random one is written there if the file is empty."""
    private_file(path)
    value = path.read_text().strip()
    if not value:
        value = secrets.token_urlsafe(32)
        path.write_text(value + "\n")
    return value


def action_server_token(env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    value = env.get(ACTION_TOKEN_ENV, "").strip()
    if not value:
        value = read_or_create(Path(env.get(ACTION_TOKEN_FILE_ENV) or DEFAULT_ACTION_TOKEN_FILE))
    if len(value) < MIN_LENGTH:
        raise SecretMissing(f"{ACTION_TOKEN_ENV} must be at least {MIN_LENGTH} characters")
    return value


def bearer_matches(header: str | None, expected: str) -> bool:
    """Whether an `Authorization` header carries `expected`, compared in constant time.

    A missing or malformed header is compared too (against a value that cannot match), so
    the time taken says nothing about the secret.
    """
    scheme, _, presented = (header or "").partition(" ")
    ok_scheme = scheme.lower() == "bearer"
    same = hmac.compare_digest(presented.strip().encode(), expected.encode())
    return ok_scheme and same


if __name__ == "__main__":
    print(action_server_token())
