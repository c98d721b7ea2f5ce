"""A removal as one statement committed on its own (`UnitOfWork.remove_at_once`: on
PostgreSQL migration 0020's function, sent to asyncpg directly; SQLite goes the unit of
work's way): the authorization checked under the product's lock, one movement per key,
the books exact under 32 writers, and what it does not write left to the usual way."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core import catalog, ledger, shops
from core.access import Actor
from core.alert_model import AlertKind
from core.catalog import ProductFields
from core.errors import NoActiveShop, NotAMember, ProductGone, ProductNotFound, UnitMismatch
from core.ledger import Adjustment, MovementResult, Removal, Restock
from core.model import Movement, Reason, Role, Shop
from core.ports import RemovalAtOnce
from core.stock_requests import Draft, Recorded, StockRequest, record_stock
from db.engine import wait_for_the_disk
from db.inbox import HandledElsewhere, SqlInbox, marking
from db.uow import LANES, SqlUnitOfWork
from tests.integration.conftest import NOW, STAFF_ID

MakeUow = Callable[[], SqlUnitOfWork]
Q = Decimal
LEASE = timedelta(seconds=30)


async def _product(make_uow: MakeUow, owner: Actor, name: str, stock: int, **fields: Any) -> int:
    added = await catalog.add_product(make_uow(), owner, ProductFields(name=name, **fields))
    await ledger.restock(make_uow(), owner, Restock(added.id, Q(stock)), key=f"r-{name}", now=NOW)
    return added.id


async def _books(make_uow: MakeUow, shop_id: int, product_id: int) -> tuple[Decimal, ...]:
    """On hand, the sum of the product's movements, and of its batches: equal when exact."""
    async with make_uow() as uow:
        product = await uow.products.get(shop_id, product_id)
        movements = await uow.movements.history(shop_id, product_id=product_id, limit=100_000)
        batches = await uow.batches.in_stock(product_id)
    assert product is not None
    assert all(batch.quantity >= 0 for batch in batches)
    return (
        product.on_hand,
        sum((m.quantity for m in movements), Q(0)),
        sum((b.quantity for b in batches), Q(0)),
    )


async def _staff(make_uow: MakeUow, owner: Actor) -> Actor:
    code = (await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)).code
    await shops.join_shop(make_uow(), STAFF_ID, "Sam", code, NOW)
    return Actor(STAFF_ID, owner.shop_id)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_member_removed_while_the_sale_waits_for_the_lock_is_refused(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """The member is read after the product's lock is taken, with a snapshot of its own:
    a member removed while their sale waited for the lock sells nothing (with the
    member's check moved before the lock, this sale went through)."""
    milk = await _product(make_uow, owner, "milk", 20)
    staff = await _staff(make_uow, owner)

    async def waiting_for_a_lock() -> bool:
        async with engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                )
            )
        return bool(waiting)

    async with make_uow() as holder:
        assert await holder.products.get_for_update(owner.shop_id, milk) is not None
        sale = asyncio.create_task(
            ledger.remove(make_uow(), staff, Removal(milk, Q(1)), key="s", now=NOW)
        )
        for _ in range(1000):
            if await waiting_for_a_lock():
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the sale never waited for the product's lock")
        await shops.remove_member(make_uow(), owner, STAFF_ID)
    with pytest.raises(NotAMember):
        await sale
    assert await _books(make_uow, owner.shop_id, milk) == (Q(20), Q(20), Q(20))
    async with make_uow() as uow:
        assert await uow.movements.by_key(owner.shop_id, "s") == []


