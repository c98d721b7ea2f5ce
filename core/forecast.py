"""How fast a product sells and how many days its stock lasts: exponential smoothing of
the last 28 days of sales. Pure Python: the figures a shop needs do not call for more.

- A day on which the product was out of stock all day says nothing about demand (it
  could not sell): it is skipped, not counted as a day of zero sales.
- One unusually large sale (a catering order) is capped at a few times a normal day, so
  it does not promise a run on the product that will not come.
- A product with too little history (under a week of it, or fewer than three days with
  sales) gets no estimate: "not enough sales yet" is better than a guess.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from core.model import LedgerSums, Movement, Product, Reason, Shop
from core.ports import UnitOfWork

WINDOW_DAYS = 28
SMOOTHING = 0.3  # weight of the newest day: a change in demand shows within a week or two
MIN_DAYS = 7
MIN_SALE_DAYS = 3
OUTLIER_FACTOR = 3.0  # a day over 3× the median recent selling day is capped there
SELLING_REASONS = frozenset({Reason.SALE})
# A product without a lead time of its own: a weekly order round.
DEFAULT_LEAD_DAYS = 7


class NoEstimate(enum.StrEnum):
    NEW = "new"  # under MIN_DAYS of history
    FEW_SALES = "few_sales"  # fewer than MIN_SALE_DAYS days with sales
    NOT_SELLING = "not_selling"  # history enough, but no sales in the window


@dataclass(frozen=True)
class Velocity:
    """Units sold per day, smoothed; `days_left` of the stock on hand at that pace.
    `per_day` is None when there is no estimate, and `missing` says why."""

    per_day: float | None
    days_left: int | None
    missing: NoEstimate | None = None


# The database sums a ledger per quarter hour of UTC (core.model.LedgerSums). Every time
# zone's offset is a whole number of quarter hours, so a quarter hour lies in one day of
# the shop's calendar and its sums replay as its movements would, day by day.
QUARTER = timedelta(minutes=15)


def daily_sales(
    movements: Sequence[Movement],
    on_hand: Decimal,
    *,
    today: date,
    timezone: str,
    since: date,
) -> list[tuple[date, float, bool]]:
    """(day, units sold, in stock at some point that day) for each day from `since` (or
    WINDOW_DAYS before today, whichever is later) to yesterday. Stock is replayed back
    from `on_hand` through the movements, newest first; undone sales are netted out.
    Each day's figures are exact sums (Decimal), whatever order the movements come in."""
    zone = ZoneInfo(timezone)
    change_by_day: dict[date, Decimal] = {}
    sold_by_day: dict[date, Decimal] = {}
    undone = {m.reverses_id for m in movements if m.reverses_id is not None}
    for movement in movements:
        day = movement.created_at.astimezone(zone).date()
        change_by_day[day] = change_by_day.get(day, ZERO) + movement.quantity
        if movement.reason in SELLING_REASONS and movement.id not in undone:
            sold_by_day[day] = sold_by_day.get(day, ZERO) - movement.quantity
    return _replay(change_by_day, sold_by_day, on_hand, today=today, since=since)


def daily_sales_from_sums(
    sums: Sequence[LedgerSums],
    on_hand: Decimal,
    *,
    today: date,
    timezone: str,
    since: date,
    days: dict[datetime, date] | None = None,
) -> list[tuple[date, float, bool]]:
    """`daily_sales` from the ledger's quarter-hour sums (`LedgerSums`) instead of its
    movements: the same days, figures and stock (`tests/integration/test_forecast_sums`).
    `days`: the shop's day of each quarter already found, shared by its products."""
    zone = ZoneInfo(timezone)
    change_by_day: dict[date, Decimal] = {}
    sold_by_day: dict[date, Decimal] = {}
    days = {} if days is None else days
    for at, change, sold in sums:
        day = days.get(at)
        if day is None:
            day = days[at] = at.astimezone(zone).date()
        change_by_day[day] = change_by_day.get(day, ZERO) + change
        if sold:
            sold_by_day[day] = sold_by_day.get(day, ZERO) + sold
    return _replay(change_by_day, sold_by_day, on_hand, today=today, since=since)


ZERO = Decimal(0)


