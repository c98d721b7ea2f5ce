"""Every update is stored durably before it is acknowledged, then handled from the inbox.

python-telegram-bot's own webhook answers 200 before handlers run and its
`process_update` swallows handler errors; its polling confirms an offset on the next
getUpdates. Either way an update could vanish on a crash or a database error. Here the
update is first committed to the inbox (PostgreSQL or SQLite, see db.inbox), the
acknowledgement follows, and the update is handled from there:

- up to `concurrency` updates at once, never two of one chat, each chat's in the order
  they arrived — across every process sharing the database, so a slow or flooding chat
  (a group at Telegram's 20 messages a minute) holds up only itself;
- its first database commit marks it processed in the same transaction, and its lease is
  released once its replies are out, in the transaction that claims the next updates;
- our own failure (the database, a bug) retries it after a short backoff, in its chat's
  order; after MAX_ATTEMPTS the user is told and it is given up.

Handlers are idempotent on the request key, so a retry after a crash moves no stock twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError

from bot import i18n, logs, outcome, texts
from bot.context import Services, StockbotApp
from bot.handlers import language
from bot.metrics import update_kind
from db.inbox import InboxItem, Settled, marking

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Idle workers look for leases that ran out (and for updates stored by a busy process)
# this often; an update stored by this process wakes them at once.
IDLE_WAIT_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 10.0
KEEP_PROCESSED = timedelta(days=7)
# A chat whose updates keep failing is told it is being retried at most this often.
TELL_RETRYING_EVERY = timedelta(minutes=1)
PRUNE_EVERY = timedelta(hours=1)
# Updates the webhook decoded, kept for this process's worker (most are claimed here a
# moment later); those claimed elsewhere fall out past this many.
KEEP_DECODED = 1024


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 s: a passing fault clears, and the chat is not held up for long."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 30))


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat whose order an update keeps: where its replies go. A group's upgrade to a
    supergroup ("migrate_to_chat_id", sent in the old group) is ordered with the new
    supergroup, so what people write there next waits for the link to follow it."""
    for kind in ("message", "edited_message", "channel_post", "business_message"):
        message = update.get(kind)
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            migrated_to = message.get("migrate_to_chat_id")
            if isinstance(migrated_to, int):
                return migrated_to
            chat_id = message["chat"].get("id")
            return chat_id if isinstance(chat_id, int) else None
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            chat_id = message["chat"].get("id")
            return chat_id if isinstance(chat_id, int) else None
        sender = query.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


# Updates whose sender is their "from" (python-telegram-bot's effective_user).
SENT_BY_FROM = (
    "message",
    "edited_message",
    "business_message",
    "edited_business_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
)


def _sender(update: dict[str, Any]) -> dict[str, Any] | None:
    for kind in SENT_BY_FROM:
        part = update.get(kind)
        if isinstance(part, dict):
            sender = part.get("from")
            return sender if isinstance(sender, dict) else None
    return None


def sender_of(update: dict[str, Any]) -> int | None:
    """Who sent an update, when it says so where python-telegram-bot's effective_user
    looks; None otherwise (the sender's language is then read when it is handled)."""
    user_id = (_sender(update) or {}).get("id")
    return user_id if type(user_id) is int else None


def app_language_of(payload: str) -> str | None:
    """The language_code a stored update's sender's Telegram app sent with it."""
    with contextlib.suppress(ValueError):
        update = json.loads(payload)
        code = (_sender(update) or {}).get("language_code") if isinstance(update, dict) else None
        return code if isinstance(code, str) else None
    return None


def what_was_sent(payload: str) -> str | None:
    """The text of a stored update's message, to quote it back; None for a tap, a photo
    or anything unreadable."""
    with contextlib.suppress(ValueError):
        update = json.loads(payload)
        message = update.get("message") if isinstance(update, dict) else None
        text = message.get("text") if isinstance(message, dict) else None
        return text if isinstance(text, str) else None
    return None


def _to_sender(item: InboxItem) -> contextlib.AbstractContextManager[None]:
    """Speaking `item`'s sender's language: for what is said after the update's handlers
    (which may have failed before choosing it), or about an update of a process gone."""
    return i18n.speaking(language.of_sender(item.language, app_language_of(item.payload)))


