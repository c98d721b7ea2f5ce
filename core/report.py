"""The weekly report: how the last 8 weeks went, for owners.

Every Monday at the shop's alert time each owner gets one report (a chart and a short
summary): sales, waste (expired and damaged stock, at cost) and the stock's value at cost,
week by week, then the week's top movers and the dead stock. `/report` shows the same on
demand, up to today. A shop where nothing moved in those 8 weeks gets no report.

Planned like the daily digest: a shop's week is claimed once in the database, and each
owner's delivery has a unique key, so a second process, a second scan or a restart never
sends a week's report twice. The report itself is built when it is sent, from the ledger.

Sales are valued at the shelf price a sale recorded, or the product's shelf price today
when it recorded none (a sale made before sales recorded their price); waste and stock at
the cost a movement recorded, or the product's cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core import digests, shop_time
from core.access import Actor, OwnerAction, authorize
from core.alert_model import Delivery, DeliveryKind
from core.model import Movement, Product, Reason, Shop
from core.ports import UnitOfWork
from core.quantities import ZERO
from core.report_model import DeadStock, Mover, WeekFigures, WeeklyReport
from core.status import shop_today
from core.takings_model import sale_price_of

WEEKS = 8
TOP_MOVERS = 5
DEAD_STOCK_LINES = 5
DEAD_AFTER = timedelta(days=28)  # on hand, and not one movement for four weeks
WASTE_REASONS = frozenset({Reason.EXPIRED, Reason.DAMAGE})
# A report sent on Tuesday still reads as this week's; later it is skipped.
LATE_BY = timedelta(days=1)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class _Tally:
    """What the movements of the report's weeks add up to."""

    sales: list[Decimal] = field(default_factory=lambda: [ZERO] * WEEKS)
    waste: list[Decimal] = field(default_factory=lambda: [ZERO] * WEEKS)
    sold_last_week: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    later_change: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (week, product)
    last_moved: dict[int, datetime] = field(default_factory=dict)
    moved: bool = False


def build_report(
    shop: Shop,
    products: Sequence[Product],
    movements: Sequence[Movement],
    *,
    first_monday: date,
    last_day: date,
    now: datetime,
) -> WeeklyReport:
    """`movements`: every movement of the shop from `first_monday` on (any order), those
    after `last_day` included: stock levels are replayed back from today's."""
    by_id = {p.id: p for p in products}
    tally = _tally(shop, by_id, movements, first_monday, last_day)
    weeks = []
    for index in range(WEEKS):
        value = ZERO
        for product in products:
            level = product.on_hand - tally.later_change.get((index, product.id), ZERO)
            value += max(level, ZERO) * (product.cost or ZERO)
        start = first_monday + timedelta(weeks=index)
        weeks.append(WeekFigures(start, tally.sales[index], tally.waste[index], value))
    movers = sorted(
        (Mover(by_id[pid], units, total) for pid, (units, total) in tally.sold_last_week.items()),
        key=lambda m: (-m.units, m.product.key),
    )
    return WeeklyReport(
        shop=shop,
        last_day=last_day,
        weeks=tuple(weeks),
        movers=tuple(m for m in movers if m.units > 0)[:TOP_MOVERS],
        dead=_dead_stock(products, tally.last_moved, now),
        moved=tally.moved,
        costed=any(p.cost is not None for p in products),
    )


def _tally(
    shop: Shop,
    by_id: dict[int, Product],
    movements: Sequence[Movement],
    first_monday: date,
    last_day: date,
) -> _Tally:
    zone = ZoneInfo(shop.timezone)
    undone = {m.reverses_id for m in movements if m.reverses_id is not None}
    tally = _Tally()
    for movement in movements:
        product = by_id.get(movement.product_id)
        if product is None:
            continue
        day = movement.created_at.astimezone(zone).date()
        if day < first_monday:
            continue
        tally.last_moved[product.id] = max(
            tally.last_moved.get(product.id, movement.created_at), movement.created_at
        )
        week = (day - first_monday).days // 7
        for ended in range(min(week, WEEKS)):
            key = (ended, product.id)
            tally.later_change[key] = tally.later_change.get(key, ZERO) + movement.quantity
        if day > last_day or week >= WEEKS:
            continue
        tally.moved = True
        if movement.id in undone or movement.reason is Reason.UNDO:
            continue
        taken = -movement.quantity
        if movement.reason is Reason.SALE:
            value = taken * sale_price_of(movement, product)
            tally.sales[week] += value
            if week == WEEKS - 1:
                units, total = tally.sold_last_week.get(product.id, (ZERO, ZERO))
                tally.sold_last_week[product.id] = (units + taken, total + value)
        elif movement.reason in WASTE_REASONS:
            tally.waste[week] += taken * (movement.cost or product.cost or ZERO)
    return tally


def _dead_stock(
    products: Sequence[Product], last_moved: dict[int, datetime], now: datetime
) -> tuple[DeadStock, ...]:
    """On hand and not moved for DEAD_AFTER, most value first."""
    dead = sorted(
        (
            DeadStock(p, p.on_hand * (p.cost or ZERO))
            for p in products
            if not p.archived
            and p.on_hand > 0
            and now - last_moved.get(p.id, now - DEAD_AFTER) >= DEAD_AFTER
        ),
        key=lambda d: (-d.value, d.product.key),
    )
    return tuple(dead[:DEAD_STOCK_LINES])


async def _report(
    uow: UnitOfWork, shop: Shop, first_monday: date, last_day: date, now: datetime
) -> WeeklyReport:
    start = shop_time.local_instant(first_monday, datetime.min.time(), ZoneInfo(shop.timezone))
    products = await uow.products.list(shop.id, include_archived=True)
    movements = await uow.movements.since(shop.id, start)
    return build_report(
        shop, products, movements, first_monday=first_monday, last_day=last_day, now=now
    )


