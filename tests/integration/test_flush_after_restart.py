"""A commit that skipped the disk is waited for by a flush (db.engine): a flush made on a
server that restarted since proves nothing of it. Found by the PostgreSQL crash test in
CI: two sellers were told "Sold" for a sale the crash had lost, and told again when
their updates ran again (confirmed 119 of 117 applied)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import DBAPIError

from db.engine import CommitFateUnknown, create_engine, incarnation_of, wait_for_the_disk
from tests.e2e.private_services import PrivatePostgres


@pytest.fixture
async def server() -> AsyncIterator[PrivatePostgres]:
    server = await PrivatePostgres.create()
    try:
        yield server
    finally:
        await server.destroy()


async def test_a_flush_on_a_server_restarted_since_the_commit_tells_nobody(
    server: PrivatePostgres,
) -> None:
    engine = create_engine(server.url)
    try:
        async with engine.connect() as connection:
            since = await incarnation_of(connection)
        assert since is not None
        await wait_for_the_disk(engine, since)  # the same server: the commit is durable

        await server.restart("immediate")  # a crash: what skipped the disk may be gone
        outcomes: list[str] = []
        for _ in range(5):  # the pool's connections broke first; then fresh ones
            try:
                await wait_for_the_disk(engine, since)
                outcomes.append("flushed")
            except CommitFateUnknown:
                outcomes.append("unknown")
                break
            except DBAPIError:
                outcomes.append("broken")
        assert outcomes[-1] == "unknown", outcomes
        assert "flushed" not in outcomes, outcomes

        async with engine.connect() as connection:
            now = await incarnation_of(connection)
        assert now not in (None, since)
        await wait_for_the_disk(engine, now)  # a commit made since: durable again
    finally:
        with contextlib.suppress(Exception):
            await engine.dispose()
