"""Starts the action server the safe way.

rasa-sdk's own server binds 0.0.0.0, allows CORS from anywhere, asks for no credentials,
runs every action on its event loop (one slow database call stalls everyone, even
`/health`) and its 500 handler echoes the request body (the whole conversation). This
server keeps rasa-sdk's action executor and protocol but:

- binds to localhost by default and sends no CORS headers (Rasa calls it server-to-server);
- refuses every call but `/health` without the shared secret (bot/shared_secret.py),
  compared in constant time;
- runs each action in a worker thread with a deadline, so a hanging database holds one
  person's turn, never the server;
- answers errors without echoing anything.

    python -m bot.action_server [--host 127.0.0.1] [--port 5055]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sanic import Sanic, response
from sanic.request import Request

from bot.shared_secret import action_server_token, bearer_matches

logger = logging.getLogger(__name__)

# A turn that takes longer has gone wrong (the database timeouts are 5 s); Rasa then tells
# the person to try again instead of keeping them waiting for its own 5-minute timeout.
ACTION_DEADLINE_SECONDS = float(os.environ.get("ACTION_DEADLINE_SECONDS", "20"))
WORKER_THREADS = int(os.environ.get("ACTION_SERVER_THREADS", "16"))
OPEN_PATHS = {"/health"}


def _run_in_thread(executor, action_call: dict[str, Any]) -> dict[str, Any] | None:
    # Actions are coroutines written for one loop; each call gets its own short-lived loop
    # in a worker thread, so blocking database work inside them blocks only that thread.
    return asyncio.run(executor.run(action_call))


def _action_call(request: Request) -> Any:
    if request.headers.get("Content-Encoding") == "deflate":
        return json.loads(zlib.decompress(request.body))
    return json.loads(request.body or b"null")


def create_app(token: str | None = None, deadline: float = ACTION_DEADLINE_SECONDS) -> Sanic:
    from rasa_sdk import utils
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    secret = token if token is not None else action_server_token()
    app = Sanic("trust_repair_actions", configure_logging=False)
    executor = ActionExecutor()
    executor.register_package("actions")
    workers = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="action")

    @app.on_request
    async def require_secret(request: Request):
        if request.path in OPEN_PATHS:
            return None
        if not bearer_matches(request.headers.get("Authorization"), secret):
            logger.warning("Action server: refused a call without the shared secret")
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.get("/health")
    async def health(_: Request):
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(_: Request):
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request):
        try:
            action_call = _action_call(request)
        except (ValueError, zlib.error):
            action_call = None
        if not isinstance(action_call, dict):
            return response.json({"error": "Invalid body request"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(workers, _run_in_thread, executor, action_call)
        try:
            result = await asyncio.wait_for(work, deadline)
        except asyncio.TimeoutError:
            logger.error(
                "Action %s took over %.0f s (database hanging?)",
                action_call.get("next_action"),
                deadline,
            )
            return response.json({"error": "action timed out"}, status=503)
        except ActionExecutionRejection as error:
            return response.json(
                {"error": error.message, "action_name": error.action_name}, status=400
            )
        except ActionNotFoundException as error:
            logger.error("Action not found: %s", error.action_name)
            return response.json(
                {"error": error.message, "action_name": error.action_name}, status=404
            )
        return response.json(result)

    async def error_without_echo(request, exception: Exception):
        # Type only: the request carries the person's messages, which must not be logged.
        logger.error("Action server error: %s", type(exception).__name__)
        logger.debug("Action server error details", exc_info=exception)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, error_without_echo)

    @app.after_server_stop
    async def stop_workers(*_):
        workers.shutdown(wait=False, cancel_futures=True)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the trust-repair action server")
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("ACTION_SERVER_PORT", "5055"))
    )
    args = parser.parse_args(argv)
    from bot.quiet import silence

    silence()  # before rasa-sdk is imported
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    app = create_app()
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
