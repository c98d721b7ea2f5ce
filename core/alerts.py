"""What people do with an alert: snooze it, mark the product ordered, mute it, write off
the expired stock it lists.

A muted product never alerts; "Ordered" quiets its low/out/reorder alerts until stock
comes in; "Snooze 1 day" quiets the product for that person and reminds them a day later
if it is still short. Planning and sending alerts is core.alert_delivery, the digest
core.digest, who hears what core.alert_audience.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core import ledger
from core.access import Actor, OwnerAction, authorize
from core.alert_model import (
    Delivery,
    DeliveryKind,
)
from core.errors import AlertNotFound, NothingToOrder, ProductGone
from core.model import Product
from core.ports import UnitOfWork
from core.status import StockStatus, shop_today, stock_status

SNOOZE = timedelta(days=1)


async def _product(uow: UnitOfWork, shop_id: int, product_id: int) -> Product:
    product = await uow.products.get(shop_id, product_id)
    if product is None or product.archived:
        raise ProductGone(product_id)
    return product


async def snooze(uow: UnitOfWork, actor: Actor, crossing_id: int, now: datetime) -> datetime:
    """Quiet this product for the actor for a day, then remind them if it is still short."""
    async with uow:
        await authorize(uow, actor)
        crossing = await uow.alert_outbox.get(crossing_id)
        if crossing is None or crossing.shop_id != actor.shop_id:
            raise AlertNotFound()
        await _product(uow, actor.shop_id, crossing.product_id)
        until = now + SNOOZE
        await uow.product_alerts.snooze(actor.shop_id, actor.user_id, crossing.product_id, until)
        await uow.deliveries.add(
            Delivery(
                id=0,
                shop_id=actor.shop_id,
                user_id=actor.user_id,
                kind=DeliveryKind.CROSSING,
                key=f"snooze:{crossing.id}:{actor.user_id}:{until.date().isoformat()}",
                not_before=until,
                created_at=now,
                crossing_id=crossing.id,
                product_id=crossing.product_id,
            )
        )
        await uow.commit()
        return until


async def mark_ordered(uow: UnitOfWork, actor: Actor, product_id: int, now: datetime) -> Product:
    """Someone has ordered the product: its low/out/reorder alerts wait for the restock.
    Refused (NothingToOrder) once stock is back above the reorder point and no reorder
    date is due: a tap on an old alert after the delivery came would silence the next
    ones until another restock."""
    async with uow:
        shop, _ = await authorize(uow, actor)
        product = await _product(uow, actor.shop_id, product_id)
        due = product.reorder_date is not None and product.reorder_date <= shop_today(shop, now)
        if stock_status(product) is StockStatus.OK and not due:
            raise NothingToOrder(product.name, product.on_hand, product.unit)
        state = await uow.product_alerts.get(actor.shop_id, product_id)
        await uow.product_alerts.save(replace(state, ordered_at=now))
        await uow.commit()
        return product


async def set_muted(uow: UnitOfWork, actor: Actor, product_id: int, muted: bool) -> Product:
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.MUTE_ALERTS)
        product = await _product(uow, actor.shop_id, product_id)
        state = await uow.product_alerts.get(actor.shop_id, product_id)
        await uow.product_alerts.save(replace(state, muted=muted))
        await uow.commit()
        return product


async def write_off_all_expired(
    uow: UnitOfWork, actor: Actor, *, key: str, now: datetime, product_id: int | None = None
) -> list[ledger.MovementResult]:
    """Remove every expired batch (of one product, or of the whole shop) with reason
    `expired`, one movement per product. The batches read here only say which products
    to look at: what is expired is decided again under each product's lock (a sale may
    have used an expired batch meanwhile). `key` makes a repeated tap a no-op."""
    async with uow:
        shop, _ = await authorize(uow, actor)
        if product_id is not None:  # a button naming another shop's product is refused
            await _product(uow, shop.id, product_id)
        today = shop_today(shop, now)
        rows = await uow.alert_queries.expiring_batches(shop.id, today, shop.near_expiry_days)
    candidates = {
        product.id
        for product, batch in rows
        if (product_id is None or product.id == product_id)
        and batch.expiry is not None
        and batch.expiry < today
    }
    results = []
    for pid in sorted(candidates):
        result = await ledger.write_off_expired(
            uow, actor, pid, today=today, key=f"{key}:{pid}", now=now
        )
        if result is not None:
            results.append(result)
    return results