def _replay(
    change_by_day: Mapping[date, Decimal],
    sold_by_day: Mapping[date, Decimal],
    on_hand: Decimal,
    *,
    today: date,
    since: date,
) -> list[tuple[date, float, bool]]:
    first = max(since, today - timedelta(days=WINDOW_DAYS))
    days = [first + timedelta(days=i) for i in range((today - first).days)]
    level = on_hand
    for day in sorted(d for d in change_by_day if d >= today):
        level -= change_by_day[day]
    rows: list[tuple[date, float, bool]] = []
    for day in reversed(days):
        end_of_day = level
        level -= change_by_day.get(day, ZERO)
        sold = sold_by_day.get(day, ZERO)
        in_stock = end_of_day > 0 or level > 0 or sold > 0
        rows.append((day, float(sold), in_stock))
    rows.reverse()
    return rows


def velocity(
    movements: Sequence[Movement],
    on_hand: Decimal,
    *,
    now: datetime,
    timezone: str,
    since: date,
) -> Velocity:
    """`movements`: the product's ledger of the window (any order); `since`: the day the
    product's history begins (its first movement), so a new product says so."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    days = daily_sales(movements, on_hand, today=today, timezone=timezone, since=since)
    return pace_of_days(days, on_hand)


def pace_of_days(days: Sequence[tuple[date, float, bool]], on_hand: Decimal) -> Velocity:
    """The pace from `daily_sales`' rows: the rule of the pace, whatever read the ledger."""
    if len(days) < MIN_DAYS:
        return Velocity(None, None, NoEstimate.NEW)
    counted = [sold for _, sold, in_stock in days if in_stock]
    selling = [sold for sold in counted if sold > 0]
    if not selling:
        return Velocity(None, None, NoEstimate.NOT_SELLING)
    if len(selling) < MIN_SALE_DAYS:
        return Velocity(None, None, NoEstimate.FEW_SALES)
    # "Normal" is judged on the last two weeks, so a lasting rise in demand is not taken
    # for a run of outliers.
    recent = [sold for sold in counted[-14:] if sold > 0] or selling
    cap = OUTLIER_FACTOR * median(recent)
    capped = [min(sold, cap) for sold in counted]
    start = capped[:MIN_DAYS]
    level = sum(start) / len(start)
    for sold in capped[MIN_DAYS:]:
        level = SMOOTHING * sold + (1 - SMOOTHING) * level
    if level <= 0:
        return Velocity(None, None, NoEstimate.NOT_SELLING)
    return Velocity(level, math.floor(float(on_hand) / level), None)


def reorder_quantity(
    pace: Velocity, on_hand: Decimal, threshold: Decimal, lead_days: int, cover_days: int = 14
) -> Decimal | None:
    """How much to order now so that stock stays above the reorder point until an order
    placed `cover_days` later arrives: demand over lead time plus cover, plus the reorder
    point, less what is on hand; whole units, never negative. None without an estimate."""
    if pace.per_day is None:
        return None
    need = pace.per_day * (lead_days + cover_days) + float(threshold) - float(on_hand)
    return Decimal(max(0, math.ceil(need)))


def lead_days_of(product: Product) -> int:
    return product.lead_days if product.lead_days is not None else DEFAULT_LEAD_DAYS


def runs_out_within_lead_time(product: Product, pace: Velocity) -> bool:
    """Stock on hand that sales will use up before an order placed today arrives."""
    return (
        product.on_hand > 0
        and pace.days_left is not None
        and pace.days_left <= lead_days_of(product)
    )


def window_opening(shop: Shop, now: datetime) -> datetime:
    """From when `shop_paces` reads the ledger: a day before the window opens, since the
    window is judged by the shop's calendar and the query by UTC. A product with no
    movement since then has no pace."""
    zone = ZoneInfo(shop.timezone)
    window_start = now.astimezone(zone).date() - timedelta(days=WINDOW_DAYS)
    return datetime.combine(window_start - timedelta(days=1), datetime.min.time(), zone)


