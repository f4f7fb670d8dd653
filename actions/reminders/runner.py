"""The scheduler process: polls the reminders table until stopped (`make run` starts it).

Why a polling loop over the table rather than APScheduler 3: see README ("Reminders"); the
figures come from bot/tools/scheduler_benchmark.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from actions.persistence.access import reminder_store
from actions.persistence.models import utcnow
from actions.persistence.repository import StorageUnavailable
from actions.reminders.scheduler import run_once
from actions.reminders.telegram import TelegramDelivery, not_configured
from bot.channels.telegram.api import TelegramClient
from bot.channels.telegram.settings import TelegramSettings

logger = logging.getLogger("actions.reminders")
POLL_SECONDS = 30.0


def delivery(store):
    settings = TelegramSettings.load()
    if not settings.access_token:
        logger.warning("TELEGRAM_TOKEN is not set: Telegram reminders cannot be sent")
        return not_configured, None
    client = TelegramClient(settings.access_token, settings.api_base)
    return TelegramDelivery(client, store), client


async def poll(poll_seconds: float, once: bool = False) -> None:
    store = reminder_store()
    deliver, client = delivery(store)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    logger.info("Reminder scheduler polling every %.0f s", poll_seconds)
    try:
        while not stopping.is_set():
            try:
                await run_once(store, deliver, utcnow())
            except StorageUnavailable as error:  # the database is down: try again next time
                logger.warning("Reminders not checked: %s", error)
            except Exception:  # a claimed reminder is never re-sent, so going on is safe
                logger.exception("Reminder pass failed; trying again at the next poll")
            if once:
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), poll_seconds)
    finally:
        if client is not None:
            await client.close()
        store.database.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.reminders")
    parser.add_argument("--poll-seconds", type=float, default=POLL_SECONDS)
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(poll(args.poll_seconds, args.once))
