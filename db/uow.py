"""The unit of work: one database transaction behind core's `UnitOfWork` port.

On PostgreSQL concurrent units of work run in parallel; stock changes serialize on the
product row (`products.get_for_update` is `SELECT … FOR UPDATE`). On SQLite, the embedded
single-process default, every unit of work holds the engine's writer lock from entry to
exit and begins with `BEGIN IMMEDIATE`, so transactions run one after another.

Duplicate idempotency keys. Core checks a request's key under the product lock, so a
replayed request normally returns the first result. The unique constraint
(shop_id, idempotency_key) on movements is the backstop for the rare race the lock does not
cover (the same key used concurrently on two different products, or by two processes on
SQLite): the losing transaction fails on insert. The unit of work turns that
IntegrityError into `DuplicateRequest` and rolls back; nothing of the losing attempt is
kept. Running the same use case again with the same key then finds the winner's movement
and returns it as a replay.

The Telegram update being handled (db.inbox.marking) is marked processed by the first
commit, in that same transaction: an update's effect and its "done" cannot part.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, cast

import asyncpg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.errors import DuplicateRequest
from core.ports import RemovalAtOnce, RemovedAtOnce, UnitOfWork
from db.alert_repositories import (
    SqlAlertOutbox,
    SqlAlertQueries,
    SqlAlertSettingsRepository,
    SqlDeliveryRepository,
    SqlProductAlertRepository,
    SqlRecipientRepository,
)
from db.engine import INCARNATION, UNDURABLE, incarnation_of, wait_for_the_disk, writer_lock
from db.inbox import MARKED_HERE, HandledElsewhere, Receipt, due_mark, mark_in, unmark
from db.inventory_queries import SqlInventoryQueries
from db.repositories import (
    BATCHES_SHORT,
    HANDLED_ELSEWHERE,
    REMOVE_AT_ONCE,
    Held,
    SqlBatchRepository,
    SqlChatLinkRepository,
    SqlInviteRepository,
    SqlMemberRepository,
    SqlMovementRepository,
    SqlProductRepository,
    SqlShopRepository,
    SqlUserRepository,
    contenders_for,
    contending_for,
    removal_arguments,
    removed_at_once,
    stop_contending,
)

IDEMPOTENCY_CONSTRAINT = "uq_movements_shop_id_idempotency_key"


def _is_duplicate_key(error: IntegrityError) -> bool:
    # asyncpg reports the constraint name; SQLite names the columns instead.
    text = str(error.orig)
    return IDEMPOTENCY_CONSTRAINT in text or "movements.idempotency_key" in text


class SqlUnitOfWork(UnitOfWork):
    """The unit of work over one SQLAlchemy session; its repositories are the ports'
    attributes (declared once, in core.ports.UnitOfWork), made when it is entered."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        lock: asyncio.Lock | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._lock = lock
        self._session: AsyncSession | None = None
        self._holding_lock = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; units of work do not nest")
        if self._lock is not None:
            await self._lock.acquire()
            self._holding_lock = True
        try:
            session = self._session_factory()
            self._session = session
            held = Held()
            self.shops = SqlShopRepository(session, held)
            self.users = SqlUserRepository(session, held)
            self.members = SqlMemberRepository(session, held)
            self.chats = SqlChatLinkRepository(session)
            self.invites = SqlInviteRepository(session)
            self.products = SqlProductRepository(session)
            self.inventory = SqlInventoryQueries(session)
            self.batches = SqlBatchRepository(session)
            self.movements = SqlMovementRepository(session)
            self.alert_outbox = SqlAlertOutbox(session)
            self.deliveries = SqlDeliveryRepository(session)
            self.alert_settings = SqlAlertSettingsRepository(session)
            self.product_alerts = SqlProductAlertRepository(session)
            self.recipients = SqlRecipientRepository(session)
            self.alert_queries = SqlAlertQueries(session)
        except BaseException:
            self._release()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        try:
            if session is not None:
                session.info.pop(UNDURABLE, None)
                stop_contending(session)
                if session.info.pop(MARKED_HERE, False):
                    unmark()  # a statement marked the update, and no commit followed
                # Leaving without commit rolls back; after a commit there is nothing left.
                await session.rollback()
                await session.close()
        finally:
            self._session = None
            self._release()
        if isinstance(exc, IntegrityError) and _is_duplicate_key(exc):
            raise DuplicateRequest() from exc

    def _release(self) -> None:
        if self._lock is not None and self._holding_lock:
            self._holding_lock = False
            self._lock.release()

    async def commit(self) -> None:
        # The update being handled (if any) is marked processed with its first effect.
        marked = await mark_in(self.session)
        # A stock change let its transaction commit without waiting for the disk, so
        # its product's lock goes at once; the disk is waited for after (db.engine).
        undurable = self.session.info.pop(UNDURABLE, False)
        # The server the commit goes to: a flush on a server started since proves nothing.
        since = await incarnation_of(await self.session.connection()) if undurable else None
        try:
            try:
                await self.session.commit()
            finally:
                stop_contending(self.session)
            if undurable:
                await wait_for_the_disk(cast(AsyncEngine, self.session.bind), since)
        except BaseException as error:
            if marked:
                unmark()
            if isinstance(error, IntegrityError):
                await self.session.rollback()
                if _is_duplicate_key(error):
                    raise DuplicateRequest() from error
            raise

    async def rollback(self) -> None:
        try:
            await self.session.rollback()
        finally:
            stop_contending(self.session)

    def removes_at_once(self) -> bool:
        return self._lock is None and isinstance(self._session_factory.kw.get("bind"), AsyncEngine)

    async def remove_at_once(self, removal: RemovalAtOnce) -> RemovedAtOnce | None:
        """PostgreSQL: migration 0020's function (see core.ports; 0022 for the unit),
        sent with the other removals of the process waiting in its lane (`_Lane`): one
        round trip and one commit for all of them. SQLite: None, the usual way."""
        engine = self._session_factory.kw.get("bind")
        if not self.removes_at_once() or not isinstance(engine, AsyncEngine):
            return None
        receipt = due_mark()
        product_id = removal.movement.product_id
        with contending_for(product_id):
            queued = _Queued(removal, receipt, asyncio.get_running_loop().create_future())
            _lane(engine, product_id).send(queued)
            row, since = await queued.answer
            if row["outcome"] == "busy":
                # Another transaction holds the product: wait for it alone, beside the
                # lane (which never waits for a lock), with the member still read after.
                undurable = contenders_for(product_id) > 1
                arguments = removal_arguments(
                    removal, receipt, undurable=undurable, skip_locked=False
                )
                try:
                    [row], server = await _call(engine, [arguments])
                    since = server if undurable else None
                except asyncpg.PostgresError as error:
                    refusal = _refusal(error, receipt)
                    if refusal is error:
                        raise
                    raise refusal from error
        if row["outcome"] != "done":
            return None
        if since is not None:
            await wait_for_the_disk(engine, since)
        if receipt is not None:
            receipt.marked = True  # committed, and durably, with the removal
        return removed_at_once(removal, row)


