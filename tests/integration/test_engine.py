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


@pytest.mark.postgres
async def test_a_pooled_connection_dropped_while_idle_is_replaced_not_failed(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SQLAlchemy's ping on every checkout, a connection the server dropped while
    it sat in the pool (a restart overnight) is still pinged and replaced on its way out."""
    monkeypatch.setattr("db.engine.PING_AFTER_IDLE_SECONDS", 0.0)
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    admin = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            dropped = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != dropped
    finally:
        await engine.dispose()
        await admin.dispose()
