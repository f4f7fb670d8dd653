"""A log that says a repeated warning at most once per period, with how many it held back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class ThrottledLog:
    def __init__(
        self,
        logger: logging.Logger,
        every_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._every = every_seconds
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warning(self, reason: str, message: str) -> None:
        """Logs `message` unless `reason` was logged less than a period ago."""
        self._log(logging.WARNING, reason, message)

    def error(self, reason: str, message: str) -> None:
        self._log(logging.ERROR, reason, message)

    def _log(self, level: int, reason: str, message: str) -> None:
        now = self._clock()
        last = self._last.get(reason)
        if last is not None and now - last < self._every:
            self._held[reason] = self._held.get(reason, 0) + 1
            return
        held = self._held.pop(reason, 0)
        self._last[reason] = now
        if held:
            self._logger.log(level, "%s (and %d more like it since the last report)", message, held)
        else:
            self._logger.log(level, message)