async def test_what_the_statement_does_not_write_it_leaves_to_the_usual_way(
    make_uow: MakeUow, owner: Actor, shop: Shop, engine: AsyncEngine
) -> None:
    """`remove_at_once` writes nothing and says so (None) for a removed member, another
    shop's product, an archived one, too little stock, a key seen and a crossing (a
    sale that makes the product low); SQLite never writes through it."""
    milk = await _product(make_uow, owner, "milk", 10, threshold=Q(5), price=Q("1.99"))
    staff = await _staff(make_uow, owner)
    other_shop = await shops.create_shop(make_uow(), 77, "Ivan", "Other", NOW)
    theirs = await _product(make_uow, Actor(77, other_shop.id), "bread", 10)
    old = await _product(make_uow, owner, "old", 10)
    await catalog.archive_product(make_uow(), owner, old)

    def removal(actor: Actor, product_id: int, quantity: int, key: str) -> RemovalAtOnce:
        movement = Movement(
            0, actor.shop_id, product_id, Q(-quantity), Reason.SALE, actor.user_id, NOW, key
        )
        return RemovalAtOnce(movement, frozenset(Role), records_price=True)

    postgres = engine.dialect.name == "postgresql"
    first = await make_uow().remove_at_once(removal(staff, milk, 1, "first"))
    assert (first is not None) is postgres
    if first is not None:
        assert (first.before.on_hand, first.after.on_hand) == (Q(10), Q(9))
        assert first.member.role is Role.STAFF and first.shop.id == shop.id
        # As the unit of work's repositories read them, field for field.
        async with make_uow() as uow:
            assert [first.movement] == await uow.movements.by_key(shop.id, "first")
            assert first.movement.sale_price == Q("1.99")
            assert first.after == await uow.products.get(shop.id, milk)
            assert first.shop == await uow.shops.get(shop.id)
            assert first.member == await uow.members.get(shop.id, STAFF_ID)
    await shops.remove_member(make_uow(), owner, STAFF_ID)
    for refused in (
        removal(staff, milk, 1, "removed member"),
        removal(owner, theirs, 1, "their product"),
        removal(owner, old, 1, "archived"),
        removal(owner, milk, 11, "too much"),
        removal(owner, milk, 4, "makes it low"),
        removal(owner, milk, 1, "first"),  # a key seen
    ):
        assert await make_uow().remove_at_once(refused) is None, refused.movement
    on_hand = Q(9) if postgres else Q(10)
    assert await _books(make_uow, owner.shop_id, milk) == (on_hand, on_hand, on_hand)
    assert await _books(make_uow, other_shop.id, theirs) == (Q(10), Q(10), Q(10))
    # The usual way refuses them as it always did.
    with pytest.raises(NotAMember):
        await ledger.remove(make_uow(), staff, Removal(milk, Q(1)), key="again", now=NOW)
    with pytest.raises(ProductGone):
        await ledger.remove(make_uow(), owner, Removal(theirs, Q(1)), key="theirs", now=NOW)


