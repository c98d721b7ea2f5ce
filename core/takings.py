"""What the shop took in and what its stock is worth: sales today and this week at the
shelf price each sale recorded, and the stock on hand at cost (owners only).

A sale recorded before sales carried their price is valued at the product's shelf price
today; an undone sale took nothing in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.model import Member, Movement, Product, Reason, Shop
from core.ports import UnitOfWork
from core.quantities import ZERO
from core.status import shop_today
from core.visibility import sees_costs


@dataclass(frozen=True)
class Takings:
    today: Decimal
    this_week: Decimal  # since Monday, shop time
    stock_at_cost: Decimal | None  # None for whoever may not see costs


def sale_price_of(movement: Movement, product: Product) -> Decimal:
    """The price per unit a sale took in."""
    return movement.sale_price or product.price or ZERO


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


async def takings_of(
    uow: UnitOfWork, shop: Shop, member: Member, now: datetime, *, in_group: bool = False
) -> Takings:
    """Inside the caller's open unit of work, the member authorized."""
    zone = ZoneInfo(shop.timezone)
    today = shop_today(shop, now)
    monday = today - timedelta(days=today.weekday())
    day_start, week_start = _midnight(today, zone), _midnight(monday, zone)
    products = {p.id: p for p in await uow.products.list(shop.id, include_archived=True)}
    movements = await uow.movements.since(shop.id, week_start)
    undone = {m.reverses_id for m in movements if m.reverses_id is not None}
    week = day = ZERO
    for movement in movements:
        product = products.get(movement.product_id)
        if movement.reason is not Reason.SALE or movement.id in undone or product is None:
            continue
        value = -movement.quantity * sale_price_of(movement, product)
        week += value
        if movement.created_at >= day_start:
            day += value
    stock = None
    if sees_costs(member, in_group=in_group):
        stock = sum(
            (max(p.on_hand, ZERO) * (p.cost or ZERO) for p in products.values() if not p.archived),
            ZERO,
        )
    return Takings(day, week, stock)
