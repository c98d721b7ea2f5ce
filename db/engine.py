"""Engines for PostgreSQL (asyncpg, production) and SQLite (aiosqlite, embedded default)."""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_URL = "sqlite+aiosqlite:///./stockbot.db"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# A pooled PostgreSQL connection idle this long is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0
_RETURNED_AT = "stockbot_returned_at"

_REWRITES = (
    ("postgres://", "postgresql+asyncpg://"),
    ("postgresql://", "postgresql+asyncpg://"),
    ("postgresql+psycopg2://", "postgresql+asyncpg://"),
    ("sqlite://", "sqlite+aiosqlite://"),
    ("sqlite+pysqlite://", "sqlite+aiosqlite://"),
)


def database_url(url: str | None) -> str:
    """The async driver URL for a configured DATABASE_URL; None means the embedded SQLite."""
    if url is None or not url.strip():
        return DEFAULT_URL
    url = url.strip()
    for prefix, replacement in _REWRITES:
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module; "begin" below emits our own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes SQLite's write lock at BEGIN: a transaction never has to upgrade a
    # read snapshot to a write (which fails with SQLITE_BUSY when another writer got in
    # between), and other processes wait up to busy_timeout instead of failing.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine for `url` (passed through `database_url`); `options` go to SQLAlchemy."""
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **options)
        sync_engine: Engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_connect)
        event.listen(sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(url, **options)
    if not options.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkin", _returned)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _returned(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(
    dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: Any
) -> None:
    """Ping a connection only when it sat in the pool for a while (a restart or a
    dropped connection is most likely then). SQLAlchemy's `pool_pre_ping` pings on every
    checkout, and asyncpg's ping is three round trips (BEGIN, an empty query, ROLLBACK):
    a dozen per update. A connection that broke while busy fails its statement instead;
    SQLAlchemy then recycles every connection of the pool, and the inbox retries the
    update."""
    returned_at = record.info.get(_RETURNED_AT)
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool drops this connection and hands out another.
        raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


_writer_locks: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def writer_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """On SQLite, the lock every transaction of this engine holds from begin to end.

    SQLite allows one writer at a time; serializing transactions in-process (SQLite is the
    single-process embedded default) replaces PostgreSQL's row locks and keeps waiting
    coroutines off SQLite's busy handler. PostgreSQL needs none: it locks rows."""
    if not is_sqlite(engine):
        return None
    lock = _writer_locks.get(engine.sync_engine)
    if lock is None:
        lock = _writer_locks[engine.sync_engine] = asyncio.Lock()
    return lock


def conflict_insert(dialect: str, table: Any) -> Any:
    """An INSERT that understands ON CONFLICT, for PostgreSQL or SQLite."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)
