"""The rule of what a shop took in and what its stock is worth, in Python: the database
adds the same up in SQL (db.inventory_queries), and tests compare the two."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.model import Movement, Product, Reason
from core.quantities import ZERO


def sale_price_of(movement: Movement, product: Product) -> Decimal:
    """The price per unit a sale took in."""
    return movement.sale_price or product.price or ZERO


@dataclass(frozen=True)
class ShopValue:
    """What the ledger and the catalog add up to (core.ports.InventoryQueries.value)."""

    sales_today: Decimal
    sales_this_week: Decimal
    stock_at_cost: Decimal


def value_of(
    products: Iterable[Product],
    movements: Iterable[Movement],
    *,
    day_start: datetime,
    week_start: datetime,
) -> ShopValue:
    """The rule, in Python: sales since `week_start` (and since `day_start`) at the price
    each took in, undone sales left out; the non-archived stock at cost."""
    catalog = {p.id: p for p in products}
    ledger = list(movements)
    recent = [m for m in ledger if m.created_at >= week_start]
    undone = {m.reverses_id for m in ledger if m.reverses_id is not None}
    week = day = ZERO
    for movement in recent:
        product = catalog.get(movement.product_id)
        if movement.reason is not Reason.SALE or movement.id in undone or product is None:
            continue
        value = -movement.quantity * sale_price_of(movement, product)
        week += value
        if movement.created_at >= day_start:
            day += value
    stock = sum(
        (max(p.on_hand, ZERO) * (p.cost or ZERO) for p in catalog.values() if not p.archived),
        ZERO,
    )
    return ShopValue(day, week, stock)
