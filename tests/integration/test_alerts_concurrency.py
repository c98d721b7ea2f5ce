"""Several bot processes on one PostgreSQL: each digest and weekly report goes out exactly
once, and one process at a time holds the scan leadership."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core import catalog, ledger, shops
from core.access import Actor
from core.alert_model import AlertMessage, Digest, SendOutcome, SendResult
from core.catalog import ProductFields
from core.ledger import Restock
from core.report_model import WeeklyReport
from db.uow import SqlUnitOfWork
from jobs.leader import PostgresLeader
from jobs.ratelimit import MemorySendBudget
from jobs.scheduler import build
from tests.fakes import FakeClock
from tests.integration.conftest import NOW

SHOPS = 12


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[int, AlertMessage]] = []

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
        await asyncio.sleep(0.001)  # let the other process interleave
        self.sent.append((chat_id, message))
        return SendResult(SendOutcome.SENT)


async def open_shops(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    for number in range(SHOPS):
        owner_id = 5000 + number
        shop = await shops.create_shop(make_uow(), owner_id, "Owner", f"Shop {number}", NOW)
        owner = Actor(owner_id, shop.id)
        await catalog.add_product(
            make_uow(), owner, ProductFields(name="Salt", threshold=Decimal("1"))
        )


async def test_two_schedulers_send_each_digest_exactly_once(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await open_shops(make_uow)
    recorder = Recorder()
    # The next day: a shop's first digest waits for an alert time at least an hour after
    # it opened (NOW).
    clock = FakeClock(NOW + timedelta(days=1))
    budget = MemorySendBudget()
    first = build(
        uow_factory=make_uow,
        notifier=recorder,
        clock=clock,
        budget=budget,
        leader=PostgresLeader(engine),
    )
    second = build(
        uow_factory=make_uow,
        notifier=recorder,
        clock=clock,
        budget=budget,
        leader=PostgresLeader(engine),
    )
    try:
        for _ in range(3):
            # The leader scans; the scanners are also run directly on both, past the
            # leader lock, to show planning itself never duplicates.
            await asyncio.gather(
                first.scan(),
                second.scan(),
                first.scanner.scan_once(),
                second.scanner.scan_once(),
            )
            await asyncio.gather(first.dispatch(), second.dispatch())
    finally:
        await first.close()
        await second.close()
    digests = Counter(
        (chat, message.day) for chat, message in recorder.sent if isinstance(message, Digest)
    )
    assert len(digests) == SHOPS
    assert set(digests.values()) == {1}


async def test_two_schedulers_send_each_weekly_report_exactly_once(
    engine: AsyncEngine, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # past the shops' 08:00 alert time
    for number in range(SHOPS):
        owner_id = 6000 + number
        shop = await shops.create_shop(
            make_uow(), owner_id, "Owner", f"Shop {number}", monday - timedelta(days=8)
        )
        owner = Actor(owner_id, shop.id)
        salt = await catalog.add_product(make_uow(), owner, ProductFields(name="Salt"))
        await ledger.restock(
            make_uow(),
            owner,
            Restock(salt.id, Decimal("5")),
            key=f"r{number}",
            now=monday - timedelta(days=3),
        )
    recorder = Recorder()
    clock = FakeClock(monday)
    jobs = [
        build(
            uow_factory=make_uow,
            notifier=recorder,
            clock=clock,
            budget=MemorySendBudget(),
            leader=PostgresLeader(engine),
        )
        for _ in range(2)
    ]
    try:
        for _ in range(3):
            await asyncio.gather(*(job.scanner.scan_once() for job in jobs * 2))
            await asyncio.gather(*(job.dispatch() for job in jobs))
    finally:
        for job in jobs:
            await job.close()
    reports = Counter(chat for chat, message in recorder.sent if isinstance(message, WeeklyReport))
    assert sorted(reports) == [6000 + number for number in range(SHOPS)]
    assert set(reports.values()) == {1}


async def test_one_leader_at_a_time_and_a_successor_when_it_goes(engine: AsyncEngine) -> None:
    first, second = PostgresLeader(engine, key=4242), PostgresLeader(engine, key=4242)
    try:
        assert await first.is_leader()
        assert await first.is_leader()  # keeps it
        assert not await second.is_leader()
        await first.close()  # a crash closes the session the same way
        assert await second.is_leader()
        assert not await first.is_leader()
    finally:
        await first.close()
        await second.close()