def _said(item: InboxItem, message: str) -> str:
    """`message`, a constant marked N_, in `item`'s sender's language."""
    with _to_sender(item):
        return i18n._(message)


def outcome_of(settled: Settled) -> str:
    if settled.error is None:
        return "ok"
    return "retry" if settled.retry_at is not None else "failed"


class InboxProcessor:
    def __init__(self, application: StockbotApp, services: Services) -> None:
        self._application = application
        self._services = services
        self.wake = asyncio.Event()
        self._pruned_at: datetime | None = None
        self._unanswered_at: datetime | None = None
        self._settled: list[Settled] = []
        self._told_retrying: dict[int, datetime] = {}
        self._running: dict[int, asyncio.Task[None]] = {}
        # Short, and renewed while an update is handled: after a crash its update (and
        # its chat) waits at most this long for another worker or the restarted process.
        self._lease = timedelta(seconds=services.settings.inbox_lease_seconds)
        # python-telegram-bot's decoding of an update is a fair share of what handling
        # one costs: the webhook's, made to check the body, is handled if claimed here.
        self._decoded: dict[int, tuple[dict[str, Any], Update]] = {}

    @property
    def bot(self) -> Bot:
        return self._application.bot

    async def store(
        self,
        payload: str,
        update_id: int,
        decoded: dict[str, Any] | None = None,
        update: Update | None = None,
    ) -> bool:
        """Commit one incoming update (`decoded`: the payload already parsed; `update`:
        made of it for this application's bot); True when it is new."""
        if decoded is None:
            with contextlib.suppress(ValueError):
                parsed = json.loads(payload)
                decoded = parsed if isinstance(parsed, dict) else None
        chat_id = chat_of(decoded) if decoded is not None else None
        user_id = sender_of(decoded) if decoded is not None else None
        stored = await self._services.inbox.put(
            update_id, payload, self._services.clock.now(), chat_id, user_id
        )
        if stored and decoded is not None and update is not None:
            self._decoded[update_id] = (decoded, update)
            while len(self._decoded) > KEEP_DECODED:
                del self._decoded[next(iter(self._decoded))]
        self.wake.set()
        return stored

    async def run(self, stop: asyncio.Event, concurrency: int = 1) -> None:
        """Claim and handle until `stop`; then let the updates in hand finish."""
        keeper = asyncio.create_task(self._keep_leased())
        try:
            while not stop.is_set():
                self.wake.clear()
                free = concurrency - len(self._running)
                try:
                    await self._claim(free)
                    await self._prune()
                    await self._tell_unanswered()
                except Exception:
                    log.exception("the inbox could not be read; retrying")
                # A claim takes every claimable update up to `free` (one per chat, the
                # oldest): what it left is claimable only once an update finishes or a
                # new one is stored, which wakes this loop (another process's, within
                # IDLE_WAIT_SECONDS). Claiming again at once found nothing, a round trip
                # per update.
                await self._wait(stop)
        finally:
            keeper.cancel()
            await self._finish_running()

    async def _wait(self, stop: asyncio.Event) -> None:
        waiters = {asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(
            waiters, timeout=IDLE_WAIT_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()

    async def _claim(self, free: int) -> int:
        """Settle what finished and lease up to `free` more; start handling them."""
        settled, self._settled = self._settled, []
        try:
            items = await self._services.inbox.settle_and_claim(
                settled, max(free, 0), self._services.clock.now(), self._lease
            )
        except BaseException:
            self._settled[:0] = settled  # recorded next time
            raise
        for item in items:
            self._running[item.update_id] = asyncio.create_task(
                self._handle(item), name=f"update-{item.update_id}"
            )
        return len(items)

    async def _finish_running(self) -> None:
        """A stop (SIGTERM) lets the updates in hand finish first: their replies may be
        out already, and an update answered but not released would wait for its lease."""
        if self._running:
            _, late = await asyncio.wait(
                set(self._running.values()), timeout=SHUTDOWN_GRACE_SECONDS
            )
            for task in late:
                log.warning("update %s was not finished before the stop", task.get_name())
                task.cancel()
        with contextlib.suppress(Exception):
            await self._claim(0)

    async def _handle(self, item: InboxItem) -> None:
        update: Update | None = None
        decoded: dict[str, Any] | None = None
        now = self._services.clock.now()
        started = time.perf_counter()
        # Each update runs in a task of its own: what is bound here stays with it.
        logs.bind(update_id=item.update_id, chat_id=item.chat_id)
        try:
            with (
                outcome.handling(item.update_id) as result,
                marking(item.update_id, now) as receipt,
                language.known(item.user_id, item.language),
            ):
                try:
                    kept = self._decoded.pop(item.update_id, None)
                    if kept is not None:
                        decoded, update = kept
                    else:
                        decoded = json.loads(item.payload)
                        update = Update.de_json(decoded, self._application.bot)
                    # The error handler records our own failures in `result` (bot.outcome).
                    await self._application.process_update(update)
                except Exception as exc:  # a bad payload must not block the inbox
                    log.exception("update %s could not be processed", item.update_id)
                    result.fail(exc)
            settled = await self._settle(item, result.error, receipt.marked, update)
            self._settled.append(settled)
            kind, result_of, took = (
                update_kind(decoded if isinstance(decoded, dict) else item.payload),
                outcome_of(settled),
                time.perf_counter() - started,
            )
            self._services.metrics.handled(kind, result_of, took)
            log.info("%s handled: %s in %.0f ms", kind, result_of, took * 1000)
        finally:
            self._running.pop(item.update_id, None)
            self.wake.set()

    async def _settle(
        self, item: InboxItem, error: str | None, committed: bool, update: Update | None
    ) -> Settled:
        if error is None:
            return Settled(item.update_id)
        attempts = item.attempts + 1
        if committed or attempts >= MAX_ATTEMPTS:
            # Its effect committed (running it again could repeat it), or it keeps failing.
            log.error("update %s given up after %s attempts: %s", item.update_id, attempts, error)
            await self._apologize(item, update)
            return Settled(item.update_id, error)
        await self._tell_retrying(item, update)
        return Settled(item.update_id, error, self._services.clock.now() + retry_delay(attempts))

    async def _keep_leased(self) -> None:
        """Long handlers (an export, a reply waiting for a group's rate limit) keep their
        updates, and so their chats, to themselves."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self._services.inbox.extend(
                    list(self._running), self._services.clock.now() + self._lease
                )
            except Exception:
                log.warning("could not extend the leases", exc_info=True)

    async def _prune(self) -> None:
        now = self._services.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        if removed := await self._services.inbox.prune(now - KEEP_PROCESSED):
            log.info("forgot %s updates processed over a week ago", removed)

    async def _tell_unanswered(self) -> None:
        """Updates a dead process recorded but never confirmed (db.inbox): each chat is
        told the change was made. Looked for once a lease, the soonest one can run out."""
        now = self._services.clock.now()
        if self._unanswered_at is not None and now - self._unanswered_at < self._lease:
            return
        self._unanswered_at = now
        for item in await self._services.inbox.release_unanswered(now):
            if item.chat_id is None:
                continue
            with _to_sender(item):
                told = texts.recorded_unanswered(what_was_sent(item.payload))
            try:
                await self._application.bot.send_message(item.chat_id, told)
            except TelegramError:
                log.warning("could not tell chat %s its update was recorded", item.chat_id)

    async def _tell_retrying(self, item: InboxItem, update: Update | None) -> None:
        """While the database is down a reply can be 20 s late: the person is told it is
        coming, rather than sending it again (once a minute per chat)."""
        chat = update.effective_chat if update is not None else None
        if chat is None:
            return
        now = self._services.clock.now()
        told = self._told_retrying.get(chat.id)
        if told is not None and now - told < TELL_RETRYING_EVERY:
            return
        self._told_retrying = {
            c: at for c, at in self._told_retrying.items() if now - at < TELL_RETRYING_EVERY
        }
        self._told_retrying[chat.id] = now
        try:
            await self._application.bot.send_message(chat.id, _said(item, texts.RETRYING))
        except TelegramError:
            log.warning("could not tell chat %s its update is being retried", chat.id)

    async def _apologize(self, item: InboxItem, update: Update | None) -> None:
        chat = update.effective_chat if update is not None else None
        if chat is None:
            return
        try:
            await self._application.bot.send_message(chat.id, _said(item, texts.UNEXPECTED_ERROR))
        except TelegramError:
            log.warning("could not tell chat %s about a failed update", chat.id)
