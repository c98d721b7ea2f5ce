"""The catalog figures the database keeps per shop (stock_by_shop, migration 0017: how
many products are active, low or out, and their stock at cost; expiry_by_shop, 0018:
how many in stock expire on each day) equal core's rule over the catalog as it is, on
any day and whatever the shop's warning window, after any mix of the writes the bot
makes: new products, edits, archive and restore, restocks, sales, removals, counts,
adjustments, undos, imports, a restore of a backup over the shop, and concurrent
writers. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core import catalog, imports, ledger
from core.access import Actor
from core.catalog import ProductFields
from core.errors import DomainError
from core.imports import ImportRow
from core.inventory_query import InventoryQuery, StatusFilter, select_page
from core.model import Reason, Shop
from core.shops import create_shop
from core.takings_model import value_of
from db import backup
from db.models import ShopRow, StockByShopRow
from db.uow import SqlUnitOfWork
from tests.integration.conftest import NOW

MakeUow = Callable[[], SqlUnitOfWork]
TODAY = NOW.date()
_owners = itertools.count(70_000)
_keys = itertools.count()

amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(9), places=3)
money = st.none() | st.sampled_from([Decimal("0.80"), Decimal(3), Decimal("1.99")])
thresholds = st.sampled_from([Decimal(0), Decimal(2), Decimal("4.5")])

# One write the bot makes, drawn: (what, which product, a quantity, a money figure).
steps = st.tuples(
    st.sampled_from(
        [
            "add",
            "restock",
            "restock",
            "sale",
            "sale",
            "damage",
            "count",
            "adjust",
            "undo",
            "edit",
            "archive",
            "restore",
            "import",
        ]
    ),
    st.integers(0, 5),
    amounts,
    money,
    thresholds,
)


async def _shop(make_uow: MakeUow) -> tuple[Shop, Actor]:
    owner_id = next(_owners)
    shop = await create_shop(make_uow(), owner_id, "Olga", f"Shop {owner_id}", NOW)
    return shop, Actor(owner_id, shop.id)


Step = tuple[str, int, Decimal, Decimal | None, Decimal]


async def _step(make_uow: MakeUow, owner: Actor, step: Step, ids: list[int]) -> None:
    what, which, amount, cost, threshold = step
    key, now = f"k{next(_keys)}", NOW
    if what == "add" or not ids:
        fields = ProductFields(name=f"p{next(_keys)}", unit="l", cost=cost, threshold=threshold)
        ids.append((await catalog.add_product(make_uow(), owner, fields)).id)
        return
    pid = ids[which % len(ids)]
    match what:
        case "restock":
            expiry = TODAY + timedelta(days=which - 2)
            command = ledger.Restock(pid, amount, expiry=expiry, cost=cost)
            await ledger.restock(make_uow(), owner, command, key=key, now=now)
        case "sale" | "damage":
            reason = Reason.SALE if what == "sale" else Reason.DAMAGE
            await ledger.remove(
                make_uow(), owner, ledger.Removal(pid, amount, reason), key=key, now=now
            )
        case "count":
            await ledger.count(make_uow(), owner, ledger.Count(pid, amount), key=key, now=now)
        case "adjust":
            delta = amount if which % 2 else -amount
            await ledger.adjust(make_uow(), owner, ledger.Adjustment(pid, delta), key=key, now=now)
        case "undo":
            await ledger.undo(make_uow(), owner, None, key=key, now=now)
        case "edit":
            warn = None if which % 3 == 0 else which - 1  # the product's own window
            change = ProductFields(cost=cost, threshold=threshold, expiry_warning_days=warn)
            await catalog.edit_product(make_uow(), owner, pid, change)
        case "archive":
            await catalog.archive_product(make_uow(), owner, pid)
        case "restore":
            await catalog.restore_product(make_uow(), owner, pid)
        case "import":
            async with make_uow() as uow:
                product = await uow.products.get(owner.shop_id, pid)
            assert product is not None
            rows = [
                ImportRow(2, product.name, ProductFields(cost=cost), on_hand=amount),
                ImportRow(
                    3, f"new {next(_keys)}", ProductFields(unit="l", threshold=threshold), amount
                ),
            ]
            await imports.apply_import(make_uow(), owner, rows, file_key=key, now=now)


async def _check(make_uow: MakeUow, shop: Shop) -> None:
    """The kept figures against core's rule over the shop's catalog read as it is."""
    async with make_uow() as uow:
        everything = await uow.products.list(shop.id, include_archived=True)
        products, boxes = await uow.inventory.boxes(shop, TODAY, 0)
        day = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
        value = await uow.inventory.value(shop.id, day_start=day, week_start=day)
    assert products == select_page(everything, InventoryQuery(), shop, TODAY).total
    for status in (StatusFilter.LOW, StatusFilter.OUT):
        expected = select_page(everything, InventoryQuery(status), shop, TODAY).total
        assert boxes[status].total == expected, status
    # Near expiry and expired as the days pass, and with the shop's window changed.
    for days, window in itertools.product(range(-3, 9, 2), (0, 1, 7)):
        on, windowed = TODAY + timedelta(days=days), replace(shop, near_expiry_days=window)
        async with make_uow() as uow:
            _, dated = await uow.inventory.boxes(windowed, on, 0)
        for status in (StatusFilter.EXPIRING, StatusFilter.EXPIRED):
            expected = select_page(everything, InventoryQuery(status), windowed, on).total
            assert dated[status].total == expected, (status, days, window)
    expected_stock = value_of(everything, [], day_start=day, week_start=day).stock_at_cost
    assert value.stock_at_cost == expected_stock


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_kept_figures_follow_every_write(make_uow: MakeUow, data: st.DataObject) -> None:
    shop, owner = await _shop(make_uow)
    other, other_owner = await _shop(make_uow)  # another shop's writes never count
    ids: list[int] = []
    others: list[int] = []
    for step in data.draw(st.lists(steps, min_size=1, max_size=10), label="steps"):
        mine = data.draw(st.booleans(), label="this shop")
        try:
            if mine:
                await _step(make_uow, owner, step, ids)
            else:
                await _step(make_uow, other_owner, step, others)
        except DomainError:
            pass  # refused (more than on hand, nothing to undo, ...): changed nothing
    await _check(make_uow, shop)
    await _check(make_uow, other)


async def test_a_restored_backup_keeps_its_figures(
    make_uow: MakeUow, engine: AsyncEngine, tmp_path: Path
) -> None:
    """A backup restored over its shop (--replace) deletes the shop's products with the
    shop and inserts them again: the figures are the catalog's, once."""
    shop, owner = await _shop(make_uow)
    ids: list[int] = []
    for step in [
        ("add", 0, Decimal(1), Decimal(3), Decimal(2)),
        ("add", 0, Decimal(1), Decimal("0.80"), Decimal(0)),
        ("restock", 0, Decimal(5), Decimal(3), Decimal(0)),
        ("restock", 1, Decimal("1.5"), None, Decimal(0)),
        ("sale", 0, Decimal(4), None, Decimal(0)),
    ]:
        await _step(make_uow, owner, step, ids)
    path = tmp_path / "shop.json"
    await backup.backup(engine, path, [shop.id])
    await backup.restore(engine, path, replace=True)
    await _check(make_uow, shop)
    async with make_uow() as uow:
        stock = await uow.inventory.value(shop.id, day_start=NOW, week_start=NOW)
    assert stock.stock_at_cost == Decimal("4.20000")  # 1 left at 3, 1.5 at 0.80


