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

from core.model import Member, Shop
from core.ports import UnitOfWork
from core.status import shop_today
from core.visibility import sees_costs


@dataclass(frozen=True)
class Takings:
    today: Decimal
    this_week: Decimal  # since Monday, shop time
    stock_at_cost: Decimal | None  # None for whoever may not see costs


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


async def takings_of(
    uow: UnitOfWork, shop: Shop, member: Member, now: datetime, *, in_group: bool = False
) -> Takings:
    """Inside the caller's open unit of work, the member authorized. Added up by the
    database (one query), not by loading the catalog and the week's ledger."""
    zone = ZoneInfo(shop.timezone)
    today = shop_today(shop, now)
    monday = today - timedelta(days=today.weekday())
    value = await uow.inventory.value(
        shop.id, day_start=_midnight(today, zone), week_start=_midnight(monday, zone)
    )
    stock = value.stock_at_cost if sees_costs(member, in_group=in_group) else None
    return Takings(value.sales_today, value.sales_this_week, stock)
