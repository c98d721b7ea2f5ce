"""The durable inbox of Telegram updates (core.ports.Inbox) on PostgreSQL or SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.ports import InboxItem
from db.engine import conflict_insert, writer_lock
from db.models import UpdateInboxRow

MAX_ERROR = 2000

inbox = cast(Table, UpdateInboxRow.__table__)


class SqlInbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._lock: asyncio.Lock | None = writer_lock(engine)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        if self._lock is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self._lock, self.engine.begin() as connection:
            yield connection

    async def put(self, update_id: int, payload: str, received_at: datetime) -> bool:
        statement = (
            conflict_insert(self.engine.dialect.name, inbox)
            .values(update_id=update_id, payload=payload, received_at=received_at, attempts=0)
            .on_conflict_do_nothing(index_elements=[inbox.c.update_id])
        )
        async with self._transaction() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount == 1)

    async def claim(self, limit: int, now: datetime, lease: timedelta) -> Sequence[InboxItem]:
        query = (
            select(inbox.c.update_id, inbox.c.payload, inbox.c.attempts)
            .where(
                inbox.c.processed_at.is_(None),
                or_(inbox.c.leased_until.is_(None), inbox.c.leased_until <= now),
            )
            .order_by(inbox.c.update_id)
            .limit(limit)
        )
        if self._postgres:
            # Rows another claimer is leasing right now are skipped, not waited for.
            query = query.with_for_update(skip_locked=True)
        async with self._transaction() as connection:
            rows = (await connection.execute(query)).all()
            if rows:
                await connection.execute(
                    update(inbox)
                    .where(inbox.c.update_id.in_([row.update_id for row in rows]))
                    .values(leased_until=now + lease)
                )
        return [InboxItem(row.update_id, row.payload, row.attempts) for row in rows]

    async def extend(self, update_id: int, until: datetime) -> None:
        async with self._transaction() as connection:
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id, inbox.c.processed_at.is_(None))
                .values(leased_until=until)
            )

    async def done(self, update_id: int, at: datetime) -> None:
        async with self._transaction() as connection:
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id)
                .values(processed_at=at, leased_until=None)
            )

    async def failed(self, update_id: int, error: str, at: datetime) -> None:
        """Counts the attempt and keeps the lease: the update is retried once it ends."""
        async with self._transaction() as connection:
            await connection.execute(
                update(inbox)
                .where(inbox.c.update_id == update_id)
                .values(attempts=inbox.c.attempts + 1, last_error=error[:MAX_ERROR])
            )

    async def prune(self, processed_before: datetime) -> int:
        async with self._transaction() as connection:
            result = await connection.execute(
                inbox.delete().where(
                    inbox.c.processed_at.is_not(None), inbox.c.processed_at < processed_before
                )
            )
        return int(result.rowcount or 0)

    async def pending(self) -> int:
        async with self._transaction() as connection:
            count = await connection.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.processed_at.is_(None))
            )
        return int(count or 0)
