"""The migrations build exactly the schema the models describe, and ship with the package."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import db
from db.engine import create_engine
from db.migrate import MIGRATIONS, head_revision, is_current, upgrade
from db.models import metadata
from tests.services import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.postgres
async def test_migrations_agree_with_the_models_on_postgres() -> None:
    async with fresh_postgres_database("stockbot_mig") as url:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                assert await connection.run_sync(_diff) == []
            assert await is_current(engine)
        finally:
            await engine.dispose()


async def test_migrations_agree_with_the_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_sqlite(tmp_path: Path) -> AsyncIterator[tuple[str, AsyncEngine]]:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    engine = create_engine(url)
    yield url, engine
    await engine.dispose()


async def test_is_current_only_after_upgrade_and_upgrade_is_repeatable(
    empty_sqlite: tuple[str, AsyncEngine],
) -> None:
    url, engine = empty_sqlite
    assert not await is_current(engine)
    await upgrade(url)
    assert await is_current(engine)
    await upgrade(url)  # already at head: nothing to do
    assert await is_current(engine)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_head_revision_is_the_newest_file() -> None:
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert files and files[-1].split("_")[3] == head_revision()
    for name in files:  # named by date and slug: 2026_11_25_0001_initial.py
        year, month, day, *_ = name.split("_")
        assert len(year) == 4 and len(month) == 2 and len(day) == 2


def test_migrations_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["db"]
    package = Path(db.__file__).parent
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    needed = {package / "migrations" / "env.py", package / "migrations" / "script.py.mako"}
    needed |= set((package / "migrations" / "versions").glob("*.py"))
    assert needed <= shipped


# The triggers that keep the derived tables (backup.DERIVED: migrations 0016-0018). SQLite's
# batch mode rebuilds a table by copying it and drops its triggers without a word; a
# later migration that batch-alters `movements` or `products` must create them again,
# or the dashboard's figures drift from the ledger from that day on.
KEEPERS = {
    "postgresql": {
        ("movements", "movements_sales_by_hour"),
        *(("products", f"products_stock_by_shop_{e}") for e in ("insert", "delete", "update")),
        *(("products", f"products_expiry_by_shop_{e}") for e in ("insert", "delete", "update")),
    },
    "sqlite": {
        ("movements", "movements_sales_by_hour_sale"),
        ("movements", "movements_sales_by_hour_undo"),
        *(
            ("products", f"products_stock_by_shop_{e}")
            for e in ("insert", "delete", "update", "move")
        ),
        *(("products", f"products_expiry_by_shop_{e}") for e in ("insert", "delete", "update")),
    },
}
TRIGGERS = {
    "postgresql": "SELECT c.relname, t.tgname FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal",
    "sqlite": "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'",
}


async def _triggers(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text(TRIGGERS[engine.dialect.name]))
        return {(table, name) for table, name in rows}


async def test_the_derived_tables_keep_their_triggers_at_head_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        assert KEEPERS["sqlite"] <= await _triggers(engine)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_the_derived_tables_keep_their_triggers_at_head_on_postgres() -> None:
    async with fresh_postgres_database("stockbot_trg") as url:
        engine = create_engine(url)
        try:
            assert KEEPERS["postgresql"] <= await _triggers(engine)
        finally:
            await engine.dispose()


@pytest.mark.postgres
async def test_the_bot_says_an_empty_database_needs_migrating_and_an_old_one_how_old() -> None:
    """Found in the console: a new, empty PostgreSQL database was called "out of date"."""
    import asyncio
    import os
    import sys

    async def start(url: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            env={**os.environ, "DATABASE_URL": url, "BOT_TOKEN": "", "REDIS_URL": ""},
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode != 0
        return output.decode()

    async with fresh_postgres_database("stockbot_empty", migrate=False) as url:
        said = await start(url)
        assert "The database has no tables yet: run `stockbot migrate` to create them." in said
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE alembic_version (version_num text)"))
                await connection.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
        finally:
            await engine.dispose()
        said = await start(url)
        assert f"out of date (at 0001, this version needs {head_revision()})" in said, said