async def test_a_sale_is_one_statement_and_a_crossing_is_recorded_the_usual_way(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """Nothing goes through SQLAlchemy for a sale the statement writes; the sale that
    makes the product low goes the unit of work's way, which outboxes the alert."""
    milk = await _product(make_uow, owner, "milk", 7, threshold=Q(5))
    sent: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    try:
        first = await ledger.remove(make_uow(), owner, Removal(milk, Q(1)), key="a", now=NOW)
        at_once = list(sent)
        second = await ledger.remove(make_uow(), owner, Removal(milk, Q(1)), key="b", now=NOW)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
    assert first.movement is not None and second.movement is not None
    assert (first.before.on_hand, first.product.on_hand) == (Q(7), Q(6))
    assert (second.before.on_hand, second.product.on_hand) == (Q(6), Q(5))
    assert first.shop is not None and first.member is not None
    assert first.member.role is Role.OWNER
    if engine.dialect.name == "postgresql":
        assert at_once == []
    async with make_uow() as uow:
        crossings = await uow.alert_outbox.pending(10)
    assert [(c.product_id, c.kind, c.on_hand) for c in crossings] == [(milk, AlertKind.LOW, Q(5))]
    assert await _books(make_uow, owner.shop_id, milk) == (Q(5), Q(5), Q(5))


async def test_duplicate_keys_from_32_writers_make_one_movement_each(
    make_uow: MakeUow, owner: Actor
) -> None:
    """64 sales of one product, each sent three times at once (Telegram's retries, a
    double tap) by 32 writers: one movement per key, every answer of a key the same
    movement, the books exact."""
    milk = await _product(make_uow, owner, "milk", 1000)
    keys = [f"k{i}" for i in range(64) for _ in range(3)]
    random.Random(5).shuffle(keys)
    queue = list(enumerate(keys))
    results: dict[int, MovementResult] = {}

    async def writer() -> None:
        while queue:
            index, key = queue.pop()
            removal = Removal(milk, Q(1))
            results[index] = await ledger.remove(make_uow(), owner, removal, key=key, now=NOW)

    await asyncio.gather(*(writer() for _ in range(32)))
    by_key: dict[str, set[int]] = {}
    for index, key in enumerate(keys):
        movement = results[index].movement
        assert movement is not None and movement.idempotency_key == key
        by_key.setdefault(key, set()).add(movement.id)
    assert all(len(ids) == 1 for ids in by_key.values())
    async with make_uow() as uow:
        movements = await uow.movements.history(owner.shop_id, product_id=milk, limit=1000)
    assert sorted(m.idempotency_key for m in movements if m.reason is Reason.SALE) == sorted(by_key)
    assert await _books(make_uow, owner.shop_id, milk) == (Q(936), Q(936), Q(936))


async def test_32_writers_of_one_product_and_of_a_product_each_keep_the_books(
    make_uow: MakeUow, owner: Actor
) -> None:
    """32 writers selling one product, then 32 selling a product each, 10 sales apiece:
    each product's on hand, ledger and batches agree, and every sale is told its own
    stock after (no two the same for the shared product)."""
    hot = await _product(make_uow, owner, "hot", 500)
    distinct = [await _product(make_uow, owner, f"p{i}", 50) for i in range(32)]

    async def writer(product_id: int, label: str) -> list[Decimal]:
        left = []
        for n in range(10):
            removal = Removal(product_id, Q(1))
            key = f"{label}-{n}"
            result = await ledger.remove(make_uow(), owner, removal, key=key, now=NOW)
            left.append(result.product.on_hand)
        return left

    told = await asyncio.gather(*(writer(hot, f"h{i}") for i in range(32)))
    assert sorted(q for left in told for q in left) == [Q(n) for n in range(180, 500)]
    assert await _books(make_uow, owner.shop_id, hot) == (Q(180), Q(180), Q(180))
    await asyncio.gather(*(writer(p, f"d{i}") for i, p in enumerate(distinct)))
    for product_id in distinct:
        assert await _books(make_uow, owner.shop_id, product_id) == (Q(40), Q(40), Q(40))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_waits_for_the_disk_asked_together_share_their_flushes(
    engine: AsyncEngine,
) -> None:
    """32 writers waiting for the disk at once: a wait asked while a flush is under way
    waits for the next one, which serves all asked meanwhile — a few flushes, not 32."""
    flushes: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if "pg_logical_emit_message" in sql:
            flushes.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    try:
        await asyncio.gather(*(wait_for_the_disk(engine) for _ in range(32)))
        assert len(flushes) == 2  # the first wait's, and the next for the 31 others
        await wait_for_the_disk(engine)  # asked alone: a flush of its own
        assert len(flushes) == 3
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)


