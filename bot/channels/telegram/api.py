"""A small Telegram Bot API client: a session created inside the running loop, retries with backoff.

Why aiohttp and not aiogram 2.15 (which Rasa installs): the connector calls five methods
and needs its own retry policy, a base URL for the offline fake API, and a session that
is never bound to a loop other than the server's (the stock connector's bug). aiogram 2
is end-of-life and would add its own types and exceptions to translate; plain aiohttp is
fewer moving parts.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.telegram.settings import DEFAULT_API_BASE

logger = logging.getLogger(__name__)


class TelegramApiError(Exception):
    """A Bot API call failed for good (after retries, or with an error not worth retrying)."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(f"{method} failed: {error_code} {description}")
        self.method = method
        self.error_code = error_code
        self.description = description


@dataclass(frozen=True)
class Outcome:
    """What one Bot API call came to: a result, or an error and whether trying again can help."""

    ok: bool
    result: Any = None
    error_code: int = 0
    description: str = ""
    retry_after: float | None = None  # a 429's wait, as Telegram asked

    @property
    def transient(self) -> bool:
        """A 429, a 5xx, a timeout or a network error (reported as 599): worth another try."""
        return not self.ok and (self.error_code == 429 or self.error_code >= 500)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # first try included
    base_delay: float = 0.5  # 0.5, 1, 2 s between tries for 5xx and network errors
    max_retry_after: float = 30.0  # for direct calls (setup); replies wait in the outbox instead

    def backoff(self, attempt: int) -> float:
        return self.base_delay * 2 ** (attempt - 1)


# A queued call's parameter holding a PNG (base64, so the call is stored as JSON in the
# outbox); it is sent as the `photo` file of a multipart upload, the only way the Bot API
# takes bytes.
PHOTO_UPLOAD = "photo_png_base64"


def request_body(payload: dict[str, Any]) -> dict[str, Any]:
    """aiohttp's keyword for the body: JSON, or a multipart form when a photo is uploaded.
    Built for each attempt: a form can be sent only once."""
    if PHOTO_UPLOAD not in payload:
        return {"json": payload}
    form = aiohttp.FormData()
    for key, value in payload.items():
        if key != PHOTO_UPLOAD:
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
    png = base64.b64decode(payload[PHOTO_UPLOAD])
    form.add_field("photo", png, filename="progress.png", content_type="image/png")
    return {"data": form}


class TelegramClient:
    def __init__(
        self,
        token: str,
        api_base: str = DEFAULT_API_BASE,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/bot{token}/"  # holds the token: never log it
        self._retry = retry
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    async def call_once(self, method: str, payload: dict[str, Any] | None = None) -> Outcome:
        """One attempt, never raising: the outbox decides itself when to try again."""
        status, body = await self._post(method, payload or {})
        if body.get("ok"):
            return Outcome(True, body.get("result"))
        retry_after = (body.get("parameters") or {}).get("retry_after")
        return Outcome(
            False,
            error_code=int(body.get("error_code") or status),
            description=str(body.get("description") or "")[:200],
            retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
        )

    async def call(self, method: str, payload: dict[str, Any] | None = None) -> Any:
        """Calls `method` with retries and returns its `result` (for calls outside the outbox).

        Logs only the method and Telegram's error, never the payload.
        """
        attempts = self._retry.attempts
        for attempt in range(1, attempts + 1):
            outcome = await self.call_once(method, payload)
            if outcome.ok:
                return outcome.result
            code, description = outcome.error_code, outcome.description
            delay = self._retry_delay(outcome, attempt)
            if delay is None or attempt == attempts:
                logger.error(
                    "Telegram %s failed after %d attempt(s): %s %s",
                    method,
                    attempt,
                    code,
                    description,
                )
                raise TelegramApiError(method, code, description)
            logger.warning(
                "Telegram %s failed (%s %s); retry %d of %d in %.1f s",
                method,
                code,
                description,
                attempt,
                attempts - 1,
                delay,
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _retry_delay(self, outcome: Outcome, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when retrying cannot help."""
        if outcome.error_code == 429:
            retry_after = outcome.retry_after or self._retry.backoff(attempt)
            return retry_after if retry_after <= self._retry.max_retry_after else None
        if outcome.transient:
            return self._retry.backoff(attempt)
        return None

    async def _post(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            async with self._session_in_running_loop().post(
                self._url + method, **request_body(payload)
            ) as response:
                try:
                    return response.status, await response.json(content_type=None)
                except ValueError:  # e.g. an HTML error page from a proxy in between
                    return response.status, {
                        "ok": False,
                        "error_code": response.status,
                        "description": "not JSON",
                    }
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # The type only: aiohttp's messages can contain the URL, which holds the token.
            return 599, {
                "ok": False,
                "error_code": 599,
                "description": f"network error ({type(error).__name__})",
            }

    def _session_in_running_loop(self) -> aiohttp.ClientSession:
        # Created on first use inside the loop that uses it; a session from another loop
        # (a closed one) is never reused, which is what breaks Rasa's own connector.
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
