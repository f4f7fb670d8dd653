"""The real servers with the conversations on a PostgreSQL cluster of the test's own, which
the tests stop, freeze and start: the person is told, nothing is silently forgotten, and a
stuck database stalls nobody else."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest

from tests.support.live import LiveServers
from tests.support.throwaway_postgres import ThrowawayPostgres

pytestmark = pytest.mark.live

NOT_READ = "haven't read your last message"


@pytest.fixture(scope="module")
def cluster():
    with ThrowawayPostgres() as postgres:
        yield postgres


@pytest.fixture(scope="module")
def servers(cluster, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("outage")
    # A short deadline keeps the frozen-database test quick; the default is 12 s.
    live = LiveServers(
        workdir,
        database_url=f"sqlite:///{workdir / 'app.db'}",
        tracker_url=cluster.url,
        extra_env={"TRACKER_STORE_DEADLINE_SECONDS": "6"},
    )
    live.start()
    yield live
    live.stop()


def start_self_check(servers, sender: str):
    chat = servers.chat(sender)
    chat.say('/start_exercise{"exercise":"signs_of_eroded_trust"}')
    assert "Question 1 of 7" in chat.text
    chat.press("Often")
    assert "Question 2 of 7" in chat.text
    return chat


def test_database_stopped_mid_exercise_the_person_is_told_and_nothing_is_lost(servers, cluster):
    chat = start_self_check(servers, "mid-exercise")
    cluster.stop()
    try:
        chat.say("Sometimes")
        assert NOT_READ in chat.text  # told, not greeted as a stranger, not silence
        assert "Question" not in chat.text
    finally:
        cluster.start()
    chat.say("Sometimes")  # sent again, as asked
    assert "Question 3 of 7" in chat.text  # the exercise goes on where it was


def test_a_frozen_database_holds_one_turn_and_the_server_still_answers(servers, cluster):
    chat = start_self_check(servers, "frozen")
    reply: dict = {}
    cluster.freeze()
    try:
        turn = threading.Thread(target=lambda: reply.update(text=chat.say("Sometimes")))
        started = time.monotonic()
        turn.start()
        time.sleep(1)
        ping_started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{servers.rasa_port}/", timeout=5):
            pass
        ping = time.monotonic() - ping_started
        turn.join(60)
        waited = time.monotonic() - started
    finally:
        cluster.thaw()
    print(
        f"frozen database: server answered in {ping:.3f} s, the turn was told after {waited:.1f} s"
    )
    assert ping < 1
    assert NOT_READ in chat.text or "couldn't keep" in chat.text
    chat.say("Sometimes")
    assert "Question 3 of 7" in chat.text


def test_started_while_the_database_is_down_it_works_once_it_is_back(tmp_path):
    postgres = ThrowawayPostgres().init()  # not started
    live = LiveServers(
        tmp_path, database_url=f"sqlite:///{tmp_path / 'app.db'}", tracker_url=postgres.url
    )
    try:
        live.start()  # Rasa's own store would never become ready here
        chat = live.chat("early")
        chat.say("hi")
        assert NOT_READ in chat.text
        postgres.start()
        chat.say("hi")
        assert "automated self-help assistant" in chat.text
        chat.say("i keep checking his phone")
        chat.press("Yes, let's start")
        assert "Question 1 of" in chat.text  # the conversation is kept: tables exist now
    finally:
        live.stop()
        postgres.__exit__()
