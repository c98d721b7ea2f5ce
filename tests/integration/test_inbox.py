"""The durable inbox of Telegram updates: stored once, each chat's one at a time and in
order, any number of chats at once, across processes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.errors import InsufficientStock
from core.ledger import Removal, Restock
from core.model import Movement, Reason, Shop, UserLanguage
from db.engine import create_engine
from db.inbox import HandledElsewhere, Settled, SqlInbox, marking
from db.uow import SqlUnitOfWork, uow_factory
from tests.integration.conftest import NOW, OWNER_ID, empty_tables

LEASE = timedelta(seconds=30)


async def settle(inbox: SqlInbox, settled: list[Settled], now: datetime) -> None:
    """Record how updates ended, claiming none."""
    await inbox.settle_and_claim(settled, 0, now, LEASE)


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


async def test_done_removes_from_pending_and_a_failure_retries_at_its_time(
    inbox: SqlInbox,
) -> None:
    await inbox.put(1, "a", NOW)
    await inbox.put(2, "b", NOW)
    await inbox.claim(5, NOW, LEASE)
    retry_at = NOW + timedelta(seconds=4)
    await settle(inbox, [Settled(1), Settled(2, "boom " * 1000, retry_at)], NOW)
    assert await inbox.pending() == 1
    assert await inbox.claim(5, NOW + timedelta(seconds=3), LEASE) == []  # not yet
    (retry,) = await inbox.claim(5, retry_at, LEASE)
    assert (retry.update_id, retry.attempts) == (2, 1)
    await settle(inbox, [Settled(2)], retry_at)
    assert await inbox.pending() == 0
    assert await inbox.claim(5, NOW + 10 * LEASE, LEASE) == []


async def test_an_update_given_up_is_not_claimed_again(inbox: SqlInbox) -> None:
    await inbox.put(1, "a", NOW, chat_id=7)
    await inbox.put(2, "b", NOW, chat_id=7)
    await inbox.claim(5, NOW, LEASE)
    await settle(inbox, [Settled(1, "keeps failing")], NOW)  # no retry time: given up
    assert [i.update_id for i in await inbox.claim(5, NOW, LEASE)] == [2]
    await settle(inbox, [Settled(2)], NOW)
    assert await inbox.claim(5, NOW + 10 * LEASE, LEASE) == []
    assert await inbox.pending() == 0


async def test_one_update_per_chat_is_leased_the_oldest_first(inbox: SqlInbox) -> None:
    for update_id, chat in [(1, 10), (2, 10), (3, 20), (4, 10), (5, 30), (6, 20)]:
        await inbox.put(update_id, f"u{update_id}", NOW, chat_id=chat)

    assert [i.update_id for i in await inbox.claim(10, NOW, LEASE)] == [1, 3, 5]
    assert await inbox.claim(10, NOW, LEASE) == []  # every chat is busy
    later = NOW + timedelta(seconds=1)
    assert [i.update_id for i in await inbox.settle_and_claim([Settled(1)], 10, later, LEASE)] == [
        2
    ]
    assert [i.update_id for i in await inbox.settle_and_claim([Settled(3)], 10, later, LEASE)] == [
        6
    ]
    await settle(inbox, [Settled(2), Settled(5), Settled(6)], later)
    assert [i.update_id for i in await inbox.claim(10, later, LEASE)] == [4]


async def test_a_claimed_update_comes_with_its_senders_stored_language(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """The claim reads each sender's language with the update, so handling it needs no
    transaction of its own to learn it; someone with nothing stored gets no choice."""
    async with uow_factory(engine)() as uow:
        await uow.users.save_language(71, UserLanguage(chosen="ru", seen="en"))
        await uow.users.save_language(72, UserLanguage(chosen=None, seen="en"))
        await uow.commit()
    await inbox.put(1, "a", NOW, chat_id=10, user_id=71)
    await inbox.put(2, "b", NOW, chat_id=11, user_id=72)
    await inbox.put(3, "c", NOW, chat_id=12, user_id=73)
    await inbox.put(4, "d", NOW, chat_id=13)

    claimed = await inbox.claim(10, NOW, LEASE)
    assert [(i.update_id, i.user_id, i.language) for i in claimed] == [
        (1, 71, UserLanguage("ru", "en")),
        (2, 72, UserLanguage(None, "en")),
        (3, 73, UserLanguage()),
        (4, None, None),
    ]


async def test_a_chat_waits_for_an_update_handled_but_not_yet_released(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """A handler's commit marks its update processed while its reply is still on the
    way; the chat's next update must wait until the worker releases it."""
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.put(2, "b", NOW, chat_id=10)
    await inbox.claim(10, NOW, LEASE)
    make_uow = uow_factory(engine)
    with marking(1, NOW):
        async with make_uow() as uow:
            await uow.commit()

    assert await inbox.pending() == 1
    assert await inbox.claim(10, NOW, LEASE) == []
    # After a crash the lease runs out and the chat goes on without running 1 again.
    assert [i.update_id for i in await inbox.claim(10, NOW + LEASE, LEASE)] == [2]


