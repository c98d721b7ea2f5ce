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
from collections import Counter, deque
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
    # Two seconds of Telegram's budget per claim. The first claim of a run is small, so
    # the first message goes out as soon as it is worded, and each next one twice the
    # last; a claim is made and worded whenever fewer than a full claim's worth wait to
    # be sent, so the senders never wait for the database while anything is due.
    batch_size: int = 60
    first_batch: int = 10
    concurrency: int = 30
    lease: timedelta = timedelta(minutes=2)
    # A wait longer than this for a chat's token puts the delivery back for later,
    # rather than holding its lease (e.g. a group chat far past 20 messages a minute).
    max_wait: float = 5.0
    stats: DispatchStats = field(default_factory=DispatchStats)
    # Senders of this process ask for the send budget one at a time, first come first
    # served: no sender starves while others poll, and none polls in vain.
    _line: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def dispatch_once(self) -> int:
        """Plan new crossings and send what is due until nothing due is left; returns how
        many were sent. One task claims and words ahead while `concurrency` senders take
        the worded messages in claim order, each as soon as the send budget allows."""
        await alert_delivery.plan_crossings(self.uow_factory(), self.clock.now())
        before = self.stats.sent
        run = _Run()
        claiming = asyncio.create_task(self._claim_ahead(run))
        senders = [asyncio.create_task(self._sender(run)) for _ in range(self.concurrency)]
        try:
            done = await asyncio.gather(claiming, *senders, return_exceptions=True)
        finally:
            for task in (claiming, *senders):
                # Claimed and not sent (the run was cancelled): its lease runs out.
                task.cancel()
        for outcome in done:
            if isinstance(outcome, BaseException):
                raise outcome
        return self.stats.sent - before

    async def _claim_ahead(self, run: _Run) -> None:
        try:
            limit = self.first_batch
            while not run.failed and (batch := await self._claim(limit)):
                for item in batch:
                    run.ready.append(item)
                run.changed.set()
                await asyncio.sleep(0)  # the senders take their first before the next claim
                # Each claim twice the last, up to a full one: the next is worded in about
                # the time the last takes to send, so the first sends start at once.
                limit = min(self.batch_size, 2 * limit)
                while len(run.ready) >= self.batch_size and not run.failed:
                    await run.wait()
        except BaseException:
            run.failed = True
            raise
        finally:
            run.claiming = False
            run.changed.set()

    async def _sender(self, run: _Run) -> None:
        while not run.failed:
            if not run.ready:
                if not run.claiming:
                    return
                await run.wait()
                continue
            item = run.ready.popleft()
            run.changed.set()
            try:
                await self._send(item)
            except BaseException:
                # The database or a bug: stop taking more (what is claimed and not sent
                # waits out its lease) and let the job log it.
                run.failed = True
                run.changed.set()
                raise

    async def _claim(self, limit: int) -> list[Outgoing]:
        return await alert_delivery.next_outgoing(
            self.uow_factory(), self.clock.now(), limit=limit, lease=self.lease
        )

    async def _turn(self, chat_id: int) -> float:
        """Take the chat's send token, waiting in line for the bot's: 0.0 when taken,
        else the (longer) wait for the chat's token or the pause. The first in line waits
        for the bot's turn however long (its window: a second at most), the others behind
        it: all of them asking and sleeping aside asked the budget again for every send."""
        async with self._line:
            while (wait := await self.budget.take(chat_id)) > 0:
                if wait > IN_LINE_WAIT and not wait.bot:
                    return wait
                await asyncio.sleep(wait)
            return 0.0

    async def _send(self, item: Outgoing) -> None:
        while (wait := await self._turn(item.chat_id)) > 0:
            self.stats.budget_waits += 1
            # A chat's token or a pause this far off: put back. Turns of the bot's rate
            # (at most its window, a second) are waited for however many there are.
            if wait > self.max_wait:
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
        finally:
            # Answered (or failed): Telegram has seen it by now, if it ever will.
            await self.budget.done(item.chat_id)
        if result.outcome is SendOutcome.RETRY and result.retry_after:
            await self.budget.pause(result.retry_after)
        self.stats.count(result.outcome, item.delivery.kind.value)
        await alert_delivery.record_outcome(
            self.uow_factory(), item.deliveries, result, self.clock.now()
        )


@dataclass
class _Run:
    """One dispatch run: the worded messages waiting in claim order, and a signal for any
    change (a message claimed or taken, the claims over, a failure)."""

    ready: deque[Outgoing] = field(default_factory=deque)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    claiming: bool = True
    failed: bool = False

    async def wait(self) -> None:
        self.changed.clear()
        await self.changed.wait()


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
