"""Helpers for e2e tests of alerts: telling the bot's pushes (crossing alerts, digests)
apart from its replies in the same chat, holding off the digest scan while a shop is set
up, and reading the alert tables.

Pushes arrive whenever the dispatcher runs, so a chat's messages interleave replies and
pushes; `ask` waits for the reply to a command and `Pushes.next` for the next push,
each skipping the other kind.
"""

# Waiting helpers take a timeout argument, like the LocalBotApi they wrap.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from devtools.localapi import ChatMessage, EventKind, LocalBotApi
from jobs.leader import SCAN_LOCK_KEY
from tests.e2e.harness import REPLY_TIMEOUT, Books, Chat

PUSH_TIMEOUT = 15.0
# Fast jobs: a crossing is pushed within a second, a due digest planned within one.
FAST_ALERTS = {"ALERT_DISPATCH_SECONDS": "0.5", "ALERT_SCAN_SECONDS": "1"}


def is_crossing_alert(message: ChatMessage) -> bool:
    """A low/out push: it comes with a Snooze button (until that button is used), or
    several products' at once."""
    several = message.shown_text.split("\n", 1)[0].endswith("just ran low or out")
    return several or any((b.callback_data or "").startswith("al:snz:") for b in message.buttons)


def is_digest(message: ChatMessage) -> bool:
    return message.shown_text.startswith("☀️")


def is_push(message: ChatMessage) -> bool:
    return is_crossing_alert(message) or is_digest(message)


def sent_to(api: LocalBotApi, chat_id: int, after: int = 0) -> list[ChatMessage]:
    """Every message the bot sent to the chat (as sent) after the first `after` events."""
    return [
        event.message
        for event in api.events[after:]
        if event.kind is EventKind.SENT and event.chat_id == chat_id and event.message
    ]


async def ask(chat: Chat, text: str, timeout: float = REPLY_TIMEOUT) -> ChatMessage:
    """Send `text` and return the bot's reply, skipping any push that comes meanwhile."""
    mark = len(chat.api.events)
    await chat.send(text)
    return await _reply_after(chat, mark, f"no reply to {text!r}", timeout)


async def tap(chat: Chat, message: ChatMessage, label: str) -> ChatMessage:
    """Press a button that answers with a new message; that message (pushes skipped)."""
    mark = len(chat.api.events)
    await chat.press(message, label)
    return await _reply_after(chat, mark, f"no new message after tapping {label!r}")


async def _reply_after(
    chat: Chat, mark: int, what: str, timeout: float = REPLY_TIMEOUT
) -> ChatMessage:
    def reply() -> ChatMessage | None:
        found = [m for m in sent_to(chat.api, chat.chat_id, mark) if not is_push(m)]
        return found[0] if found else None

    try:
        await chat.api.wait_for(lambda: reply() is not None, timeout)
    except TimeoutError:
        raise TimeoutError(f"{what} in chat {chat.chat_id}") from None
    found = reply()
    assert found is not None
    return found


async def refusal(chat: Chat, data: str, on: ChatMessage) -> str:
    """Tap forged callback `data` under the bot's message `on`; what the user was told:
    the alert on the button, or (when the tap was acknowledged first) the next reply."""
    mark = len(chat.api.events)
    answer = await chat.answer(await chat.forge(on, data))
    if answer.show_alert and answer.text:
        return answer.text
    return (await _reply_after(chat, mark, f"no refusal of {data!r}")).shown_text


@dataclass
class Pushes:
    """The pushes to one chat, taken in order: `next()` returns the first one not taken."""

    api: LocalBotApi
    chat_id: int
    taken: int = 0

    def all(self) -> list[ChatMessage]:
        return [m for m in sent_to(self.api, self.chat_id) if is_push(m)]

    def untaken(self) -> list[ChatMessage]:
        return self.all()[self.taken :]

    async def next(self, timeout: float = PUSH_TIMEOUT) -> ChatMessage:
        try:
            await self.api.wait_for(lambda: len(self.all()) > self.taken, timeout)
        except TimeoutError:
            raise TimeoutError(f"no push to chat {self.chat_id} within {timeout}s") from None
        message = self.all()[self.taken]
        self.taken += 1
        return message


@contextlib.asynccontextmanager
async def scans_held_off(database_url: str) -> AsyncIterator[None]:
    """Hold the leader lock of the alert scans for the block, so no bot process plans a
    digest while the test sets up a shop (a shop is due at its alert time, 08:00 by
    default, so a scan in the middle of the setup would claim today with what it saw)."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", SCAN_LOCK_KEY)
        yield
    finally:
        await connection.close()  # the session lock goes with the session


async def opened_yesterday(database_url: str) -> None:
    """Date every shop's opening a day back: a shop's first digest waits for an alert
    time at least an hour after it opened (core.shop_time.SETTING_UP), and a test that
    wants one today stands for a shop that has run for a while."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        await connection.execute("UPDATE shops SET created_at = created_at - interval '1 day'")
    finally:
        await connection.close()


async def alert_time_just_passed() -> str:
    """An alert time (HH:MM) that has just passed in UTC, the default shop timezone, and
    stays passed until the test is over: a few seconds before midnight it waits for the
    new day, whose 00:00 then counts."""
    now = datetime.now(UTC)
    before_midnight = (now.replace(hour=23, minute=59, second=59) - now).total_seconds()
    if before_midnight < 60:
        await asyncio.sleep(before_midnight + 1.5)
        now = datetime.now(UTC)
    return now.strftime("%H:%M")


class AlertBooks(Books):
    """Read-only looks at the alert tables."""

    async def rows(self, query: str, *args: object) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._fetch(query, *args)]

    async def crossings(self, product: str) -> list[dict[str, Any]]:
        return await self.rows(
            "SELECT c.* FROM alert_crossings c JOIN products p "
            "ON p.shop_id = c.shop_id AND p.id = c.product_id WHERE p.name = $1 ORDER BY c.id",
            product,
        )

    async def deliveries(self, user_id: int | None = None) -> list[dict[str, Any]]:
        return await self.rows(
            "SELECT * FROM alert_deliveries WHERE $1::bigint IS NULL OR user_id = $1 ORDER BY id",
            user_id,
        )

    async def blocked(self) -> set[int]:
        rows = await self.rows("SELECT user_id FROM alert_blocked_recipients")
        return {row["user_id"] for row in rows}

    async def alert_snapshot(self) -> tuple[list[tuple[Any, ...]], ...]:
        """Every alert row that a tap on an alert button could change."""
        tables = (
            "alert_crossings",
            "alert_deliveries",
            "alert_product_states",
            "alert_snoozes",
            "alert_member_kinds",
            "alert_shop_settings",
        )
        found = []
        for table in tables:
            rows = await self._fetch(f"SELECT * FROM {table} ORDER BY 1, 2")
            found.append([tuple(row.values()) for row in rows])
        return tuple(found)
