"""Leader election: with several bot processes, one at a time runs the scheduled scans.

PostgreSQL: a session-level advisory lock taken with `pg_try_advisory_lock` on a
connection kept open for that purpose. The lock lives exactly as long as that database
session, so a leader that crashes (or loses its connection) releases it, and the next
process that asks becomes leader within one scan interval. Every check also proves the
connection is still alive; if it is not, leadership is given up at once.

SQLite is the single-process embedded default: that process is always the leader.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# An arbitrary, fixed 64-bit key: "stockbot alerts scan".
SCAN_LOCK_KEY = 0x73746F636B_616C72


class Leadership(Protocol):
    async def is_leader(self) -> bool:
        """Whether this process leads now; tries to become leader when it does not."""
        ...

    async def close(self) -> None: ...


class SoleInstance:
    """One process only (SQLite): always the leader."""

    async def is_leader(self) -> bool:
        return True

    async def close(self) -> None:
        return None


class PostgresLeader:
    def __init__(self, engine: AsyncEngine, key: int = SCAN_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    async def is_leader(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            except (SQLAlchemyError, OSError):
                log.warning("lost the leader connection; giving up leadership")
                await self._drop()
        try:
            connection = await self._engine.connect()
        except (SQLAlchemyError, OSError):
            log.warning("cannot reach the database to elect a leader", exc_info=True)
            return False
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()  # the lock outlives the transaction; the session holds it
        except BaseException:
            await connection.close()
            raise
        if taken:
            self._connection = connection
            log.info("this process now runs the scheduled scans")
            return True
        await connection.close()
        return False

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Never hand a session that may hold the lock back to the pool.
            with contextlib.suppress(SQLAlchemyError, OSError):
                await connection.invalidate()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
            await connection.close()
        except (SQLAlchemyError, OSError):
            await connection.invalidate()


def leader_for(engine: AsyncEngine) -> Leadership:
    return SoleInstance() if engine.dialect.name == "sqlite" else PostgresLeader(engine)