# --- removals sent together -------------------------------------------------------------
# Each removal of the process goes to the lane of its product (its id mod LANES). A lane
# sends what is waiting in it as soon as its previous send is answered: alone, as one
# call that is its own transaction; several, pipelined in one implicit transaction
# (asyncpg's fetchmany: one round trip, one commit for all; each removal still its own
# movement, key, authorization and answer). Sales of one product are thus sent together,
# one after another under one lock in one transaction, and sales of different products
# share a commit.
#
# A lane never waits for a product's lock (p_skip_locked, migration 0021): in company
# it would hold the others' locks meanwhile, and could deadlock with a transaction
# locking several products in another order; alone it would hold back every sale
# queued behind it in the lane. A removal whose product another transaction holds is
# answered 'busy' and sent again alone beside the lane, where it waits for the lock
# (and reads the member after it) as one call always did. If one removal of a call
# fails (its update handled elsewhere, say), the transaction of all of them is rolled
# back, and each is sent again alone.
#
# A call commits without waiting for the disk when someone else of this process is
# counted for one of its products (the next sales of a hot product, queued in the lane
# behind it, or a unit of work waiting for its lock): then the lane sends the next call
# at once, and each removal's caller waits for the disk (db.engine, flushes shared).
#
# 8 lanes: on 2 cores, 32 writers of a product each sold 1.5-2x what one call each did;
# 16 and 32 lanes did less (fewer share a commit).

LANES = 8


@dataclass
class _Queued:
    removal: RemovalAtOnce
    receipt: Receipt | None
    # The function's row, and the incarnation of the server that committed it without
    # the disk (None: committed durably).
    answer: asyncio.Future[tuple[Any, object]]


