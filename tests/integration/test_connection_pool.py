"""The bot's database connections are kept, not opened per update: under more updates
at once than SQLAlchemy's default pool keeps (5), the connections beyond it were closed
as each was given back and opened again for the next — a backend forked, a login and
every statement prepared again, every few updates under load."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.bootstrap import POOL_SIZE, build_services
from bot.settings import load_settings

pytestmark = pytest.mark.postgres


async def test_busy_rounds_reuse_the_connections_they_opened(postgres_url: str) -> None:
    settings = load_settings(_env_file=None, database_url=postgres_url, redis_url=None)
    engine = build_services(settings).engine
    opened: list[Any] = []

    def connected(*_: Any) -> None:
        opened.append(1)

    event.listen(engine.sync_engine, "connect", connected)

    async def one_round() -> None:
        """POOL_SIZE updates, each holding its connection until all of them hold one."""
        holding: list[int] = []
        all_hold = asyncio.Event()

        async def one_update() -> None:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                holding.append(1)
                if len(holding) == POOL_SIZE:
                    all_hold.set()
                await all_hold.wait()

        await asyncio.gather(*(one_update() for _ in range(POOL_SIZE)))

    try:
        for _ in range(3):
            await one_round()
    finally:
        event.remove(engine.sync_engine, "connect", connected)
        await engine.dispose()
    assert len(opened) == POOL_SIZE  # the first round's, kept
