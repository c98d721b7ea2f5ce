"""Database URLs and engine set-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import DEFAULT_URL, create_engine, database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite+aiosqlite:///./stockbot.db"),
        ("", DEFAULT_URL),
        ("postgres://u:p@db:5432/shop", "postgresql+asyncpg://u:p@db:5432/shop"),
        ("postgresql://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("postgresql+asyncpg://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("sqlite:///data/stock.db", "sqlite+aiosqlite:///data/stock.db"),
        ("sqlite+aiosqlite:////abs/stock.db", "sqlite+aiosqlite:////abs/stock.db"),
    ],
)
def test_database_url_picks_the_async_driver(given: str | None, expected: str) -> None:
    assert database_url(given) == expected


async def test_sqlite_engine_enforces_foreign_keys_and_uses_wal(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await connection.scalar(text("PRAGMA busy_timeout")) > 0
    finally:
        await engine.dispose()


async def test_engine_connects(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT 1")) == 1
