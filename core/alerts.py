"""Alerts: who hears about what, and when.

Two things are pushed. A *crossing* (a movement took a product to or below its threshold,
or to zero) is outboxed with the movement (core/crossings.py) and planned here into one
delivery per recipient. The *daily digest* of a shop is planned once per local day, as
soon as the shop's local time reaches its alert time. Every delivery has a unique key
(crossing × person, shop × day × person), so planning twice, late or from two processes
never sends twice; the jobs layer claims due deliveries, sends them through a `Notifier`
and records the outcome here.

Recipients: owners get every kind unless they chose otherwise, staff none unless they
opted in. A muted product never alerts; "Ordered" quiets its low/out/reorder alerts
until stock comes in; "Snooze 1 day" quiets the product for that person and reminds them
a day later if it is still short. Quiet hours defer pushes to their end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core import ledger, report
from core.access import Actor, OwnerAction, authorize
from core.alert_model import (
    ALL_KINDS,
    AlertKind,
    AlertMessage,
    AlertPreferences,
    AlertSettings,
    BatchLine,
    CrossingAlert,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Digest,
    Outgoing,
    ProductAlertState,
    ReorderGroup,
    ReorderLine,
    ReorderList,
    RunningOut,
    SendOutcome,
    SendResult,
)
from core.errors import DomainError, InvalidValue, ProductGone
from core.forecast import (
    Velocity,
    lead_days_of,
    reorder_quantity,
    runs_out_within_lead_time,
    shop_paces,
)
from core.model import Batch, Member, Product, Shop
from core.ports import UnitOfWork
from core.report_model import WeeklyReport
from core.status import StockStatus, shop_today, stock_status

SNOOZE = timedelta(days=1)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


class AlertNotFound(DomainError):
    def __init__(self) -> None:
        super().__init__("That alert is no longer available.")


# -- time in the shop's own zone -------------------------------------------------------


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first moment (UTC) at which the shop's wall clock shows `at` or later on `day`.

    A wall time that happens twice (autumn fold) counts from its first occurrence; one
    that never happens (spring gap) is reached when the clock jumps past it."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In the gap: fold=1 reads `wall` with the offset after the jump (an earlier
    # instant), fold=0 with the offset before it; the jump lies between them.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = 0, int((first - low).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(seconds=lo)


def digest_day_due(shop: Shop, now: datetime) -> date | None:
    """The shop's local date if its digest for that date is due at `now`, else None."""
    zone = ZoneInfo(shop.timezone)
    today = now.astimezone(zone).date()
    return today if now >= local_instant(today, shop.alert_time, zone) else None


