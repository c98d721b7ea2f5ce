"""The database's inventory lists and dashboard select exactly what core's rule selects
(core.inventory_query over core.status), on random catalogs, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core import catalog, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.inventory_query import (
    DASHBOARD_BOXES,
    InventoryQuery,
    SortBy,
    StatusFilter,
    select_page,
)
from core.ledger import Removal, Restock
from core.model import Movement, Product, Reason, Shop, name_key
from core.shops import create_shop
from core.takings_model import value_of
from db.models import SalesByHourRow
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]
TODAY = NOW.date()
_owners = itertools.count(50_000)

# Names that tell code-point order from a locale's (case, spaces, punctuation, umlauts).
names = st.text(alphabet="abAB ä-ß1", min_size=1, max_size=6).filter(lambda n: name_key(n))
quantities = st.decimals(min_value=Decimal(0), max_value=Decimal(12), places=3)
products: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict,
    name=names,
    category=st.sampled_from(["", "dairy", "bakery"]),
    threshold=st.sampled_from([Decimal(0), Decimal(2), Decimal("4.5")]),
    on_hand=st.sampled_from([Decimal(0), Decimal(2), Decimal("4.5")]) | quantities,
    earliest_expiry=st.none() | st.integers(-4, 12).map(lambda d: TODAY + timedelta(days=d)),
    expiry_warning_days=st.none() | st.integers(0, 9),
    barcodes=st.sampled_from([(), ("4006381333931",), ("ab1", "77")]),
    archived=st.booleans(),
    price=st.none() | st.sampled_from([Decimal(0), Decimal("1.20")]),
    cost=st.none() | st.sampled_from([Decimal("0.80"), Decimal(3)]),
)
queries = st.builds(
    InventoryQuery,
    status=st.sampled_from(list(StatusFilter)),
    category=st.none() | st.sampled_from(["", "dairy", "bakery"]),
    sort=st.sampled_from(list(SortBy)),
    expiring_within_days=st.none() | st.integers(-2, 10),
    expires_before=st.none() | st.integers(-3, 11).map(lambda d: TODAY + timedelta(days=d)),
    page=st.integers(0, 3),
    page_size=st.integers(1, 5),
    search=st.none()
    | st.sampled_from(["", " ", "a", "B", "ä", "ss", "77", "4006381333931", "a b"]),
)


async def _random_shop(make_uow: MakeUow, data: st.DataObject) -> tuple[Shop, list[Product]]:
    owner = next(_owners)
    shop = await create_shop(make_uow(), owner, "Olga", f"Shop {owner}", NOW)
    shop = replace(shop, near_expiry_days=data.draw(st.integers(0, 8), label="shop window"))
    drawn = data.draw(st.lists(products, max_size=14), label="catalog")
    stored = []
    async with make_uow() as uow:
        await uow.shops.update(shop)
        active: set[str] = set()
        for fields in drawn:
            if not fields["archived"]:
                if name_key(fields["name"]) in active:
                    continue  # one active product per name
                active.add(name_key(fields["name"]))
            if not fields["on_hand"]:
                fields["earliest_expiry"] = None  # as the ledger keeps it
            stored.append(await uow.products.add(Product(id=0, shop_id=shop.id, **fields)))
        await uow.commit()
    return shop, stored


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_database_lists_what_cores_rule_lists(
    make_uow: MakeUow, data: st.DataObject
) -> None:
    shop, catalog = await _random_shop(make_uow, data)
    await _random_shop(make_uow, data)  # another shop's products never show
    for query in data.draw(st.lists(queries, min_size=1, max_size=6), label="queries"):
        async with make_uow() as uow:
            listed = await uow.inventory.page(shop, TODAY, query)
        assert listed == select_page(catalog, query, shop, TODAY), query


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_dashboards_boxes_are_cores_lists(make_uow: MakeUow, data: st.DataObject) -> None:
    shop, catalog = await _random_shop(make_uow, data)
    await _random_shop(make_uow, data)
    first = data.draw(st.integers(0, 4), label="first")
    async with make_uow() as uow:
        count, boxes = await uow.inventory.boxes(shop, TODAY, first)
    assert count == select_page(catalog, InventoryQuery(), shop, TODAY).total
    for box, sort in DASHBOARD_BOXES.items():
        query = InventoryQuery(box, sort=sort, page_size=first or 1)
        expected = select_page(catalog, query, shop, TODAY)
        assert boxes[box].total == expected.total, box
        assert boxes[box].products == expected.products[:first], box


sales = st.lists(
    st.tuples(
        st.sampled_from([0, 0, 0, 1, 1, 2, 3, 6, 7, 8, -1]),  # days before NOW's day
        st.sampled_from([Reason.SALE, Reason.SALE, Reason.DAMAGE, Reason.RESTOCK]),
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal(9), places=3),
        st.none() | st.sampled_from([Decimal(0), Decimal("2.50"), Decimal("0.99")]),
        st.sampled_from([False, False, True]),  # undone
    ),
    min_size=2,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_database_adds_up_sales_and_stock_as_core_does(
    make_uow: MakeUow, data: st.DataObject
) -> None:
    shop, catalog = await _random_shop(make_uow, data)
    other, others = await _random_shop(make_uow, data)
    # A shop's midnight in UTC: on the hour, or not (India's +05:30, Nepal's +05:45).
    offset = data.draw(st.sampled_from([0, 30, 45, 15]), label="offset minutes")
    day_start = NOW.replace(hour=0, minute=0) - timedelta(minutes=offset)
    moved = []
    keys = itertools.count()
    async with make_uow() as uow:
        for target, owned in ((shop, catalog), (other, others)):
            if not owned:
                continue
            for days_ago, reason, quantity, price, undone in data.draw(sales, label="sales"):
                product = data.draw(st.sampled_from(owned), label="product")
                # Minutes from a midnight: often just after it, before the first whole
                # hour, which the database reads from the ledger.
                minutes = data.draw(st.integers(-5, 65) | st.integers(0, 1200), label="at")
                at = day_start - timedelta(days=days_ago) + timedelta(minutes=minutes)
                sign = 1 if reason is Reason.RESTOCK else -1
                movement = await uow.movements.add(
                    Movement(
                        0,
                        target.id,
                        product.id,
                        sign * quantity,
                        reason,
                        1,
                        at,
                        f"k{next(keys)}",
                        sale_price=price,
                    )
                )
                moved.append(movement)
                if undone:
                    moved.append(
                        await uow.movements.add(
                            Movement(
                                0,
                                target.id,
                                product.id,
                                -sign * quantity,
                                Reason.UNDO,
                                1,
                                at + timedelta(minutes=1),
                                f"k{next(keys)}",
                                reverses_id=movement.id,
                            )
                        )
                    )
        await uow.commit()
    week_start = day_start - timedelta(days=data.draw(st.integers(0, 6), label="weekday"))
    async with make_uow() as uow:
        found = await uow.inventory.value(shop.id, day_start=day_start, week_start=week_start)
    mine = [m for m in moved if m.shop_id == shop.id]
    assert found == value_of(catalog, mine, day_start=day_start, week_start=week_start)


async def test_a_day_that_does_not_begin_on_the_hour_counts_its_first_minutes(
    make_uow: MakeUow,
) -> None:
    """The database keeps sales per UTC hour; a shop whose midnight is at :30 or :45 UTC
    (India, Nepal) has its first part-hour read from the ledger, its week likewise."""
    shop = await create_shop(make_uow(), next(_owners), "Olga", "Kathmandu", NOW)
    day_start = NOW.replace(hour=0, minute=0) - timedelta(minutes=15)  # 23:45 UTC
    week_start = day_start - timedelta(days=2)
    moments = [
        week_start - timedelta(minutes=1),  # last week
        week_start,
        week_start + timedelta(minutes=14, seconds=59),  # the week's first part-hour
        week_start + timedelta(minutes=15),  # its first whole hour
        day_start - timedelta(microseconds=1),  # yesterday
        day_start,
        day_start + timedelta(minutes=10),  # today's first part-hour, undone below
        day_start + timedelta(minutes=14, seconds=59, microseconds=999_999),
        day_start + timedelta(minutes=15),
        day_start + timedelta(hours=5, minutes=59),
    ]
    moved = []
    async with make_uow() as uow:
        product = await uow.products.add(
            Product(id=0, shop_id=shop.id, name="tea", price=Decimal("9.99"))
        )
        for n, at in enumerate(moments):
            price = None if n == 8 else Decimal(n + 1)  # one sale valued at today's price
            moved.append(
                await uow.movements.add(
                    Movement(
                        0,
                        shop.id,
                        product.id,
                        Decimal(-1),
                        Reason.SALE,
                        1,
                        at,
                        f"s{n}",
                        sale_price=price,
                    )
                )
            )
        moved.append(
            await uow.movements.add(
                Movement(
                    0,
                    shop.id,
                    product.id,
                    Decimal(1),
                    Reason.UNDO,
                    1,
                    NOW,
                    "u",
                    reverses_id=moved[6].id,
                )
            )
        )
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.inventory.value(shop.id, day_start=day_start, week_start=week_start)
    assert found == value_of([product], moved, day_start=day_start, week_start=week_start)
    assert (found.sales_today, found.sales_this_week) == (
        Decimal("33.99"),  # 6 + 8 + 9.99 + 10
        Decimal("47.99"),  # 2 + 3 + 4 + 5 + 6 + 8 + 9.99 + 10
    )


async def test_the_kept_hours_follow_the_ledgers_own_sales_and_undos(
    make_uow: MakeUow,
) -> None:
    """Sales and an undo written as the bot writes them (on PostgreSQL the sale is the
    one-statement removal, its movement inserted inside a CTE): the hours the database
    keeps add up to what the ledger says, and a replayed sale adds nothing."""
    owner_id = next(_owners)
    shop = await create_shop(make_uow(), owner_id, "Olga", f"Cafe {owner_id}", NOW)
    owner = Actor(owner_id, shop.id)
    milk = await catalog.add_product(
        make_uow(), owner, ProductFields(name="milk", unit="l", price=Decimal("1.25"))
    )
    await ledger.restock(make_uow(), owner, Restock(milk.id, Decimal(20)), key="r", now=NOW)
    sale = Removal(milk.id, Decimal("2.5"), Reason.SALE)
    first = await ledger.remove(make_uow(), owner, sale, key="s1", now=NOW)
    await ledger.remove(make_uow(), owner, sale, key="s1", now=NOW)  # a replay
    await ledger.remove(make_uow(), owner, Removal(milk.id, Decimal(4)), key="s2", now=NOW)
    await ledger.remove(make_uow(), owner, Removal(milk.id, Decimal(1)), key="s3", now=NOW)
    assert first.movement is not None
    await ledger.undo(make_uow(), owner, first.movement.id, key="u1", now=NOW)
    day_start = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    async with make_uow() as uow:
        found = await uow.inventory.value(
            shop.id, day_start=day_start, week_start=day_start - timedelta(days=3)
        )
        kept = await uow.session.scalar(
            select(func.sum(SalesByHourRow.taken)).where(SalesByHourRow.shop_id == shop.id)
        )
    assert (found.sales_today, found.sales_this_week) == (Decimal("6.25"), Decimal("6.25"))
    assert Decimal(str(kept)) == Decimal("6.25")  # 5 × 1.25; the undone 2.5 taken back
