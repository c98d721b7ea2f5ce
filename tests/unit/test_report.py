"""The weekly report over fakes, with a fixed clock: its figures week by week, top movers
and dead stock, when it is due, that it goes to owners once (a second scan, a second
process or a restart plans nothing more), and what staff and an empty shop get."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

import pytest

from bot import texts
from bot.charts import render_report_chart, report_chart
from core import catalog, report
from core.access import Actor
from core.alert_model import Delivery, DeliveryKind, DeliveryStatus
from core.catalog import ProductFields
from core.errors import OwnerOnly
from core.model import Movement, Product, Reason, Role
from core.report_model import WeeklyReport
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.ratelimit import MemorySendBudget
from tests.fakes import FakeStore, uow_factory
from tests.unit.shopfloor import Shopfloor, q
from tests.unit.test_alerts_jobs import RecordingNotifier

BERLIN = "Europe/Berlin"  # UTC+1 in winter: the alert time 08:00 is 07:00 UTC
MONDAY = date(2026, 3, 2)
REPORT_TIME = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def week(n: int, weekday: int = 1) -> date:
    """A day of the nth of the 8 weeks before MONDAY (0 is the oldest)."""
    return MONDAY - timedelta(weeks=8 - n) + timedelta(days=weekday)


async def eight_weeks(floor: Shopfloor) -> tuple[Actor, dict[str, Product]]:
    """Milk (price 2, cost 1) and bread (price 3, cost 2) sell; candles (cost 5) sit."""
    floor.at(at(week(0), 9))
    owner = await floor.open_shop(timezone=BERLIN)
    milk = await floor.product(owner, "Milk", price=q(2), cost=q(1))
    bread = await floor.product(owner, "Bread", price=q(3), cost=q(2))
    candles = await floor.product(owner, "Candles", cost=q(5))
    floor.at(at(week(0)))
    await floor.restock(owner, milk.id, 100)
    await floor.restock(owner, bread.id, 50)
    await floor.restock(owner, candles.id, 10)
    floor.at(at(week(6)))
    await floor.remove(owner, milk.id, 10)
    await floor.remove(owner, bread.id, 5, Reason.DAMAGE)
    floor.at(at(week(7)))
    await floor.remove(owner, milk.id, 5)
    await floor.remove(owner, bread.id, 2)
    await floor.remove(owner, milk.id, 1, Reason.EXPIRED)
    await floor.remove(owner, bread.id, 1)
    await floor.undo(owner)  # an undone sale is no sale
    floor.at(at(MONDAY, 6))  # Monday before the report: not in last week's figures
    await floor.remove(owner, milk.id, 3)
    return owner, {"milk": milk, "bread": bread, "candles": candles}


async def planned_reports(store: FakeStore) -> list[tuple[int, date | None, DeliveryStatus]]:
    return [
        (d.user_id, d.day, d.status)
        for d in store.state.alerts.deliveries.values()
        if d.kind is DeliveryKind.REPORT
    ]


async def test_the_report_adds_up_sales_waste_and_stock_value_week_by_week(
    floor: Shopfloor,
) -> None:
    owner, _ = await eight_weeks(floor)
    floor.at(REPORT_TIME)
    async with floor.uow:
        found = await report.report_message(floor.uow, _delivery(owner, MONDAY), REPORT_TIME, {})
    assert found is not None
    assert [w.start for w in found.weeks] == [week(n, 0) for n in range(8)]
    assert [w.sales for w in found.weeks] == [0] * 6 + [Decimal(20), Decimal(16)]
    assert [w.waste for w in found.weeks] == [0] * 6 + [Decimal(10), Decimal(1)]
    # At each week's end: milk ×1 + bread ×2 + candles ×5; Monday's sale is after it.
    assert found.weeks[0].stock_value == 100 + 100 + 50
    assert found.weeks[6].stock_value == 90 + 90 + 50
    assert found.weeks[7].stock_value == 84 + 86 + 50
    assert [(m.product.name, m.units) for m in found.movers] == [("Milk", 5), ("Bread", 2)]
    assert [(d.product.name, d.value) for d in found.dead] == [("Candles", 50)]


def _delivery(owner: Actor, monday: date) -> Delivery:
    return Delivery(
        id=1,
        shop_id=owner.shop_id,
        user_id=owner.user_id,
        kind=DeliveryKind.REPORT,
        key=report.report_key(owner.shop_id, monday, owner.user_id),
        not_before=REPORT_TIME,
        created_at=REPORT_TIME,
        day=monday,
    )


async def test_a_sale_is_valued_at_the_price_it_recorded_before_the_shelf_price(
    floor: Shopfloor,
) -> None:
    owner, products = await eight_weeks(floor)
    milk = products["milk"]
    sale = Movement(
        id=999,
        shop_id=owner.shop_id,
        product_id=milk.id,
        quantity=q(-4),
        reason=Reason.SALE,
        user_id=owner.user_id,
        created_at=at(week(7)),
        idempotency_key="k",
        sale_price=Decimal("2.50"),
    )
    found = report.build_report(
        floor.stored_shop(owner.shop_id),
        [replace(milk, on_hand=q(10))],
        [sale],
        first_monday=week(0, 0),
        last_day=MONDAY - timedelta(days=1),
        now=REPORT_TIME,
    )
    assert found.last_week.sales == Decimal("10.00")


async def test_on_demand_the_report_runs_to_today_for_owners_only(floor: Shopfloor) -> None:
    owner, _ = await eight_weeks(floor)
    staff = await floor.hire(owner)
    wednesday = at(MONDAY + timedelta(days=2))
    found = await report.report_now(floor.uow, owner, wednesday)
    assert found.weeks[-1].start == MONDAY
    assert found.last_day == MONDAY + timedelta(days=2)
    assert found.weeks[-1].sales == 6  # Monday's 3 milk
    assert found.weeks[-2].sales == 16
    with pytest.raises(OwnerOnly):
        await report.report_now(floor.uow, staff, wednesday)


async def test_a_shop_where_nothing_moved_has_nothing_to_report(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "Milk")
    found = await report.report_now(floor.uow, owner, floor.clock.now())
    assert found.is_empty


async def test_the_report_is_due_from_the_alert_time_on_monday_until_tuesday(
    floor: Shopfloor,
) -> None:
    owner, _ = await eight_weeks(floor)
    shop = floor.stored_shop(owner.shop_id)
    assert report.report_week_due(shop, REPORT_TIME - timedelta(minutes=1)) is None
    assert report.report_week_due(shop, REPORT_TIME) == MONDAY
    assert report.report_week_due(shop, REPORT_TIME + timedelta(days=1, hours=15)) == MONDAY
    assert report.report_week_due(shop, REPORT_TIME + timedelta(days=2)) is None


async def test_owners_get_one_report_a_week_however_often_it_is_planned(
    store: FakeStore, floor: Shopfloor
) -> None:
    owner, _ = await eight_weeks(floor)
    second_owner = await floor.hire(owner, role=Role.OWNER)
    await floor.hire(owner)  # staff get none
    floor.at(REPORT_TIME)
    notifier = RecordingNotifier()
    dispatcher = AlertDispatcher(uow_factory(store), notifier, MemorySendBudget(), floor.clock)
    # The shop sold this week: a digest may also be planned for each owner (and then
    # skipped when sent, as nothing runs out), so only the reports are counted here.
    await DigestScanner(uow_factory(store), floor.clock).scan_once()
    assert len(await planned_reports(store)) == 2
    # A second scan, or another process (or this one restarted), plans nothing more.
    assert await DigestScanner(uow_factory(store), floor.clock).scan_once() == 0
    await dispatcher.dispatch_once()
    floor.at(REPORT_TIME + timedelta(hours=3))
    assert await DigestScanner(uow_factory(store), floor.clock).scan_once() == 0
    await dispatcher.dispatch_once()
    sent = [(chat, m) for chat, m in notifier.sent if isinstance(m, WeeklyReport)]
    assert sorted(chat for chat, _ in sent) == sorted([owner.user_id, second_owner.user_id])
    assert all(m.weeks[-1].sales == 16 for _, m in sent)
    assert {status for *_, status in await planned_reports(store)} == {DeliveryStatus.SENT}
    # Next Monday is a new week.
    floor.at(REPORT_TIME + timedelta(weeks=1))
    await DigestScanner(uow_factory(store), floor.clock).scan_once()
    assert len(await planned_reports(store)) == 4


async def test_an_empty_shop_claims_its_week_but_gets_no_report(
    store: FakeStore, floor: Shopfloor
) -> None:
    floor.at(REPORT_TIME - timedelta(weeks=1))
    await floor.open_shop(timezone=BERLIN)
    floor.at(REPORT_TIME)
    assert await DigestScanner(uow_factory(store), floor.clock).scan_once() == 0
    assert await planned_reports(store) == []


async def test_a_report_not_sent_by_wednesday_is_dropped(
    store: FakeStore, floor: Shopfloor
) -> None:
    await eight_weeks(floor)
    floor.at(REPORT_TIME)
    await DigestScanner(uow_factory(store), floor.clock).scan_once()
    floor.at(REPORT_TIME + timedelta(days=2))
    notifier = RecordingNotifier()
    dispatcher = AlertDispatcher(uow_factory(store), notifier, MemorySendBudget(), floor.clock)
    await dispatcher.dispatch_once()
    assert not [m for _, m in notifier.sent if isinstance(m, WeeklyReport)]
    assert {status for *_, status in await planned_reports(store)} == {DeliveryStatus.SKIPPED}


async def test_the_caption_fits_a_photo_and_the_chart_is_a_png(floor: Shopfloor) -> None:
    owner, _ = await eight_weeks(floor)
    found = await report.report_now(floor.uow, owner, REPORT_TIME)
    long_names = replace(
        found,
        movers=tuple(
            replace(m, product=replace(m.product, name="Ü" * 120)) for m in found.movers * 3
        ),
        dead=tuple(replace(d, product=replace(d.product, name="<b>" * 40)) for d in found.dead * 5),
    )
    caption = texts.report_caption(long_names)
    assert len(caption) <= texts.MAX_CAPTION
    assert "<b><b>" not in caption  # names are escaped
    assert "Sales 6.00 EUR" in texts.report_caption(found)  # this week so far
    assert render_report_chart(found).startswith(b"\x89PNG")


async def test_the_chart_labels_the_stock_value_and_leaves_weeks_before_opening_blank(
    floor: Shopfloor,
) -> None:
    owner, _ = await eight_weeks(floor)
    found = await report.report_now(floor.uow, owner, REPORT_TIME)
    opened = datetime.combine(found.weeks[5].start, time(12), tzinfo=UTC)
    newer = replace(found, shop=replace(found.shop, created_at=opened))

    figure = report_chart(newer)

    stock_axes = figure.axes[1]
    assert stock_axes.get_ylabel() == "Stock value (at cost)"
    (line,) = stock_axes.get_lines()
    drawn = [not math.isnan(y) for y in cast("list[float]", line.get_ydata())]
    assert drawn == [False] * 5 + [True] * 3


async def test_without_cost_prices_waste_and_stock_value_are_unknown_not_zero(
    floor: Shopfloor,
) -> None:
    """Found in the console: a grocery with no cost prices got "Stock value 0.00 EUR" and a
    chart whose stock value axis ran from 0 to 0.05."""
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Milk", price=Decimal("1.10"))
    await floor.restock(owner, milk.id, 10)
    await floor.remove(owner, milk.id, 3)
    found = await report.report_now(floor.uow, owner, floor.clock.now())

    assert not found.costed
    caption = texts.report_caption(found)
    assert "Sales 3.30 EUR" in caption and "Stock value" not in caption.split("\n")[2]
    assert "need cost prices" in caption and "waste 0.00" not in caption
    figure = report_chart(found)
    assert len(figure.axes) == 1  # no stock value axis
    legend = figure.axes[0].get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["Sales"]

    await catalog.edit_product(floor.uow, owner, milk.id, ProductFields(cost=Decimal("0.60")))
    costed = await report.report_now(floor.uow, owner, floor.clock.now())
    assert costed.costed and "Stock value 4.20 EUR" in texts.report_caption(costed)