class _Lane:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.loop = asyncio.get_running_loop()
        self._waiting: list[_Queued] = []
        self._sending: asyncio.Task[None] | None = None

    def send(self, queued: _Queued) -> None:
        self._waiting.append(queued)
        if self._sending is None:
            self._sending = asyncio.create_task(self._send_all())

    async def _send_all(self) -> None:
        calls: list[_Queued] = []
        try:
            while self._waiting:
                # A caller cancelled before its removal was sent is told nothing: skip it.
                calls = [q for q in self._waiting if not q.answer.done()]
                self._waiting = []
                calls.sort(key=lambda q: q.removal.movement.product_id)
                if len(calls) == 1:
                    await self._send(calls)
                elif calls and not await self._send(calls):
                    for call in calls:
                        await self._send([call])
        finally:
            self._sending = None
            for queued in [*calls, *self._waiting]:  # left only if this task was cancelled
                if not queued.answer.done():
                    queued.answer.cancel()

    async def _send(self, calls: list[_Queued]) -> bool:
        """Send `calls` as one transaction and answer each; False when a removal of
        several failed and nothing was kept (they are then sent again alone)."""
        products = Counter(call.removal.movement.product_id for call in calls)
        undurable = any(contenders_for(p) > n for p, n in products.items())
        arguments = [
            removal_arguments(call.removal, call.receipt, undurable=undurable, skip_locked=True)
            for call in calls
        ]
        try:
            rows, server = await _call(self._engine, arguments)
        except asyncpg.PostgresError as error:  # the server rolled it all back
            if len(calls) > 1:
                return False
            _answer(calls[0], error=_refusal(error, calls[0].receipt))
            return True
        except Exception as error:
            for call in calls:
                _answer(call, error=error)
            return True
        for call, row in zip(calls, rows, strict=True):
            _answer(call, (row, server if undurable else None))
        return True


async def _call(engine: AsyncEngine, arguments: list[tuple[Any, ...]]) -> tuple[list[Any], object]:
    """The function's rows, one call per arguments, all in one transaction: alone, a
    call is its own; several are pipelined in one implicit transaction (one round trip,
    one commit). A PostgresError rolled everything back and leaves the connection fine.
    With the rows, the incarnation of the server that took them (db.engine)."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver, server = raw.driver_connection, raw.info.get(INCARNATION)
        assert driver is not None
        try:
            if len(arguments) > 1:
                return list(await driver.fetchmany(REMOVE_AT_ONCE, arguments)), server
            return [await driver.fetchrow(REMOVE_AT_ONCE, *arguments[0])], server
        except asyncpg.PostgresError:
            raise
        except BaseException:
            # The connection's state is unknown (lost, or cut off mid-reply), and
            # SQLAlchemy, which did not send the statement, cannot tell.
            await connection.invalidate()
            raise


def _answer(
    call: _Queued, answer: tuple[Any, object] | None = None, *, error: BaseException | None = None
) -> None:
    if call.answer.done():  # its caller was cancelled
        return
    if error is not None:
        call.answer.set_exception(error)
    else:
        call.answer.set_result(cast(tuple[Any, object], answer))


def _refusal(error: asyncpg.PostgresError, receipt: Receipt | None) -> BaseException:
    """What the caller of a removal the function refused raises."""
    if error.sqlstate == HANDLED_ELSEWHERE and receipt is not None:
        return HandledElsewhere(f"update {receipt.update_id} was handled by another worker")
    if error.sqlstate == BATCHES_SHORT:
        return AssertionError(str(error))
    if isinstance(error, asyncpg.UniqueViolationError) and IDEMPOTENCY_CONSTRAINT in str(error):
        return DuplicateRequest()
    return cast(BaseException, error)


_lanes: weakref.WeakKeyDictionary[AsyncEngine, dict[int, _Lane]] = weakref.WeakKeyDictionary()


def _lane(engine: AsyncEngine, product_id: int) -> _Lane:
    lanes = _lanes.setdefault(engine, {})
    number = product_id % LANES
    lane = lanes.get(number)
    if lane is None or lane.loop is not asyncio.get_running_loop():
        lane = lanes[number] = _Lane(engine)
    return lane


def uow_factory(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    """Makes a fresh unit of work per use case call: `restock(make_uow(), …)`."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    lock = writer_lock(engine)

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, lock=lock)

    return make
