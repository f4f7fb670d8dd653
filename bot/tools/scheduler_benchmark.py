"""Measures the two obvious reminder schedulers side by side, each in a fresh process:

- polling: this project's loop over the reminders table (actions/reminders/scheduler.py);
- apscheduler: APScheduler 3 (installed with Rasa) with its SQLAlchemy job store.

For each: import time, resident memory, the cost of the work per due reminder, and whether
two instances on one database fire a due reminder once. Run: python -m bot.tools.scheduler_benchmark
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SCENARIO = r"""
import asyncio, json, resource, sys, threading, time
from datetime import datetime, timedelta, timezone
kind, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
if kind == "polling":
    from actions.persistence.database import Database
    from actions.persistence.models import utcnow
    from actions.persistence.reminders import NewReminder, ReminderStore
    from actions.reminders.scheduler import run_once
else:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
imported = time.perf_counter() - started
fired = []
lock = threading.Lock()

def fire(sender):
    with lock:
        fired.append(sender)

result = {"import_s": round(imported, 3)}
now = datetime.now(timezone.utc)
if kind == "polling":
    async def deliver(reminder):
        fire(reminder.sender_id)
        return "sent"
    seed = ReminderStore(Database(url))
    for n in range(count):  # none due yet: what a poll costs on a quiet evening
        seed.save(f"p{n}", "telegram", NewReminder(1, 20, 0, 1, "UTC", now + timedelta(days=1)))
    t = time.perf_counter()
    for _ in range(20):
        asyncio.run(run_once(seed, deliver, utcnow()))
    result["idle_poll_ms"] = round((time.perf_counter() - t) / 20 * 1000, 2)
    for n in range(count):
        seed.save(f"p{n}", "telegram", NewReminder(1, 20, 0, 1, "UTC", now - timedelta(seconds=1)))
    seed.database.dispose()
    stores = [ReminderStore(Database(url)) for _ in range(2)]
    for s in stores:
        s.due(now - timedelta(days=30))
    t = time.perf_counter()
    threads = [
        threading.Thread(target=lambda s=s: asyncio.run(run_once(s, deliver, utcnow())))
        for s in stores
    ]
    [th.start() for th in threads]; [th.join() for th in threads]
    result["fire_ms_each"] = round((time.perf_counter() - t) / count * 1000, 2)
else:
    schedulers = []
    for i in range(2):
        store = SQLAlchemyJobStore(url=url)
        scheduler = BackgroundScheduler(jobstores={"default": store}, timezone="UTC")
        schedulers.append(scheduler)
    t = time.perf_counter()
    for n in range(count):
        schedulers[0].add_job(  # the same catch-up window as the polling loop
            fire,
            "date",
            run_date=now + timedelta(seconds=10),
            args=[f"p{n}"],
            id=f"p{n}",
            misfire_grace_time=3 * 3600,
        )
    result["add_ms_each"] = None
    schedulers[0].start(paused=True)
    schedulers[1].start(paused=True)
    result["add_ms_each"] = round((time.perf_counter() - t) / count * 1000, 2)
    t = time.perf_counter()
    [s.resume() for s in schedulers]
    deadline = time.time() + 30
    while time.time() < deadline and len(set(fired)) < count:
        time.sleep(0.05)
    time.sleep(2)
    result["fire_ms_each"] = None
    [s.shutdown(wait=True) for s in schedulers]
result["due"] = count
result["fired"] = len(fired)
result["fired_twice"] = len(fired) - len(set(fired))
result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(result))
"""


def measure(kind: str, count: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        done = subprocess.run(
            [sys.executable, "-c", SCENARIO, kind, url, str(count)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.scheduler_benchmark")
    parser.add_argument("--due", type=int, default=200, help="reminders due at once")
    args = parser.parse_args(argv)
    print(f"{args.due} reminders due at once, two scheduler instances on one SQLite file")
    print(
        f"{'':12}{'import s':>10}{'RSS MB':>9}{'fired':>7}{'twice':>7}{'idle poll ms':>14}"
        f"{'ms per due':>12}"
    )
    for kind in ("polling", "apscheduler"):
        r = measure(kind, args.due)
        idle = r.get("idle_poll_ms")
        print(
            f"{kind:12}{r['import_s']:>10}{r['max_rss_mb']:>9}{r['fired']:>7}"
            f"{r['fired_twice']:>7}{'' if idle is None else idle:>14}"
            f"{'' if r['fire_ms_each'] is None else r['fire_ms_each']:>12}"
        )


if __name__ == "__main__":
    main()
