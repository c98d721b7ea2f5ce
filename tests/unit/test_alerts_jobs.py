"""The jobs layer over fakes: dispatcher outcomes, the in-memory send budget, the scanner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.alert_model import AlertMessage, SendOutcome, SendResult
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.ratelimit import IN_FLIGHT_POLL, Limits, MemorySendBudget, Wait
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


async def test_the_first_message_goes_out_before_the_rest_is_claimed(
    store: FakeStore, floor: Shopfloor
) -> None:
    for _ in range(25):  # 25 chats, one alert each
        await low_milk(floor)
    claimed_at_first_send: list[int] = []

    class Watching(RecordingNotifier):
        async def send(self, chat_id: int, message: AlertMessage) -> SendResult:
            if not self.sent:
                deliveries = store.state.alerts.deliveries.values()
                claimed = [d for d in deliveries if d.lease_until or d.status != "pending"]
                claimed_at_first_send.append(len(claimed))
            return await super().send(chat_id, message)

    notifier = Watching()
    budget = MemorySendBudget(Limits(private_per_second=1000, burst=30))
    dispatcher = AlertDispatcher(uow_factory(store), notifier, budget, floor.clock)
    assert await dispatcher.dispatch_once() == 25
    # A first claim of 10 (then 20): the sends begin while the rest is claimed and worded.
    assert claimed_at_first_send == [dispatcher.first_batch] == [10]


async def test_waiting_turns_of_the_bots_rate_defers_nothing(
    store: FakeStore, floor: Shopfloor
) -> None:
    for _ in range(6):  # six chats, one alert each
        await low_milk(floor)
    # Two sends in any 0.3 s: the last two wait two turns of 0.3 s.
    budget = MemorySendBudget(Limits(burst=30, window_sends=2, window=0.3))
    dispatcher = AlertDispatcher(uow_factory(store), RecordingNotifier(), budget, floor.clock)
    dispatcher.max_wait = 0.5  # for a chat's token or a pause, not for the bot's turns
    assert await dispatcher.dispatch_once() == 6
    assert dispatcher.stats.deferred == 0


async def test_senders_wait_for_the_bots_turn_in_line(store: FakeStore, floor: Shopfloor) -> None:
    for _ in range(6):  # six chats, one alert each
        await low_milk(floor)

    class Counting(MemorySendBudget):
        asked = 0

        async def take(self, chat_id: int) -> Wait:
            self.asked += 1
            return await super().take(chat_id)

    # Two sends in any 0.3 s: each pair waits its turn of the bot's window.
    budget = Counting(Limits(burst=30, window_sends=2, window=0.3))
    dispatcher = AlertDispatcher(uow_factory(store), RecordingNotifier(), budget, floor.clock)
    assert await dispatcher.dispatch_once() == 6
    # One ask per send and one per turn waited, not one per sender per turn: before, each
    # of the senders waiting left the line, slept and asked again (12 asks here).
    assert budget.asked <= 6 + 4


async def test_the_memory_budget_keeps_the_bot_and_chat_rates() -> None:
    ticker = Ticker()
    budget = MemorySendBudget(Limits(burst=30), monotonic=ticker)
    assert [await budget.take(chat) for chat in range(1, 31)] == [0.0] * 30  # a burst
    assert await budget.take(31) > 0  # the 31st waits for the bot's bucket
    for chat in range(1, 31):
        await budget.done(chat)
    ticker.now = 1.005  # and for the window of its 30 to slide past their answers
    assert await budget.take(1) == 0.0
    assert await budget.take(1) == 1.0  # one a second per private chat
    ticker.now = 2.04
    assert await budget.take(-100) == 0.0
    assert await budget.take(-100) == 3.0  # groups: 20 a minute


async def test_the_memory_budget_counts_the_bot_in_sliding_windows() -> None:
    ticker = Ticker()
    budget = MemorySendBudget(monotonic=ticker)  # Telegram's
    # Five at once at most: a sender late for its turn catches up, no more.
    assert [await budget.take(chat) for chat in range(1, 6)] == [0.0] * 5
    assert await budget.take(6) == pytest.approx(1 / 30)
    chats = list(range(1, 6))
    while len(chats) < 30:  # then 30 a second
        ticker.now += 1 / 30
        if await budget.take(100 + len(chats)) == 0.0:
            chats.append(100 + len(chats))
    # A window of 30 still on their way: the 31st asks again in a moment, however long
    # ago they were granted and however full the bucket.
    ticker.now = 5.0
    assert await budget.take(200) == IN_FLIGHT_POLL
    # Answered at 5.0: in the window one second (and 5 ms) more.
    for chat in chats:
        await budget.done(chat)
    assert await budget.take(200) == pytest.approx(1.005)
    ticker.now = 6.005
    assert await budget.take(200) == 0.0


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