async def shop_paces(
    uow: UnitOfWork, shop: Shop, products: Sequence[Product], now: datetime
) -> dict[int, Velocity]:
    """The pace of each of `products`, from one read of the shop's ledger of the window
    (inside the caller's transaction): what `pace_of` gives one product, for a list."""
    by_product: dict[int, list[Movement]] = {}
    for movement in await uow.movements.since(shop.id, window_opening(shop, now)):
        by_product.setdefault(movement.product_id, []).append(movement)
    return paces_from(shop, products, by_product, await uow.movements.first_moves(shop.id), now)


def paces_from(
    shop: Shop,
    products: Sequence[Product],
    ledgers: Mapping[int, Sequence[Movement]],
    first_moves: Mapping[int, datetime],
    now: datetime,
) -> dict[int, Velocity]:
    """The pace of each of `products` from `ledgers` (product id -> its movements since
    `window_opening` or earlier, any order) and when each product first moved."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    window_start = today - timedelta(days=WINDOW_DAYS)
    paces = {}
    for product in products:
        first = first_moves.get(product.id)
        since = max(first.astimezone(zone).date(), window_start) if first else today
        window = [
            m
            for m in ledgers.get(product.id, ())
            if m.created_at.astimezone(zone).date() >= window_start
        ]
        paces[product.id] = velocity(
            window, product.on_hand, now=now, timezone=shop.timezone, since=since
        )
    return paces


def window_start_of(shop: Shop, now: datetime) -> datetime:
    """The first instant of the pace's window: midnight of its first day, shop's time."""
    zone = ZoneInfo(shop.timezone)
    first_day = now.astimezone(zone).date() - timedelta(days=WINDOW_DAYS)
    return datetime.combine(first_day, datetime.min.time(), zone)


def sums_replay_exactly(shop: Shop, now: datetime) -> bool:
    """Whether the shop's days are whole quarter hours of UTC over the window (every zone
    of today's tz database; not a zone's local mean time of before 1970), so that
    `paces_from_sums` gives what `paces_from` does."""
    zone = ZoneInfo(shop.timezone)
    for at in (window_opening(shop, now), now):
        offset = at.astimezone(zone).utcoffset()
        if offset is None or offset % QUARTER:
            return False
    return True


def paces_from_sums(
    shop: Shop,
    products: Sequence[Product],
    sums: Mapping[int, Sequence[LedgerSums]],
    first_moves: Mapping[int, datetime],
    now: datetime,
) -> dict[int, Velocity]:
    """`paces_from` from each product's quarter-hour sums of its ledger since
    `window_start_of` (selling movements undone by a movement of that span not counted
    as sold) instead of its movements; only for a shop whose `sums_replay_exactly`."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    window_start = today - timedelta(days=WINDOW_DAYS)
    paces = {}
    days_of: dict[datetime, date] = {}
    for product in products:
        first = first_moves.get(product.id)
        since = max(first.astimezone(zone).date(), window_start) if first else today
        days = daily_sales_from_sums(
            sums.get(product.id, ()),
            product.on_hand,
            today=today,
            timezone=shop.timezone,
            since=since,
            days=days_of,
        )
        paces[product.id] = pace_of_days(days, product.on_hand)
    return paces


FIRST_PAGE = 16  # a product's movements of the window, read newest first: 16, 64, 256…


async def pace_of(uow: UnitOfWork, shop: Shop, product: Product, now: datetime) -> Velocity:
    """The product's pace from its ledger of the window, read newest first inside the
    caller's transaction: the window's movements and one before it, however long the
    ledger (a page that grows as it goes, so a busy product takes a few reads)."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    window_start = today - timedelta(days=WINDOW_DAYS)
    found: list[Movement] = []
    before_id: int | None = None
    since = window_start
    limit = FIRST_PAGE
    while True:
        page = await uow.movements.history(
            shop.id, product_id=product.id, before_id=before_id, limit=limit, allocations=False
        )
        recent = [m for m in page if m.created_at.astimezone(zone).date() >= window_start]
        found += recent
        if len(recent) < len(page):
            break  # the ledger goes back past the window
        if len(page) < limit:
            # The whole history is in the window: it starts with the first movement.
            first = min((m.created_at for m in found), default=now)
            since = first.astimezone(zone).date()
            break
        before_id = page[-1].id
        limit *= 4
    return velocity(found, product.on_hand, now=now, timezone=shop.timezone, since=since)
