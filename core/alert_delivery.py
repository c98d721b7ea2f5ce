"""Delivering alerts: crossings planned into one delivery per recipient, due deliveries
claimed and worded from the current state, and what became of each send.

A *crossing* (a movement took a product to or below its threshold, or to zero) is
outboxed with the movement (core/crossings.py). The jobs layer claims due deliveries,
sends them through a `Notifier` and records the outcome here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from core import report
from core.alert_audience import default_kinds, kinds_of
from core.alert_model import (
    AlertKind,
    AlertMessage,
    AlertSettings,
    CrossingAlert,
    CrossingAlerts,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Digest,
    Outgoing,
    SendOutcome,
    SendResult,
)
from core.digests import build_digest, facts_of
from core.model import Member, Shop
from core.ports import UnitOfWork
from core.report_model import WeeklyReport
from core.shop_time import quiet_until
from core.status import shop_today, stock_status

MAX_ATTEMPTS = 8


MAX_BACKOFF = timedelta(hours=1)
# A digest not sent by the end of the day after its own is no longer news.
LATE_DIGEST = timedelta(days=1)


def crossing_key(crossing_id: int, user_id: int) -> str:
    return f"crossing:{crossing_id}:{user_id}"


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
        worded = await _digests(uow, [d for d in claimed if d.user_id not in blocked], now)
        reports: dict[tuple[int, date], WeeklyReport] = {}
        for delivery in claimed:
            message: AlertMessage | None = None
            if delivery.user_id not in blocked:
                if delivery.kind is DeliveryKind.CROSSING:
                    message = await _crossing_message(uow, delivery, now)
                elif delivery.kind is DeliveryKind.REPORT:
                    message = await report.report_message(uow, delivery, now, reports)
                else:
                    message = worded.get(delivery.id)
            if message is None:
                await uow.deliveries.finish(delivery.id, DeliveryStatus.SKIPPED, now)
            else:
                outgoing.append(Outgoing(delivery, delivery.user_id, message))
        await uow.commit()
    return together(outgoing)


def together(outgoing: Sequence[Outgoing]) -> list[Outgoing]:
    """Crossings of one shop claimed together for one person go as one message, where
    the first of them stood: a stocktake that leaves 25 products low is one alert, not
    25 pushes at one a second."""
    crossings: dict[tuple[int, int], list[Outgoing]] = {}
    for item in outgoing:
        if isinstance(item.message, CrossingAlert) and not item.message.reminder:
            crossings.setdefault((item.chat_id, item.message.shop.id), []).append(item)
    grouped: list[Outgoing] = []
    for item in outgoing:
        if not isinstance(item.message, CrossingAlert) or item.message.reminder:
            grouped.append(item)
            continue
        same = crossings[(item.chat_id, item.message.shop.id)]
        if len(same) == 1:
            grouped.append(item)
        elif same[0] is item:
            # A product that crossed twice since the last send is told of once.
            latest = {a.product.id: a for i in same if isinstance(a := i.message, CrossingAlert)}
            alerts = tuple(latest.values())
            message: AlertMessage = (
                alerts[0]
                if len(alerts) == 1
                else CrossingAlerts(item.message.shop, alerts, item.message.is_owner)
            )
            others = tuple(i.delivery for i in same[1:])
            grouped.append(Outgoing(item.delivery, item.chat_id, message, others))
    return grouped


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


async def _digests(
    uow: UnitOfWork, claimed: Sequence[Delivery], now: datetime
) -> dict[int, Digest]:
    """delivery id -> its digest as it stands now, for each digest in a claimed batch still
    worth sending: the recipient is still a member, it is not too late to be news, and it
    is not empty. Read together (one query per kind of fact for the whole batch)."""
    wanted = [d for d in claimed if d.kind is DeliveryKind.DIGEST and d.day is not None]
    if not wanted:
        return {}
    shop_ids = {d.shop_id for d in wanted}
    shops = await uow.alert_queries.shops(shop_ids)
    members = {
        (m.shop_id, m.user_id): m
        for listed in (await uow.alert_queries.members(shop_ids)).values()
        for m in listed
    }
    chosen = await uow.alert_settings.kinds_of_shops(shop_ids)
    snoozes = await uow.product_alerts.snoozed_in(shop_ids, now)
    days = {
        (d.shop_id, d.day)
        for d in wanted
        if d.day is not None
        and d.shop_id in shops
        and shop_today(shops[d.shop_id], now) <= d.day + LATE_DIGEST
    }
    facts = await facts_of(uow, [(shops[shop_id], day) for shop_id, day in days], now)
    worded: dict[int, Digest] = {}
    for delivery in wanted:
        member = members.get((delivery.shop_id, delivery.user_id))
        found = facts.get((delivery.shop_id, delivery.day)) if delivery.day else None
        if member is None or found is None:
            continue  # left the shop, or too late to be news
        digest = build_digest(
            found,
            kinds_of(member, chosen.get(delivery.shop_id, {})),
            snoozes.get((delivery.shop_id, delivery.user_id), {}),
            is_owner=member.is_owner,
        )
        if not digest.is_empty:
            worded[delivery.id] = digest
    return worded


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


async def record_outcome(
    uow: UnitOfWork, sent: Delivery | Sequence[Delivery], result: SendResult, now: datetime
) -> DeliveryStatus:
    """Remember what happened to a send, so nobody sends it again (or, for a retry, so it
    goes again later). A recipient who blocked the bot is skipped from now on. Several
    deliveries sent as one message share its outcome, in one transaction."""
    deliveries = [sent] if isinstance(sent, Delivery) else list(sent)
    async with uow:
        status = DeliveryStatus.PENDING
        if result.outcome is SendOutcome.SENT:
            status = DeliveryStatus.SENT
        elif result.outcome is SendOutcome.BLOCKED:
            status = DeliveryStatus.BLOCKED
            await uow.recipients.mark_blocked(deliveries[0].user_id, now)
        elif result.outcome is SendOutcome.FAILED:
            status = DeliveryStatus.FAILED
        for delivery in deliveries:
            await _record(uow, delivery, status, result, now)
        await uow.commit()
        return status


async def _record(
    uow: UnitOfWork,
    delivery: Delivery,
    status: DeliveryStatus,
    result: SendResult,
    now: datetime,
) -> None:
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


async def defer(uow: UnitOfWork, deliveries: Sequence[Delivery], until: datetime) -> None:
    """Put claimed deliveries back, due at `until` (rate limits), without counting an
    attempt."""
    async with uow:
        for delivery in deliveries:
            await uow.deliveries.retry_at(delivery.id, until, delivery.attempts)
        await uow.commit()
