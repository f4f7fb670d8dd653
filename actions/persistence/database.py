"""Engine and sessions, created on first use; the schema is brought up to date by Alembic."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.sql_engines import engine_options

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_MIGRATING = threading.Lock()  # Alembic's context is process-global: one migration at a time


def migrate(url: str, revision: str = "head") -> None:
    """Creates or upgrades the schema. Used at start-up and by tests on empty databases."""
    with _MIGRATING:
        command.upgrade(alembic_config(url), revision)


def make_engine(url: str) -> Engine:
    options = {"future": True}
    if make_url(url).get_backend_name() != "sqlite":
        options["pool_size"] = 5
    engine = create_engine(url, **engine_options(url, **options))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection, _record) -> None:
    # Two processes write the file (action server and Rasa's Telegram outbox): with WAL,
    # readers never wait for a writer and writers wait less for each other.
    connection.execute("PRAGMA journal_mode=WAL")


class Database:
    """Owns the engine for one URL; migrates the schema once, on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker | None = None
        self._lock = threading.Lock()

    def _ready(self) -> sessionmaker:
        with self._lock:
            if self._sessions is None:
                engine = make_engine(self.url)
                migrate(self.url)
                self._engine = engine
                self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)
        return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._ready()() as session, session.begin():
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
