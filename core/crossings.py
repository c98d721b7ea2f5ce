"""Threshold crossings, recorded inside the transaction of the movement that caused them.

The ledger calls `record_stock_change` after it has written a product's new snapshot, so
the crossing lands in the outbox exactly when the movement commits (and vanishes with it
on rollback). The dispatcher turns outbox rows into pushes later.

One push per crossing: comparing the stock status before and after the movement means a
product that stays low records nothing; it must rise above its threshold before it can
cross again. Going to zero is its own crossing, re-armed as soon as any stock is back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.alert_model import AlertKind, Crossing
from core.model import Product
from core.ports import UnitOfWork
from core.status import StockStatus, shop_today, stock_status


def crossing_kind(before: Product, after: Product) -> AlertKind | None:
    """The crossing a change of stock from `before` to `after` makes, if any."""
    was, now = stock_status(before), stock_status(after)
    if now is StockStatus.OUT and was is not StockStatus.OUT:
        return AlertKind.OUT
    if now is StockStatus.LOW and was is StockStatus.OK:
        return AlertKind.LOW
    return None


async def record_stock_change(
    uow: UnitOfWork, before: Product, after: Product, now: datetime
) -> None:
    """Outbox a crossing, and let incoming stock end "Ordered" and a due reorder date."""
    kind = crossing_kind(before, after)
    if kind is not None:
        await uow.alert_outbox.add(
            Crossing(
                id=0,
                shop_id=after.shop_id,
                product_id=after.id,
                kind=kind,
                on_hand=after.on_hand,
                threshold=after.threshold,
                created_at=now,
            )
        )
    if after.on_hand <= before.on_hand:
        return
    state = await uow.product_alerts.get(after.shop_id, after.id)
    updated = replace(state, ordered_at=None)
    due = before.reorder_date
    if due is not None and after.reorder_date == due and state.reorder_done_for != due:
        shop = await uow.shops.get(after.shop_id)
        if shop is not None and due <= shop_today(shop, now):
            updated = replace(updated, reorder_done_for=due)
    if updated != state:
        await uow.product_alerts.save(updated)
