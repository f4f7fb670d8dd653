"""The scheduler: one pass over the due reminders, deciding and claiming each due time once.

A due time is claimed (the row moved to its next due time) *before* anything is sent, so a
crash between the two loses that one reminder rather than sending it twice: for a nudge
that may light up a shared screen, at most once is the right side to err on.

Catch-up after downtime: a reminder pushed as a message (Telegram) is sent once if it is at
most CATCH_UP late, otherwise skipped (a "check-in tonight" arriving the next morning is
noise); missed due times are never sent one by one. A reminder shown at the next visit
(widget, shell) is kept for that visit whatever the delay, since it says when it was due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from actions.persistence.models import ReminderOutcome
from actions.persistence.reminders import ReminderStore, ReminderView
from actions.reminders.schedule import Schedule, next_after

logger = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=3)
BATCH = 100
PUSH_CHANNELS = frozenset({"telegram"})  # channels that can message a person unprompted
Deliver = Callable[[ReminderView], Awaitable[str]]  # returns the outcome


@dataclass(frozen=True)
class Done:
    reminder_id: int
    due_at: datetime
    outcome: str


def schedule_of(reminder: ReminderView) -> Schedule:
    return Schedule(reminder.weekday, reminder.hour, reminder.minute, reminder.every_weeks)


def decide(reminder: ReminderView, now: datetime) -> str:
    """What to do with a reminder that is due at `now`."""
    if reminder.held:
        return ReminderOutcome.HELD
    if reminder.channel not in PUSH_CHANNELS:
        return ReminderOutcome.WAITING
    if now - reminder.next_due_at > CATCH_UP:
        return ReminderOutcome.MISSED
    return ReminderOutcome.SENT


async def run_once(store: ReminderStore, deliver: Deliver, now: datetime) -> list[Done]:
    """Handles every reminder due at `now`; returns what this scheduler did (not others)."""
    done: list[Done] = []
    while True:  # in batches, until nothing due is left (claimed here or by another one)
        batch = store.due(now, limit=BATCH)
        for reminder in batch:
            handled = await handle(store, deliver, reminder, now)
            if handled is not None:
                done.append(handled)
        if len(batch) < BATCH:
            return done


async def handle(
    store: ReminderStore, deliver: Deliver, reminder: ReminderView, now: datetime
) -> Done | None:
    """Claims the reminder's due time and delivers it; None when another scheduler has it."""
    outcome = decide(reminder, now)
    following = next_after(schedule_of(reminder), reminder.time_zone, reminder.next_due_at, now)
    if not store.claim(reminder.id, reminder.next_due_at, following, outcome):
        return None
    if outcome == ReminderOutcome.SENT:
        outcome = await deliver(reminder)
        if outcome != ReminderOutcome.SENT:
            store.record_outcome(reminder.id, outcome)
    logger.info("Reminder %s due %s: %s", reminder.id, reminder.next_due_at, outcome)
    return Done(reminder.id, reminder.next_due_at, outcome)