def quiet_until(settings: AlertSettings, shop: Shop, now: datetime) -> datetime | None:
    """When the shop's quiet hours end, if `now` falls inside them."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(shop.timezone)
    local = now.astimezone(zone)
    clock, today = local.time().replace(tzinfo=None), local.date()
    if start < end:
        return local_instant(today, end, zone) if start <= clock < end else None
    if clock >= start:  # quiet hours run past midnight
        return local_instant(today + timedelta(days=1), end, zone)
    if clock < end:
        return local_instant(today, end, zone)
    return None


# -- who hears what -----------------------------------------------------------------------


def default_kinds(member: Member) -> frozenset[AlertKind]:
    return ALL_KINDS if member.is_owner else frozenset()


def kinds_of(member: Member, chosen: Mapping[int, frozenset[AlertKind]]) -> frozenset[AlertKind]:
    found = chosen.get(member.user_id)
    return found if found is not None else default_kinds(member)


def is_reorder_due(product: Product, state: ProductAlertState | None, today: date) -> bool:
    due = product.reorder_date
    if due is None or due > today:
        return False
    return state is None or state.reorder_done_for != due


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


def build_reorder_list(
    shop: Shop,
    today: date,
    products: Sequence[Product],
    states: Mapping[int, ProductAlertState],
    paces: Mapping[int, Velocity] | None = None,
) -> ReorderList:
    """Products at or below threshold, past their reorder date or running out within
    their lead time, grouped by supplier (suppliers A–Z, unknown supplier last; products
    A–Z), each with how much to order when its sales allow an estimate."""
    paces = paces or {}
    groups: dict[str, list[ReorderLine]] = defaultdict(list)
    names: dict[str, str] = {}
    for product in products:
        if product.archived:
            continue
        state = states.get(product.id)
        reasons: list[str] = []
        status = stock_status(product)
        if status is not StockStatus.OK:
            reasons.append(status.value)
        if is_reorder_due(product, state, today):
            reasons.append("reorder_due")
        pace = paces.get(product.id)
        if (
            status is StockStatus.OK
            and pace is not None
            and runs_out_within_lead_time(product, pace)
        ):
            reasons.append("running_out")
        if not reasons:
            continue
        supplier_key = product.supplier.strip().casefold()
        names.setdefault(supplier_key, product.supplier.strip())
        ordered = state is not None and state.ordered_at is not None
        suggested = (
            reorder_quantity(pace, product.on_hand, product.threshold, lead_days_of(product))
            if pace is not None
            else None
        )
        groups[supplier_key].append(
            ReorderLine(
                product,
                tuple(reasons),
                ordered,
                suggested=suggested,
                days_left=pace.days_left if pace is not None else None,
            )
        )
    ordered_groups = sorted(groups, key=lambda key: (key == "", key))
    return ReorderList(
        shop=shop,
        day=today,
        groups=tuple(
            ReorderGroup(names[key], tuple(sorted(groups[key], key=lambda line: line.product.key)))
            for key in ordered_groups
        ),
    )


# -- planning deliveries (jobs call these) ------------------------------------------------


def crossing_key(crossing_id: int, user_id: int) -> str:
    return f"crossing:{crossing_id}:{user_id}"


def digest_key(shop_id: int, day: date, user_id: int) -> str:
    return f"digest:{shop_id}:{day.isoformat()}:{user_id}"


async def _read_facts(uow: UnitOfWork, shop: Shop, today: date, now: datetime) -> ShopFacts:
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
    candidates = [
        p
        for p in await uow.products.list(shop.id)
        if p.on_hand > 0 and stock_status(p) is StockStatus.OK
    ]
    paces = await shop_paces(uow, shop, candidates, now)
    found = [
        RunningOut(p, days, lead_days_of(p))
        for p in candidates
        if runs_out_within_lead_time(p, paces[p.id]) and (days := paces[p.id].days_left) is not None
    ]
    return tuple(sorted(found, key=lambda r: (r.days_left, r.product.key)))


async def plan_crossings(uow: UnitOfWork, now: datetime, *, limit: int = 200) -> int:
    """Turn outboxed crossings into one delivery per recipient. Returns deliveries made."""
    made = 0
    async with uow:
        crossings = await uow.alert_outbox.pending(limit)
        shops: dict[int, tuple[Shop | None, AlertSettings]] = {}
        for crossing in crossings:
            await uow.alert_outbox.mark_planned(crossing.id, now)
            if crossing.shop_id not in shops:
                shop = await uow.shops.get(crossing.shop_id)
                shops[crossing.shop_id] = (shop, await uow.alert_settings.get(crossing.shop_id))
            shop, settings = shops[crossing.shop_id]
            product = await uow.products.get(crossing.shop_id, crossing.product_id)
            if shop is None or product is None or product.archived:
                continue
            state = await uow.product_alerts.get(shop.id, product.id)
            if state.muted or state.ordered_at is not None:
                continue
            members = await uow.members.list(shop.id)
            chosen = await uow.alert_settings.all_kinds(shop.id)
            blocked = await uow.recipients.blocked([m.user_id for m in members])
            not_before = quiet_until(settings, shop, now) or now
            for member in members:
                if crossing.kind not in kinds_of(member, chosen) or member.user_id in blocked:
                    continue
                snoozes = await uow.product_alerts.snoozed(shop.id, member.user_id, now)
                if product.id in snoozes:
                    continue
                delivery = Delivery(
                    id=0,
                    shop_id=shop.id,
                    user_id=member.user_id,
                    kind=DeliveryKind.CROSSING,
                    key=crossing_key(crossing.id, member.user_id),
                    not_before=not_before,
                    created_at=now,
                    crossing_id=crossing.id,
                    product_id=product.id,
                )
                made += await uow.deliveries.add(delivery)
        await uow.commit()
    return made


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
        facts = await _read_facts(uow, shop, day, now) if listening else None
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


# -- sending (jobs call these around the Notifier) ----------------------------------------


async def next_outgoing(
    uow: UnitOfWork, now: datetime, *, limit: int = 100, lease: timedelta = timedelta(minutes=2)
) -> list[Outgoing]:
    """Claim due deliveries and build their messages from the current state. A delivery
    that is no longer worth sending (restocked, muted, ordered, recipient left or blocked
    the bot, digest now empty) is closed as skipped instead."""
    outgoing: list[Outgoing] = []
    async with uow:
        claimed = await uow.deliveries.claim(now, limit, lease)
        if not claimed:
            return []
        blocked = await uow.recipients.blocked({d.user_id for d in claimed})
        facts: dict[tuple[int, date], ShopFacts] = {}
        reports: dict[tuple[int, date], WeeklyReport] = {}
        for delivery in claimed:
            message: AlertMessage | None = None
            if delivery.user_id not in blocked:
                if delivery.kind is DeliveryKind.CROSSING:
                    message = await _crossing_message(uow, delivery, now)
                elif delivery.kind is DeliveryKind.REPORT:
                    message = await report.report_message(uow, delivery, now, reports)
                else:
                    message = await _digest_message(uow, delivery, now, facts)
            if message is None:
                await uow.deliveries.finish(delivery.id, DeliveryStatus.SKIPPED, now)
            else:
                outgoing.append(Outgoing(delivery, delivery.user_id, message))
        await uow.commit()
    return outgoing


async def _listener(
    uow: UnitOfWork, shop_id: int, user_id: int
) -> tuple[Member, frozenset[AlertKind]] | None:
    member = await uow.members.get(shop_id, user_id)
    if member is None:
        return None
    chosen = await uow.alert_settings.kinds(shop_id, user_id)
    return member, chosen if chosen is not None else default_kinds(member)


async def _crossing_message(
    uow: UnitOfWork, delivery: Delivery, now: datetime
) -> CrossingAlert | None:
    if delivery.crossing_id is None:
        return None
    crossing = await uow.alert_outbox.get(delivery.crossing_id)
    if crossing is None:
        return None
    listener = await _listener(uow, delivery.shop_id, delivery.user_id)
    shop = await uow.shops.get(delivery.shop_id)
    product = await uow.products.get(delivery.shop_id, crossing.product_id)
    if listener is None or shop is None or product is None or product.archived:
        return None
    member, kinds = listener
    state = await uow.product_alerts.get(shop.id, product.id)
    snoozes = await uow.product_alerts.snoozed(shop.id, member.user_id, now)
    if crossing.kind not in kinds or state.muted or state.ordered_at is not None:
        return None
    if product.id in snoozes or stock_status(product).value != crossing.kind.value:
        return None  # snoozed, or stock has moved on since: recovered, or out now
    return CrossingAlert(
        shop=shop,
        product=product,
        kind=crossing.kind,
        on_hand=crossing.on_hand,
        crossing_id=crossing.id,
        is_owner=member.is_owner,
        reminder=delivery.key.startswith("snooze:"),
    )


async def _digest_message(
    uow: UnitOfWork, delivery: Delivery, now: datetime, cache: dict[tuple[int, date], ShopFacts]
) -> Digest | None:
    day = delivery.day
    listener = await _listener(uow, delivery.shop_id, delivery.user_id)
    shop = await uow.shops.get(delivery.shop_id)
    if day is None or listener is None or shop is None:
        return None
    if shop_today(shop, now) > day + timedelta(days=1):
        return None  # too late to be news
    member, kinds = listener
    if (shop.id, day) not in cache:
        cache[(shop.id, day)] = await _read_facts(uow, shop, day, now)
    snoozed = await uow.product_alerts.snoozed(shop.id, member.user_id, now)
    digest = build_digest(cache[(shop.id, day)], kinds, snoozed, is_owner=member.is_owner)
    return None if digest.is_empty else digest


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


async def record_outcome(
    uow: UnitOfWork, delivery: Delivery, result: SendResult, now: datetime
) -> DeliveryStatus:
    """Remember what happened to a send, so nobody sends it again (or, for a retry, so it
    goes again later). A recipient who blocked the bot is skipped from now on."""
    async with uow:
        status = DeliveryStatus.PENDING
        if result.outcome is SendOutcome.SENT:
            status = DeliveryStatus.SENT
        elif result.outcome is SendOutcome.BLOCKED:
            status = DeliveryStatus.BLOCKED
            await uow.recipients.mark_blocked(delivery.user_id, now)
        elif result.outcome is SendOutcome.FAILED:
            status = DeliveryStatus.FAILED
        attempts = delivery.attempts + 1
        if status is DeliveryStatus.PENDING and attempts >= MAX_ATTEMPTS:
            status = DeliveryStatus.FAILED
        if status is DeliveryStatus.PENDING:
            wait = (
                timedelta(seconds=result.retry_after)
                if result.retry_after is not None
                else backoff(attempts)
            )
            await uow.deliveries.retry_at(delivery.id, now + wait, attempts, result.error)
        else:
            await uow.deliveries.finish(delivery.id, status, now, result.error)
        await uow.commit()
        return status


async def defer(uow: UnitOfWork, delivery: Delivery, until: datetime) -> None:
    """Put a claimed delivery back, due at `until` (rate limits), without counting an
    attempt."""
    async with uow:
        await uow.deliveries.retry_at(delivery.id, until, delivery.attempts)
        await uow.commit()


# -- what people do with alerts (the bot calls these) -------------------------------------


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
    """Someone has ordered the product: its low/out/reorder alerts wait for the restock."""
    async with uow:
        await authorize(uow, actor)
        product = await _product(uow, actor.shop_id, product_id)
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


async def write_off_expired(
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


async def preferences(uow: UnitOfWork, actor: Actor) -> AlertPreferences:
    async with uow:
        shop, member = await authorize(uow, actor)
        chosen = await uow.alert_settings.kinds(actor.shop_id, actor.user_id)
        settings = await uow.alert_settings.get(actor.shop_id)
        states = await uow.product_alerts.for_shop(actor.shop_id)
        muted = []
        for state in states.values():
            if state.muted:
                product = await uow.products.get(actor.shop_id, state.product_id)
                if product is not None and not product.archived:
                    muted.append(product)
    return AlertPreferences(
        shop=shop,
        is_owner=member.is_owner,
        kinds=chosen if chosen is not None else default_kinds(member),
        settings=settings,
        muted=tuple(sorted(muted, key=lambda p: p.key)),
    )


async def set_kind(
    uow: UnitOfWork, actor: Actor, kind: AlertKind, enabled: bool
) -> AlertPreferences:
    """Turn one kind of alert on or off for the actor in this shop."""
    async with uow:
        _, member = await authorize(uow, actor)
        chosen = await uow.alert_settings.kinds(actor.shop_id, actor.user_id)
        kinds = chosen if chosen is not None else default_kinds(member)
        kinds = kinds | {kind} if enabled else kinds - {kind}
        await uow.alert_settings.set_kinds(actor.shop_id, actor.user_id, kinds)
        await uow.commit()
    return await preferences(uow, actor)


async def set_quiet_hours(
    uow: UnitOfWork, actor: Actor, start: time | None, end: time | None
) -> AlertSettings:
    """Owner: no pushes between `start` and `end` shop time; None/None turns them off."""
    if (start is None) != (end is None) or (start is not None and start == end):
        raise InvalidValue("Quiet hours need a start and a different end, e.g. 22:00-07:00.")
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.SET_QUIET_HOURS)
        settings = await uow.alert_settings.get(actor.shop_id)
        updated = replace(settings, quiet_start=start, quiet_end=end)
        await uow.alert_settings.save(updated)
        await uow.commit()
        return updated


async def reorder_list(uow: UnitOfWork, actor: Actor, now: datetime) -> ReorderList:
    async with uow:
        shop, _ = await authorize(uow, actor)
        today = shop_today(shop, now)
        products = await uow.products.list(shop.id)
        states = await uow.product_alerts.for_shop(shop.id)
        paces = await shop_paces(uow, shop, products, now)
    return build_reorder_list(shop, today, products, states, paces)


async def mark_reachable(uow: UnitOfWork, user_id: int) -> None:
    """The person talks to the bot again (so they unblocked it): alerts may reach them."""
    async with uow:
        await uow.recipients.mark_reachable(user_id)
        await uow.commit()
