"""Starts the action server the safe way.

rasa-sdk's own server binds 0.0.0.0, allows CORS from anywhere, and its 500 handler
echoes the request body (the whole conversation) back and into logs. This launcher uses
rasa-sdk's app but binds to localhost by default, sends no CORS headers (Rasa calls it
server-to-server) and answers errors without echoing anything.

    python -m bot.action_server [--host 127.0.0.1] [--port 5055]
"""

from __future__ import annotations

import argparse
import logging
import os

from sanic import Sanic, response

logger = logging.getLogger(__name__)


def create_app() -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app("actions", cors_origins=[])

    async def error_without_echo(request, exception: Exception):
        # Type only: the request carries the person's messages, which must not be logged.
        logger.error("Action server error: %s", type(exception).__name__)
        logger.debug("Action server error details", exc_info=exception)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, error_without_echo)
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
