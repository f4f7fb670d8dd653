"""How fast the Telegram webhook accepts updates and the outbox drains them, printed beside
the old connector's figures (which sent the replies inside the webhook request).

    .venv/bin/python -m tests.support.telegram_benchmark [DATABASE_URL]

One connector and worker in process, a stand-in for Rasa's turn (three messages), the fake
Bot API: 300 updates from 100 chats. Measures the connector and the database, not Rasa.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time

from tests.support.fake_telegram_api import FakeTelegramApi
from tests.support.telegram_outbox import until_idle
from tests.support.telegram_updates import TOKEN, text_update
from tests.unit.test_telegram_outbox import Assistant, Instance

UPDATES, CHATS = 300, 100


async def measure(url: str) -> None:
    with FakeTelegramApi(TOKEN) as api:
        bot = Instance(url, api, Assistant(), poll=1.0, api_timeout=15)
        bot.start()
        await asyncio.to_thread(bot.connector.store.ready)
        accepts = []
        started = time.perf_counter()
        for n in range(UPDATES):
            before = time.perf_counter()
            await bot.post(text_update(700_000 + n % CHATS, f"message {n}"))
            accepts.append((time.perf_counter() - before) * 1000)
        await until_idle(url, 600)
        total = time.perf_counter() - started
        sent = len([call for call in api.calls_to("sendMessage") if call.delivered])
        await bot.stop()
    accepts.sort()
    print(
        f"{url.split(':')[0]:>10}: webhook accept p50 {statistics.median(accepts):.0f} ms, "
        f"p95 {accepts[int(len(accepts) * 0.95)]:.0f} ms; {UPDATES} updates from {CHATS} chats "
        f"-> {sent} messages (expected {UPDATES * 3}) in {total:.1f} s"
    )


def main() -> None:
    print(
        "baseline (old connector, issue 15): the webhook answered after the whole turn and "
        "every send; two 429s with retry_after=2 held it 4 s, retry_after=30 ran into the "
        "60 s timeout (503, the message lost)"
    )
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    asyncio.run(measure(url))


if __name__ == "__main__":
    main()
