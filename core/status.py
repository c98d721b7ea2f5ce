"""Stock and expiry statuses of a product, decided here and nowhere else.

Stock status and expiry status are independent: milk can be low *and* near expiry.
`low` means 0 < on hand <= threshold (the reorder point is itself "low", as in
Square's low-stock alerts); a threshold of 0 therefore never reports `low`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.model import Batch, Product, Shop


class StockStatus(enum.StrEnum):
    OK = "ok"
    LOW = "low"
    OUT = "out"


class ExpiryStatus(enum.StrEnum):
    NONE = "none"
    NEAR_EXPIRY = "near_expiry"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Status:
    stock: StockStatus
    expiry: ExpiryStatus


def shop_today(shop: Shop, now: datetime) -> date:
    """The calendar date in the shop's own timezone: expiry is judged by the shop's day."""
    return now.astimezone(ZoneInfo(shop.timezone)).date()


def warning_days(product: Product, shop: Shop) -> int:
    if product.expiry_warning_days is not None:
        return product.expiry_warning_days
    return shop.near_expiry_days


def stock_status(product: Product) -> StockStatus:
    if product.on_hand <= 0:
        return StockStatus.OUT
    if product.on_hand <= product.threshold:
        return StockStatus.LOW
    return StockStatus.OK


def expiry_status(product: Product, shop: Shop, today: date) -> ExpiryStatus:
    """Judged on the earliest expiry among batches that still hold stock.

    "Expired" means the expiry date is before today: goods are good through their date.
    """
    expiry = product.earliest_expiry
    if expiry is None or product.on_hand <= 0:
        return ExpiryStatus.NONE
    if expiry < today:
        return ExpiryStatus.EXPIRED
    if expiry <= today + timedelta(days=warning_days(product, shop)):
        return ExpiryStatus.NEAR_EXPIRY
    return ExpiryStatus.NONE


def status_of(product: Product, shop: Shop, today: date) -> Status:
    return Status(stock_status(product), expiry_status(product, shop, today))


def expiring_batches(
    batches: Sequence[Batch], product: Product, shop: Shop, today: date
) -> tuple[Batch, ...]:
    """The batches holding stock that expire within the product's warning window, or
    have expired, first-expiring first: what a near-expiry list says is going."""
    last_day = today + timedelta(days=warning_days(product, shop))
    going = [b for b in batches if b.quantity > 0 and b.expiry is not None and b.expiry <= last_day]
    return by_expiry(sorted(going, key=lambda b: (b.expiry, b.id)))


def by_expiry(batches: Sequence[Batch]) -> tuple[Batch, ...]:
    """Batches in order with those of one expiry date as one: a bakery restocks
    croissants good until tomorrow three times a morning, and a list that says "5 pcs
    exp 9 Dec, 5 pcs exp 9 Dec, 5 pcs exp 9 Dec" reads as a mistake. Each stands for its
    group by the first one's id and cost."""
    merged: list[Batch] = []
    for batch in batches:
        if merged and merged[-1].expiry == batch.expiry:
            merged[-1] = replace(merged[-1], quantity=merged[-1].quantity + batch.quantity)
        else:
            merged.append(batch)
    return tuple(merged)
