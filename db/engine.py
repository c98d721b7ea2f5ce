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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
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


# --- a stock change's commit: the product's lock let go before the disk ----------------
#
# A stock change holds its product's row lock until its transaction ends, and a durable
# commit ends only once the WAL is on the disk (8-11 ms here): sales of one product
# could never pass one per flush. So the statement that writes a stock change also lets
# its transaction commit without waiting for the disk (`set_config`, local to the
# transaction; see UNDURABLE), and the unit of work then waits for the disk before it
# returns: a durable commit of its own right after (`wait_for_the_disk`), whose flush
# takes the WAL up to and past the change's commit record. The caller, and so the
# person, hears of the change only once it is durable; the flushes of concurrent
# changes are one, as PostgreSQL groups them. What a crash before that flush loses is
# the change together with everything of its transaction (the inbox's mark of its
# update: the update runs again), and no commit after it can be durable without it
# (the WAL is one sequence). What others read in between may be undone by such a crash.
#
# Only when another transaction of this process waits for the same product (see
# db.repositories' contenders): a lock nobody waits for gains nothing from leaving
# early, and the wait costs a round trip more than a durable commit.

# session.info's key: a statement of the transaction let its commit skip the disk.
UNDURABLE = "stockbot_commits_without_the_disk"
# Selected by the statement that writes a stock change (PostgreSQL); :undurable says
# whether to (else the setting stays as it is).
COMMIT_WITHOUT_THE_DISK = (
    "set_config('synchronous_commit', CASE WHEN CAST(:undurable AS BOOLEAN) THEN 'off'"
    " ELSE current_setting('synchronous_commit') END, true)"
)
# One round trip: a transactional WAL record, so its commit flushes (a transaction that
# wrote nothing, or a non-transactional message, would not wait for the disk). No table,
# no row lock: concurrent waiters share one flush.
_FLUSH = "SELECT pg_logical_emit_message(true, 'stockbot', '')"


class CommitFateUnknown(Exception):
    """The server restarted between a commit that skipped the disk and the flush meant to
    make it durable: the flush proves nothing of that commit, which a crash may have lost
    with its update's mark. Nobody may be told of it; the update runs again (and finds
    its change, or makes it)."""


# A connection record's info key: when the server it is connected to started
# (`pg_postmaster_start_time()`), read once when the connection is made.
INCARNATION = "stockbot_server_started"


def _remember_incarnation(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT pg_postmaster_start_time()")
        (record.info[INCARNATION],) = cursor.fetchone() or (None,)
    finally:
        cursor.close()
        # The driver's adapter began a transaction for the query: end it, or whatever
        # goes to asyncpg directly on this connection would run inside it.
        dbapi_connection.rollback()


async def incarnation_of(connection: AsyncConnection) -> object:
    """When the server a connection is connected to started (see INCARNATION)."""
    return (await connection.get_raw_connection()).info.get(INCARNATION)


async def wait_for_the_disk(engine: AsyncEngine, since: object = None) -> None:
    """Return once everything committed so far is on the disk (PostgreSQL). `since`: the
    incarnation (`incarnation_of`) of the server that took the commit waited for; a
    flush made on a server started since raises CommitFateUnknown.

    The waits of the process share their flushes: a wait asked while none is under way
    starts one; asked while one is, it waits for the next, which starts when that one
    ends (the one under way may have begun before the caller's commit) and serves every
    wait asked meanwhile. 32 writers of one product wait in a few flushes, not 32."""
    flushes = _flushes.get(engine)
    if flushes is None:
        flushes = _flushes[engine] = _Flushes(weakref.ref(engine))
    flushed_on = await flushes.wait()
    if since is not None and flushed_on != since:
        raise CommitFateUnknown(f"the server restarted since the commit ({since} → {flushed_on})")


async def flush_once(engine: AsyncEngine) -> object:
    """One commit that waits for the disk, on a connection of its own, in one round trip
    (autocommit: the statement is its transaction); returns the incarnation of the
    server that flushed. Shared by many waits, so it goes through SQLAlchemy, whose
    events see it."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(_FLUSH)
        return await incarnation_of(connection)


class _Flushes:
    def __init__(self, engine: weakref.ref[AsyncEngine]) -> None:
        self._engine = engine  # weakly: the engine is the key of `_flushes`
        # The flush under way and the one asked for while it runs: each resolves to the
        # incarnation of the server that flushed.
        self._running: asyncio.Future[object] | None = None
        self._next: asyncio.Future[object] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def wait(self) -> object:
        if self._running is None:
            self._running = self._start()
            done = self._running
        else:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            done = self._next
        # One waiter cancelled must not cancel the others' flush.
        return await asyncio.shield(done)

    def _start(self, done: asyncio.Future[object] | None = None) -> asyncio.Future[object]:
        if done is None:
            done = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._flush(done))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return done

    async def _flush(self, done: asyncio.Future[object]) -> None:
        try:
            engine = self._engine()
            if engine is None:
                raise RuntimeError("the engine is gone")
            flushed_on = await flush_once(engine)
        except asyncio.CancelledError:
            done.cancel()
            raise
        except Exception as error:
            done.set_exception(error)
            done.exception()  # retrieved: its waiters raise it, if any are left
        else:
            done.set_result(flushed_on)
        finally:
            queued, self._next = self._next, None
            self._running = self._start(queued) if queued is not None else None


_flushes: weakref.WeakKeyDictionary[AsyncEngine, _Flushes] = weakref.WeakKeyDictionary()


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
    event.listen(engine.sync_engine, "connect", _remember_incarnation)
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
