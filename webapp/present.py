"""Core's results as the API's response models, cut to what the member may see."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from core.forecast import DEFAULT_LEAD_DAYS, Velocity
from core.inventory import HistoryEntry, InventoryLine
from core.model import Batch, Member, Movement, Product, Shop
from core.product_fields import EDITABLE, Kind
from core.quantities import format_quantity
from core.status import Status
from core.units import unit_of
from core.visibility import batch_for, movement_for, product_for
from webapp import schemas


def decimal(value: Decimal) -> str:
    return format_quantity(value)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def shop(shop: Shop, member: Member) -> schemas.ShopOut:
    return schemas.ShopOut(
        id=shop.id,
        name=shop.name,
        role=member.role.value,
        currency=shop.currency,
        timezone=shop.timezone,
        near_expiry_days=shop.near_expiry_days,
        alert_time=shop.alert_time.strftime("%H:%M"),
        day_first=shop.day_first,
        default_lead_days=DEFAULT_LEAD_DAYS,
    )


def product(member: Member, item: Product) -> schemas.ProductOut:
    """Each field of ProductOut from the product's field of that name; the catalog's
    figures and codes in the form their kind takes (core.product_fields)."""
    seen = product_for(member, item)
    values: dict[str, Any] = {
        name: getattr(seen, name)
        for name in schemas.ProductOut.model_fields
        if name != "unit_known"
    }
    for field in EDITABLE:
        if field.name in values and field.kind in _AS_SENT:
            values[field.name] = _AS_SENT[field.kind](values[field.name])
    values["on_hand"] = decimal(seen.on_hand)
    values["unit_known"] = unit_of(seen.unit)
    return schemas.ProductOut(**values)


_AS_SENT: dict[Kind, Callable[[Any], Any]] = {
    Kind.QUANTITY: decimal,
    Kind.MONEY: money,
    Kind.BARCODES: list,
}


def inventory_item(member: Member, line: InventoryLine) -> schemas.InventoryItem:
    return schemas.InventoryItem(
        product=product(member, line.product),
        stock_status=line.status.stock.value,
        expiry_status=line.status.expiry.value,
        expiring=[
            schemas.ExpiringOut(quantity=decimal(b.quantity), expiry=b.expiry)
            for b in line.expiring
            if b.expiry is not None
        ],
        days_left=line.pace.days_left if line.pace is not None else None,
    )


def per_day(pace: Velocity | None) -> str | None:
    if pace is None or pace.per_day is None:
        return None
    return decimal(Decimal(str(round(pace.per_day, 1))))


def statuses(status: Status) -> dict[str, str]:
    return {"stock_status": status.stock.value, "expiry_status": status.expiry.value}


def batch(member: Member, item: Batch) -> schemas.BatchOut:
    seen = batch_for(member, item)
    return schemas.BatchOut(
        id=seen.id,
        quantity=decimal(seen.quantity),
        expiry=seen.expiry,
        received_at=seen.received_at,
        cost=money(seen.cost),
    )


def movement(member: Member, item: Movement) -> schemas.MovementOut:
    seen = movement_for(member, item)
    return schemas.MovementOut(
        id=seen.id,
        product_id=seen.product_id,
        quantity=decimal(seen.quantity),
        reason=seen.reason.value,
        user_id=seen.user_id,
        created_at=seen.created_at,
        note=seen.note,
        expiry=seen.expiry,
        cost=money(seen.cost),
        price=money(seen.price),
        sale_price=money(seen.sale_price),
        reorder_date=seen.reorder_date,
        reverses_id=seen.reverses_id,
    )


def history_entry(member: Member, entry: HistoryEntry) -> schemas.HistoryEntryOut:
    return schemas.HistoryEntryOut(
        movement=movement(member, entry.movement),
        product_name=entry.product_name,
        unit=entry.unit,
        unit_known=unit_of(entry.unit),
        user_name=entry.user_name,
        undone=entry.undone,
        can_undo=entry.can_undo,
    )
