"""Engine options shared by every SQLAlchemy engine of the project (app tables, Alembic and
the tracker store): a dead connection is noticed before use, and a database that is down or
hangs costs seconds, not the whole server.

- `pool_pre_ping`: a connection the database dropped (restart, failover) is replaced
  instead of failing the person's turn.
- PostgreSQL: `connect_timeout` bounds connecting, `statement_timeout` and `lock_timeout`
  bound every statement on the server side, `pool_timeout` bounds waiting for a free
  connection. A server that accepts and then never answers is only bounded by the callers'
  deadlines (the work runs in threads, see bot/action_server.py and bot/tracker_store.py).
- SQLite: the file is made private (bot/private_files.py) and a locked file is waited for
  at most `busy_timeout`. Connections are kept in a pool: SQLAlchemy 1.4's default for a
  SQLite file opens and closes one per session, and under load the Rasa process spent more
  time connecting (each connect also sets the journal mode) and closing (each close
  checkpoints the journal) than on its queries.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import QueuePool

from bot.private_files import sqlite_file

CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "5000"))
POOL_TIMEOUT_SECONDS = 5
SQLITE_POOL_SIZE = 4


def engine_options(url: str | URL, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for `sqlalchemy.create_engine(url, ...)`; `extra` is merged in
    (its `connect_args` are added to ours)."""
    parsed = make_url(url) if isinstance(url, str) else url
    extra_connect = dict(extra.pop("connect_args", {}))
    options: dict[str, Any] = {"pool_pre_ping": True, **extra}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        sqlite_file(parsed.database)
        # Sanic's worker threads share the engine (bot/action_server.py).
        connect = {"check_same_thread": False, "timeout": CONNECT_TIMEOUT_SECONDS}
        if parsed.database and parsed.database != ":memory:":
            # One connection is handed to one thread at a time (check_same_thread is off).
            options.setdefault("poolclass", QueuePool)
            options.setdefault("pool_size", SQLITE_POOL_SIZE)
    elif backend == "postgresql":
        timeouts = (
            f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={STATEMENT_TIMEOUT_MS}"
        )
        # A search_path or other options given in the URL or by the caller are kept.
        given = " ".join(
            o for o in (parsed.query.get("options"), extra_connect.pop("options", None)) if o
        )
        connect = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"{given} {timeouts}".strip(),
        }
        options.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    else:
        connect = {}
    options["connect_args"] = {**connect, **extra_connect}
    return options
