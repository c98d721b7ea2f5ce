"""Sales carry their shelf price, so takings are what was charged; stock at cost is for
owners only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core import catalog, inventory
from core.catalog import ProductFields
from tests.unit.shopfloor import Shopfloor

WEDNESDAY = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


async def test_a_sale_records_the_shelf_price_it_was_made_at(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    bread = await floor.product(owner, "bread", price=Decimal("2.50"))
    await floor.restock(owner, bread.id, 10)
    sale = (await floor.remove(owner, bread.id, 3)).movement
    assert sale is not None and sale.sale_price == Decimal("2.50")
    restock = floor.movements(bread.id)[0]
    assert restock.sale_price is None


async def test_takings_today_and_this_week_at_the_price_each_sale_was_made(
    floor: Shopfloor,
) -> None:
    floor.clock.set(WEDNESDAY - timedelta(days=1))  # Tuesday
    owner = await floor.open_shop()
    bread = await floor.product(owner, "bread", price=Decimal("2.00"), cost=Decimal("0.50"))
    await floor.restock(owner, bread.id, 20)
    await floor.remove(owner, bread.id, 2)  # Tuesday: 4.00
    floor.clock.set(WEDNESDAY)
    await catalog.edit_product(floor.uow, owner, bread.id, ProductFields(price=Decimal("3.00")))
    await floor.remove(owner, bread.id, 1)  # today: 3.00
    undone = (await floor.remove(owner, bread.id, 5)).movement  # undone: nothing taken
    assert undone is not None
    await floor.undo(owner, undone.id)

    board = await inventory.dashboard(floor.uow, owner, now=floor.clock.now())
    assert (board.takings.today, board.takings.this_week) == (Decimal("3.00"), Decimal("7.00"))
    assert board.takings.stock_at_cost == Decimal("8.50")  # 17 at 0.50


async def test_staff_and_a_group_see_takings_but_no_stock_at_cost(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    clerk = await floor.hire(owner)
    bread = await floor.product(owner, "bread", price=Decimal("2.00"), cost=Decimal("0.50"))
    await floor.restock(owner, bread.id, 10)
    await floor.remove(clerk, bread.id, 1)
    staff_board = await inventory.dashboard(floor.uow, clerk, now=floor.clock.now())
    assert staff_board.takings.today == Decimal("2.00")
    assert staff_board.takings.stock_at_cost is None
    group_board = await inventory.dashboard(floor.uow, owner, now=floor.clock.now(), in_group=True)
    assert group_board.takings.stock_at_cost is None
