"""The scheduler with a controllable clock: due, not yet due, missed while down, two
instances, a restart; delivery to the fake Telegram Bot API (message, 403 blocked)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import pytest

from actions.persistence.database import Database
from actions.persistence.models import ReminderOutcome
from actions.persistence.reminders import NewReminder, ReminderStore
from actions.reminders.scheduler import CATCH_UP, run_once
from actions.reminders.telegram import TelegramDelivery
from actions.reminders.texts import texts
from bot.channels.telegram.api import RetryPolicy, TelegramClient
from tests.support.telegram_updates import TOKEN

UTC = timezone.utc
DUE = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)  # a Tuesday, 20:00 UTC
NEXT_WEEK = DUE + timedelta(weeks=1)


class Recorder:
    """A delivery that records what it was asked to send."""

    def __init__(self, outcome: str = ReminderOutcome.SENT) -> None:
        self.sent: list[str] = []
        self.outcome = outcome
        self._lock = threading.Lock()

    async def __call__(self, reminder) -> str:
        with self._lock:
            self.sent.append(reminder.sender_id)
        return self.outcome


def make_store(url: str) -> ReminderStore:
    return ReminderStore(Database(url))


def add(store: ReminderStore, sender: str = "42", channel: str = "telegram", **changes) -> None:
    fields = (
        dict(weekday=1, hour=20, minute=0, every_weeks=1, time_zone="UTC", next_due_at=DUE)
        | changes
    )
    store.save(sender, channel, NewReminder(**fields))


def run(store: ReminderStore, deliver, now: datetime):
    return asyncio.run(run_once(store, deliver, now))


@pytest.fixture
def store(database_url) -> ReminderStore:
    made = make_store(database_url)
    yield made
    made.database.dispose()


def test_a_reminder_not_yet_due_is_left_alone(store):
    add(store)
    recorder = Recorder()
    assert run(store, recorder, DUE - timedelta(seconds=1)) == []
    assert recorder.sent == [] and store.active_for("42").next_due_at == DUE


def test_a_due_reminder_is_sent_once_and_moves_to_next_week(store):
    add(store)
    recorder = Recorder()
    run(store, recorder, DUE + timedelta(seconds=20))
    run(store, recorder, DUE + timedelta(seconds=50))  # the next poll
    assert recorder.sent == ["42"]
    reminder = store.active_for("42")
    assert reminder.next_due_at == NEXT_WEEK
    assert reminder.last_due_at == DUE and reminder.last_outcome == ReminderOutcome.SENT


def test_missed_while_down_a_few_hours_is_sent_once_later_ones_are_skipped(store):
    add(store, sender="late")
    add(store, sender="too-late", hour=16, next_due_at=DUE - timedelta(hours=4))
    recorder = Recorder()
    done = run(store, recorder, DUE + CATCH_UP - timedelta(minutes=59))
    assert recorder.sent == ["late"]
    assert {d.outcome for d in done} == {ReminderOutcome.SENT, ReminderOutcome.MISSED}
    assert store.active_for("too-late").next_due_at == NEXT_WEEK - timedelta(hours=4)


def test_weeks_of_downtime_send_nothing_and_resume_on_the_cadence(store):
    add(store)
    recorder = Recorder()
    run(store, recorder, DUE + timedelta(weeks=3, hours=2))
    assert recorder.sent == []
    assert store.active_for("42").next_due_at == DUE + timedelta(weeks=4)


def test_a_widget_reminder_waits_for_the_next_visit_and_is_shown_once(store):
    add(store, sender="web-1", channel="socketio")
    recorder = Recorder()
    run(store, recorder, DUE + timedelta(days=2))  # late does not matter: it says when
    assert recorder.sent == []
    assert store.take_waiting("web-1").waiting_since == DUE
    assert store.take_waiting("web-1") is None


def test_after_an_abuse_disclosure_nothing_is_sent_without_a_yes(store, database_url):
    from actions.persistence.repository import Repository

    add(store)
    Repository(store.database).set_abuse_disclosed("42", "telegram", True)
    recorder = Recorder()
    run(store, recorder, DUE)
    assert recorder.sent == [] and store.active_for("42").last_outcome == ReminderOutcome.HELD
    store.allow_after_disclosure("42")
    run(store, recorder, NEXT_WEEK)
    assert recorder.sent == ["42"]


class ReadTogether(ReminderStore):
    """A scheduler that waits, after reading the due reminders, until the other one has read
    them too: both then try to claim the same due times (the race a claim must win)."""

    def __init__(self, url: str, barrier: threading.Barrier) -> None:
        super().__init__(Database(url))
        self.barrier = barrier

    def due(self, now, limit=100):
        found = super().due(now, limit)
        self.barrier.wait(timeout=30)
        return found


def test_two_schedulers_on_one_database_send_each_reminder_once(database_url):
    seed = make_store(database_url)
    for n in range(20):
        add(seed, sender=f"p{n}")
    barrier = threading.Barrier(2)
    schedulers = [ReadTogether(database_url, barrier) for _ in range(2)]  # separate engines
    for store in schedulers:
        with store.database.session():  # connect (and check the schema) before the race
            pass
    recorder = Recorder()

    def poll(store: ReminderStore) -> None:
        for second in range(3):
            run(store, recorder, DUE + timedelta(seconds=second))

    threads = [threading.Thread(target=poll, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(recorder.sent) == sorted(f"p{n}" for n in range(20))
    for store in [seed, *schedulers]:
        store.database.dispose()


def test_reminders_survive_a_restart(database_url):
    first = make_store(database_url)
    add(first)
    run(first, Recorder(), DUE)
    first.database.dispose()  # the process stops
    restarted = make_store(database_url)
    recorder = Recorder()
    run(restarted, recorder, DUE + timedelta(minutes=1))  # the same due time: not again
    run(restarted, recorder, NEXT_WEEK)
    assert recorder.sent == ["42"]
    restarted.database.dispose()


def test_stopping_and_deleting_cancel_what_is_scheduled(store):
    from actions.persistence.repository import Repository

    add(store, sender="stops")
    add(store, sender="deletes")
    assert store.stop("stops") == 1
    Repository(store.database).delete_person("deletes")
    recorder = Recorder()
    run(store, recorder, DUE)
    assert recorder.sent == []
    assert store.due(NEXT_WEEK) == []


# --- Telegram ----------------------------------------------------------------------------
def telegram(store: ReminderStore, fake_api) -> TelegramDelivery:
    client = TelegramClient(TOKEN, fake_api.base_url, retry=RetryPolicy(attempts=1))
    return TelegramDelivery(client, store)


def test_telegram_gets_a_generic_message_with_one_tap_to_the_check_in(store, fake_api):
    add(store, sender="777")
    mark = fake_api.mark()
    run(store, telegram(store, fake_api), DUE)
    sent = [c for c in fake_api.since(mark) if c.method == "sendMessage"]
    assert len(sent) == 1
    params = sent[0].params
    assert str(params["chat_id"]) == "777" and params["text"] == texts().push
    keyboard = params["reply_markup"]["inline_keyboard"]
    assert keyboard == [
        [
            {
                "text": texts().start_button,
                "callback_data": '/start_exercise{"exercise":"regular_check_ins"}',
            }
        ]
    ]


def test_the_generic_text_names_nobody_and_nothing_private():
    words = set(texts().push.lower().replace(",", " ").replace(".", " ").split())
    assert not words & {"partner", "trust", "affair", "cheating", "relationship", "abuse"}


def test_a_person_who_blocked_the_bot_gets_no_more_reminders(store, fake_api):
    add(store, sender="blocked")
    fake_api.fail_next("sendMessage", status=403)
    done = run(store, telegram(store, fake_api), DUE)
    assert [d.outcome for d in done] == [ReminderOutcome.BLOCKED]
    assert store.active_for("blocked") is None
    mark = fake_api.mark()
    run(store, telegram(store, fake_api), NEXT_WEEK)
    assert fake_api.since(mark) == []
