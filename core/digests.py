"""The daily digest of a shop: what it says to each person, and planning it once per
local day as soon as the shop's clock reaches its alert time (one delivery per person,
keyed shop × day × person, so planning twice or from two processes never sends twice).

Planning does not word the digest: it decides from a few figures per shop (`DigestSigns`:
how many products are low or out, the earliest expiry and reorder date, whether anything
sold) which kinds of line the digest may have today, and plans a delivery for each
member who listens to one of those kinds. That is a superset: the digest is worded once,
when it is sent, from the shop as it is then (`build_digest`), and a delivery whose digest
turns out empty for its member (muted, snoozed or ordered products) is closed as skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.alert_audience import kinds_of
from core.alert_model import (
    AlertKind,
    BatchLine,
    Delivery,
    DeliveryKind,
    Digest,
    DigestSigns,
    ProductAlertState,
    RunningOut,
)
from core.forecast import (
    SELLING_REASONS,
    lead_days_of,
    paces_from,
    paces_from_sums,
    runs_out_within_lead_time,
    sums_replay_exactly,
    window_opening,
    window_start_of,
)
from core.model import Batch, LedgerSums, Product, Shop
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


def kinds_to_say(signs: DigestSigns, shop: Shop, today: date) -> frozenset[AlertKind]:
    """The kinds of line `build_digest` may give someone of the shop on `today`, from its
    signs: a member who listens to none of them has nothing to read."""
    kinds: set[AlertKind] = set()
    if signs.out > 0:
        kinds.add(AlertKind.OUT)
    if signs.low > 0 or signs.selling:  # low lines, and the "runs out" lines
        kinds.add(AlertKind.LOW)
    if signs.reorder_from is not None and signs.reorder_from <= today:
        kinds.add(AlertKind.REORDER)
    # A batch is listed when it expires within its product's window (or has expired):
    # then so does the product's earliest expiry, which is what the signs keep.
    for days, first in signs.expiry_from.items():
        window = shop.near_expiry_days if days is None else days
        if first <= today + timedelta(days=window):
            kinds.add(AlertKind.EXPIRY)
    return frozenset(kinds)


def digest_key(shop_id: int, day: date, user_id: int) -> str:
    return f"digest:{shop_id}:{day.isoformat()}:{user_id}"


async def read_facts(uow: UnitOfWork, shop: Shop, today: date, now: datetime) -> ShopFacts:
    """What the shop's digest for `today` is built from (inside the caller's transaction)."""
    return (await facts_of(uow, [(shop, today)], now))[(shop.id, today)]


async def facts_of(
    uow: UnitOfWork, wanted: Collection[tuple[Shop, date]], now: datetime
) -> dict[tuple[int, date], ShopFacts]:
    """`read_facts` of many shops at once, (shop id, day) -> facts: one query per kind of
    fact for all of them, not one per shop, inside the caller's transaction."""
    if not wanted:
        return {}
    shops = {shop.id: shop for shop, _ in wanted}
    states = await uow.product_alerts.for_shops(list(shops))
    running_out = await _running_out(uow, list(shops.values()), now)
    facts: dict[tuple[int, date], ShopFacts] = {}
    for day in {day for _, day in wanted}:
        on_day = {shop.id: day for shop, d in wanted if d == day}
        attention = await uow.alert_queries.attention_of(on_day)
        batches = await uow.alert_queries.expiring_batches_of(on_day)
        for shop_id in on_day:
            facts[(shop_id, day)] = ShopFacts(
                shops[shop_id],
                day,
                tuple(attention.get(shop_id, ())),
                tuple(batches.get(shop_id, ())),
                states.get(shop_id, {}),
                running_out.get(shop_id, ()),
            )
    return facts


