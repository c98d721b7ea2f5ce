"""Many people changing one product's stock at once, on PostgreSQL.

Every unit of work has its own connection; they really run in parallel and serialize only
on the product row lock (SELECT … FOR UPDATE)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import catalog, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.errors import InsufficientStock
from core.ledger import MovementResult, Removal, Restock
from core.model import Movement, Product, Reason, Role
from core.stock_requests import Draft, Recorded, StockRequest, record_stock
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

pytestmark = pytest.mark.postgres

MakeUow = Callable[[], SqlUnitOfWork]
Q = Decimal


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
async def milk(make_uow: MakeUow, owner: Actor) -> Product:
    product = await catalog.add_product(make_uow(), owner, ProductFields(name="Milk"))
    await ledger.restock(make_uow(), owner, Restock(product.id, Q(20)), key="seed", now=NOW)
    return product


async def _books(make_uow: MakeUow, owner: Actor, product_id: int) -> tuple[Decimal, ...]:
    async with make_uow() as uow:
        product = await uow.products.get(owner.shop_id, product_id)
        movements = await uow.movements.history(owner.shop_id, limit=100_000)
        batches = await uow.batches.in_stock(product_id)
    assert product is not None
    assert all(b.quantity >= 0 for b in batches)
    return (
        product.on_hand,
        sum((m.quantity for m in movements), Q(0)),
        sum((b.quantity for b in batches), Q(0)),
    )


async def _request(make_uow: MakeUow, owner: Actor, product_id: int, i: int) -> MovementResult:
    if i % 3 == 0:
        command = Restock(product_id, Q(2))
        return await ledger.restock(make_uow(), owner, command, key=f"req{i}", now=NOW)
    return await ledger.remove(make_uow(), owner, Removal(product_id, Q(3)), key=f"req{i}", now=NOW)


async def test_concurrent_removals_and_restocks_never_oversell(
    make_uow: MakeUow, owner: Actor, milk: Product
) -> None:
    requests = list(range(60))  # 20 restocks of 2, 40 removals of 3, from 20 on hand
    random.Random(7).shuffle(requests)
    results = await asyncio.gather(
        *(_request(make_uow, owner, milk.id, i) for i in requests), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    done = [r for r in results if isinstance(r, MovementResult)]
    assert all(isinstance(r, InsufficientStock) for r in refused), refused
    assert refused, "60 units cannot satisfy 40 removals of 3: some must be refused"
    on_hand, ledger_sum, batch_sum = await _books(make_uow, owner, milk.id)
    expected = Q(20) + sum((r.movement.quantity for r in done if r.movement), Q(0))
    assert on_hand == ledger_sum == batch_sum == expected
    assert on_hand >= 0
    # 20 restocks always land; removals land while stock lasts.
    assert sum(1 for r in done if r.movement and r.movement.quantity > 0) == 20


async def test_replayed_keys_concurrently_create_no_duplicates(
    make_uow: MakeUow, owner: Actor, milk: Product
) -> None:
    # Every request is sent three times at once, as Telegram retries do.
    requests = [i for i in range(20) for _ in range(3)]
    random.Random(11).shuffle(requests)
    results = await asyncio.gather(
        *(_request(make_uow, owner, milk.id, i) for i in requests), return_exceptions=True
    )
    assert all(isinstance(r, MovementResult | InsufficientStock) for r in results), [
        r for r in results if isinstance(r, BaseException)
    ]
    async with make_uow() as uow:
        movements = await uow.movements.history(owner.shop_id, limit=100_000)
    keys = [m.idempotency_key for m in movements]
    assert len(keys) == len(set(keys))
    # Each key's answers all report the same movement.
    by_key: dict[str, set[int]] = {}
    for i, result in zip(requests, results, strict=True):
        if isinstance(result, MovementResult) and result.movement is not None:
            by_key.setdefault(f"req{i}", set()).add(result.movement.id)
    assert all(len(ids) == 1 for ids in by_key.values())
    on_hand, ledger_sum, batch_sum = await _books(make_uow, owner, milk.id)
    assert on_hand == ledger_sum == batch_sum >= 0


async def test_concurrent_sales_of_the_last_units(
    make_uow: MakeUow, owner: Actor, milk: Product
) -> None:
    results = await asyncio.gather(
        *(
            ledger.remove(make_uow(), owner, Removal(milk.id, Q(1)), key=f"s{i}", now=NOW)
            for i in range(50)
        ),
        return_exceptions=True,
    )
    sold = [r for r in results if isinstance(r, MovementResult)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(sold), len(refused)) == (20, 30)
    assert await _books(make_uow, owner, milk.id) == (Q(0), Q(0), Q(0))


async def test_concurrent_sales_by_name_and_by_button_of_the_last_units(
    make_uow: MakeUow, owner: Actor, milk: Product
) -> None:
    # A stock command locks the product as it reads it (by its name, or by the id a
    # button carries) and the sale trusts that read: it must be the row as it is now.
    def request(i: int) -> StockRequest:
        draft = Draft("milk", lambda product: Removal(product.id, Q(1)))
        return StockRequest(
            owner.user_id, None, lambda _: draft, product_id=milk.id if i % 2 else None
        )

    results = await asyncio.gather(
        *(record_stock(make_uow(), request(i), key=f"s{i}", now=NOW) for i in range(50)),
        return_exceptions=True,
    )
    sold = [r for r in results if isinstance(r, Recorded)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(sold), len(refused)) == (20, 30), [
        r for r in results if isinstance(r, BaseException)
    ]
    assert sorted(r.result.product.on_hand for r in sold) == [Q(n) for n in range(20)]
    assert await _books(make_uow, owner, milk.id) == (Q(0), Q(0), Q(0))


async def test_a_stock_change_lets_its_lock_go_before_the_disk_when_another_waits(
    make_uow: MakeUow, owner: Actor, milk: Product, engine: AsyncEngine
) -> None:
    """The lock of a product is held until its transaction ends: a durable commit would
    hold it through the WAL flush, one flush per sale. While another transaction of the
    process waits for the product, the change commits without waiting for the disk and
    the unit of work waits for the disk before it returns, in a commit of its own that
    needs no lock. With nobody waiting it commits durably, one round trip fewer."""

    async def sale(uow: SqlUnitOfWork, key: str) -> str:
        product = await uow.products.get_for_update(owner.shop_id, milk.id)
        assert product is not None
        sale = Movement(0, owner.shop_id, milk.id, Q(-1), Reason.SALE, owner.user_id, NOW, key)
        assert await uow.movements.record_removal(sale, product) is not None
        return str(await uow.session.scalar(text("SHOW synchronous_commit")))

    async def waiting_for_a_lock() -> bool:
        async with engine.connect() as connection:
            return bool(
                await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"
                    )
                )
            )

    async def second_sale() -> str:
        async with make_uow() as uow:
            setting = await sale(uow, "b")
            await uow.commit()
        return setting

    sent: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    async with make_uow() as uow:
        first_setting = await sale(uow, "a")  # holds the lock; nobody waits yet: durable
        assert first_setting == "on"
        second = asyncio.create_task(second_sale())
        for _ in range(1000):
            if await waiting_for_a_lock():
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the second sale never waited for the lock")
        # The first's removal was sent before the second waited: a second change in the
        # same transaction now sees someone waiting.
        product = await uow.products.get_for_update(owner.shop_id, milk.id)
        assert product is not None
        again = Movement(0, owner.shop_id, milk.id, Q(-1), Reason.SALE, owner.user_id, NOW, "a2")
        assert await uow.movements.record_removal(again, product) is not None
        assert await uow.session.scalar(text("SHOW synchronous_commit")) == "off"
        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        try:
            await uow.commit()
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", statement)
    # The commit, then the wait for the disk (the second sale's statements may come
    # between: they run while this one waits for the disk).
    assert [s for s in sent if "pg_logical_emit_message" in s]
    assert await second == "on"  # nobody waited for the second
    assert await _books(make_uow, owner, milk.id) == (Q(17), Q(17), Q(17))


async def test_32_writers_of_one_product_with_duplicates_and_refusals_keep_the_books(
    make_uow: MakeUow, owner: Actor, milk: Product
) -> None:
    """32 writers at once on one product, 160 sales with each key sent twice (a retry)
    and more asked than there is: each caller told its own result, one movement per
    key, the refused ones refused alone, the books exact."""
    await ledger.restock(make_uow(), owner, Restock(milk.id, Q(80)), key="more", now=NOW)
    keys = [f"k{i}" for i in range(160) for _ in range(2)]
    random.Random(3).shuffle(keys)
    queue = list(enumerate(keys))
    results: dict[int, MovementResult | BaseException] = {}

    async def writer() -> None:
        while queue:
            index, key = queue.pop()
            try:
                results[index] = await ledger.remove(
                    make_uow(), owner, Removal(milk.id, Q(1)), key=key, now=NOW
                )
            except InsufficientStock as refused:
                results[index] = refused

    await asyncio.gather(*(writer() for _ in range(32)))
    by_key: dict[str, set[int | None]] = {}
    for index, key in enumerate(keys):
        result = results[index]
        if isinstance(result, MovementResult):
            assert result.movement is not None and result.movement.idempotency_key == key
            by_key.setdefault(key, set()).add(result.movement.id)
    assert all(len(ids) == 1 for ids in by_key.values())  # a retry is told the same sale
    assert len(by_key) == 100  # 20 + 80 units, one a sale; the other keys refused
    assert await _books(make_uow, owner, milk.id) == (Q(0), Q(0), Q(0))


async def test_a_sale_by_name_in_a_private_chat_is_two_reads_and_one_removal(
    make_uow: MakeUow,
    owner: Actor,
    milk: Product,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What each /sell sends while the bot handles it (each statement costs the bot
    more CPU than the Python around it): the user with the member of their active shop
    and that shop; the product by its name, not locked; then on PostgreSQL the removal
    by the product's id as one call of the function (migration 0020/0022), committed
    on its own, past SQLAlchemy. Before, the product was locked by name, and the removal
    statement and the COMMIT followed under its lock (three statements through
    SQLAlchemy). SQLite: the product locked, and the removal."""
    draft = Draft("milk", lambda product: Removal(product.id, Q(1)))
    request = StockRequest(owner.user_id, None, lambda _: draft)
    sent: list[str] = []
    calls: list[str] = []
    fetchrow = asyncpg.Connection.fetchrow

    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return await fetchrow(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetchrow", counted)

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql.split()[0] + " … " + " ".join(sql.split()[-3:]))

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    try:
        outcome = await record_stock(make_uow(), request, key="one", now=NOW)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
    assert isinstance(outcome, Recorded)
    assert outcome.result.product.on_hand == Q(19)
    if engine.dialect.name == "postgresql":
        assert len(sent) == 2, sent
        assert [c for c in calls if "stockbot_remove" in c] == calls
        assert len(calls) == 1, calls
    else:
        assert len(sent) == 3, sent


async def test_two_owners_removing_each_other_at_once_leave_the_shop_an_owner(
    make_uow: MakeUow,
) -> None:
    """Each removal saw the other owner and went ahead: a shop with no owner, whom nobody
    could invite, manage or set up again. One of them must be refused."""
    for round_ in range(8):
        first, second = 81_000 + 2 * round_, 81_001 + 2 * round_
        shop = await shops.create_shop(make_uow(), first, "Ada", f"Duo {round_}", NOW)
        ada = Actor(first, shop.id)
        code = (await shops.create_invite(make_uow(), ada, Role.OWNER, NOW)).code
        await shops.join_shop(make_uow(), second, "Bea", code, NOW)
        bea = Actor(second, shop.id)
        await asyncio.gather(
            shops.remove_member(make_uow(), ada, second),
            shops.set_role(make_uow(), bea, first, Role.STAFF)
            if round_ % 2
            else shops.remove_member(make_uow(), bea, first),
            return_exceptions=True,
        )
        async with make_uow() as uow:
            owners = [m for m in await uow.members.list(shop.id) if m.is_owner]
        assert owners, round_
