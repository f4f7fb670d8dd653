"""The app's tables, on SQLite and on the real PostgreSQL server, created by migrating."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from actions.persistence.database import Database, migrate
from actions.persistence.repository import Repository, StorageUnavailable


@pytest.fixture
def repository(database_url) -> Repository:
    repo = Repository(Database(database_url))
    yield repo
    repo.database.dispose()


def test_migrating_an_empty_database_creates_the_schema(database_url):
    migrate(database_url)
    engine = create_engine(database_url, future=True)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"people", "exercise_runs", "answers", "alembic_version"} <= tables


def test_migrations_downgrade_to_empty_and_up_again(database_url):
    migrate(database_url)
    migrate_down = __import__("alembic.command", fromlist=["downgrade"]).downgrade
    from actions.persistence.database import alembic_config

    migrate_down(alembic_config(database_url), "base")
    engine = create_engine(database_url, future=True)
    try:
        assert "people" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    migrate(database_url)


def test_answers_are_saved_as_given_and_upserted(repository):
    run_id = repository.start_run("s1", "rest", "forgiveness", "hurt", "first")
    repository.save_answers(run_id, {"first": {"value": "it hurt", "number": None}}, "second")
    repository.save_answers(
        run_id,
        {
            "first": {"value": "it really hurt", "number": None},
            "second": {"value": "7", "number": 7},
        },
        None,
    )
    run = repository.get_run(run_id)
    assert run.answers == {
        "first": {"value": "it really hurt", "number": None},
        "second": {"value": "7", "number": 7},
    }
    assert run.role == "hurt" and run.current_step is None and run.status == "active"


def test_pause_resume_and_finish(repository):
    first = repository.start_run("s1", "rest", "setback", None, "what_happened")
    repository.set_status(first, "paused")
    assert repository.latest_open_run("s1").id == first
    second = repository.start_run("s1", "rest", "plan_future", None, "goal")
    assert repository.latest_open_run("s1").id == second
    repository.set_status(second, "finished", score=None)
    assert repository.latest_open_run("s1").id == first
    finished = repository.finished_runs("s1")
    assert [run.exercise_id for run in finished] == ["plan_future"]
    assert finished[0].finished_at is not None


def test_starting_a_run_pauses_the_active_one(repository):
    first = repository.start_run("s1", "rest", "setback", None, "a")
    repository.start_run("s1", "rest", "plan_future", None, "b")
    assert repository.get_run(first).status == "paused"


def test_stopping_discards_answers(repository):
    run_id = repository.start_run("s1", "rest", "setback", None, "a")
    repository.save_answers(run_id, {"a": {"value": "x", "number": None}}, "b")
    repository.set_status(run_id, "stopped")
    assert repository.get_run(run_id).answers == {}
    assert repository.latest_open_run("s1") is None


def test_answers_are_kept_only_once_something_was_written(repository):
    assert not repository.keeps_answers("s1")  # nobody yet
    run_id = repository.start_run("s1", "rest", "setback", None, "a")
    assert not repository.keeps_answers("s1")  # started, nothing written
    repository.save_answers(run_id, {"a": {"value": "", "number": None}}, "b")
    assert not repository.keeps_answers("s1")  # a skip is not an answer
    repository.save_answers(run_id, {"b": {"value": "we argued", "number": None}}, "c")
    assert repository.keeps_answers("s1") and not repository.keeps_answers("s2")
    repository.set_status(run_id, "stopped")
    assert not repository.keeps_answers("s1")  # stopped: discarded


def test_people_are_separate(repository):
    repository.start_run("alice", "rest", "setback", None, "a")
    assert repository.latest_open_run("bob") is None
    assert repository.finished_runs("bob") == []


def test_abuse_flag_and_region_survive_a_new_repository(repository, database_url):
    repository.set_abuse_disclosed("s1", "telegram", True)
    repository.set_region("s1", "telegram", "uk")
    fresh = Repository(Database(database_url))
    try:
        assert fresh.abuse_disclosed("s1") is True
        assert fresh.region("s1") == "uk"
        assert fresh.abuse_disclosed("someone-else") is False
    finally:
        fresh.database.dispose()


def test_export_and_delete_everything(repository):
    run_id = repository.start_run("s1", "rest", "forgiveness", "hurt", "a")
    repository.save_answers(run_id, {"a": {"value": "my words", "number": None}}, None)
    exported = repository.export_person("s1")
    assert exported["exercises"][0]["answers"][0]["answer"] == "my words"
    assert repository.delete_person("s1") == 1
    assert repository.export_person("s1") == {}
    assert repository.get_run(run_id) is None
    assert repository.delete_person("s1") == 0


def test_a_database_that_is_down_raises_storage_unavailable(tmp_path):
    down = Repository(Database("postgresql://postgres@127.0.0.1:1/test"))
    with pytest.raises(StorageUnavailable):
        down.latest_open_run("s1")
