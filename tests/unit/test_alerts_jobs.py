"""The jobs layer over fakes: dispatcher outcomes, the in-memory send budget, the scanner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.alert_model import AlertMessage, SendOutcome, SendResult
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.ratelimit import Limits, MemorySendBudget
from jobs.scheduler import build
from tests.fakes import FakeClock, FakeStore, uow_factory
from tests.unit.shopfloor import Shopfloor, q


class RecordingNotifier:
    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.sent: list[tuple[int, AlertMessage]] = []

    async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
        self.sent.append((chat_id, message))
        return self.results.pop(0) if self.results else SendResult(SendOutcome.SENT)


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def low_milk(floor: Shopfloor) -> int:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "Milk", threshold=q(5))
    await floor.restock(owner, milk.id, 10)
    await floor.remove(owner, milk.id, 6)
    return owner.user_id


async def test_the_dispatcher_sends_a_crossing_once(store: FakeStore, floor: Shopfloor) -> None:
    owner = await low_milk(floor)
    notifier = RecordingNotifier()
    dispatcher = AlertDispatcher(uow_factory(store), notifier, MemorySendBudget(), floor.clock)
    assert await dispatcher.dispatch_once() == 1
    assert await dispatcher.dispatch_once() == 0
    assert [chat for chat, _ in notifier.sent] == [owner]


async def test_a_429_pauses_the_budget_and_retries_later(
    store: FakeStore, floor: Shopfloor, clock: FakeClock
) -> None:
    await low_milk(floor)
    ticker = Ticker()
    budget = MemorySendBudget(monotonic=ticker)
    notifier = RecordingNotifier(SendResult(SendOutcome.RETRY, retry_after=7))
    dispatcher = AlertDispatcher(uow_factory(store), notifier, budget, clock)
    assert await dispatcher.dispatch_once() == 0
    assert await budget.take(12345) == 7.0
    ticker.now = 7.0
    clock.advance(timedelta(seconds=7))
    assert await dispatcher.dispatch_once() == 1
    assert len(notifier.sent) == 2


async def test_a_403_marks_the_recipient(store: FakeStore, floor: Shopfloor) -> None:
    owner = await low_milk(floor)
    notifier = RecordingNotifier(SendResult(SendOutcome.BLOCKED))
    dispatcher = AlertDispatcher(uow_factory(store), notifier, MemorySendBudget(), floor.clock)
    await dispatcher.dispatch_once()
    assert owner in store.state.alerts.blocked
    assert dispatcher.stats.blocked == 1


async def test_a_chat_over_its_budget_is_deferred_not_waited_for(
    store: FakeStore, floor: Shopfloor
) -> None:
    owner = await low_milk(floor)
    ticker = Ticker()
    budget = MemorySendBudget(Limits(private_per_second=1 / 60), monotonic=ticker)
    assert await budget.take(owner) == 0.0  # the chat's token for this minute is spent
    dispatcher = AlertDispatcher(uow_factory(store), RecordingNotifier(), budget, floor.clock)
    dispatcher.max_wait = 1.0
    assert await dispatcher.dispatch_once() == 0
    assert dispatcher.stats.deferred == 1
    [delivery] = store.state.alerts.deliveries.values()
    assert delivery.status == "pending" and delivery.not_before > floor.clock.now()


async def test_the_memory_budget_keeps_the_bot_and_chat_rates() -> None:
    ticker = Ticker()
    budget = MemorySendBudget(Limits(burst=30), monotonic=ticker)
    assert [await budget.take(chat) for chat in range(1, 31)] == [0.0] * 30  # a burst
    assert await budget.take(31) > 0  # the 31st waits for the bot's bucket
    even = MemorySendBudget(monotonic=ticker)  # Telegram's: evenly spaced, 30 a second
    assert await even.take(1) == 0.0
    assert await even.take(2) == pytest.approx(1 / 30)
    ticker.now = 1.0
    assert await budget.take(1) == 0.0
    assert await budget.take(1) == 1.0  # one a second per private chat
    ticker.now = 2.0
    assert await budget.take(-100) == 0.0
    assert await budget.take(-100) == 3.0  # groups: 20 a minute


async def test_the_scanner_plans_a_due_digest_once(store: FakeStore, floor: Shopfloor) -> None:
    await low_milk(floor)
    floor.clock.advance(timedelta(days=1))  # a new shop's first digest is the next day's
    scanner = DigestScanner(uow_factory(store), floor.clock)
    assert await scanner.scan_once() == 1
    assert await scanner.scan_once() == 0


async def test_jobs_scan_only_on_the_leader(store: FakeStore, floor: Shopfloor) -> None:
    await low_milk(floor)

    class Follower:
        async def is_leader(self) -> bool:
            return False

        async def close(self) -> None:
            return None

    jobs = build(
        uow_factory=uow_factory(store),
        notifier=RecordingNotifier(),
        clock=floor.clock,
        leader=Follower(),
    )
    assert await jobs.scan() == 0
    assert await jobs.dispatch() == 1  # crossings are sent from every process
