"""Registers the alert jobs on python-telegram-bot's JobQueue (APScheduler underneath).

- `alerts.dispatch`, every couple of seconds on every process: plans new threshold
  crossings and sends due deliveries. Safe everywhere at once: crossings and deliveries
  are claimed with `SKIP LOCKED` and leases, and the send budget is shared through Redis.
- `alerts.scan`, every minute on the leader only: plans the daily digests that are due.
  Planning is idempotent anyway (a shop's day is claimed once, deliveries are unique), so
  the leader lock keeps the work in one place rather than guarding correctness.

Built and scheduled by the composition root (bot.bootstrap, `Stockbot.open`), which
closes them again on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.ports import Clock, Notifier, UnitOfWork
from jobs.dispatcher import AlertDispatcher, DigestScanner
from jobs.leader import Leadership, SoleInstance
from jobs.ratelimit import MemorySendBudget, SendBudget

log = logging.getLogger(__name__)

DISPATCH_EVERY = 2.0  # seconds: a crossing reaches its owners within a few seconds
SCAN_EVERY = 60.0  # seconds: a digest goes out within a minute of its alert time


@dataclass
class AlertJobs:
    dispatcher: AlertDispatcher
    scanner: DigestScanner
    leader: Leadership
    _dispatching: asyncio.Lock = field(default_factory=asyncio.Lock)
    _scanning: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def dispatch(self) -> int:
        if self._dispatching.locked():
            return 0  # the previous run is still sending
        async with self._dispatching:
            return await self.dispatcher.dispatch_once()

    async def scan(self) -> int:
        if self._scanning.locked() or not await self.leader.is_leader():
            return 0
        async with self._scanning:
            return await self.scanner.scan_once()

    async def dispatch_job(self, _context: Any) -> None:
        try:
            await self.dispatch()
        except Exception:  # keep the job alive; the next run retries
            log.exception("alert dispatch failed")

    async def scan_job(self, _context: Any) -> None:
        try:
            await self.scan()
        except Exception:
            log.exception("digest scan failed")

    async def close(self) -> None:
        await self.leader.close()


def build(
    *,
    uow_factory: Callable[[], UnitOfWork],
    notifier: Notifier,
    clock: Clock,
    budget: SendBudget | None = None,
    leader: Leadership | None = None,
) -> AlertJobs:
    return AlertJobs(
        dispatcher=AlertDispatcher(uow_factory, notifier, budget or MemorySendBudget(), clock),
        scanner=DigestScanner(uow_factory, clock),
        leader=leader or SoleInstance(),
    )


def install(
    application: Any,
    *,
    uow_factory: Callable[[], UnitOfWork],
    notifier: Notifier,
    clock: Clock,
    budget: SendBudget | None = None,
    leader: Leadership | None = None,
    dispatch_every: float = DISPATCH_EVERY,
    scan_every: float = SCAN_EVERY,
) -> AlertJobs:
    """Build the alert jobs and schedule them on `application.job_queue`."""
    jobs = build(
        uow_factory=uow_factory, notifier=notifier, clock=clock, budget=budget, leader=leader
    )
    queue = application.job_queue
    if queue is None:
        raise RuntimeError(
            "the Application has no JobQueue: install python-telegram-bot[job-queue]"
        )
    options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    queue.run_repeating(
        jobs.dispatch_job,
        interval=dispatch_every,
        first=1.0,
        name="alerts.dispatch",
        job_kwargs=options,
    )
    # The first scan waits one interval too: a process just started (or one of several
    # started together) has nothing due that a minute changes, and a scan racing the
    # first commands would report a shop half set up.
    queue.run_repeating(
        jobs.scan_job,
        interval=scan_every,
        first=scan_every,
        name="alerts.scan",
        job_kwargs=options,
    )
    return jobs
