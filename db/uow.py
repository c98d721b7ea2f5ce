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
from collections.abc import Callable
from types import TracebackType
from typing import Self, cast

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
from db.engine import UNDURABLE, wait_for_the_disk, writer_lock
from db.inbox import MARKED_HERE, HandledElsewhere, due_mark, mark_in, unmark
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
        try:
            try:
                await self.session.commit()
            finally:
                stop_contending(self.session)
            if undurable:
                await wait_for_the_disk(cast(AsyncEngine, self.session.bind))
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

    async def remove_at_once(self, removal: RemovalAtOnce) -> RemovedAtOnce | None:
        """PostgreSQL: migration 0020's function, its own transaction in one round trip
        on a pooled connection through asyncpg (see core.ports). It commits without
        waiting for the disk only while another of this process is counted for the
        product (db.repositories' contenders), and then waits for the disk here, in a
        flush shared with the other waits (db.engine). SQLite: None, the usual way."""
        engine = self._session_factory.kw.get("bind")
        if self._lock is not None or not isinstance(engine, AsyncEngine):
            return None
        receipt = due_mark()
        with contending_for(removal.movement.product_id) as undurable:
            arguments = removal_arguments(removal, undurable, receipt)
            async with engine.connect() as connection:
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None
                try:
                    row = await driver.fetchrow(REMOVE_AT_ONCE, *arguments)
                except asyncpg.PostgresError as error:  # the server rolled it back
                    if error.sqlstate == HANDLED_ELSEWHERE and receipt is not None:
                        raise HandledElsewhere(
                            f"update {receipt.update_id} was handled by another worker"
                        ) from error
                    if error.sqlstate == BATCHES_SHORT:
                        raise AssertionError(str(error)) from error
                    if isinstance(error, asyncpg.UniqueViolationError) and (
                        IDEMPOTENCY_CONSTRAINT in str(error)
                    ):
                        raise DuplicateRequest() from error
                    raise
                except BaseException:
                    # The connection's state is unknown (lost, or cut off mid-reply), and
                    # SQLAlchemy, which did not send the statement, cannot tell.
                    await connection.invalidate()
                    raise
        if row["outcome"] != "done":
            return None
        if receipt is not None:
            receipt.marked = True  # committed with the removal
        if undurable:
            await wait_for_the_disk(engine)
        return removed_at_once(removal, row)


def uow_factory(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    """Makes a fresh unit of work per use case call: `restock(make_uow(), …)`."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    lock = writer_lock(engine)

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, lock=lock)

    return make
