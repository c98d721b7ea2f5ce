"""The daily digest of a shop: what it says to each person, and planning it once per
local day as soon as the shop's clock reaches its alert time (one delivery per person,
keyed shop × day × person, so planning twice or from two processes never sends twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.alert_audience import kinds_of
from core.alert_model import (
    AlertKind,
    BatchLine,
    Delivery,
    DeliveryKind,
    Digest,
    ProductAlertState,
    RunningOut,
)
from core.forecast import (
    lead_days_of,
    runs_out_within_lead_time,
    shop_paces,
    window_opening,
)
from core.model import Batch, Product, Shop
from core.ports import UnitOfWork
from core.reordering import is_reorder_due
from core.shop_time import digest_day_due, quiet_until
from core.status import StockStatus, stock_status


@dataclass(frozen=True)
class ShopFacts:
    """What a shop's digest is built from, read once and shared by its recipients."""

    shop: Shop
    today: date
    attention: tuple[Product, ...]
    batches: tuple[tuple[Product, Batch], ...]
    states: Mapping[int, ProductAlertState]
    running_out: tuple[RunningOut, ...] = ()


def build_digest(
    facts: ShopFacts,
    kinds: frozenset[AlertKind],
    snoozed: Mapping[int, datetime],
    *,
    is_owner: bool,
) -> Digest:
    """One person's digest: only the kinds they chose, without muted or snoozed
    products, and without low/out/reorder lines of products already ordered."""
    today = facts.today

    def quiet(product: Product) -> bool:
        state = facts.states.get(product.id)
        return product.id in snoozed or (state is not None and state.muted)

    def ordered(product: Product) -> bool:
        state = facts.states.get(product.id)
        return state is not None and state.ordered_at is not None

    expired: list[BatchLine] = []
    expiring: list[BatchLine] = []
    if AlertKind.EXPIRY in kinds:
        for product, batch in facts.batches:
            if quiet(product) or batch.expiry is None or batch.quantity <= 0:
                continue
            (expired if batch.expiry < today else expiring).append(BatchLine(product, batch))
    low: list[Product] = []
    out: list[Product] = []
    reorder: list[Product] = []
    for product in sorted(facts.attention, key=lambda p: p.key):
        if quiet(product) or ordered(product):
            continue
        status = stock_status(product)
        if status is StockStatus.OUT and AlertKind.OUT in kinds:
            out.append(product)
        elif status is StockStatus.LOW and AlertKind.LOW in kinds:
            low.append(product)
        if AlertKind.REORDER in kinds and is_reorder_due(
            product, facts.states.get(product.id), today
        ):
            reorder.append(product)
    running_out = (
        tuple(r for r in facts.running_out if not quiet(r.product) and not ordered(r.product))
        if AlertKind.LOW in kinds
        else ()
    )
    return Digest(
        shop=facts.shop,
        day=today,
        expired=tuple(expired),
        expiring=tuple(expiring),
        low=tuple(low),
        out=tuple(out),
        reorder_due=tuple(reorder),
        is_owner=is_owner,
        running_out=running_out,
    )


def digest_key(shop_id: int, day: date, user_id: int) -> str:
    return f"digest:{shop_id}:{day.isoformat()}:{user_id}"


async def read_facts(uow: UnitOfWork, shop: Shop, today: date, now: datetime) -> ShopFacts:
    attention = await uow.alert_queries.attention(shop.id, today)
    batches = await uow.alert_queries.expiring_batches(shop.id, today, shop.near_expiry_days)
    states = await uow.product_alerts.for_shop(shop.id)
    return ShopFacts(
        shop,
        today,
        tuple(attention),
        tuple(batches),
        states,
        await _running_out(uow, shop, now),
    )


async def _running_out(uow: UnitOfWork, shop: Shop, now: datetime) -> tuple[RunningOut, ...]:
    """In-stock products above their threshold (the others are listed as low or out)
    whose stock lasts no longer than their lead time, fewest days first."""
    # Only a product that moved in the window can have a pace: estimating just those
    # spares reading the whole catalog for every shop's digest.
    moved = {m.product_id for m in await uow.movements.since(shop.id, window_opening(shop, now))}
    if not moved:
        return ()
    products = await uow.products.get_many(shop.id, moved)
    candidates = [
        p
        for p in products.values()
        if not p.archived and p.on_hand > 0 and stock_status(p) is StockStatus.OK
    ]
    paces = await shop_paces(uow, shop, candidates, now)
    found = [
        RunningOut(p, days, lead_days_of(p))
        for p in candidates
        if runs_out_within_lead_time(p, paces[p.id]) and (days := paces[p.id].days_left) is not None
    ]
    return tuple(sorted(found, key=lambda r: (r.days_left, r.product.key)))


def not_yet_planned(
    shops: Sequence[Shop],
    planned: Mapping[int, date],
    due_on: Callable[[Shop, datetime], date | None],
    now: datetime,
) -> list[tuple[int, date]]:
    """(shop id, day) of every shop with something due on a day later than the last one
    planned for it (`planned`: shop id → day)."""
    due: list[tuple[int, date]] = []
    for shop in shops:
        day = due_on(shop, now)
        last = planned.get(shop.id)
        if day is not None and (last is None or last < day):
            due.append((shop.id, day))
    return due


async def due_digests(uow: UnitOfWork, now: datetime) -> list[tuple[int, date]]:
    """(shop id, local day) of every shop whose digest is due and not yet planned."""
    async with uow:
        shops = await uow.shops.list_all()
        planned = await uow.alert_settings.digest_days()
    return not_yet_planned(shops, planned, digest_day_due, now)


async def plan_digest(uow: UnitOfWork, shop_id: int, day: date, now: datetime) -> int:
    """Plan the shop's digest for `day`: one delivery per member with something to read.
    Only the first caller for a (shop, day) plans; returns deliveries made."""
    made = 0
    async with uow:
        if not await uow.alert_settings.claim_digest_day(shop_id, day):
            return 0
        shop = await uow.shops.get(shop_id)
        if shop is None:
            await uow.commit()
            return 0
        members = await uow.members.list(shop_id)
        chosen = await uow.alert_settings.all_kinds(shop_id)
        listening = [m for m in members if kinds_of(m, chosen)]
        blocked = await uow.recipients.blocked([m.user_id for m in listening])
        facts = await read_facts(uow, shop, day, now) if listening else None
        settings = await uow.alert_settings.get(shop_id)
        not_before = quiet_until(settings, shop, now) or now
        for member in listening:
            if facts is None or member.user_id in blocked:
                continue
            snoozed = await uow.product_alerts.snoozed(shop_id, member.user_id, now)
            digest = build_digest(
                facts, kinds_of(member, chosen), snoozed, is_owner=member.is_owner
            )
            if digest.is_empty:
                continue
            delivery = Delivery(
                id=0,
                shop_id=shop_id,
                user_id=member.user_id,
                kind=DeliveryKind.DIGEST,
                key=digest_key(shop_id, day, member.user_id),
                not_before=not_before,
                created_at=now,
                day=day,
            )
            made += await uow.deliveries.add(delivery)
        await uow.commit()
    return made