async def test_a_second_worker_on_an_update_already_handled_neither_commits_nor_answers(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """A claim's lease is written without waiting for the disk: a PostgreSQL crash can
    lose it while its process lives on, and another process claims the update again.
    Whichever commits second must roll back (and so not answer): after a crash under
    load a seller got "✅ Sold" twice for one sale."""
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.claim(10, NOW, LEASE)
    make_uow = uow_factory(engine)
    with marking(1, NOW) as first:
        async with make_uow() as uow:
            await uow.users.save_language(71, UserLanguage(chosen="ru"))
            await uow.commit()
    assert first.marked
    with marking(1, NOW) as second:
        async with make_uow() as uow:
            await uow.users.save_language(72, UserLanguage(chosen="ru"))
            with pytest.raises(HandledElsewhere):
                await uow.commit()
    assert not second.marked
    async with make_uow() as uow:
        assert await uow.users.language(71) == UserLanguage(chosen="ru")
        assert await uow.users.language(72) == UserLanguage()


async def _milk(make_uow: Callable[[], SqlUnitOfWork], owner: Actor, on_hand: int) -> int:
    product = await catalog.add_product(make_uow(), owner, ProductFields(name="milk"))
    await ledger.restock(
        make_uow(), owner, Restock(product.id, Decimal(on_hand)), key="in", now=NOW
    )
    return product.id


async def _processed(engine: AsyncEngine, update_id: int) -> bool:
    async with engine.connect() as connection:
        return bool(
            await connection.scalar(
                text("SELECT processed_at IS NOT NULL FROM update_inbox WHERE update_id = :u"),
                {"u": update_id},
            )
        )


async def test_a_sale_marks_its_update_with_the_movement_and_only_if_it_commits(
    engine: AsyncEngine, inbox: SqlInbox, shop: Shop, owner: Actor
) -> None:
    """On PostgreSQL the removal's own statement marks the update (one round trip fewer
    under the product's lock); either way the mark commits with the sale, or not at all:
    a sale rolled back, or refused, leaves its update to run again."""
    make_uow = uow_factory(engine)
    milk = await _milk(make_uow, owner, 3)
    for update_id in (1, 2, 3):
        await inbox.put(update_id, "a", NOW, chat_id=10 + update_id)
    await inbox.claim(10, NOW, LEASE)

    with marking(1, NOW) as rolled_back:
        async with make_uow() as uow:
            product = await uow.products.get_for_update(shop.id, milk)
            assert product is not None
            sale = Movement(0, shop.id, milk, Decimal(-1), Reason.SALE, OWNER_ID, NOW, "u1")
            assert await uow.movements.record_removal(sale, product) is not None
            # left without commit: the sale and the mark are undone together
        assert not rolled_back.marked
    assert not await _processed(engine, 1)

    with marking(2, NOW) as refused:
        with pytest.raises(InsufficientStock):
            await ledger.remove(make_uow(), owner, Removal(milk, Decimal(5)), key="u2", now=NOW)
        assert not refused.marked
    assert not await _processed(engine, 2)

    sent: list[str] = []

    def tally(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", tally)
    try:
        with marking(3, NOW) as sold:
            await ledger.remove(make_uow(), owner, Removal(milk, Decimal(1)), key="u3", now=NOW)
            assert sold.marked
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", tally)
    assert await _processed(engine, 3)
    if engine.dialect.name == "postgresql":
        # One statement, its own transaction, sent to asyncpg past SQLAlchemy (migration
        # 0020's function: the member, the product under its lock, the removal and the
        # mark); before it, the member, the product and the removal that marked it.
        assert sent == []
    async with make_uow() as uow:
        product = await uow.products.get(shop.id, milk)
        assert product is not None and product.on_hand == 2


async def test_a_second_worker_selling_for_an_update_already_handled_records_nothing(
    engine: AsyncEngine, inbox: SqlInbox, shop: Shop, owner: Actor
) -> None:
    """The same update claimed by two workers (a lease lost in a crash): the sale of the
    one that comes second is refused by its own statement and rolled back, with another
    idempotency key too (each worker makes its own)."""
    make_uow = uow_factory(engine)
    milk = await _milk(make_uow, owner, 5)
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.claim(10, NOW, LEASE)
    with marking(1, NOW) as first:
        await ledger.remove(make_uow(), owner, Removal(milk, Decimal(1)), key="a", now=NOW)
    assert first.marked
    with marking(1, NOW) as second, pytest.raises(HandledElsewhere):
        await ledger.remove(make_uow(), owner, Removal(milk, Decimal(1)), key="b", now=NOW)
    assert not second.marked
    async with make_uow() as uow:
        product = await uow.products.get(shop.id, milk)
        assert product is not None and product.on_hand == 4
        assert await uow.movements.by_key(shop.id, "b") == []


async def test_the_worker_that_finishes_an_update_claims_its_chats_next_in_one_statement(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """Releasing what finished and claiming the next is one round trip on PostgreSQL:
    the claim counts the updates it releases as released already (one had no commit
    of its own to mark it processed, /help say), whatever it read before the statement."""
    for update_id, chat in ((1, 10), (2, 10), (3, 11), (4, 11), (5, 12)):
        await inbox.put(update_id, "u", NOW, chat_id=chat)
    assert [i.update_id for i in await inbox.claim(2, NOW, LEASE)] == [1, 3]
    with marking(3, NOW):
        async with uow_factory(engine)() as uow:
            await uow.commit()  # 3 marked by its handler's commit; 1 never was
    sent: list[str] = []

    def tally(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", tally)
    try:
        claimed = await inbox.settle_and_claim([Settled(1), Settled(3)], 10, NOW, LEASE)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", tally)
    assert [i.update_id for i in claimed] == [2, 4, 5]
    if engine.dialect.name == "postgresql":
        assert len(sent) == 1
    assert await inbox.pending() == 3
    assert await inbox.claim(10, NOW, LEASE) == []  # 2, 4 and 5 are leased
    assert await inbox.release_unanswered(NOW + LEASE) == []  # 1 and 3 were released


async def test_a_failed_update_holds_its_chat_until_it_is_retried(inbox: SqlInbox) -> None:
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.put(2, "b", NOW, chat_id=10)
    await inbox.put(3, "c", NOW, chat_id=20)
    await inbox.claim(10, NOW, LEASE)
    retry_at = NOW + timedelta(seconds=2)
    await settle(inbox, [Settled(1, "database down", retry_at), Settled(3)], NOW)

    assert await inbox.claim(10, NOW + timedelta(seconds=1), LEASE) == []
    assert [i.update_id for i in await inbox.claim(10, retry_at, LEASE)] == [1]


async def test_the_first_commit_marks_the_update_with_its_effect_and_a_rollback_does_not(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.put(2, "b", NOW, chat_id=11)
    await inbox.claim(10, NOW, LEASE)
    make_uow = uow_factory(engine)
    with marking(1, NOW) as receipt:
        async with make_uow():
            pass  # left without commit: nothing happened, nothing is marked
        assert not receipt.marked
        async with make_uow() as uow:
            await uow.commit()
        assert receipt.marked
    assert await inbox.pending() == 1


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


@pytest.mark.postgres
async def test_workers_on_several_engines_keep_each_chat_in_order_and_never_overlap(
    postgres_url: str,
) -> None:
    """Three "processes" (engines) with four workers each drain 300 updates of 12 chats;
    every chat's updates run one at a time, in the order they were stored."""
    engines = [create_engine(postgres_url) for _ in range(3)]
    inboxes = [SqlInbox(e) for e in engines]
    rng = random.Random(7)
    try:
        await empty_tables(engines[0])
        chats = {update_id: rng.randrange(12) for update_id in range(1, 301)}
        for update_id, chat in chats.items():
            await inboxes[0].put(update_id, "{}", NOW, chat_id=chat)
        in_hand: set[int] = set()
        handled: dict[int, list[int]] = {}

        async def worker(inbox: SqlInbox) -> None:
            finished: list[Settled] = []
            idle = 0
            while idle < 20:
                items = await inbox.settle_and_claim(finished, 1, NOW, LEASE)
                finished = []
                if not items:
                    idle += 1
                    await asyncio.sleep(0.005)
                    continue
                idle = 0
                (item,) = items
                assert item.chat_id not in in_hand, "two updates of one chat at once"
                in_hand.add(item.chat_id or 0)
                await asyncio.sleep(rng.random() / 500)
                handled.setdefault(item.chat_id or 0, []).append(item.update_id)
                in_hand.discard(item.chat_id or 0)
                finished.append(Settled(item.update_id))
            await settle(inbox, finished, NOW)

        await asyncio.gather(*(worker(inbox) for inbox in inboxes for _ in range(4)))

        assert sum(len(ids) for ids in handled.values()) == 300
        for chat, ids in handled.items():
            assert ids == sorted(u for u, c in chats.items() if c == chat)
        async with engines[0].connect() as connection:
            left = await connection.scalar(
                text("SELECT count(*) FROM update_inbox WHERE processed_at IS NULL")
            )
        assert left == 0
    finally:
        for e in engines:
            await e.dispose()


async def test_prune_forgets_only_updates_processed_before_the_cutoff(inbox: SqlInbox) -> None:
    for update_id in (1, 2, 3):
        await inbox.put(update_id, f"u{update_id}", NOW)
    await inbox.claim(5, NOW, LEASE)
    await settle(inbox, [Settled(1)], NOW)
    await settle(inbox, [Settled(2)], NOW + timedelta(days=8))

    assert await inbox.prune(NOW + timedelta(days=7)) == 1

    # The pruned id can be stored again (Telegram may reuse it after a quiet week).
    assert await inbox.put(1, "new", NOW + timedelta(days=9))
    assert not await inbox.put(2, "again", NOW + timedelta(days=9))
    assert await inbox.pending() == 2  # 3, still unprocessed, and the new 1


async def test_extend_keeps_an_update_in_hand_from_other_claimers(inbox: SqlInbox) -> None:
    await inbox.put(1, "a", NOW)
    await inbox.claim(5, NOW, LEASE)
    await inbox.extend([1], NOW + LEASE * 2)

    assert await inbox.claim(5, NOW + LEASE + timedelta(seconds=1), LEASE) == []
    (again,) = await inbox.claim(5, NOW + LEASE * 2, LEASE)
    assert again.update_id == 1
    await settle(inbox, [Settled(1)], NOW)
    await inbox.extend([1], NOW + LEASE * 9)  # a late heartbeat does not revive it
    assert await inbox.pending() == 0
    assert await inbox.claim(5, NOW + LEASE * 3, LEASE) == []


async def test_updates_arriving_together_are_stored_once_each(inbox: SqlInbox) -> None:
    """Concurrent puts (stored in one batch on PostgreSQL), a redelivery among them."""
    ids = [1, 2, 3, 2, 4, 1, 5]
    results = await asyncio.gather(*(inbox.put(u, f"u{u}", NOW, chat_id=u) for u in ids))

    assert sum(results) == 5
    assert {u for u, new in zip(ids, results, strict=True) if new} == {1, 2, 3, 4, 5}
    assert await inbox.pending() == 5
    assert not await inbox.put(3, "again", NOW)


async def test_an_update_processed_by_a_process_that_died_is_released_once_to_be_told(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """A process killed between a sale's commit and its reply left the seller with no
    answer at all; the next process finds the update processed with its lease run out,
    with its sender's stored language, to tell them in it (it was told in English)."""
    make_uow = uow_factory(engine)
    async with make_uow() as uow:
        await uow.users.save_language(71, UserLanguage(chosen="ru", seen="en"))
        await uow.commit()
    for update_id, chat in [(1, 10), (2, 11), (3, 12)]:
        await inbox.put(update_id, f"u{update_id}", NOW, chat_id=chat, user_id=70 + update_id)
    await inbox.claim(10, NOW, LEASE)
    for update_id in (1, 2):
        with marking(update_id, NOW):
            async with make_uow() as uow:
                await uow.commit()  # the effect, and "processed" with it
    await settle(inbox, [Settled(2)], NOW)  # 2's replies went out; 1's process died

    assert await inbox.release_unanswered(NOW + timedelta(seconds=1)) == []  # still leased
    later = NOW + LEASE + timedelta(seconds=1)
    (unanswered,) = await inbox.release_unanswered(later)
    assert (unanswered.update_id, unanswered.chat_id) == (1, 10)
    assert (unanswered.user_id, unanswered.language) == (71, UserLanguage("ru", "en"))
    assert await inbox.release_unanswered(later) == []  # told once
    # 3 was never processed: it is claimed again as usual, not told about.
    assert [i.update_id for i in await inbox.claim(10, later, LEASE)] == [3]


@pytest.mark.postgres
async def test_claims_skip_the_wait_for_the_disk_but_leave_the_connection_durable(
    postgres_url: str,
) -> None:
    """The claim commits without waiting for the disk; the connection it used goes back
    to the pool with synchronous_commit on, for a handler's commit to be durable."""
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        await empty_tables(engine)
        inbox = SqlInbox(engine)
        await inbox.put(1, "a", NOW, chat_id=10)
        (item,) = await inbox.claim(5, NOW, LEASE)
        await inbox.settle_and_claim([Settled(item.update_id)], 5, NOW, LEASE)
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await engine.dispose()


async def test_storing_and_claiming_skip_sqlalchemys_execution_on_postgres(
    engine: AsyncEngine, inbox: SqlInbox
) -> None:
    """Every update is stored, claimed and released: on PostgreSQL those statements go
    to asyncpg itself (compiled once), not through SQLAlchemy's execution (its compiled
    cache, its parameters' and rows' processing), which cost more CPU than the round
    trip. They are still announced to what tallies the statements sent."""
    executed: list[Any] = []
    sent: list[str] = []

    def through_sqlalchemy(_conn: Any, statement: Any, *_: Any) -> None:
        executed.append(statement)

    def tally(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_execute", through_sqlalchemy)
    event.listen(engine.sync_engine, "before_cursor_execute", tally)
    try:
        assert await inbox.put(1, "a", NOW, chat_id=10, user_id=OWNER_ID)
        assert not await inbox.put(1, "a", NOW, chat_id=10, user_id=OWNER_ID)
        await inbox.put(2, "b", NOW, chat_id=10, user_id=OWNER_ID)
        (first,) = await inbox.claim(10, NOW, LEASE)
        (second,) = await inbox.settle_and_claim([Settled(first.update_id)], 10, NOW, LEASE)
        assert (first.update_id, second.update_id) == (1, 2)
        assert second.user_id == OWNER_ID and second.language == UserLanguage(None, None)
        await settle(inbox, [Settled(2)], NOW)
    finally:
        event.remove(engine.sync_engine, "before_execute", through_sqlalchemy)
        event.remove(engine.sync_engine, "before_cursor_execute", tally)
    assert await inbox.pending() == 0
    if engine.dialect.name == "postgresql":
        assert executed == []
        assert len(sent) == 6, sent


@pytest.mark.postgres
async def test_a_connection_that_broke_under_the_inboxs_statement_is_not_used_again(
    postgres_url: str,
) -> None:
    """The inbox's statements bypass SQLAlchemy's execution, so its handling of a
    broken connection too: one that broke is dropped from the pool, else every later
    store handed it would fail (the webhook answering 503 until a restart)."""
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        await empty_tables(engine)
        inbox = SqlInbox(engine)
        assert await inbox.put(1, "a", NOW, chat_id=10)
        async with engine.connect() as connection:
            mine = await connection.scalar(text("SELECT pg_backend_pid()"))
        admin = create_engine(postgres_url)
        try:
            async with admin.connect() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": mine})
        finally:
            await admin.dispose()
        with pytest.raises(Exception):  # noqa: B017 — the driver's own error, whichever
            await inbox.put(2, "b", NOW, chat_id=10)
        assert await inbox.put(2, "b", NOW, chat_id=10)
        assert [i.update_id for i in await inbox.claim(10, NOW, LEASE)] == [1]
    finally:
        await engine.dispose()
