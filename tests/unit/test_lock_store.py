"""bot/lock_store.py: one conversation's messages in order across instances, on a real
Redis server (a throwaway one started for these tests)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time

import pytest
from rasa.core.lock_store import LockError, RedisLockStore

from bot.lock_store import AtomicRedisLockStore
from tests.support.live import free_port

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


@pytest.fixture(scope="module")
def redis_port():
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    server.terminate()
    server.wait(timeout=10)


def test_rasas_store_hands_two_instances_the_same_ticket(redis_port):
    """Why this store exists: Rasa's ticket is read, incremented and written back."""
    one, two = (RedisLockStore(port=redis_port, db=0) for _ in range(2))
    lock_one, lock_two = one.get_or_create_lock("anna"), two.get_or_create_lock("anna")
    tickets = [lock_one.issue_ticket(60), lock_two.issue_ticket(60)]
    one.save_lock(lock_one), two.save_lock(lock_two)
    assert tickets[0] == tickets[1]


def run_instance(port: int, conversation: str, messages: int, log: list, guard) -> None:
    """One Rasa instance: its own store and event loop, several messages at once."""
    store = AtomicRedisLockStore(port=port, db=0)

    async def handle(index: int) -> None:
        async with store.lock(conversation):
            with guard:
                log.append(("enter", threading.get_ident(), index))
            await asyncio.sleep(0.005)
            with guard:
                log.append(("exit", threading.get_ident(), index))

    async def burst() -> None:
        await asyncio.gather(*(handle(i) for i in range(messages)))

    asyncio.run(burst())


def test_two_instances_never_handle_one_conversation_at_once(redis_port):
    log: list = []
    guard = threading.Lock()
    instances = [
        threading.Thread(target=run_instance, args=(redis_port, "ben", 15, log, guard))
        for _ in range(2)
    ]
    for instance in instances:
        instance.start()
    for instance in instances:
        instance.join(timeout=60)
    assert len(log) == 60
    # Strictly alternating enter/exit of the same message: no two ever overlap.
    for position in range(0, len(log), 2):
        entered, left = log[position], log[position + 1]
        assert entered[0] == "enter" and left[0] == "exit"
        assert entered[1:] == left[1:]


async def test_messages_are_served_in_the_order_they_arrived(redis_port):
    store = AtomicRedisLockStore(port=redis_port, db=0)
    order: list[int] = []

    async def handle(index: int) -> None:
        async with store.lock("carla"):
            await asyncio.sleep(0.002 * (5 - index))  # earlier ones take longer
            order.append(index)

    tasks = []
    for index in range(5):
        tasks.append(asyncio.create_task(handle(index)))
        await asyncio.sleep(0.001)  # arrive one after another
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]


async def test_a_holder_that_died_is_skipped_after_its_lifetime(redis_port):
    dead = AtomicRedisLockStore(port=redis_port, db=0)
    dead.issue_ticket("dan", lock_lifetime=0.3)  # its instance was killed mid-turn
    alive = AtomicRedisLockStore(port=redis_port, db=0)
    started = time.monotonic()
    async with alive.lock("dan", lock_lifetime=5):
        waited = time.monotonic() - started
    assert 0.2 < waited < 3


async def test_redis_down_is_a_lock_error():
    store = AtomicRedisLockStore(port=free_port(), db=0)
    with pytest.raises(LockError):
        async with store.lock("erin"):
            pass


def test_it_is_built_from_endpoints_yml(redis_port, tmp_path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "lock_store:\n  type: bot.lock_store.AtomicRedisLockStore\n"
        f"  url: 127.0.0.1\n  port: {redis_port}\n  db: 0\n"
    )
    store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore)
    assert store.issue_ticket("fay") == 1 and store.issue_ticket("fay") == 2
