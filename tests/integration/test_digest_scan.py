"""The digest scan plans, and the dispatcher delivers, what the straightforward path would,
on random shops, catalogs and ledgers, on SQLite and PostgreSQL.

Planning reads a few figures per shop (core.digests.DigestSigns: low and out counts kept
by the database, the earliest expiry and reorder date, whether anything sold) and plans a
delivery for every member who listens to a kind of line the digest may have: a superset.
The digest is worded when it is sent, from the facts of every due shop read together
(core.digests.facts_of, which estimates the pace only of products the database says were
sold in the window), and a delivery whose digest is empty is skipped. A Monday report is
planned when the database says something moved in its weeks (core.report.report_span).
The straightforward path here reads each shop on its own, estimates every in-stock product
of the catalog (core.forecast.shop_paces), builds each member's digest and each Monday
report in full, and keeps the non-empty ones: exactly those must be delivered.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from core import alert_delivery, digests, report, shop_time
from core.alert_audience import kinds_of
from core.alert_model import (
    ALL_KINDS,
    AlertKind,
    AlertMessage,
    AlertSettings,
    DeliveryKind,
    DeliveryStatus,
    DigestSigns,
    ProductAlertState,
    RunningOut,
)
from core.digests import ShopFacts, build_digest
from core.forecast import (
    SELLING_REASONS,
    lead_days_of,
    runs_out_within_lead_time,
    shop_paces,
    window_opening,
)
from core.model import Batch, Member, Movement, Product, Reason, Role, Shop
from core.shops import create_shop
from core.status import StockStatus, shop_today, stock_status
from db.alert_models import AlertDeliveryRow
from db.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # Monday evening: Tuesday in the far east
ZONES = ["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Kiritimati", "Europe/Berlin"]
_people = itertools.count(70_000)
_keys = itertools.count()

product_fields: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "on_hand": st.sampled_from([Decimal(0), Decimal(2), Decimal(6), Decimal(15), Decimal(40)]),
        "threshold": st.sampled_from([Decimal(0), Decimal(5)]),
        "archived": st.booleans(),
        "lead_days": st.none() | st.integers(1, 20),
        "reorder_in": st.none() | st.integers(-3, 3),
        "expiry_in": st.none() | st.integers(-3, 12),
        "warning_days": st.none() | st.integers(0, 10),  # else the shop's near_expiry_days
        # (hours ago, units, undone): scattered sales, or a steady seller that may run out.
        "sales": st.lists(
            st.tuples(st.integers(0, 40 * 24), st.integers(1, 9), st.booleans()), max_size=30
        )
        | st.integers(1, 6).map(lambda units: [(d * 24 + 3, units, False) for d in range(1, 30)]),
        "older": st.booleans(),  # a restock before the window
        "state": st.sampled_from(["none", "muted", "ordered", "reorder done"]),
    }
)


async def _random_shop(make_uow: MakeUow, data: st.DataObject) -> Shop:
    owner = next(_people)
    shop = await create_shop(make_uow(), owner, "Olga", f"Shop {owner}", NOW - timedelta(days=60))
    shop = replace(
        shop,
        timezone=data.draw(st.sampled_from(ZONES), label="zone"),
        alert_time=data.draw(st.sampled_from([time(0, 0), time(7, 0)]), label="alert"),
        near_expiry_days=data.draw(st.integers(0, 8), label="near expiry"),
    )
    staff = next(_people)
    async with make_uow() as uow:
        await uow.shops.update(shop)
        await uow.members.add(Member(shop.id, staff, Role.STAFF, "Sam"))
        if data.draw(st.booleans(), label="staff chose"):
            kinds = data.draw(st.frozensets(st.sampled_from(list(AlertKind))), label="kinds")
            await uow.alert_settings.set_kinds(shop.id, staff, kinds)
        if data.draw(st.booleans(), label="quiet"):
            await uow.alert_settings.save(AlertSettings(shop.id, time(22, 0), time(7, 0)))
        if data.draw(st.booleans(), label="staff blocked"):
            await uow.recipients.mark_blocked(staff, NOW)
        today = shop_today(shop, NOW)
        for index, fields in enumerate(data.draw(st.lists(product_fields, max_size=8))):
            expiry = (
                today + timedelta(days=fields["expiry_in"])
                if fields["expiry_in"] is not None and fields["on_hand"] > 0
                else None
            )
            product = await uow.products.add(
                Product(
                    id=0,
                    shop_id=shop.id,
                    name=f"p{index}",
                    on_hand=fields["on_hand"],
                    threshold=fields["threshold"],
                    archived=fields["archived"],
                    lead_days=fields["lead_days"],
                    reorder_date=(
                        today + timedelta(days=fields["reorder_in"])
                        if fields["reorder_in"] is not None
                        else None
                    ),
                    earliest_expiry=expiry,
                    expiry_warning_days=fields["warning_days"],
                )
            )
            if expiry is not None:
                received = NOW - timedelta(days=3)
                await uow.batches.add(
                    Batch(
                        id=0,
                        product_id=product.id,
                        shop_id=shop.id,
                        quantity=fields["on_hand"],
                        received_at=received,
                        expiry=expiry,
                    )
                )
            if fields["older"]:
                await _move(uow, product, Decimal(50), Reason.RESTOCK, NOW - timedelta(days=50))
            for hours_ago, units, undone in fields["sales"]:
                sale = await _move(
                    uow, product, Decimal(-units), Reason.SALE, NOW - timedelta(hours=hours_ago)
                )
                if undone:
                    await _move(uow, product, Decimal(units), Reason.UNDO, sale.created_at, sale.id)
            if fields["state"] != "none":
                await uow.product_alerts.save(
                    ProductAlertState(
                        shop.id,
                        product.id,
                        muted=fields["state"] == "muted",
                        ordered_at=NOW if fields["state"] == "ordered" else None,
                        reorder_done_for=(
                            product.reorder_date if fields["state"] == "reorder done" else None
                        ),
                    )
                )
            if data.draw(st.booleans(), label="snoozed by the owner"):
                await uow.product_alerts.snooze(
                    shop.id, owner, product.id, NOW + timedelta(hours=2)
                )
        await uow.commit()
    return shop


async def _move(
    uow: SqlUnitOfWork,
    product: Product,
    quantity: Decimal,
    reason: Reason,
    at: datetime,
    reverses_id: int | None = None,
) -> Movement:
    return await uow.movements.add(
        Movement(
            id=0,
            shop_id=product.shop_id,
            product_id=product.id,
            quantity=quantity,
            reason=reason,
            user_id=1,
            created_at=at,
            idempotency_key=f"k{next(_keys)}",
            reverses_id=reverses_id,
        )
    )


async def _straightforward_facts(uow: SqlUnitOfWork, shop: Shop, today: date) -> ShopFacts:
    """Each shop on its own; every in-stock product of the catalog estimated."""
    catalog = await uow.products.list(shop.id)
    candidates = [
        p for p in catalog if not p.archived and p.on_hand > 0 and stock_status(p) is StockStatus.OK
    ]
    paces = await shop_paces(uow, shop, candidates, NOW)
    running = [
        RunningOut(p, days, lead_days_of(p))
        for p in candidates
        if runs_out_within_lead_time(p, paces[p.id]) and (days := paces[p.id].days_left) is not None
    ]
    return ShopFacts(
        shop,
        today,
        tuple(await uow.alert_queries.attention(shop.id, today)),
        tuple(await uow.alert_queries.expiring_batches(shop.id, today, shop.near_expiry_days)),
        await uow.product_alerts.for_shop(shop.id),
        tuple(sorted(running, key=lambda r: (r.days_left, r.product.key))),
    )


async def _planned(
    uow: SqlUnitOfWork, shop_ids: set[int]
) -> dict[tuple[str, str], tuple[int, datetime]]:
    """(kind, key) -> (shop id, not before) of every delivery planned for these shops."""
    rows = await uow.session.execute(
        select(
            AlertDeliveryRow.kind,
            AlertDeliveryRow.key,
            AlertDeliveryRow.shop_id,
            AlertDeliveryRow.not_before,
        ).where(AlertDeliveryRow.shop_id.in_(shop_ids))
    )
    return {(kind, key): (shop_id, not_before) for kind, key, shop_id, not_before in rows}


async def _deliver(make_uow: MakeUow, shop_ids: set[int]) -> dict[tuple[str, str], AlertMessage]:
    """Claim and word every delivery planned for these shops at NOW, quiet hours put aside
    (so each is worded from the same state as the straightforward path read), and record
    those worded as sent: (kind, key) -> the message that would be sent."""
    async with make_uow() as uow:
        await uow.session.execute(
            update(AlertDeliveryRow)
            .where(AlertDeliveryRow.shop_id.in_(shop_ids))
            .values(not_before=NOW)
        )
        await uow.commit()
    outgoing = await alert_delivery.next_outgoing(make_uow(), NOW, limit=1000)
    async with make_uow() as uow:
        for item in outgoing:
            await uow.deliveries.finish(item.delivery.id, DeliveryStatus.SENT, NOW)
        statuses = await uow.session.scalars(
            select(AlertDeliveryRow.status).where(AlertDeliveryRow.shop_id.in_(shop_ids))
        )
        # Everything planned was claimed, and what was not worded is skipped, not failed.
        assert set(statuses) <= {DeliveryStatus.SENT.value, DeliveryStatus.SKIPPED.value}
        await uow.commit()
    return {
        (item.delivery.kind.value, item.delivery.key): item.message
        for item in outgoing
        if item.delivery.shop_id in shop_ids  # not those a failed example left pending
    }


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_the_fast_scan_plans_the_digests_and_reports_the_straightforward_one_would(
    make_uow: MakeUow, data: st.DataObject
) -> None:
    shops = [await _random_shop(make_uow, data) for _ in range(data.draw(st.integers(1, 3)))]
    expected: dict[tuple[str, str], AlertMessage] = {}
    not_before: dict[int, datetime] = {}
    async with make_uow() as uow:
        wanted = [(shop, shop_today(shop, NOW)) for shop in shops]
        fast = await digests.facts_of(uow, wanted, NOW)
        since = min(window_opening(shop, NOW) for shop in shops)
        signs = await uow.alert_queries.digest_signs([s.id for s in shops], since, SELLING_REASONS)
        for shop, today in wanted:
            slow = await _straightforward_facts(uow, shop, today)
            # What planning reads names every kind of line the digest has (a superset).
            may_say = digests.kinds_to_say(signs.get(shop.id, DigestSigns()), shop, today)
            for kind in AlertKind:
                if not build_digest(slow, frozenset({kind}), {}, is_owner=True).is_empty:
                    assert kind in may_say
            members = await uow.members.list(shop.id)
            chosen = await uow.alert_settings.all_kinds(shop.id)
            blocked = await uow.recipients.blocked([m.user_id for m in members])
            quiet = await uow.alert_settings.get(shop.id)
            not_before[shop.id] = shop_time.quiet_until(quiet, shop, NOW) or NOW
            for member in members:
                snoozed = await uow.product_alerts.snoozed(shop.id, member.user_id, NOW)
                for kinds in (ALL_KINDS, kinds_of(member, chosen)):
                    built = build_digest(fast[(shop.id, today)], kinds, snoozed, is_owner=True)
                    assert built == build_digest(slow, kinds, snoozed, is_owner=True)
                digest = build_digest(
                    slow, kinds_of(member, chosen), snoozed, is_owner=member.is_owner
                )
                due = shop_time.digest_day_due(shop, NOW) == today
                if due and not digest.is_empty and member.user_id not in blocked:
                    key = digests.digest_key(shop.id, today, member.user_id)
                    expected[(DeliveryKind.DIGEST.value, key)] = digest
                monday = report.report_week_due(shop, NOW)
                if monday is not None and member.is_owner and member.user_id not in blocked:
                    weekly = await report._weekly(uow, shop, monday, NOW)
                    if not weekly.is_empty:
                        key = report.report_key(shop.id, monday, member.user_id)
                        expected[(DeliveryKind.REPORT.value, key)] = weekly
    await digests.plan_due_digests(make_uow(), NOW)
    await report.plan_due_reports(make_uow(), NOW)
    ids = {s.id for s in shops}
    async with make_uow() as uow:
        planned = await _planned(uow, ids)
    # Planning may plan more than is sent (a digest found empty when worded), never less,
    # and each delivery waits for its shop's quiet hours to end.
    assert set(planned) >= set(expected)
    assert all(at == not_before[shop_id] for shop_id, at in planned.values())
    assert await _deliver(make_uow, ids) == expected
