"""Several Rasa instances taking tickets for one conversation at once, on the real Redis
(db 6 unless TEST_REDIS_URL says otherwise): every ticket is distinct and kept."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

redis = pytest.importorskip("redis")
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "6"))
INSTANCES, TICKETS_EACH = 8, 25


def burst(store_class) -> tuple[list[int], int]:
    """Each "instance" (own store, own connection) takes tickets for the same conversation
    at the same moment. Returns the tickets issued and how many the lock still holds."""
    prefix = uuid.uuid4().hex[:10]
    stores = [store_class(host="127.0.0.1", db=REDIS_DB, key_prefix=prefix) for _ in range(8)]
    try:
        stores[0].red.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    issued: list[int] = []
    start = threading.Barrier(INSTANCES)

    def instance(store) -> None:
        start.wait()
        for _ in range(TICKETS_EACH):
            issued.append(store.issue_ticket("person", lock_lifetime=600))

    threads = [threading.Thread(target=instance, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock = stores[0].get_lock("person")  # Rasa's store keeps a TicketLock; ours, ticket keys
    held = len(lock.tickets) if lock is not None else len(set(issued))
    stores[0].delete_lock("person")
    return issued, held


def test_tickets_taken_at_once_by_several_instances_are_distinct_and_all_kept():
    issued, held = burst(AtomicRedisLockStore)
    baseline_issued, baseline_held = burst(RedisLockStore)
    total = INSTANCES * TICKETS_EACH
    print(
        f"{total} tickets from {INSTANCES} instances: Rasa's RedisLockStore issued "
        f"{len(set(baseline_issued))} distinct and kept {baseline_held}; "
        f"AtomicRedisLockStore issued {len(set(issued))} distinct and kept {held}"
    )
    assert len(set(issued)) == total and held == total


def test_built_from_endpoints_yml_the_way_rasa_builds_it():
    config = EndpointConfig(
        url="127.0.0.1", type="bot.lock_store.AtomicRedisLockStore", db=REDIS_DB
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["db"] == REDIS_DB
