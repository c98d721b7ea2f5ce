"""A pace from the ledger summed by the database per quarter hour of UTC is the pace from
its movements (core's rule, core.forecast.velocity), on random ledgers, on SQLite and
PostgreSQL: fractional quantities, every reason, undos (some long after the sale, some of
sales before the window), movements at local midnights and quarter-hour edges, today's
movements, zones of half and three-quarter hours and with daylight saving time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.forecast import (
    SELLING_REASONS,
    WINDOW_DAYS,
    daily_sales,
    daily_sales_from_sums,
    pace_of,
    paces_from,
    paces_from_sums,
    sums_replay_exactly,
    window_opening,
    window_start_of,
)
from core.model import Movement, Product, Reason, Shop
from core.shops import create_shop
from db.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/St_Johns",  # -3:30, with daylight saving time
    "Asia/Kolkata",  # +5:30
    "Asia/Kathmandu",  # +5:45
    "Australia/Eucla",  # +8:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Kiritimati",  # +14
]
# Days around a change of clocks in Europe (29 March 2026) and Chatham (5 April 2026).
NOWS = [
    datetime(2026, 3, 30, 0, 7, tzinfo=UTC),
    datetime(2026, 4, 6, 11, 15, tzinfo=UTC),
    datetime(2026, 11, 2, 23, 59, 59, tzinfo=UTC),
]
_people = itertools.count(90_000)
_keys = itertools.count()
QUANTITIES = [Decimal("0.001"), Decimal("0.1"), Decimal("0.25"), Decimal(1), Decimal(3), Decimal(7)]

moves = st.lists(
    st.tuples(
        # minutes before now (up to 35 days; a few after now), on quarter edges or not
        st.integers(-90, 35 * 24 * 60) | st.integers(-2, 35 * 24 * 4).map(lambda q: q * 15),
        st.sampled_from(list(Reason)),
        st.sampled_from(QUANTITIES),
        st.integers(1, 3),  # times the quantity
        st.none() | st.integers(0, 3 * 24 * 60),  # undone so many minutes later
    ),
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_sums_per_quarter_hour_give_the_pace_the_movements_give(
    make_uow: MakeUow, data: st.DataObject
) -> None:
    now = data.draw(st.sampled_from(NOWS), label="now")
    owner = next(_people)
    shop = await create_shop(make_uow(), owner, "Olga", f"Shop {owner}", now - timedelta(days=60))
    shop = replace(shop, timezone=data.draw(st.sampled_from(ZONES), label="zone"))
    zone = ZoneInfo(shop.timezone)
    local_now = now.astimezone(zone)
    products: list[Product] = []
    async with make_uow() as uow:
        await uow.shops.update(shop)
        for index in range(data.draw(st.integers(1, 4), label="products")):
            product = await uow.products.add(
                Product(
                    id=0,
                    shop_id=shop.id,
                    name=f"p{index}",
                    on_hand=data.draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(30)])),
                )
            )
            products.append(product)
            at_midnights = data.draw(st.booleans(), label="at local midnights")
            # Written in the order of time, as the bot writes the ledger (pace_of reads it
            # newest id first), an undo after its sale.
            written: list[tuple[datetime, int, Decimal, Reason, int | None]] = []
            for minutes, reason, quantity, times, undone_after in data.draw(moves, label="moves"):
                at = now - timedelta(minutes=minutes)
                if at_midnights:  # the first or last instant of a local day
                    day = at.astimezone(zone).date()
                    midnight = datetime.combine(day, datetime.min.time(), zone)
                    at = midnight - timedelta(microseconds=minutes % 2)
                amount = quantity * times
                signed = -amount if reason in (Reason.SALE, Reason.DAMAGE) else amount
                written.append((at, len(written), signed, reason, None))
                if undone_after is not None:
                    later = at + timedelta(minutes=undone_after)
                    written.append((later, len(written), -signed, Reason.UNDO, len(written) - 1))
            ids: dict[int, int] = {}
            for at, index, signed, reason, undoes in sorted(written):
                reverses = ids[undoes] if undoes is not None else None
                ids[index] = (await _move(uow, product, signed, reason, at, reverses)).id
        await uow.commit()

    assert sums_replay_exactly(shop, now)
    async with make_uow() as uow:
        queries = uow.alert_queries
        ledgers = await queries.ledgers_since(products, window_opening(shop, now))
        start = window_start_of(shop, now)
        sums = await queries.ledger_sums_since(products, start, SELLING_REASONS)
        first_moves = await queries.first_moves_of(products)
        by_history = {p.id: await pace_of(uow, shop, p, now) for p in products}
    assert paces_from_sums(shop, products, sums, first_moves, now) == paces_from(
        shop, products, ledgers, first_moves, now
    )
    assert paces_from(shop, products, ledgers, first_moves, now) == by_history
    today = local_now.date()
    for product in products:
        window = [m for m in ledgers.get(product.id, ()) if m.created_at >= start]
        since = today - timedelta(days=WINDOW_DAYS)
        assert daily_sales_from_sums(
            sums.get(product.id, []),
            product.on_hand,
            today=today,
            timezone=shop.timezone,
            since=since,
        ) == daily_sales(window, product.on_hand, today=today, timezone=shop.timezone, since=since)


def test_a_zone_of_local_mean_time_reads_the_movements() -> None:
    shop = Shop(1, "Old", timezone="Europe/Amsterdam")
    assert sums_replay_exactly(shop, datetime(2026, 3, 2, tzinfo=UTC))
    assert not sums_replay_exactly(shop, datetime(1930, 3, 2, tzinfo=UTC))  # +0:19:32


async def _move(
    uow: SqlUnitOfWork,
    product: Product,
    quantity: Decimal,
    reason: Reason,
    at: datetime,
    reverses_id: int | None = None,
) -> Movement:
    return await uow.movements.add(
        Movement(
            id=0,
            shop_id=product.shop_id,
            product_id=product.id,
            quantity=quantity,
            reason=reason,
            user_id=1,
            created_at=at.astimezone(UTC),
            idempotency_key=f"k{next(_keys)}",
            reverses_id=reverses_id,
        )
    )
