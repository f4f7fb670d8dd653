"""`make test-scale`: two Rasa instances behind nginx, one killed mid-load.

Brings the stack up with bot/scale.py (PostgreSQL, Redis, nginx: servers that already run),
sends a bounded load through nginx to both instances, including bursts of simultaneous
messages from one person, kills one Rasa instance half-way, and then counts in the tracker
store: every acknowledged message stored exactly once and in the order it was sent, every
acknowledged message answered, and everything sent after the kill served by the survivor.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
import uuid

import aiohttp
import pytest
import sqlalchemy

from bot.scale import Layout, Stack
from bot.turn_guard import SOMETHING_WENT_WRONG, STORE_UNAVAILABLE
from tests.support.live import MODEL, response_patterns

pytestmark = [
    # Minutes, and it needs PostgreSQL, Redis and nginx: CI runs it as `make test-scale`.
    pytest.mark.skipif(os.environ.get("SCALE_TESTS") != "1", reason="run by make test-scale"),
    pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx (apt-get install nginx)"),
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)"),
]

DATABASE_URL = os.environ.get(
    "TEST_SCALE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/0")
PORTS = os.environ.get("TEST_SCALE_PORTS", "5861 5866 5862 5863 5864 5865")
PEOPLE, MESSAGES, BURSTS, BURST_SIZE = 8, 8, 4, 5
TEXTS = ["hi", "i keep checking her phone", "what can you help with", "thanks"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    schema = f"scale_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(DATABASE_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    # Both the tracker store and the app tables land in the fresh schema.
    url = f"{DATABASE_URL}?options=-csearch_path%3D{schema}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SCALE_PORTS": PORTS,
        "SCALE_RUN_DIR": str(tmp_path_factory.mktemp("scale")),
        "TICKET_LOCK_LIFETIME": "15",
    }
    stack = Stack(Layout.from_env(env))
    stack.layout.run_dir.mkdir(parents=True, exist_ok=True)
    stack.up()
    try:
        yield stack, sqlalchemy.create_engine(url)
    finally:
        stack.down()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def answered(replies: list[dict]) -> bool:
    """A real reply: not empty, not the apology for an action that failed (an action server
    refusing Rasa's calls would still send that), and not "please send that again" when the
    conversation could not be read or kept (the message was not taken)."""
    failed = [
        pattern
        for response in (SOMETHING_WENT_WRONG, *STORE_UNAVAILABLE.values())
        for pattern in response_patterns(response)
    ]
    texts = [reply.get("text", "") for reply in replies]
    return bool(texts) and not any(p.fullmatch(t) for p in failed for t in texts)


async def send(session, url: str, sender: str, text: str) -> tuple[bool, float, float]:
    """Whether the message was acknowledged with a reply, and when it was sent and answered."""
    started = time.monotonic()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as reply:
            ok = reply.status == 200 and answered(json.loads(await reply.text()))
    except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError):
        ok = False
    return ok, started, time.monotonic()


async def load(stack: Stack) -> dict:
    url = stack.layout.rest_url
    sent: dict[str, list[tuple[str, bool, float, float]]] = {}
    killed_at: list[float] = []
    timeout = aiohttp.ClientTimeout(total=90)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def person(index: int) -> None:
            sender = f"person-{index}"
            sent[sender] = []
            for turn in range(MESSAGES):
                text = f"{TEXTS[turn % len(TEXTS)]} ({turn})"
                sent[sender].append((text, *await send(session, url, sender, text)))
                if index == 0 and turn == MESSAGES // 2:
                    stack.kill("rasa1")
                    killed_at.append(time.monotonic())

        async def burst(index: int) -> None:
            sender = f"burst-{index}"
            texts = [f"{TEXTS[i % len(TEXTS)]} [{i}]" for i in range(BURST_SIZE)]
            results = await asyncio.gather(*(send(session, url, sender, t) for t in texts))
            sent[sender] = [(text, *result) for text, result in zip(texts, results, strict=True)]

        await asyncio.gather(
            *(person(i) for i in range(PEOPLE)), *(burst(i) for i in range(BURSTS))
        )
    return {"sent": sent, "killed_at": killed_at[0]}


def stored_user_texts(engine, sender: str) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT data FROM events WHERE sender_id = %(s)s AND type_name = 'user' ORDER BY id",
            {"s": sender},
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


@pytest.mark.timeout(900)
def test_every_acknowledged_message_is_stored_once_in_order_across_a_crash(stack):
    stack_, engine = stack
    result = asyncio.run(load(stack_))
    sent, killed_at = result["sent"], result["killed_at"]
    messages = [m for ms in sent.values() for m in ms]
    in_flight = [m for m in messages if m[2] <= killed_at <= m[3]]
    after = [m for m in messages if m[2] > killed_at]
    # Only messages the killed instance was working on may go unanswered.
    unanswered = [m for m in messages if not m[1] and m not in in_flight]
    assert not unanswered, f"unanswered though not in flight at the kill: {unanswered}"
    assert len(after) >= PEOPLE and all(ok for _, ok, _, _ in after), "the survivor served"
    assert len(in_flight) <= PEOPLE + BURSTS * BURST_SIZE
    for sender, said in sent.items():
        stored = stored_user_texts(engine, sender)
        for text, ok, _, _ in said:
            assert stored.count(text) <= 1, f"{sender}: {text!r} stored twice"
            if ok:
                assert stored.count(text) == 1, f"{sender}: acknowledged {text!r} not stored"
        if sender.startswith("person-"):
            # Sent one after another: stored in the same order.
            order = [text for text, *_ in said if text in stored]
            assert [t for t in stored if t in order] == order, sender
