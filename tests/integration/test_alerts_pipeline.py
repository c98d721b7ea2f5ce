"""The alert pipeline on real databases (PostgreSQL and SQLite): a crossing is written in
the movement's transaction, a blocked recipient is marked, a digest goes once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute

from core import alert_audience, alerts, catalog, ledger
from core.access import Actor
from core.alert_model import AlertKind, AlertMessage, CrossingAlert, Digest, SendOutcome, SendResult
from core.catalog import ProductFields
from core.crossings import record_stock_change
from core.errors import InsufficientStock
from db.alert_models import AlertBlockedRecipientRow, AlertCrossingRow, AlertDeliveryRow
from db.models import MovementRow
from db.uow import SqlUnitOfWork
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.ratelimit import MemorySendBudget
from tests.fakes import FakeClock
from tests.integration.conftest import NOW


class Recorder:
    def __init__(self, outcome: SendOutcome = SendOutcome.SENT) -> None:
        self.outcome = outcome
        self.sent: list[tuple[int, AlertMessage]] = []

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
        self.sent.append((chat_id, message))
        return SendResult(self.outcome)


async def count(engine: AsyncEngine, column: InstrumentedAttribute[int]) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count(column))) or 0)


async def low_milk(make_uow: Callable[[], SqlUnitOfWork], owner: Actor) -> int:
    product = await catalog.add_product(
        make_uow(), owner, ProductFields(name="Milk", threshold=Decimal("5"))
    )
    await ledger.restock(
        make_uow(), owner, ledger.Restock(product.id, Decimal("10")), key="r1", now=NOW
    )
    return product.id


async def test_a_crossing_commits_with_its_movement_and_only_then(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork], owner: Actor
) -> None:
    milk = await low_milk(make_uow, owner)
    with pytest.raises(InsufficientStock):
        await ledger.remove(
            make_uow(), owner, ledger.Removal(milk, Decimal("11")), key="s0", now=NOW
        )
    assert await count(engine, AlertCrossingRow.id) == 0

    await ledger.remove(make_uow(), owner, ledger.Removal(milk, Decimal("6")), key="s1", now=NOW)
    await ledger.remove(make_uow(), owner, ledger.Removal(milk, Decimal("1")), key="s2", now=NOW)
    assert await count(engine, AlertCrossingRow.id) == 1
    assert await count(engine, MovementRow.id) == 3

    uow = make_uow()
    async with uow:  # a movement rolled back takes its crossing with it
        product = await uow.products.get_for_update(owner.shop_id, milk)
        assert product is not None
        await record_stock_change(uow, product, replace(product, on_hand=Decimal(0)), NOW)
        await uow.rollback()
    assert await count(engine, AlertCrossingRow.id) == 1


async def test_the_dispatcher_sends_a_crossing_once_and_marks_a_blocked_owner(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork], owner: Actor
) -> None:
    milk = await low_milk(make_uow, owner)
    await ledger.remove(make_uow(), owner, ledger.Removal(milk, Decimal("6")), key="s1", now=NOW)
    blocked = Recorder(SendOutcome.BLOCKED)
    clock = FakeClock(NOW)
    dispatcher = AlertDispatcher(make_uow, blocked, MemorySendBudget(), clock)
    await dispatcher.dispatch_once()
    assert [type(m) for _, m in blocked.sent] == [CrossingAlert]
    assert await count(engine, AlertBlockedRecipientRow.user_id) == 1

    await ledger.remove(make_uow(), owner, ledger.Removal(milk, Decimal("4")), key="s2", now=NOW)
    clock.advance(timedelta(seconds=5))
    await dispatcher.dispatch_once()
    assert len(blocked.sent) == 1  # skipped: the owner blocked the bot

    await alert_audience.mark_reachable(make_uow(), owner.user_id)
    assert await count(engine, AlertBlockedRecipientRow.user_id) == 0


async def test_the_digest_is_planned_and_sent_once(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork], owner: Actor
) -> None:
    await low_milk(make_uow, owner)
    await catalog.add_product(make_uow(), owner, ProductFields(name="Salt"))
    # The next day at 09:30 UTC: the default 08:00 alert time has passed, and a shop's
    # first digest waits for an alert time at least an hour after it opened (NOW).
    clock = FakeClock(NOW + timedelta(days=1))
    recorder = Recorder()
    scanner = DigestScanner(make_uow, clock)
    dispatcher = AlertDispatcher(make_uow, recorder, MemorySendBudget(), clock)
    for _ in range(3):
        await scanner.scan_once()
        await dispatcher.dispatch_once()
    digests = [m for _, m in recorder.sent if isinstance(m, Digest)]
    assert [[p.name for p in d.out] for d in digests] == [["Salt"]]
    assert await count(engine, AlertDeliveryRow.id) == 1


async def test_preferences_mute_and_quiet_hours_round_trip(
    make_uow: Callable[[], SqlUnitOfWork], owner: Actor
) -> None:
    milk = await low_milk(make_uow, owner)
    await alert_audience.set_kind(make_uow(), owner, AlertKind.LOW, False)
    await alerts.set_muted(make_uow(), owner, milk, True)
    await alert_audience.set_quiet_hours(make_uow(), owner, time(22), time(7))
    prefs = await alert_audience.preferences(make_uow(), owner)
    assert AlertKind.LOW not in prefs.kinds and AlertKind.OUT in prefs.kinds
    assert [p.id for p in prefs.muted] == [milk]
    assert (prefs.settings.quiet_start, prefs.settings.quiet_end) == (time(22), time(7))


async def test_a_digest_found_empty_when_it_is_sent_is_skipped_not_failed(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork], owner: Actor
) -> None:
    # Planning sees a low product in the shop's kept counts, not that it is muted: it
    # plans the owner's digest, which the dispatcher words, finds empty and closes.
    milk = await low_milk(make_uow, owner)
    await alerts.set_muted(make_uow(), owner, milk, True)
    await ledger.remove(make_uow(), owner, ledger.Removal(milk, Decimal("6")), key="s1", now=NOW)
    clock = FakeClock(NOW + timedelta(days=1))
    recorder = Recorder()
    dispatcher = AlertDispatcher(make_uow, recorder, MemorySendBudget(), clock)
    assert await DigestScanner(make_uow, clock).scan_once() == 1
    assert await dispatcher.dispatch_once() == 0
    assert recorder.sent == []
    assert dispatcher.stats.failed == dispatcher.stats.retried == 0
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(AlertDeliveryRow.kind, AlertDeliveryRow.status))
        ).all()
    assert [tuple(row) for row in rows] == [("digest", "skipped")]
