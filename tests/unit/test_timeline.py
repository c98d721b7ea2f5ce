"""The stock-over-time picture replays the ledger backwards from the snapshot."""

from __future__ import annotations

from datetime import timedelta

from bot.charts import render_stock_chart
from core import inventory
from tests.fakes import FakeClock
from tests.unit.shopfloor import Shopfloor, q


async def test_timeline_replays_movements_to_the_levels_they_left(
    floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", threshold=q(5))
    start = clock.now()
    await floor.restock(owner, milk.id, "20")
    clock.advance(timedelta(days=1))
    await floor.remove(owner, milk.id, "3")
    clock.advance(timedelta(days=1))
    await floor.restock(owner, milk.id, "6")

    timeline = await inventory.stock_timeline(
        floor.uow, owner, milk.id, since=start - timedelta(days=30), now=clock.now()
    )

    assert [p.on_hand for p in timeline.points] == [q(20), q(17), q(23), q(23)]
    assert timeline.points[0].at == start


async def test_timeline_starts_at_the_window_when_older_stock_exists(
    floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    await floor.restock(owner, milk.id, "10")
    clock.advance(timedelta(days=40))
    since = clock.now() - timedelta(days=30)
    await floor.remove(owner, milk.id, "4")

    timeline = await inventory.stock_timeline(
        floor.uow, owner, milk.id, since=since, now=clock.now()
    )

    assert timeline.points[0].at == since
    assert [p.on_hand for p in timeline.points] == [q(10), q(6), q(6)]


async def test_stock_chart_is_a_png(floor: Shopfloor, clock: FakeClock) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", threshold=q(5))
    await floor.restock(owner, milk.id, "20")
    timeline = await inventory.stock_timeline(
        floor.uow, owner, milk.id, since=clock.now() - timedelta(days=30), now=clock.now()
    )

    png = render_stock_chart(timeline)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_name_with_dollar_signs_is_drawn_as_typed(
    floor: Shopfloor, clock: FakeClock
) -> None:
    owner = await floor.open_shop()
    odd = await floor.product(owner, "x$^$ price $5", threshold=q(2))
    await floor.restock(owner, odd.id, "3")
    timeline = await inventory.stock_timeline(
        floor.uow, owner, odd.id, since=clock.now() - timedelta(days=30), now=clock.now()
    )

    assert render_stock_chart(timeline).startswith(b"\x89PNG")
