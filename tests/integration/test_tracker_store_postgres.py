"""The tracker store on a PostgreSQL cluster of the test's own, stopped and started on
purpose, and configured from the endpoints.yml shapes the docs give."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.utils.endpoints import read_endpoint_config

from bot.paths import REPO_ROOT
from bot.tracker_store import ConversationStoreUnavailable, ForgettingSQLTrackerStore
from tests.support.throwaway_postgres import ThrowawayPostgres

DEPLOY = REPO_ROOT / "docs" / "deploy"


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture
def cluster() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as postgres:
        yield postgres


def texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


async def say(store, sender: str, text: str) -> None:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text))
    await store.save(tracker)


async def test_started_while_down_it_creates_its_tables_when_the_database_returns(
    rasa_domain,
):
    postgres = ThrowawayPostgres().init()  # initialised, not started: the database is down
    try:
        store = ForgettingSQLTrackerStore(rasa_domain, host=postgres.url)
        with pytest.raises(ConversationStoreUnavailable):
            await store.retrieve("person")
        postgres.start()
        await say(store, "person", "first words")
        assert texts(await store.retrieve("person")) == ["first words"]
        store.engine.dispose()
    finally:
        postgres.__exit__()


async def test_a_restart_mid_conversation_loses_nothing_acknowledged(rasa_domain, cluster):
    store = ForgettingSQLTrackerStore(rasa_domain, host=cluster.url)
    await say(store, "person", "before")
    cluster.stop()
    with pytest.raises(ConversationStoreUnavailable):
        await say(store, "person", "during")
    cluster.start()
    # pool_pre_ping replaces the connections the restart killed: the next turn just works.
    await say(store, "person", "after")
    assert texts(await store.retrieve("person")) == ["before", "after"]
    store.engine.dispose()


def endpoints_with(tmp_path: Path, template: str, cluster: ThrowawayPostgres, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", cluster.url)
    monkeypatch.setenv("TRACKER_DB_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_DB_PORT", str(cluster.port))
    monkeypatch.setenv("TRACKER_DB_USER", "postgres")
    monkeypatch.setenv("TRACKER_DB_PASSWORD", "")
    monkeypatch.setenv("TRACKER_DB_NAME", "postgres")
    return read_endpoint_config(str(DEPLOY / template), "tracker_store")


@pytest.mark.parametrize("template", ["endpoints.postgresql.yml", "endpoints.postgresql-parts.yml"])
async def test_the_documented_endpoints_shapes_work_on_postgresql(
    tmp_path, template, cluster, rasa_domain, monkeypatch
):
    # Built the way `rasa run` builds it, from the file (not the class called directly).
    config = endpoints_with(tmp_path, template, cluster, monkeypatch)
    store = TrackerStore.create(config, rasa_domain)
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, ForgettingSQLTrackerStore)
    await say(inner, "person", "hello")
    assert texts(await inner.retrieve("person")) == ["hello"]
    inner.engine.dispose()


def test_instances_starting_together_on_one_database_all_get_their_tables(rasa_domain, cluster):
    """Two Rasa instances on one PostgreSQL database create the tables at the same moment
    (measured by the scale-out test: one lost its first message to the race)."""
    import threading

    stores = [ForgettingSQLTrackerStore(rasa_domain, host=cluster.url) for _ in range(6)]
    start, failures = threading.Barrier(len(stores)), []

    def first_use(store: ForgettingSQLTrackerStore) -> None:
        start.wait()
        try:
            store._ensure_schema()
        except Exception as error:  # noqa: BLE001 - the failure is what is counted
            failures.append(type(error).__name__)

    threads = [threading.Thread(target=first_use, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.engine.dispose()
    assert failures == []
