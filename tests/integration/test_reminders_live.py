"""Reminders end to end: set in chat over REST with the trained model, delivered by the real
scheduler process (`python -m actions.reminders --once`) to the fake Telegram Bot API, and
shown at the next visit for a channel that cannot push."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from actions.persistence.models import utcnow
from bot.paths import REPO_ROOT
from tests.support.live import LiveServers
from tests.support.telegram_updates import TOKEN

pytestmark = pytest.mark.live
RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "0")) or None
ACTION_PORT = int(os.environ.get("TEST_ACTION_PORT", "0")) or None


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[LiveServers]:
    ports = {k: v for k, v in (("rasa_port", RASA_PORT), ("action_port", ACTION_PORT)) if v}
    with LiveServers.running(tmp_path_factory.mktemp("reminders"), **ports) as live:
        yield live


def make_due(servers: LiveServers, sender: str, channel: str) -> None:
    """As if the reminder's time had come a minute ago (on the person's channel)."""
    engine = create_engine(servers.database_url, future=True)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE reminders SET next_due_at = :due, channel = :channel WHERE person_id ="
                " (SELECT id FROM people WHERE sender_id = :sender)"
            ),
            {
                "due": (utcnow() - timedelta(minutes=1)).replace(tzinfo=None),
                "channel": channel,
                "sender": sender,
            },
        )
    engine.dispose()


def run_scheduler(servers: LiveServers, fake_api) -> str:
    env = {**servers.env, "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake_api.base_url}
    done = subprocess.run(
        [sys.executable, "-m", "actions.reminders", "--once"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def set_reminder(servers: LiveServers, sender: str):
    chat = servers.chat(sender)
    chat.say("hi")
    chat.say("remind me every Tuesday at 8pm")
    assert "time zone" in chat.text.lower()
    chat.say("London")
    assert "every Tuesday at 20:00" in chat.text and "Europe/London" in chat.text
    chat.say("yes")
    assert "I'll remind you every Tuesday at 20:00" in chat.text
    return chat


def test_a_reminder_set_in_chat_is_sent_once_by_the_scheduler_on_telegram(servers, fake_api):
    sender = str(900000 + uuid.uuid4().int % 100000)  # a Telegram chat id
    set_reminder(servers, sender)
    make_due(servers, sender, "telegram")
    mark = fake_api.mark()
    run_scheduler(servers, fake_api)
    run_scheduler(servers, fake_api)  # a second scheduler pass, or a second instance
    sent = [c for c in fake_api.since(mark) if c.method == "sendMessage"]
    assert [str(c.params["chat_id"]) for c in sent] == [sender]
    assert "check-in" in sent[0].params["text"]


def test_a_due_reminder_is_shown_at_the_next_visit_and_starts_the_check_in(servers, fake_api):
    sender = f"web-{uuid.uuid4().hex[:8]}"
    chat = set_reminder(servers, sender)
    make_due(servers, sender, "rest")
    run_scheduler(servers, fake_api)
    chat.say("hello again")
    assert "You had a check-in planned for Tuesday" in chat.text or (
        "Your check-in was planned for Tuesday" in chat.text
    )
    chat.press("Yes, let's do it")
    assert "Question 1" in chat.text


def test_show_move_and_stop_in_words(servers):
    chat = set_reminder(servers, f"words-{uuid.uuid4().hex[:8]}")
    chat.say("show my reminders")
    assert "every Tuesday at 20:00" in chat.text
    chat.say("move it to Monday 8pm")
    assert "every Monday at 20:00" in chat.text
    chat.say("yes")
    chat.say("stop the reminders")
    assert "stopped" in chat.text