async def _same_lane(make_uow: MakeUow, owner: Actor, stock: int) -> tuple[int, int]:
    """Two products whose removals go to one lane (db.uow: product id mod LANES), the
    first with the smaller id (locked first in a call of both)."""
    ids = [await _product(make_uow, owner, f"item {i}", stock) for i in range(LANES + 1)]
    first = min(ids)
    return first, next(i for i in ids if i != first and i % LANES == first % LANES)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_in_company_a_removal_does_not_wait_for_a_product_another_holds(
    make_uow: MakeUow, owner: Actor
) -> None:
    """Two sales sent in one call, the first of a product another transaction holds: the
    second is sold at once (the first skipped its product and went the unit of work's
    way, where it waits for the lock alone). Waiting in company, the call would have
    held the second product's sale until the first's lock was let go."""
    held, free = await _same_lane(make_uow, owner, 10)
    async with make_uow() as holder:
        assert await holder.products.get_for_update(owner.shop_id, held) is not None
        first = asyncio.create_task(
            ledger.remove(make_uow(), owner, Removal(held, Q(1)), key="held", now=NOW)
        )
        second = asyncio.create_task(
            ledger.remove(make_uow(), owner, Removal(free, Q(1)), key="free", now=NOW)
        )
        sold = await asyncio.wait_for(second, 10)
        assert sold.product.on_hand == Q(9)
        assert not first.done()
    assert (await first).product.on_hand == Q(9)
    for product_id in (held, free):
        assert await _books(make_uow, owner.shop_id, product_id) == (Q(9), Q(9), Q(9))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_sale_waiting_for_a_lock_holds_back_no_sale_of_its_lane(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """A sale whose product another transaction holds waits for it beside its lane: a
    sale of another product of the same lane, asked meanwhile, is sold at once (a lane
    waiting for the lock held every sale queued behind it)."""
    held, free = await _same_lane(make_uow, owner, 10)
    async with make_uow() as holder:
        assert await holder.products.get_for_update(owner.shop_id, held) is not None
        first = asyncio.create_task(
            ledger.remove(make_uow(), owner, Removal(held, Q(1)), key="held", now=NOW)
        )
        for _ in range(1000):
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database()"
                    )
                )
            if waiting:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the first sale never waited for the product's lock")
        removal = Removal(free, Q(1))
        sold = await asyncio.wait_for(
            ledger.remove(make_uow(), owner, removal, key="free", now=NOW), 10
        )
        assert sold.product.on_hand == Q(9)
        assert not first.done()
    assert (await first).product.on_hand == Q(9)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_removal_refused_in_company_leaves_the_others_sold(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """One call of two sales, one for an update another worker handled already: its
    transaction is rolled back, and each sale is sent again alone — the other is sold,
    the refused one raises HandledElsewhere and writes nothing."""
    handled, other = await _same_lane(make_uow, owner, 10)
    inbox = SqlInbox(engine)
    await inbox.put(1, "a", NOW, chat_id=10)
    await inbox.claim(10, NOW, LEASE)
    with marking(1, NOW):
        await ledger.remove(make_uow(), owner, Removal(handled, Q(1)), key="first", now=NOW)

    async def again() -> MovementResult:
        with marking(1, NOW):
            removal = Removal(handled, Q(1))
            return await ledger.remove(make_uow(), owner, removal, key="second", now=NOW)

    refused, sold = await asyncio.gather(
        again(),
        ledger.remove(make_uow(), owner, Removal(other, Q(1)), key="other", now=NOW),
        return_exceptions=True,
    )
    assert isinstance(refused, HandledElsewhere)
    assert isinstance(sold, MovementResult) and sold.product.on_hand == Q(9)
    assert await _books(make_uow, owner.shop_id, handled) == (Q(9), Q(9), Q(9))
    assert await _books(make_uow, owner.shop_id, other) == (Q(9), Q(9), Q(9))


# --- the bot's chat path (core.stock_requests) ------------------------------------------


def _selling(user_id: int, name: str, quantity: int, unit: str | None = None) -> StockRequest:
    draft = Draft(name, lambda product: Removal(product.id, Q(quantity)), unit=unit)
    return StockRequest(user_id, None, lambda _shop: draft)


async def _waiting_for_a_lock(engine: AsyncEngine) -> None:
    for _ in range(1000):
        async with engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the sale never waited for the product's lock")


def _removal_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The function's calls sent to asyncpg directly (past SQLAlchemy's events)."""
    calls: list[str] = []
    fetchrow, fetchmany = asyncpg.Connection.fetchrow, asyncpg.Connection.fetchmany

    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if "stockbot_remove" in query:
            calls.append(query)
        return await fetchrow(self, query, *args, **kwargs)

    async def counted_many(self: Any, query: str, args: Any, **kwargs: Any) -> Any:
        if "stockbot_remove" in query:
            calls.extend(query for _ in args)
        return await fetchmany(self, query, args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetchrow", counted)
    monkeypatch.setattr(asyncpg.Connection, "fetchmany", counted_many)
    return calls


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_chat_sale_by_name_is_one_removal_call_and_a_crossing_goes_the_usual_way(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/sell milk 1` reads who and what without a lock, then sells by the function
    alone: nothing of the sale through SQLAlchemy. The sale that makes milk low is
    offered to it too, and recorded the unit of work's way, with its alert."""
    milk = await _product(make_uow, owner, "milk", 7, threshold=Q(5), price=Q("1.99"))
    calls = _removal_calls(monkeypatch)
    sent: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    try:
        first = await record_stock(make_uow(), _selling(owner.user_id, "milk", 1), key="a", now=NOW)
        read_only, at_once = list(sent), list(calls)
        second = await record_stock(
            make_uow(), _selling(owner.user_id, "milk", 1), key="b", now=NOW
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
    assert isinstance(first, Recorded) and isinstance(second, Recorded)
    assert len(at_once) == 1
    assert not any("FOR UPDATE" in s or "INSERT" in s or "UPDATE " in s for s in read_only)
    assert first.result.movement is not None and first.result.movement.sale_price == Q("1.99")
    assert (first.result.before.on_hand, first.result.product.on_hand) == (Q(7), Q(6))
    assert first.place.member.is_owner and first.place.shop.id == owner.shop_id
    assert (second.result.before.on_hand, second.result.product.on_hand) == (Q(6), Q(5))
    assert len(calls) == 2  # offered, refused ('crossing'), then the usual way
    async with make_uow() as uow:
        crossings = await uow.alert_outbox.pending(10)
    assert [(c.product_id, c.kind) for c in crossings] == [(milk, AlertKind.LOW)]
    assert await _books(make_uow, owner.shop_id, milk) == (Q(5), Q(5), Q(5))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_chat_sale_whose_product_changed_unit_since_it_was_read_is_checked_again(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """`/sell flour 3 pcs` read flour in pieces; before its removal got the lock, flour
    became counted in kg: the function writes nothing ('changed') and the usual way
    refuses the unit typed. `/sell flour 3` read the same way is recorded, once, in kg.
    (Without the unit given to the function, the first was sold as 3 kg.)"""
    flour = await _product(make_uow, owner, "flour", 20)

    async def changed_while_waiting(request: StockRequest, key: str) -> Any:
        async with make_uow() as holder:
            assert await holder.products.get_for_update(owner.shop_id, flour) is not None
            sale = asyncio.create_task(record_stock(make_uow(), request, key=key, now=NOW))
            await _waiting_for_a_lock(engine)
            await holder.session.execute(
                text("UPDATE products SET unit = :unit WHERE id = :id"),
                {"unit": "kg" if key == "typed" else "bag", "id": flour},
            )
            await holder.commit()
        return await asyncio.gather(sale, return_exceptions=True)

    [refused] = await changed_while_waiting(_selling(owner.user_id, "flour", 3, "pcs"), "typed")
    assert isinstance(refused, UnitMismatch), refused
    assert await _books(make_uow, owner.shop_id, flour) == (Q(20), Q(20), Q(20))
    [sold] = await changed_while_waiting(_selling(owner.user_id, "flour", 3), "untyped")
    assert isinstance(sold, Recorded), sold
    assert sold.result.product.unit == "bag" and sold.result.product.on_hand == Q(17)
    async with make_uow() as uow:
        assert await uow.movements.by_key(owner.shop_id, "typed") == []
        assert len(await uow.movements.by_key(owner.shop_id, "untyped")) == 1
    assert await _books(make_uow, owner.shop_id, flour) == (Q(17), Q(17), Q(17))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_chat_sale_of_a_member_removed_since_it_was_read_is_refused(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """Staff's `/sell milk 1` was read while they were a member; they were removed
    before the removal got the product's lock: nothing sold, and told what the usual
    way tells a person of no shop in a private chat (NoActiveShop)."""
    milk = await _product(make_uow, owner, "milk", 20)
    await _staff(make_uow, owner)
    async with make_uow() as holder:
        assert await holder.products.get_for_update(owner.shop_id, milk) is not None
        sale = asyncio.create_task(
            record_stock(make_uow(), _selling(STAFF_ID, "milk", 1), key="s", now=NOW)
        )
        await _waiting_for_a_lock(engine)
        await shops.remove_member(make_uow(), owner, STAFF_ID)
    with pytest.raises(NoActiveShop):
        await sale
    assert await _books(make_uow, owner.shop_id, milk) == (Q(20), Q(20), Q(20))
    async with make_uow() as uow:
        assert await uow.movements.by_key(owner.shop_id, "s") == []


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_chat_restock_of_a_product_archived_since_it_was_read_is_not_recorded(
    make_uow: MakeUow, owner: Actor, engine: AsyncEngine
) -> None:
    """A restock is never sent at once: read without a lock like a sale, its product is
    then locked by id; archived meanwhile, the command is read again under the lock
    and finds no such product (without the second read, the restock went through)."""
    flour = await _product(make_uow, owner, "flour", 20)
    draft = Draft("flour", lambda product: Restock(product.id, Q(5)))
    request = StockRequest(owner.user_id, None, lambda _shop: draft)
    async with make_uow() as holder:
        assert await holder.products.get_for_update(owner.shop_id, flour) is not None
        restock = asyncio.create_task(record_stock(make_uow(), request, key="r", now=NOW))
        await _waiting_for_a_lock(engine)
        await holder.session.execute(
            text("UPDATE products SET archived = true WHERE id = :id"), {"id": flour}
        )
        await holder.commit()
    with pytest.raises(ProductNotFound) as refused:
        await restock
    assert type(refused.value) is ProductNotFound  # by its name, as before: not ProductGone
    async with make_uow() as uow:
        assert await uow.movements.by_key(owner.shop_id, "r") == []


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_cards_minus_one_is_one_removal_call_recorded_as_the_usual_way_does(
    make_uow: MakeUow, owner: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card's −1 (a correction by −1 of a known product) is the function's one call,
    and its movement is the one the unit of work's way records: an adjustment of −1,
    no sale price; its +1 goes the usual way."""
    milk = await _product(make_uow, owner, "milk", 20, price=Q("1.99"))
    calls = _removal_calls(monkeypatch)

    def tapped(delta: int) -> StockRequest:
        draft = Draft(None, lambda product: Adjustment(product.id, Q(delta)))
        return StockRequest(owner.user_id, None, lambda _shop: draft, product_id=milk)

    down = await record_stock(make_uow(), tapped(-1), key="down", now=NOW)
    assert len(calls) == 1
    up = await record_stock(make_uow(), tapped(1), key="up", now=NOW)
    assert len(calls) == 1
    assert isinstance(down, Recorded) and isinstance(up, Recorded)
    assert (down.result.before.on_hand, down.result.product.on_hand) == (Q(20), Q(19))
    assert up.result.product.on_hand == Q(20)
    async with make_uow() as uow:
        [movement] = await uow.movements.by_key(owner.shop_id, "down")
    assert (movement.reason, movement.quantity, movement.sale_price) == (
        Reason.ADJUSTMENT,
        Q(-1),
        None,
    )
    assert movement.counted is None and movement.note == ""
    assert await _books(make_uow, owner.shop_id, milk) == (Q(20), Q(20), Q(20))