async def report_now(uow: UnitOfWork, actor: Actor, now: datetime) -> WeeklyReport:
    """`/report`: the last 8 weeks up to today, this week so far last. Owners only: it
    shows costs and takings."""
    async with uow:
        shop, _ = await authorize(uow, actor, owner_action=OwnerAction.SEE_REPORT)
        today = shop_today(shop, now)
        first = monday_of(today) - timedelta(weeks=WEEKS - 1)
        return await _report(uow, shop, first, today, now)


# -- the Monday report (jobs call these) ----------------------------------------------------


def report_week_due(shop: Shop, now: datetime) -> date | None:
    """This week's Monday if its report is due at `now` (from the alert time on Monday
    until the end of Tuesday), else None."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    monday = monday_of(today)
    if today - monday > LATE_BY:
        return None
    return monday if now >= shop_time.local_instant(monday, shop.alert_time, zone) else None


def report_key(shop_id: int, monday: date, user_id: int) -> str:
    return f"report:{shop_id}:{monday.isoformat()}:{user_id}"


async def due_reports(uow: UnitOfWork, now: datetime) -> list[tuple[int, date]]:
    """(shop id, Monday) of every shop whose weekly report is due and not yet planned."""
    async with uow:
        shops = await uow.shops.list_all()
        planned = await uow.alert_settings.report_weeks()
    return digests.not_yet_planned(shops, planned, report_week_due, now)


async def plan_due_reports(uow: UnitOfWork, now: datetime) -> int:
    """Plan the weekly report of every shop that is due, all in one transaction."""
    async with uow:
        shops = await uow.shops.list_all()
        planned = await uow.alert_settings.report_weeks()
        due = dict(digests.not_yet_planned(shops, planned, report_week_due, now))
        made = await _plan(uow, due, now, {shop.id: shop for shop in shops}) if due else 0
        await uow.commit()
    return made


async def plan_report(uow: UnitOfWork, shop_id: int, monday: date, now: datetime) -> int:
    """Claim the shop's week and plan one delivery per owner, when there is anything to
    report. Only the first caller for a (shop, week) plans; returns deliveries made."""
    async with uow:
        made = await _plan(uow, {shop_id: monday}, now)
        await uow.commit()
    return made


def report_span(shop: Shop, monday: date) -> tuple[datetime, datetime]:
    """The instants the report of the week of `monday` covers: the 8 whole weeks before
    it, from the first Monday's midnight to this Monday's on the shop's clock. A report
    is empty when nothing moved in between (`build_report`'s `moved`)."""
    zone = ZoneInfo(shop.timezone)
    first = monday - timedelta(weeks=WEEKS)
    midnight = datetime.min.time()
    return shop_time.local_instant(first, midnight, zone), shop_time.local_instant(
        monday, midnight, zone
    )


async def _plan(
    uow: UnitOfWork,
    due: Mapping[int, date],
    now: datetime,
    known: Mapping[int, Shop] | None = None,
) -> int:
    """Claim each shop's week (shop id -> Monday) and plan a delivery per owner of the
    shops this caller claimed where anything moved in the report's weeks."""
    claimed = await uow.alert_settings.claim_report_weeks(due)
    if not claimed:
        return 0
    shops = await digests.claimed_shops(uow, claimed, known)
    members = await uow.alert_queries.members(list(shops))
    owners = {shop_id: [m for m in members.get(shop_id, []) if m.is_owner] for shop_id in shops}
    blocked = await uow.recipients.blocked({m.user_id for ms in owners.values() for m in ms})
    moved = await uow.alert_queries.moved_within(
        {
            shop_id: report_span(shop, due[shop_id])
            for shop_id, shop in shops.items()
            if owners[shop_id]
        }
    )
    settings = await uow.alert_settings.get_many(moved)
    deliveries = [
        Delivery(
            id=0,
            shop_id=shop_id,
            user_id=owner.user_id,
            kind=DeliveryKind.REPORT,
            key=report_key(shop_id, due[shop_id], owner.user_id),
            not_before=shop_time.quiet_until(settings[shop_id], shops[shop_id], now) or now,
            created_at=now,
            day=due[shop_id],
        )
        for shop_id in sorted(moved)
        for owner in owners[shop_id]
        if owner.user_id not in blocked
    ]
    return await uow.deliveries.add_many(deliveries)


async def _weekly(uow: UnitOfWork, shop: Shop, monday: date, now: datetime) -> WeeklyReport:
    """The 8 whole weeks before `monday`."""
    first = monday - timedelta(weeks=WEEKS)
    return await _report(uow, shop, first, monday - timedelta(days=1), now)


async def report_message(
    uow: UnitOfWork, delivery: Delivery, now: datetime, cache: dict[tuple[int, date], WeeklyReport]
) -> WeeklyReport | None:
    """The report a claimed delivery sends (inside the caller's transaction), or None
    when it is no longer worth sending: the owner left or is staff now, or it is late."""
    monday = delivery.day
    member = await uow.members.get(delivery.shop_id, delivery.user_id)
    shop = await uow.shops.get(delivery.shop_id)
    if monday is None or member is None or not member.is_owner or shop is None:
        return None
    if shop_today(shop, now) - monday > LATE_BY:
        return None
    if (shop.id, monday) not in cache:
        cache[(shop.id, monday)] = await _weekly(uow, shop, monday, now)
    report = cache[(shop.id, monday)]
    return None if report.is_empty else report
