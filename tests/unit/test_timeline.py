"""The stock-over-time picture replays the ledger backwards from the snapshot."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot import texts
from bot.charts import render_stock_chart, stock_chart
from core import inventory
from core.model import Product, Shop
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


def tick_labels(start: datetime, span: timedelta, zone: str = "UTC") -> list[str]:
    """The time axis's labels of a chart whose points cover `span` from `start`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    points = tuple(inventory.StockPoint(start + span * step / 4, q(10 + step)) for step in range(5))
    timeline = inventory.StockTimeline(
        Shop(id=1, name="Cafe", timezone=zone), Product(id=1, shop_id=1, name="milk"), points
    )
    figure = stock_chart(timeline)
    FigureCanvasAgg(figure).draw()  # type: ignore[no-untyped-call]
    return [label.get_text() for label in figure.axes[0].get_xticklabels()]


DEC_1 = datetime(2026, 12, 1, 9, 40, tzinfo=UTC)


def test_twenty_minutes_are_told_in_minutes_not_as_repeated_days() -> None:
    labels = tick_labels(DEC_1, timedelta(minutes=20))

    assert len(labels) >= 3, labels
    assert len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"\d\d:\d\d", label) for label in labels), labels


def test_two_days_are_told_in_days_and_hours() -> None:
    labels = tick_labels(DEC_1, timedelta(days=2))

    assert len(set(labels)) == len(labels) >= 3, labels
    assert "02 Dec 00:00" in labels, labels


def test_thirty_days_are_told_in_days_each_once() -> None:
    labels = tick_labels(DEC_1 - timedelta(days=30), timedelta(days=30))

    assert 4 <= len(labels) <= 10, labels
    assert len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"\d\d \w{3}", label) for label in labels), labels


def test_the_time_axis_is_on_the_shops_clock() -> None:
    labels = tick_labels(DEC_1, timedelta(minutes=20), zone="Asia/Tokyo")  # UTC+9

    assert (labels[0], labels[-1]) == ("18:40", "19:00"), labels


def test_a_moment_of_data_still_gets_an_axis_of_minutes() -> None:
    labels = tick_labels(DEC_1, timedelta(seconds=3))

    assert len(set(labels)) == len(labels) >= 3, labels


def test_the_title_says_the_span_the_chart_covers() -> None:
    milk = Product(id=1, shop_id=1, name="milk")
    same_day = texts.chart_title(milk, DEC_1, DEC_1 + timedelta(minutes=20))
    month = texts.chart_title(milk, DEC_1 - timedelta(days=30), DEC_1)

    assert "1 Dec 2026, 09:40–10:00" in same_day, same_day
    assert "1 Nov – 1 Dec 2026" in month, month
