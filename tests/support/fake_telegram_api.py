"""A fake Telegram Bot API on 127.0.0.1 for offline tests: records every call, answers like
Telegram.

It runs in a thread with its own event loop, so both synchronous tests (posting to a
Rasa server in another process) and async tests (calling the client directly) can use it.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int  # what the fake answered (0: it hung), so retried attempts are visible
    result: Any = None  # what it returned on success (a sent message has its message_id)

    @property
    def delivered(self) -> bool:
        return self.status == 200


class FakeTelegramApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._failures: dict[str, list[dict[str, Any] | float]] = defaultdict(list)
        self._lock = threading.RLock()  # _result reads calls under it
        self._message_ids = itertools.count(1)
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what tests use ---------------------------------------------------------------
    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next `times` calls to `method` get a Telegram error instead of success."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": status,
            "description": f"fake error {status}",
        }
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        with self._lock:
            self._failures[method].extend([body] * times)

    def hang_next(self, method: str, seconds: float = 5.0, times: int = 1) -> None:
        """The next `times` calls to `method` get no answer for `seconds` (and do nothing)."""
        with self._lock:
            self._failures[method].extend([float(seconds)] * times)

    def delivered_texts(self, chat_id: int | str) -> list[str]:
        """The texts Telegram would have shown in the chat, in order."""
        with self._lock:
            return [
                call.params["text"]
                for call in self.calls
                if call.method == "sendMessage"
                and call.delivered
                and str(call.params.get("chat_id")) == str(chat_id)
            ]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def since(self, index: int) -> list[Call]:
        with self._lock:
            return self.calls[index:]

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def wait_for(self, method: str, timeout: float = 30) -> Call:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"the fake Bot API got no {method} call within {timeout} s")

    # --- the server ---------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        with self._lock:
            failure = self._failures[method].pop(0) if self._failures[method] else None
            if isinstance(failure, float):
                self.calls.append(Call(method, params, 0))
            else:
                status = failure["error_code"] if failure else 200
                result = None if failure else self._result(method, params)
                self.calls.append(Call(method, params, status, result))
        if isinstance(failure, float):
            await asyncio.sleep(failure)  # the caller has given up by then
            return web.json_response({"ok": False, "error_code": 504, "description": "late"})
        if failure:
            return web.json_response(failure, status=status)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        """JSON calls as they are; a multipart upload's fields, with a file as its bytes."""
        if not request.can_read_body:
            return {}
        if not request.content_type.startswith("multipart/"):
            return await request.json()
        form = await request.post()
        return {
            key: value.file.read() if hasattr(value, "file") else value
            for key, value in form.items()
        }

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method in ("sendMessage", "sendPhoto"):
            chat = {"id": int(params["chat_id"]), "type": "private"}
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                **{key: params[key] for key in ("text", "reply_markup") if key in params},
            }
        if method == "getWebhookInfo":
            registered = [call for call in self.calls_to("setWebhook") if call.status == 200]
            return {
                "url": registered[-1].params["url"] if registered else "",
                "pending_update_count": 0,
            }
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
        return True

    def start(self) -> FakeTelegramApi:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Bot API did not start")
        return self

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, self._socket).start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> FakeTelegramApi:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
