"""A thread with its own event loop for blocking database work started from async code.

Rasa's SQL tracker store does its queries synchronously inside `async def` methods. Run
there, they stop the server's loop; `DatabaseThread.run(coroutine)` runs the coroutine on
this thread's loop instead and lets the caller await the result. The thread starts on
first use (nothing happens at import) and is a daemon, so it never holds up shutdown.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class DatabaseThread:
    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _started_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name=f"db-{self.name}", daemon=True
                )
                thread.start()
                self._loop = loop
            return self._loop

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """The coroutine's result (or exception), computed on the database thread."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._started_loop())
        return await asyncio.wrap_future(future)
