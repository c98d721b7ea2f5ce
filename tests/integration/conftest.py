"""Integration fixtures: every test runs on real PostgreSQL and on SQLite.

PostgreSQL: one fresh database per test session (`stockbot_it_<pid>_<random>`), migrated
with db.migrate and dropped at the end; each test starts from empty tables. SQLite: a
file in the test's tmp_path, copied from a database migrated once per session.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.access import Actor
from core.model import Shop
from core.shops import create_shop
from db.engine import create_engine
from db.migrate import upgrade
from db.uow import SqlUnitOfWork, uow_factory
from tests.services import create_database, drop_database, postgres_error, unreachable

T = TypeVar("T")

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
OWNER_ID = 1001
STAFF_ID = 1002

# The PostgreSQL engine is pooled generously: the concurrency tests run 60+ transactions
# at once, each holding a connection while it waits for the product lock.
POSTGRES_POOL = {"pool_size": 20, "max_overflow": 80}


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a loop of its own, even when called from inside a
    running loop (session fixtures are set up lazily by the first test that needs them)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    error = _run(postgres_error())
    if error:
        unreachable("PostgreSQL", error)
    url = _run(create_database("stockbot_it"))
    yield url
    _run(drop_database(url))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    _run(upgrade(f"sqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def empty_tables(engine: AsyncEngine) -> None:
    """Empty every table the migrations made (all but Alembic's own)."""
    async with engine.begin() as connection:
        names = await connection.run_sync(
            lambda sync: [n for n in inspect(sync).get_table_names() if n != "alembic_version"]
        )
        await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def engine(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    if backend == "postgres":
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url, **POSTGRES_POOL)
        await empty_tables(engine)
    else:
        template: Path = request.getfixturevalue("sqlite_template")
        tmp_path: Path = request.getfixturevalue("tmp_path")
        path = tmp_path / "stockbot.db"
        shutil.copyfile(template, path)
        engine = create_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def make_uow(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    return uow_factory(engine)


@pytest.fixture
def uow(make_uow: Callable[[], SqlUnitOfWork]) -> SqlUnitOfWork:
    return make_uow()


@pytest.fixture
async def shop(make_uow: Callable[[], SqlUnitOfWork]) -> Shop:
    return await create_shop(make_uow(), OWNER_ID, "Olga", "Corner Cafe", NOW)


@pytest.fixture
def owner(shop: Shop) -> Actor:
    return Actor(OWNER_ID, shop.id)