async def test_a_deleted_shop_leaves_no_figures(make_uow: MakeUow, engine: AsyncEngine) -> None:
    """Its products go with it (ON DELETE CASCADE): their triggers add nothing."""
    shop, owner = await _shop(make_uow)
    await _step(make_uow, owner, ("add", 0, Decimal(1), Decimal(3), Decimal(2)), [])
    async with engine.begin() as connection:
        await connection.execute(delete(ShopRow).where(ShopRow.id == shop.id))
    async with make_uow() as uow:
        left = await uow.session.scalar(
            select(func.count()).where(StockByShopRow.shop_id == shop.id)
        )
    assert left == 0


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_concurrent_writers_keep_the_figures(make_uow: MakeUow, backend: str) -> None:
    """Writers on their own connections (their own stripes, or one between them) at
    once: sales of one product and of distinct products, edits, counts and imports."""
    shop, owner = await _shop(make_uow)
    ids: list[int] = []
    for n in range(6):
        await _step(make_uow, owner, ("add", 0, Decimal(1), Decimal("1.99"), Decimal(2)), ids)
        await _step(make_uow, owner, ("restock", n, Decimal(40), Decimal("1.99"), Decimal(0)), ids)
    kinds = ["sale", "restock", "count", "edit", "adjust", "import"]
    writes: list[Step] = [
        (kinds[n % 6], n, Decimal(n % 3 + 1), Decimal(n % 4), Decimal(n % 5)) for n in range(90)
    ]

    # 24 at a time: enough to run on many connections at once, few enough to leave the
    # shared server connections for other suites (90 at once met "too many clients").
    at_once = asyncio.Semaphore(24)

    async def write(step: Step) -> None:
        async with at_once:
            with contextlib.suppress(DomainError):  # refused: changed nothing
                await _step(make_uow, owner, step, ids)

    await asyncio.gather(*(write(step) for step in writes))
    await _check(make_uow, shop)
    async with make_uow() as uow:
        stripes = await uow.session.scalar(
            select(func.count()).where(StockByShopRow.shop_id == shop.id)
        )
    assert stripes is not None and stripes > 1  # the writers did not all share one row


async def test_the_expiry_counts_follow_a_products_window_its_batches_and_the_days(
    make_uow: MakeUow,
) -> None:
    """Each change that moves a product between boxes, checked against core's rule on
    the days around it: its own window set and cleared, an earlier batch, sold out."""
    shop, owner = await _shop(make_uow)
    shop = replace(shop, near_expiry_days=1)
    async with make_uow() as uow:
        await uow.shops.update(shop)
        await uow.commit()
    ids: list[int] = []
    await _step(make_uow, owner, ("add", 0, Decimal(1), None, Decimal(0)), ids)
    await _step(make_uow, owner, ("add", 0, Decimal(1), None, Decimal(0)), ids)
    milk, bread = ids

    async def restock(product: int, quantity: int, days: int) -> None:
        command = ledger.Restock(product, Decimal(quantity), expiry=TODAY + timedelta(days))
        await ledger.restock(make_uow(), owner, command, key=f"k{next(_keys)}", now=NOW)

    await restock(milk, 2, 5)
    await restock(bread, 1, 4)
    await _check(make_uow, shop)
    for warn in (7, 0, None):
        change = ProductFields(expiry_warning_days=warn)
        clear = ("expiry_warning_days",) if warn is None else ()
        await catalog.edit_product(make_uow(), owner, milk, change, clear=clear)
        await _check(make_uow, shop)
    await restock(milk, 1, -2)  # an earlier batch: expired
    await _check(make_uow, shop)
    removal = ledger.Removal(milk, Decimal(3), Reason.SALE)
    await ledger.remove(make_uow(), owner, removal, key=f"k{next(_keys)}", now=NOW)
    await _check(make_uow, shop)
    await catalog.archive_product(make_uow(), owner, bread)
    await _check(make_uow, shop)
