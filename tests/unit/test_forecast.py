"""Days of stock left from synthetic sales histories, with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot import texts
from core import inventory
from core.forecast import NoEstimate, reorder_quantity, velocity
from core.model import Movement, Reason
from tests.unit.shopfloor import Shopfloor

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
TODAY = NOW.date()


def history(
    sales_by_days_ago: Mapping[int, float], restocks: Iterable[tuple[int, float]] = ()
) -> list[Movement]:
    """Sales (and restocks) so many days before today, at noon."""
    found: list[Movement] = []
    entries = [(ago, -qty, Reason.SALE) for ago, qty in sales_by_days_ago.items() if qty]
    entries += [(ago, qty, Reason.RESTOCK) for ago, qty in restocks]
    for index, (ago, quantity, reason) in enumerate(entries, start=1):
        at = datetime.combine(TODAY - timedelta(days=ago), datetime.min.time(), UTC).replace(
            hour=12
        )
        found.append(Movement(index, 1, 1, Decimal(str(quantity)), reason, 1, at, f"k{index}"))
    return found


def pace(
    movements: list[Movement], on_hand: float, since_days: int = 60
) -> tuple[float | None, int | None, NoEstimate | None]:
    found = velocity(
        movements,
        Decimal(str(on_hand)),
        now=NOW,
        timezone="UTC",
        since=TODAY - timedelta(days=since_days),
    )
    return found.per_day, found.days_left, found.missing


def test_steady_sales_give_their_rate() -> None:
    per_day, days_left, missing = pace(history({ago: 4 for ago in range(1, 29)}), on_hand=40)
    assert missing is None and per_day == pytest.approx(4)
    assert days_left == 10


def test_a_weekly_pattern_averages_out() -> None:
    # Busy weekends: 10 a day on two days of seven, 3 on the others (mean 5).
    sales = {
        ago: (10 if (TODAY - timedelta(days=ago)).weekday() >= 5 else 3) for ago in range(1, 29)
    }
    per_day, days_left, _ = pace(history(sales), on_hand=50)
    assert per_day is not None and 3.5 < per_day < 7
    assert days_left is not None and 7 <= days_left <= 14


def test_days_out_of_stock_are_not_days_without_demand() -> None:
    # 5 a day, but out of stock (nothing on the shelf) for the last week until today's delivery.
    sales = {ago: 5 for ago in range(8, 29)}
    movements = history(sales, restocks=[(0, 30)])
    # The shelf: 30 after today's delivery; before it, zero for 7 days.
    per_day, days_left, _ = pace(movements, on_hand=30)
    assert per_day == pytest.approx(5)
    assert days_left == 6


def test_one_bulk_sale_does_not_promise_a_run() -> None:
    sales = {ago: 2 for ago in range(1, 29)}
    sales[2] = 120  # a catering order
    per_day, _, _ = pace(history(sales), on_hand=30)
    assert per_day is not None and per_day < 4


def test_a_change_in_demand_shows_within_two_weeks() -> None:
    sales = {ago: (2 if ago > 10 else 8) for ago in range(1, 29)}
    per_day, _, _ = pace(history(sales), on_hand=30)
    assert per_day is not None and per_day > 6


def test_a_new_product_says_so_instead_of_guessing() -> None:
    assert pace(history({1: 3, 2: 3}), on_hand=10, since_days=3)[2] is NoEstimate.NEW


def test_too_few_sale_days_say_so() -> None:
    assert pace(history({3: 2, 20: 1}), on_hand=10)[2] is NoEstimate.FEW_SALES


def test_no_sales_in_the_window_say_so() -> None:
    assert pace([], on_hand=10)[2] is NoEstimate.NOT_SELLING


def test_an_undone_sale_does_not_count() -> None:
    movements = history({ago: 4 for ago in range(1, 29)})
    big = Movement(900, 1, 1, Decimal(-50), Reason.SALE, 1, NOW - timedelta(days=1), "big")
    undo = Movement(
        901, 1, 1, Decimal(50), Reason.UNDO, 1, NOW - timedelta(days=1), "u", reverses_id=900
    )
    assert pace([*movements, big, undo], on_hand=40)[0] == pytest.approx(4)


def test_reorder_covers_lead_time_and_the_reorder_point() -> None:
    steady = velocity(
        history({ago: 4 for ago in range(1, 29)}),
        Decimal(10),
        now=NOW,
        timezone="UTC",
        since=date(2026, 1, 1),
    )
    # 4/day × (3 days lead + 14 cover) + 5 reorder point − 10 on hand = 63
    assert reorder_quantity(steady, Decimal(10), Decimal(5), lead_days=3) == 63
    assert reorder_quantity(steady, Decimal(500), Decimal(5), lead_days=3) == 0
    unknown = velocity([], Decimal(0), now=NOW, timezone="UTC", since=TODAY)
    assert reorder_quantity(unknown, Decimal(0), Decimal(5), lead_days=3) is None


async def test_the_card_shows_days_left_from_the_ledger(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    await floor.restock(owner, milk.id, 200)
    for _ in range(20):
        floor.clock.advance(timedelta(days=1))
        await floor.remove(owner, milk.id, 5)
    floor.clock.advance(timedelta(hours=2))
    card = await inventory.product_card(floor.uow, owner, milk.id, now=floor.clock.now())
    assert card.pace is not None and card.pace.per_day == pytest.approx(5, abs=0.05)
    assert card.pace.days_left == 20  # 100 left at 5 a day
    assert "≈ 20 days left (selling ~5 pcs/day)" in texts.product_card(card)


async def test_a_new_products_card_says_there_is_not_enough_history(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk")
    await floor.restock(owner, milk.id, 20)
    await floor.remove(owner, milk.id, 2)
    card = await inventory.product_card(floor.uow, owner, milk.id, now=floor.clock.now())
    assert "not enough history yet" in texts.product_card(card)
