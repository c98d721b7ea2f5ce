"""Every update is stored durably before it is acknowledged, then handled from the inbox.

python-telegram-bot's own webhook answers 200 before handlers run and its
`process_update` swallows handler errors; its polling confirms an offset on the next
getUpdates. Either way an update could vanish on a crash or a database error. Here the
update is first committed to the inbox (PostgreSQL or SQLite), the acknowledgement
follows, and the update is marked done only after its handler finished. Handlers are
idempotent on the update id, so a retry after a crash moves no stock twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

from telegram import Update
from telegram.error import TelegramError

from bot import outcome, texts
from bot.context import Services, StockbotApp

log = logging.getLogger(__name__)

# One at a time: the lease covers only the update being handled, so it cannot run out
# while the update waits behind others, and a crash strands only that one.
CLAIM_BATCH = 1
# Short, and renewed while an update is handled: after a crash its update waits at most
# this long for another worker or the restarted process.
LEASE = timedelta(seconds=20)
MAX_ATTEMPTS = 5
IDLE_WAIT_SECONDS = 5.0
SHUTDOWN_GRACE_SECONDS = 10.0
KEEP_PROCESSED = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)


class InboxProcessor:
    def __init__(self, application: StockbotApp, services: Services) -> None:
        self._application = application
        self._services = services
        self.wake = asyncio.Event()
        self._pruned_at: datetime | None = None

    async def store(self, payload: str, update_id: int) -> bool:
        """Commit one incoming update; True when it is new."""
        stored = await self._services.inbox.put(update_id, payload, self._services.clock.now())
        self.wake.set()
        return stored

    async def drain(self) -> int:
        """Handle everything claimable now; returns how many updates were handled."""
        handled = 0
        while True:
            items = await self._services.inbox.claim(CLAIM_BATCH, self._services.clock.now(), LEASE)
            if not items:
                return handled
            for item in items:
                await self._finish(item.update_id, item.payload, item.attempts)
                handled += 1

    async def _finish(self, update_id: int, payload: str, attempts: int) -> None:
        """Handle one update. A stop (SIGTERM cancels this task) lets the update in hand
        finish first: its reply may be out already, and an update answered but not marked
        done would be answered again after the restart."""
        handling = asyncio.ensure_future(self._handle(update_id, payload, attempts))
        try:
            await asyncio.shield(handling)
        except asyncio.CancelledError:
            try:
                await asyncio.wait_for(handling, SHUTDOWN_GRACE_SECONDS)
            except Exception:
                log.warning("update %s was not finished before the stop", update_id)
            raise

    async def _handle(self, update_id: int, payload: str, attempts: int) -> None:
        inbox = self._services.inbox
        update: Update | None = None
        keeper = asyncio.create_task(self._keep_leased(update_id))
        with outcome.handling(update_id) as result:
            try:
                update = Update.de_json(json.loads(payload), self._application.bot)
                # The error handler records our own failures in `result` (bot.outcome).
                await self._application.process_update(update)
            except Exception as exc:  # a bad payload must not block the inbox
                log.exception("update %s could not be processed", update_id)
                result.fail(exc)
            finally:
                keeper.cancel()
        error = result.error
        now = self._services.clock.now()
        if error is None:
            await inbox.done(update_id, now)
        elif attempts + 1 >= MAX_ATTEMPTS:
            log.error("update %s given up after %s attempts: %s", update_id, attempts + 1, error)
            await inbox.failed(update_id, error, now)
            await inbox.done(update_id, now)
            await self._apologize(update)
        else:
            await inbox.failed(update_id, error, now)

    async def _keep_leased(self, update_id: int) -> None:
        """A long handler (an export, a slow reply) keeps its update to itself."""
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            try:
                await self._services.inbox.extend(update_id, self._services.clock.now() + LEASE)
            except Exception:
                log.warning("could not extend the lease of update %s", update_id, exc_info=True)

    async def _prune(self) -> None:
        now = self._services.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        if removed := await self._services.inbox.prune(now - KEEP_PROCESSED):
            log.info("forgot %s updates processed over a week ago", removed)

    async def _apologize(self, update: Update | None) -> None:
        chat = update.effective_chat if update is not None else None
        if chat is None:
            return
        try:
            await self._application.bot.send_message(chat.id, texts.UNEXPECTED_ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about a failed update", chat.id)

    async def run(self, stop: asyncio.Event, workers: int = 1) -> None:
        """Drain whenever woken, and every few seconds to pick up expired leases.

        One worker keeps each chat's updates in order; more workers claim disjoint rows
        and raise throughput when handlers wait on I/O, at the cost of that order."""
        await asyncio.gather(*(self._work(stop) for _ in range(workers)))

    async def _work(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.drain()
                await self._prune()
            except Exception:
                log.exception("the inbox could not be read; retrying")
            waiters = {asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=IDLE_WAIT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
