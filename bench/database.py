"""A PostgreSQL database of its own for one benchmark run, migrated to the latest schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

from db.migrate import upgrade


@asynccontextmanager
async def fresh_database(admin_url: str, name: str, *, keep: bool = False) -> AsyncIterator[str]:
    """The new database's URL; it is dropped afterwards unless `keep`."""
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(False)
    try:
        await upgrade(url)
        yield url
    finally:
        if not keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
