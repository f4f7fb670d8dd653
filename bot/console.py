"""`python -m bot.console --url http://127.0.0.1:5005`: a terminal chat with an assistant that is
already running (`make run`), over its REST channel.

`rasa shell` always starts a second server of its own (on port 5005 unless told otherwise),
so beside `make run` it failed with "address already in use". Talking to the running server
starts at once (no model to load) and uses the same action server and database.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat in the terminal with a running assistant")
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="the Rasa server")
    parser.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    args = parser.parse_args(argv)

    from bot.quiet import silence

    silence()
    from rasa.core.channels.console import record_messages

    sender = args.sender or f"shell-{uuid.uuid4().hex[:12]}"
    asyncio.run(record_messages(sender, server_url=args.url.rstrip("/"), request_timeout=60))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
