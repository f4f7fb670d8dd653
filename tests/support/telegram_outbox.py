"""Waits for the Telegram outbox to empty, read straight from the app database."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import create_engine, func, select

from actions.persistence.telegram_tables import OutboxStatus, TelegramOutbox, TelegramUpdate


def pending(url: str) -> int:
    """Updates not yet processed plus calls not yet sent or given up."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            updates = connection.execute(
                select(func.count()).where(TelegramUpdate.status == "pending")
            ).scalar()
            calls = connection.execute(
                select(func.count()).where(TelegramOutbox.status == OutboxStatus.PENDING)
            ).scalar()
            return updates + calls
    finally:
        engine.dispose()


def wait_until_idle(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pending(url):
            time.sleep(0.1)  # the worker logs right after its last write
            return
        time.sleep(0.05)
    raise AssertionError(f"the Telegram outbox did not empty within {seconds} s")


async def until_idle(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not await asyncio.to_thread(pending, url):
            await asyncio.sleep(0.1)
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the Telegram outbox did not empty within {seconds} s")
