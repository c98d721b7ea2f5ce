"""The durable inbox of Telegram updates, on PostgreSQL or SQLite: the queue the bot
works from, with each chat's updates one at a time in arrival order.

- `put` commits an update before Telegram is answered; the update id is unique, so a
  redelivery (or the same update posted to two processes at once) is stored once.
- `settle_and_claim` records what became of the updates a worker finished and, in the
  same transaction, leases the next ones: at most one update per chat is leased at any
  time, and it is the oldest unprocessed one of that chat, so chats run in parallel and
  each chat strictly in order, across every process. Claims skip rows another process
  is locking (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer anyway).
- A lease is short and renewed while its update is handled (`extend`); after a crash it
  runs out and the update is claimed again, by any process.
- Handled means `processed_at` is set. A handler's first database commit sets it in
  that same transaction (`marking`, read by db.uow), so an update's effect and its
  "done" commit together: a crash between the two cannot make the update run twice.
- A crash after that commit but before the replies are out leaves the update processed
  with a lease that runs out; `release_unanswered` finds those, so the chat is told
  its change was recorded instead of hearing nothing (and doing it again).
- A claimed update comes with its sender's stored language (`user_languages`), read by
  the claim's own statement: the update needs no transaction of its own to learn it. An
  unanswered one comes with it too, for its chat to be told in that language.

Round trips are what an update costs most (each wakes the bot and PostgreSQL), so on
PostgreSQL an update is stored by one INSERT committed on its own, and a claim is one
or two statements, each committed on its own without waiting for the disk: the release
of what finished, and one UPDATE … RETURNING that leases the next updates.

Those statements, sent for every update, go to asyncpg itself on a connection of the
engine's pool (`_Prepared`): built with SQLAlchemy and compiled once, they skip its
execution machinery (the compiled cache's lookup, the parameters' processing, the
result's rows), which cost more CPU than asyncpg's own round trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from core.model import UserLanguage
from db.engine import conflict_insert, writer_lock
from db.models import UpdateInboxRow, UserLanguageRow

MAX_ERROR = 2000

inbox = cast(Table, UpdateInboxRow.__table__)
languages = cast(Table, UserLanguageRow.__table__).alias("sender_language")


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    payload: str
    attempts: int
    chat_id: int | None = None
    # Who sent it, and their stored language as the claim read it (None: not read).
    user_id: int | None = None
    language: UserLanguage | None = None


@dataclass(frozen=True)
class Settled:
    """What became of a claimed update: done (`error` None), failed and to be retried at
    `retry_at`, or given up (`error` with `retry_at` None)."""

    update_id: int
    error: str | None = None
    retry_at: datetime | None = None


ITEM_COLUMNS = (
    inbox.c.update_id,
    inbox.c.payload,
    inbox.c.attempts,
    inbox.c.chat_id,
    inbox.c.user_id,
)


def _sender_language(column: Any) -> Any:
    # Spelled out: SQLite's RETURNING would leave both columns unqualified (user_id =
    # user_id, true for every row).
    same_user = literal_column(f"{languages.name}.user_id") == literal_column(
        f"{inbox.name}.user_id"
    )
    return select(column).where(same_user).scalar_subquery().label(f"language_{column.name}")


# The claim's RETURNING: the update, and its sender's stored language.
CLAIMED_COLUMNS = (
    *ITEM_COLUMNS,
    _sender_language(languages.c.chosen),
    _sender_language(languages.c.seen),
)


def _items(rows: Sequence[Mapping[Any, Any]]) -> list[InboxItem]:
    """Rows selected with CLAIMED_COLUMNS (SQLAlchemy's row mappings or asyncpg's
    records), as items to handle (or tell about), in update order."""
    items = []
    for row in rows:
        user_id = row["user_id"]
        language = None
        if user_id is not None:
            language = UserLanguage(row["language_chosen"], row["language_seen"])
        items.append(
            InboxItem(
                row["update_id"], row["payload"], row["attempts"], row["chat_id"], user_id, language
            )
        )
    return sorted(items, key=lambda item: item.update_id)


class _Prepared:
    """A statement built with SQLAlchemy, compiled once for asyncpg and sent to asyncpg
    itself: its text (prepared once per connection by asyncpg's statement cache) and
    its parameters in order, the ones given by name at each call and the constants the
    statement holds."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        processors = compiled._bind_processors
        self._order: tuple[tuple[str, Any], ...] = tuple(
            (name, processors.get(name)) for name in compiled.positiontup or ()
        )
        # The values the statement holds, as its types convert them for asyncpg.
        self._constants: dict[str, Any] = {}
        for name, process in self._order:
            value = compiled.binds[name].effective_value
            self._constants[name] = value if process is None else process(value)

    def arguments(self, given: Mapping[str, Any]) -> list[Any]:
        """The parameters in order: `given` by name, converted by their types."""
        arguments = []
        for name, process in self._order:
            if name not in given:
                arguments.append(self._constants[name])
            elif process is None:
                arguments.append(given[name])
            else:
                arguments.append(process(given[name]))
        return arguments


# --- the update being handled, for the unit of work to mark --------------------------


@dataclass
class Receipt:
    update_id: int
    at: datetime
    marked: bool = False


_handling: ContextVar[Receipt | None] = ContextVar("inbox_receipt", default=None)


@contextmanager
def marking(update_id: int, at: datetime) -> Iterator[Receipt]:
    """While the block runs, the first commit of a unit of work also marks `update_id`
    processed at `at` (see `mark_in`)."""
    receipt = Receipt(update_id, at)
    token = _handling.set(receipt)
    try:
        yield receipt
    finally:
        _handling.reset(token)


class HandledElsewhere(Exception):
    """Another worker marked the update processed since this one claimed it. A claim
    commits without waiting for the disk, so a PostgreSQL crash can lose its lease while
    the claiming process lives on; another process then claims the update too. The
    ledger's idempotency keeps the stock right, but the loser must neither commit nor
    answer: the winner did (a second "✅ Sold" made a seller think it sold twice)."""


# session.info's key for "this transaction marked the update" (see `marked_by`).
MARKED_HERE = "inbox_marked_here"


def due_mark() -> Receipt | None:
    """The update being handled, while no transaction has marked it: a statement that
    writes the update's effect may mark it too (one round trip fewer), then says so
    with `marked_by`."""
    receipt = _handling.get()
    return None if receipt is None or receipt.marked else receipt


def marked_by(session: AsyncSession, receipt: Receipt, rows: int) -> None:
    """A statement of the session's transaction marked `receipt`'s update (`rows`, the
    rows it changed: 0 when another worker's commit marked it first, HandledElsewhere).
    Committed by the session's commit; undone (`unmark`) if the transaction is not."""
    if rows == 0:
        raise HandledElsewhere(f"update {receipt.update_id} was handled by another worker")
    receipt.marked = True
    session.info[MARKED_HERE] = True


async def mark_in(session: AsyncSession) -> bool:
    """Mark the update being handled processed inside the session's transaction, once;
    True when this transaction marked it, by this call or a statement before (so a
    failed commit must `unmark` it). Raises HandledElsewhere when another worker's
    commit marked it first."""
    if session.info.pop(MARKED_HERE, False):
        return True
    receipt = _handling.get()
    if receipt is None or receipt.marked:
        return False
    result = await session.execute(
        update(inbox)
        .where(inbox.c.update_id == receipt.update_id, inbox.c.processed_at.is_(None))
        .values(processed_at=receipt.at)
    )
    if cast(CursorResult[Any], result).rowcount == 0:
        raise HandledElsewhere(f"update {receipt.update_id} was handled by another worker")
    receipt.marked = True
    return True


def unmark() -> None:
    """The commit that marked the update failed: it is not processed after all."""
    receipt = _handling.get()
    if receipt is not None:
        receipt.marked = False


def _no_wait_for_the_disk(postgres: bool) -> Any:
    """A condition, always true, that lets the statement's transaction commit without
    waiting for the disk: `SET LOCAL synchronous_commit = off` as a function
    (set_config, local to the transaction), so that a statement committed on its own
    needs no BEGIN, SET and COMMIT round trips around it. PostgreSQL evaluates it for
    each row the statement changes, before the commit; a statement that changes no
    row has nothing to flush. True on SQLite."""
    if not postgres:
        return true()
    return func.set_config("synchronous_commit", "off", True).is_not(None)


def _claim_statement(postgres: bool, *, releasing: bool = False) -> Any:
    """Lease the claimable updates (up to :limit, oldest first) until :until and return
    them, in one statement. Built once: its parameters are :now, :until and :limit.

    `releasing` (PostgreSQL): the same statement first settles the updates done (:done,
    a non-empty list), as `_release_statement` does, and claims as if that had been
    committed before: one round trip. Its subqueries see the table as it was before the
    statement, where those updates are still leased and may not be marked processed,
    so they are left out of every test."""
    now = bindparam("now", type_=inbox.c.leased_until.type)
    candidate = inbox.alias("candidate")
    earlier = inbox.alias("earlier")
    busy = inbox.alias("busy")
    done = _done_ids(postgres)

    def still_open(row: Any) -> Any:
        return row.c.update_id != func.all(done) if releasing else true()

    first_of_its_chat = ~exists().where(
        earlier.c.chat_id == candidate.c.chat_id,
        earlier.c.update_id < candidate.c.update_id,
        earlier.c.processed_at.is_(None),
        still_open(earlier),
    )
    chat_is_free = ~exists().where(
        busy.c.chat_id == candidate.c.chat_id,
        busy.c.leased_until.is_not(None),
        busy.c.leased_until > now,
        still_open(busy),
    )
    claimable = (
        select(candidate.c.update_id)
        .where(
            candidate.c.processed_at.is_(None),
            # On the row itself, so PostgreSQL re-checks it after waiting for a lock.
            or_(candidate.c.leased_until.is_(None), candidate.c.leased_until <= now),
            or_(candidate.c.chat_id.is_(None), and_(first_of_its_chat, chat_is_free)),
            still_open(candidate),
        )
        .order_by(candidate.c.update_id)
        .limit(bindparam("limit"))
    )
    if postgres:
        # Rows another claimer is leasing right now are skipped, not waited for.
        claimable = claimable.with_for_update(skip_locked=True, of=candidate)
    claim = (
        update(inbox)
        .where(inbox.c.update_id.in_(claimable.scalar_subquery()), _no_wait_for_the_disk(postgres))
        .values(leased_until=bindparam("until", type_=inbox.c.leased_until.type))
        .returning(*CLAIMED_COLUMNS)
    )
    if releasing:
        released = _release_statement(postgres).returning(inbox.c.update_id).cte("released")
        claim = claim.add_cte(released)
    return claim


def _done_ids(postgres: bool) -> Any:
    """:done, the updates settled as done: an array on PostgreSQL (one statement text,
    prepared once, whatever their number), a list spelled out on SQLite."""
    if postgres:
        return bindparam("done", type_=ARRAY(BigInteger()))
    return bindparam("done", expanding=True)


def _release_statement(postgres: bool) -> Any:
    """Settle the updates done (:done, a list; :now). Built once, as each statement of
    an update's path is: building one and its cache key cost more CPU than sending it."""
    done = _done_ids(postgres)
    return (
        update(inbox)
        .where(
            inbox.c.update_id == func.any(done) if postgres else inbox.c.update_id.in_(done),
            _no_wait_for_the_disk(postgres),
        )
        # A commit inside the handler may have set processed_at already.
        .values(
            processed_at=func.coalesce(
                inbox.c.processed_at, bindparam("now", type_=inbox.c.processed_at.type)
            ),
            leased_until=None,
        )
    )


# PostgreSQL: any number of updates stored by one statement of one shape (arrays, one
# per column), so it is built and prepared once.
_STORE = text(
    """INSERT INTO update_inbox (update_id, payload, received_at, attempts, chat_id, user_id)
SELECT * FROM unnest(
    CAST(:update_ids AS BIGINT[]), CAST(:payloads AS TEXT[]),
    CAST(:received AS TIMESTAMP WITH TIME ZONE[]), CAST(:attempts AS INTEGER[]),
    CAST(:chat_ids AS BIGINT[]), CAST(:user_ids AS BIGINT[]))
ON CONFLICT (update_id) DO NOTHING
RETURNING update_id
"""
)


class SqlInbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._lock: asyncio.Lock | None = writer_lock(engine)
        self._arriving: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._storing: asyncio.Task[None] | None = None
        self._claim = _claim_statement(self._postgres)
        self._release = _release_statement(self._postgres)
        if self._postgres:
            dialect = engine.dialect
            self._store_sql = _Prepared(_STORE, dialect)
            self._claim_sql = _Prepared(self._claim, dialect)
            self._release_sql = _Prepared(self._release, dialect)
            releasing = _claim_statement(True, releasing=True)
            self._release_and_claim_sql = _Prepared(releasing, dialect)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        if self._lock is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self._lock, self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def _driver(self) -> AsyncIterator[tuple[AsyncConnection, Any]]:
        """The asyncpg connection of a connection of the pool (PostgreSQL), for
        statements each committed on its own: asyncpg commits a statement sent outside a
        transaction by itself. One that broke is dropped from the pool, as SQLAlchemy
        drops one that breaks under its own statements."""
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            try:
                yield connection, driver
            except BaseException:
                if driver is not None and driver.is_closed():
                    await connection.invalidate()
                raise

    async def _fetch(self, prepared: _Prepared, given: Mapping[str, Any]) -> list[Any]:
        arguments = prepared.arguments(given)
        async with self._driver() as (connection, driver):
            announce = self.engine.sync_engine.dispatch.before_cursor_execute
            if announce:
                # What tallies the statements SQLAlchemy sends (the tests',
                # bench.updates_bench's) sees these too.
                announce(connection.sync_connection, None, prepared.sql, arguments, None, False)
            return list(await driver.fetch(prepared.sql, *arguments))

    @asynccontextmanager
    async def _undurable(self) -> AsyncIterator[AsyncConnection]:
        """A transaction whose commit does not wait for the disk (PostgreSQL)."""
        async with self._transaction() as connection:
            if self._postgres:
                await connection.execute(text("SET LOCAL synchronous_commit = off"))
            yield connection

    async def put(
        self,
        update_id: int,
        payload: str,
        received_at: datetime,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> bool:
        """Commit the update; False when it was stored before. On PostgreSQL, updates that
        arrive while a commit is on its way are stored together by the next one, so a
        busy webhook waits for the disk once per batch rather than once per update."""
        row = {
            "update_id": update_id,
            "payload": payload,
            "received_at": received_at,
            "attempts": 0,
            "chat_id": chat_id,
            "user_id": user_id,
        }
        if not self._postgres:
            return (await self._insert([row]))[0]
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._arriving.append((row, stored))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_arrivals())
        return await stored

    async def _store_arrivals(self) -> None:
        while self._arriving:
            batch, self._arriving = self._arriving, []
            try:
                new = await self._insert([row for row, _ in batch])
            except Exception as error:
                for _, stored in batch:
                    if not stored.done():
                        stored.set_exception(error)
                continue
            for (_, stored), is_new in zip(batch, new, strict=True):
                if not stored.done():
                    stored.set_result(is_new)

    async def _insert(self, rows: list[dict[str, Any]]) -> list[bool]:
        """Insert what is not stored yet; for each row, whether it was new (a second
        copy of one update in the same batch is not)."""
        if self._postgres:
            # One statement: it commits on its own, durably.
            stored = await self._fetch(
                self._store_sql,
                {
                    "update_ids": [row["update_id"] for row in rows],
                    "payloads": [row["payload"] for row in rows],
                    "received": [row["received_at"] for row in rows],
                    "attempts": [row["attempts"] for row in rows],
                    "chat_ids": [row["chat_id"] for row in rows],
                    "user_ids": [row["user_id"] for row in rows],
                },
            )
            inserted = {record[0] for record in stored}
        else:
            statement = (
                conflict_insert(self.engine.dialect.name, inbox)
                .values(rows)
                .on_conflict_do_nothing(index_elements=[inbox.c.update_id])
                .returning(inbox.c.update_id)
            )
            async with self._transaction() as connection:
                inserted = set((await connection.execute(statement)).scalars())
        new = []
        for row in rows:
            new.append(row["update_id"] in inserted)
            inserted.discard(row["update_id"])
        return new

    async def claim(self, limit: int, now: datetime, lease: timedelta) -> Sequence[InboxItem]:
        return await self.settle_and_claim((), limit, now, lease)

    async def settle_and_claim(
        self, settled: Sequence[Settled], limit: int, now: datetime, lease: timedelta
    ) -> Sequence[InboxItem]:
        """Record `settled` and lease up to `limit` claimable updates.

        None of it need wait for the disk (PostgreSQL's synchronous_commit off): what it
        writes is redone if a crash loses it. A lost release lets the lease run out; a
        lost lease belonged to a process that is gone; the handler's own commit, which
        marked the update processed, was durable.

        On PostgreSQL, when every update settled is done, the release and the claim are
        one statement, committed on its own (one round trip, not five with BEGIN, SET
        LOCAL and COMMIT): recording a done update again, should the claim fail and the
        caller retry, changes nothing. A failure counts an attempt, which must not
        be counted twice, so settling one is a transaction with the claim, as elsewhere."""
        if self._postgres and all(item.error is None for item in settled):
            done = [item.update_id for item in settled]
            if done and limit > 0:
                # The worker that finished claims the next: one round trip for both.
                parameters = {"done": done, "now": now, "until": now + lease, "limit": limit}
                return _items(await self._fetch(self._release_and_claim_sql, parameters))
            if done:
                await self._fetch(self._release_sql, {"done": done, "now": now})
            if limit <= 0:
                return []
            parameters = {"now": now, "until": now + lease, "limit": limit}
            return _items(await self._fetch(self._claim_sql, parameters))
        async with self._undurable() as connection:
            await self._settle(connection, settled, now)
            return await self._lease(connection, limit, now, lease)

    async def _lease(
        self, connection: AsyncConnection, limit: int, now: datetime, lease: timedelta
    ) -> list[InboxItem]:
        if limit <= 0:
            return []
        parameters = {"now": now, "until": now + lease, "limit": limit}
        return _items((await connection.execute(self._claim, parameters)).mappings().all())

    async def _settle(
        self, connection: AsyncConnection, settled: Sequence[Settled], now: datetime
    ) -> None:
        done = [s.update_id for s in settled if s.error is None]
        if done:
            await connection.execute(self._release, {"done": done, "now": now})
        for item in (s for s in settled if s.error is not None):
            given_up = item.retry_at is None
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == item.update_id)
                .values(
                    attempts=inbox.c.attempts + 1,
                    last_error=(item.error or "")[:MAX_ERROR],
                    # A retry keeps the chat waiting behind it until then.
                    leased_until=None if given_up else item.retry_at,
                    processed_at=case(
                        (inbox.c.processed_at.is_not(None), inbox.c.processed_at),
                        else_=now if given_up else None,
                    ),
                )
            )

    async def release_unanswered(self, now: datetime, limit: int = 50) -> Sequence[InboxItem]:
        """Updates whose effect committed but whose replies may never have gone out: the
        process handling them died between its commit and its release, so the lease ran
        out on an update already processed. Each is released here once, by one process,
        for its chat to be told the change was recorded."""
        # With the sender's stored language, as a claim: the chat is told in it.
        query = (
            select(*CLAIMED_COLUMNS)
            .where(
                inbox.c.processed_at.is_not(None),
                inbox.c.leased_until.is_not(None),
                inbox.c.leased_until <= now,
            )
            .order_by(inbox.c.update_id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=inbox)
        async with self._transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
            if rows:
                await connection.execute(
                    update(inbox)
                    .where(inbox.c.update_id.in_([row["update_id"] for row in rows]))
                    .values(leased_until=None)
                )
        return _items(rows)

    async def extend(self, update_ids: Sequence[int], until: datetime) -> None:
        if not update_ids:
            return
        async with self._transaction() as connection:
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id.in_(list(update_ids)), inbox.c.leased_until.is_not(None))
                .values(leased_until=until)
            )

    async def prune(self, processed_before: datetime) -> int:
        """Forget updates processed before then; how many. Telegram restarts update ids
        at random after a week without updates, so older rows must go before an id can
        come round again."""
        async with self._transaction() as connection:
            result = await connection.execute(
                inbox.delete().where(
                    inbox.c.processed_at.is_not(None),
                    inbox.c.processed_at < processed_before,
                )
            )
        return int(result.rowcount or 0)

    async def pending(self) -> int:
        async with self._transaction() as connection:
            count = await connection.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.processed_at.is_(None))
            )
        return int(count or 0)