async def _running_out(
    uow: UnitOfWork, shops: Sequence[Shop], now: datetime
) -> dict[int, tuple[RunningOut, ...]]:
    """Per shop: in-stock products above their threshold (the others are listed as low
    or out) whose stock lasts no longer than their lead time, fewest days first."""
    if not shops:
        return {}
    # Only a product sold in the window can have a pace: the database names those (for
    # every shop at once), and only their ledgers are read and estimated.
    since = min(window_opening(shop, now) for shop in shops)
    sold = await uow.alert_queries.sold_since([s.id for s in shops], since, SELLING_REASONS)
    candidates = {
        shop_id: [
            p
            for p in products
            if not p.archived and p.on_hand > 0 and stock_status(p) is StockStatus.OK
        ]
        for shop_id, products in sold.items()
    }
    every = [p for products in candidates.values() for p in products]
    if not every:
        return {}
    # The ledger summed per quarter hour by the database (one read per window, i.e. per
    # time zone) where that replays exactly; else its movements (a zone of odd offset).
    exact = {shop.id: sums_replay_exactly(shop, now) for shop in shops}
    starts = {shop.id: window_start_of(shop, now) for shop in shops if exact[shop.id]}
    summed: dict[datetime, list[Product]] = {}
    moved: list[Product] = []
    for product in every:
        if exact[product.shop_id]:
            summed.setdefault(starts[product.shop_id], []).append(product)
        else:
            moved.append(product)
    sums: dict[int, list[LedgerSums]] = {}
    for start, products in summed.items():
        sums.update(await uow.alert_queries.ledger_sums_since(products, start, SELLING_REASONS))
    ledgers = await uow.alert_queries.ledgers_since(moved, since) if moved else {}
    first_moves = await uow.alert_queries.first_moves_of(every)
    found: dict[int, tuple[RunningOut, ...]] = {}
    for shop in shops:
        # A shop's paces are milliseconds of CPU: let the event loop run between shops
        # (a dispatcher words the next claim while its senders keep the budget busy).
        await asyncio.sleep(0)
        products = candidates.get(shop.id, [])
        if exact[shop.id]:
            paces = paces_from_sums(shop, products, sums, first_moves, now)
        else:
            paces = paces_from(shop, products, ledgers, first_moves, now)
        running = [
            RunningOut(p, days, lead_days_of(p))
            for p in products
            if runs_out_within_lead_time(p, paces[p.id])
            and (days := paces[p.id].days_left) is not None
        ]
        found[shop.id] = tuple(sorted(running, key=lambda r: (r.days_left, r.product.key)))
    return found


async def claimed_shops(
    uow: UnitOfWork, claimed: Collection[int], known: Mapping[int, Shop] | None
) -> dict[int, Shop]:
    """The shops of the ids a planner claimed: from `known` where the transaction has read
    them already (the scan's list of every shop), else read."""
    if known is None:
        return await uow.alert_queries.shops(claimed)
    return {shop_id: known[shop_id] for shop_id in claimed if shop_id in known}


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


async def plan_due_digests(uow: UnitOfWork, now: datetime) -> int:
    """Plan the digest of every shop that is due, all of them in one transaction and a
    few statements; returns deliveries made."""
    async with uow:
        shops = await uow.shops.list_all()
        planned = await uow.alert_settings.digest_days()
        due = dict(not_yet_planned(shops, planned, digest_day_due, now))
        made = await _plan(uow, due, now, {shop.id: shop for shop in shops}) if due else 0
        await uow.commit()
    return made


async def plan_digest(uow: UnitOfWork, shop_id: int, day: date, now: datetime) -> int:
    """Plan the shop's digest for `day`: one delivery per member who may have something
    to read. Only the first caller for a (shop, day) plans; returns deliveries made."""
    async with uow:
        made = await _plan(uow, {shop_id: day}, now)
        await uow.commit()
    return made


async def _plan(
    uow: UnitOfWork,
    due: Mapping[int, date],
    now: datetime,
    known: Mapping[int, Shop] | None = None,
) -> int:
    """Claim each shop's day (shop id -> day) and, for the shops this caller claimed, plan
    a delivery per member who listens to a kind of line the shop's digest may have today
    (`kinds_to_say`); the digest itself is worded when it is sent."""
    claimed = await uow.alert_settings.claim_digest_days(due)
    if not claimed:
        return 0
    shops = await claimed_shops(uow, claimed, known)
    members = await uow.alert_queries.members(list(shops))
    chosen = await uow.alert_settings.kinds_of_shops(list(shops))
    listening = {
        shop_id: [m for m in members.get(shop_id, []) if kinds_of(m, chosen.get(shop_id, {}))]
        for shop_id in shops
    }
    heard = [shop for shop in shops.values() if listening[shop.id]]
    if not heard:
        return 0
    since = min(window_opening(shop, now) for shop in heard)
    signs = await uow.alert_queries.digest_signs(
        [shop.id for shop in heard], since, SELLING_REASONS
    )
    blocked = await uow.recipients.blocked({m.user_id for ms in listening.values() for m in ms})
    settings = await uow.alert_settings.get_many([shop.id for shop in heard])
    deliveries: list[Delivery] = []
    for shop in sorted(heard, key=lambda s: s.id):
        day = due[shop.id]
        may_say = kinds_to_say(signs.get(shop.id, DigestSigns()), shop, day)
        if not may_say:
            continue
        not_before = quiet_until(settings[shop.id], shop, now) or now
        for member in listening[shop.id]:
            if member.user_id in blocked:
                continue
            if not kinds_of(member, chosen.get(shop.id, {})) & may_say:
                continue
            deliveries.append(
                Delivery(
                    id=0,
                    shop_id=shop.id,
                    user_id=member.user_id,
                    kind=DeliveryKind.DIGEST,
                    key=digest_key(shop.id, day, member.user_id),
                    not_before=not_before,
                    created_at=now,
                    day=day,
                )
            )
    return await uow.deliveries.add_many(deliveries)
