"""Sending alerts and weekly reports: plan, claim, respect the send budget, send through
the Notifier, record what happened. No wording here: the Notifier (bot/) turns messages into text.

Exactly-once as far as Telegram allows: a delivery is claimed with a lease and committed
before it is sent, and its outcome is committed right after. Another process never takes
a leased delivery; a process that dies between sending and recording leaves the lease to
expire and the delivery goes once more (at-least-once in that one narrow window — the
Bot API has no idempotency key to do better).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from core import alert_delivery, digests, report
from core.alert_model import Outgoing, SendOutcome, SendResult
from core.ports import Clock, Notifier, UnitOfWork
from jobs.ratelimit import SendBudget

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    """Running totals of this process, read by /metrics."""

    sent: int = 0
    blocked: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    sent_by_kind: Counter[str] = field(default_factory=Counter)
    budget_waits: int = 0  # times a send waited for the shared send budget

    def count(self, outcome: SendOutcome, kind: str = "") -> None:
        if outcome is SendOutcome.SENT:
            self.sent += 1
            self.sent_by_kind[kind] += 1
        elif outcome is SendOutcome.BLOCKED:
            self.blocked += 1
        elif outcome is SendOutcome.RETRY:
            self.retried += 1
        else:
            self.failed += 1


# A budget wait this short is the bot's own rate (30 a second): the sender first in line
# waits for it in line. A longer one is its chat's rate or a 429's pause: it waits aside.
IN_LINE_WAIT = 0.1


@dataclass
class AlertDispatcher:
    uow_factory: Callable[[], UnitOfWork]
    notifier: Notifier
    budget: SendBudget
    clock: Clock
    # Two seconds of Telegram's budget per claim: the next batch is claimed and worded
    # while this one goes out, so the sends never stop to wait for the database.
    batch_size: int = 60
    concurrency: int = 30
    lease: timedelta = timedelta(minutes=2)
    # Waiting longer than this for a chat's token puts the delivery back for later,
    # rather than holding its lease (e.g. a group chat past 20 messages a minute).
    max_wait: float = 5.0
    stats: DispatchStats = field(default_factory=DispatchStats)
    # Senders of this process ask for the send budget one at a time, first come first
    # served: no sender starves while others poll, and none polls in vain.
    _line: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def dispatch_once(self) -> int:
        """Plan new crossings and send what is due, batch after batch until nothing due
        is left; returns how many were sent."""
        await alert_delivery.plan_crossings(self.uow_factory(), self.clock.now())
        before = self.stats.sent
        claiming = asyncio.create_task(self._claim())
        try:
            while batch := await claiming:
                claiming = asyncio.create_task(self._claim())
                await self._send_all(batch)
        finally:
            if not claiming.done():
                # Rolled back if not yet committed; if committed, its lease runs out.
                claiming.cancel()
        return self.stats.sent - before

    async def _claim(self) -> list[Outgoing]:
        return await alert_delivery.next_outgoing(
            self.uow_factory(), self.clock.now(), limit=self.batch_size, lease=self.lease
        )

    async def _send_all(self, batch: list[Outgoing]) -> None:
        gate = asyncio.Semaphore(self.concurrency)

        async def send(item: Outgoing) -> None:
            async with gate:
                await self._send(item)

        await asyncio.gather(*(send(item) for item in batch))

    async def _turn(self, chat_id: int) -> float:
        """Take the chat's send token, waiting in line for the bot's: 0.0 when taken,
        else the (longer) wait for the chat's token or the pause."""
        async with self._line:
            while (wait := await self.budget.take(chat_id)) > 0:
                if wait > IN_LINE_WAIT:
                    return wait
                await asyncio.sleep(wait)
            return 0.0

    async def _send(self, item: Outgoing) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while (wait := await self._turn(item.chat_id)) > 0:
            self.stats.budget_waits += 1
            if loop.time() - started + wait > self.max_wait:
                later = self.clock.now() + timedelta(seconds=wait)
                await alert_delivery.defer(self.uow_factory(), item.deliveries, later)
                self.stats.deferred += 1
                return
            await asyncio.sleep(wait)
        try:
            result = await self.notifier.send(item.chat_id, item.message)
        except Exception as error:  # a bug or an outage in the notifier: retry later
            log.exception("sending delivery %s failed", item.delivery.id)
            result = SendResult(SendOutcome.RETRY, error=f"{type(error).__name__}: {error}")
        if result.outcome is SendOutcome.RETRY and result.retry_after:
            await self.budget.pause(result.retry_after)
        self.stats.count(result.outcome, item.delivery.kind.value)
        await alert_delivery.record_outcome(
            self.uow_factory(), item.deliveries, result, self.clock.now()
        )


@dataclass
class DigestScanner:
    """Plans every daily digest and weekly report that is due; safe to run twice (a day,
    or a week, is claimed once)."""

    uow_factory: Callable[[], UnitOfWork]
    clock: Clock

    async def scan_once(self) -> int:
        now = self.clock.now()
        planned = 0
        planners = (
            ("digest", digests.plan_due_digests, digests.due_digests, digests.plan_digest),
            ("weekly report", report.plan_due_reports, report.due_reports, report.plan_report),
        )
        for what, plan_due, due, plan in planners:
            try:
                # Every due shop in one transaction, one query per kind of fact.
                planned += await plan_due(self.uow_factory(), now)
                continue
            except Exception:
                log.exception("planning every due %s at once failed; planning shop by shop", what)
            for shop_id, day in await due(self.uow_factory(), now):
                try:
                    planned += await plan(self.uow_factory(), shop_id, day, now)
                except Exception:  # one shop's trouble must not hold up the others
                    log.exception("planning the %s of shop %s for %s failed", what, shop_id, day)
        return planned
