"""Widget sessions (bot/widget/sessions.py) on a real database, with a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from actions.persistence.database import Database
from bot.widget.attempts import FailureLimit
from bot.widget.sessions import (
    REMEMBERED_IDLE,
    TAB_IDLE,
    WidgetSessionRow,
    WidgetSessions,
    normalise_code,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(database_url, clock):
    database = Database(database_url)
    yield WidgetSessions(database, clock=clock)
    database.dispose()


async def test_a_token_the_server_never_issued_opens_nothing(sessions):
    await sessions.issue()
    assert await sessions.open("0" * 32) is None
    assert await sessions.open("") is None


async def test_an_issued_token_opens_its_conversation_which_is_not_the_token(sessions):
    issued = await sessions.issue()
    opened = await sessions.open(issued.token)
    assert opened.conversation_id == issued.conversation_id
    assert issued.conversation_id != issued.token and len(issued.token) == 32


async def test_only_hashes_are_stored(sessions):
    issued = await sessions.issue()
    with sessions.database.session() as db:
        stored = db.execute(select(WidgetSessionRow)).scalars().one()
        values = [str(getattr(stored, column)) for column in ("token_hash", "resume_code_hash")]
    assert issued.token not in values
    code = await sessions.new_resume_code(issued)
    with sessions.database.session() as db:
        stored = db.execute(select(WidgetSessionRow)).scalars().one()
        assert normalise_code(code) != stored.resume_code_hash


async def test_a_tab_session_expires_after_a_day_without_use(sessions, clock):
    issued = await sessions.issue()
    clock.advance(TAB_IDLE - timedelta(minutes=1))
    assert await sessions.open(issued.token) is not None  # used: the clock starts again
    clock.advance(TAB_IDLE - timedelta(minutes=1))
    assert await sessions.open(issued.token) is not None
    clock.advance(TAB_IDLE)
    assert await sessions.open(issued.token) is None
    clock.advance(-TAB_IDLE)  # expired means forgotten: going back does not revive it
    assert await sessions.open(issued.token) is None


async def test_a_remembered_session_lives_thirty_days_without_use(sessions, clock):
    issued = await sessions.issue(remembered=True)
    clock.advance(REMEMBERED_IDLE - timedelta(hours=1))
    assert (await sessions.open(issued.token)).remembered
    clock.advance(REMEMBERED_IDLE)
    assert await sessions.open(issued.token) is None


async def test_forgetting_the_device_shortens_the_session_again(sessions, clock):
    issued = await sessions.issue(remembered=True)
    assert not (await sessions.open(issued.token, remembered=False)).remembered
    clock.advance(TAB_IDLE + timedelta(minutes=1))
    assert await sessions.open(issued.token) is None


async def test_ending_a_conversation_stops_every_token_on_it(sessions):
    first = await sessions.issue()
    code = await sessions.new_resume_code(first)
    second = await sessions.redeem(code)
    other = await sessions.issue()
    await sessions.end_conversation(first.conversation_id)
    assert await sessions.open(first.token) is None
    assert await sessions.open(second.token) is None
    assert await sessions.redeem(code) is None
    assert await sessions.open(other.token) is not None


async def test_a_resume_code_opens_the_same_conversation_with_a_new_token(sessions, clock):
    first = await sessions.issue()
    code = await sessions.new_resume_code(first)
    assert len(code) == 11 and code[5] == "-"
    clock.advance(TAB_IDLE * 3)  # a code keeps the conversation for the remembered time
    typed = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    resumed = await sessions.redeem(typed)
    assert resumed.conversation_id == first.conversation_id
    assert resumed.token != first.token


async def test_a_new_resume_code_replaces_the_old_one_and_codes_expire(sessions, clock):
    session = await sessions.issue()
    old = await sessions.new_resume_code(session)
    new = await sessions.new_resume_code(session)
    assert await sessions.redeem(old) is None
    clock.advance(REMEMBERED_IDLE + timedelta(minutes=1))
    assert await sessions.redeem(new) is None


@pytest.mark.parametrize("code", ["", "ABCDE", "ABCDE-FGHJK-MNPQR", "!!!!!!!!!!"])
async def test_malformed_codes_open_nothing(sessions, code):
    await sessions.new_resume_code(await sessions.issue())
    assert await sessions.redeem(code) is None


async def test_expired_rows_are_deleted_in_passing(sessions, clock):
    await sessions.issue()
    await sessions.issue(remembered=True)
    clock.advance(TAB_IDLE * 2)  # past the purge interval too
    await sessions.issue()
    with sessions.database.session() as db:
        assert len(db.execute(select(WidgetSessionRow)).scalars().all()) == 2


def test_failed_guesses_are_limited_per_address_in_a_sliding_window():
    now = [0.0]
    limit = FailureLimit(max_failures=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not limit.blocked("1.2.3.4")
        limit.fail("1.2.3.4")
    assert limit.blocked("1.2.3.4")
    assert not limit.blocked("5.6.7.8")
    now[0] = 61
    assert not limit.blocked("1.2.3.4")
