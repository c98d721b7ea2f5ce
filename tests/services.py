"""Reaching the real services in integration and e2e tests.

PostgreSQL: `TEST_POSTGRES_URL` (default postgresql://postgres@127.0.0.1:5432/test) names a
server and a database to connect to for creating and dropping the tests' own databases.
A test run never touches that database's tables. Redis: `TEST_REDIS_URL` (default
redis://127.0.0.1:6379/0); tests keep their keys under a prefix of their own. When a
service is unreachable, tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

import asyncpg
import pytest
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


def unreachable(service: str, error: BaseException | str) -> NoReturn:
    """Skip the test, or fail it under CI=true, where every service must be up."""
    message = f"{service} is unreachable: {error}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def postgres_error(url: str | None = None) -> str | None:
    """None when the server answers, else why not."""
    try:
        connection = await asyncpg.connect(url or postgres_admin_url(), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


async def create_database(prefix: str, *, migrate: bool = True) -> str:
    """A new empty database named `<prefix>_<pid>_<random>`, migrated to head unless told
    otherwise; returns its URL (plain postgresql://, any driver suffix is added later)."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}".lower()
    admin = postgres_admin_url()
    connection = await asyncpg.connect(admin, timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = _with_database(admin, name)
    if migrate:
        from db.migrate import upgrade

        await upgrade(url)
    return url


async def drop_database(url: str) -> None:
    name = make_url(url).database
    connection = await asyncpg.connect(postgres_admin_url(), timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_postgres_database(prefix: str, *, migrate: bool = True) -> AsyncIterator[str]:
    """A database of its own for the block, dropped afterwards; skips (or fails under CI)
    when PostgreSQL is unreachable.

        async with fresh_postgres_database("stockbot_e2e") as url: ...
    """
    if error := await postgres_error():
        unreachable("PostgreSQL", error)
    url = await create_database(prefix, migrate=migrate)
    try:
        yield url
    finally:
        await drop_database(url)


async def redis_error(url: str | None = None) -> str | None:
    """None when the Redis server answers PING, else why not."""
    import redis.asyncio as redis
    from redis.exceptions import RedisError

    client = redis.Redis.from_url(url or redis_url(), socket_connect_timeout=5, socket_timeout=5)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await client.aclose()
    return None
