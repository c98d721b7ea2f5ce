"""The durable inbox of Telegram updates."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.inbox import SqlInbox
from tests.integration.conftest import NOW, empty_tables

LEASE = timedelta(seconds=30)


@pytest.fixture
def inbox(engine: AsyncEngine) -> SqlInbox:
    return SqlInbox(engine)


async def test_put_is_idempotent_on_the_update_id(inbox: SqlInbox) -> None:
    assert await inbox.put(1, '{"update_id": 1}', NOW)
    assert not await inbox.put(1, '{"update_id": 1, "changed": true}', NOW)
    assert await inbox.pending() == 1
    (item,) = await inbox.claim(10, NOW, LEASE)
    assert (item.update_id, item.payload, item.attempts) == (1, '{"update_id": 1}', 0)


async def test_claim_leases_in_update_order(inbox: SqlInbox) -> None:
    for update_id in (3, 1, 2):
        await inbox.put(update_id, f"u{update_id}", NOW)
    assert [i.update_id for i in await inbox.claim(2, NOW, LEASE)] == [1, 2]
    assert [i.update_id for i in await inbox.claim(5, NOW, LEASE)] == [3]
    assert await inbox.claim(5, NOW + timedelta(seconds=10), LEASE) == []
    # Leases run out: unprocessed updates come back.
    later = NOW + LEASE + timedelta(seconds=1)
    assert [i.update_id for i in await inbox.claim(5, later, LEASE)] == [1, 2, 3]


async def test_done_removes_from_pending_and_failed_counts_attempts(inbox: SqlInbox) -> None:
    await inbox.put(1, "a", NOW)
    await inbox.put(2, "b", NOW)
    await inbox.claim(5, NOW, LEASE)
    await inbox.done(1, NOW)
    await inbox.failed(2, "boom " * 1000, NOW)
    assert await inbox.pending() == 1
    assert await inbox.claim(5, NOW, LEASE) == []  # still leased after the failure
    (retry,) = await inbox.claim(5, NOW + LEASE, LEASE)
    assert (retry.update_id, retry.attempts) == (2, 1)
    await inbox.done(2, NOW + LEASE)
    assert await inbox.pending() == 0
    assert await inbox.claim(5, NOW + 10 * LEASE, LEASE) == []


@pytest.mark.postgres
async def test_concurrent_claimers_get_disjoint_updates(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(2)]
    try:
        first, second = (SqlInbox(e) for e in engines)
        await empty_tables(engines[0])
        for update_id in range(1, 201):
            await first.put(update_id, "{}", NOW)

        async def drain(inbox: SqlInbox) -> list[int]:
            taken: list[int] = []
            while batch := await inbox.claim(7, NOW, LEASE):
                taken += [item.update_id for item in batch]
                await asyncio.sleep(0)
            return taken

        a, b, c, d = await asyncio.gather(drain(first), drain(second), drain(first), drain(second))
        claimed = a + b + c + d
        assert sorted(claimed) == list(range(1, 201))  # every update once, none twice
        assert len({*a} & {*b}) == 0
    finally:
        for e in engines:
            await e.dispose()


async def test_prune_forgets_only_updates_processed_before_the_cutoff(inbox: SqlInbox) -> None:
    for update_id in (1, 2, 3):
        await inbox.put(update_id, f"u{update_id}", NOW)
    await inbox.claim(5, NOW, LEASE)
    await inbox.done(1, NOW)
    await inbox.done(2, NOW + timedelta(days=8))

    assert await inbox.prune(NOW + timedelta(days=7)) == 1

    # The pruned id can be stored again (Telegram may reuse it after a quiet week).
    assert await inbox.put(1, "new", NOW + timedelta(days=9))
    assert not await inbox.put(2, "again", NOW + timedelta(days=9))
    assert await inbox.pending() == 2  # 3, still unprocessed, and the new 1


async def test_extend_keeps_an_update_in_hand_from_other_claimers(inbox: SqlInbox) -> None:
    await inbox.put(1, "a", NOW)
    await inbox.claim(5, NOW, LEASE)
    await inbox.extend(1, NOW + LEASE * 2)

    assert await inbox.claim(5, NOW + LEASE + timedelta(seconds=1), LEASE) == []
    (again,) = await inbox.claim(5, NOW + LEASE * 2, LEASE)
    assert again.update_id == 1
    await inbox.done(1, NOW)
    await inbox.extend(1, NOW + LEASE * 9)  # a late heartbeat does not revive it
    assert await inbox.pending() == 0
