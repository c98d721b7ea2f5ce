"""What the inbox sends PostgreSQL per update while the bot works through a chat's
messages one after another (the real bot, in this process, polling the local Bot API).
Every statement is a round trip that wakes the bot and PostgreSQL: the claim loop
claimed again after every claim, and found nothing."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.runner import serve
from bot.settings import load_settings
from devtools.localapi import LocalBotApi, LocalUser
from tests.services import create_database, drop_database

pytestmark = pytest.mark.postgres

SALES = 20


async def test_an_update_costs_the_inbox_one_claim_and_one_release() -> None:
    url = await create_database("stockbot_test_inbox_round_trips")
    api = LocalBotApi()
    await api.start()
    settings = load_settings(
        _env_file=None,
        database_url=url,
        redis_url=None,
        telegram_api_base_url=api.base_url,
        telegram_api_base_file_url=api.base_file_url,
        poll_timeout=1,
        telegram_rate_limit=False,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(serve(settings, api.token, stop, http=False))
    claims: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if "leased_until=" in sql and "candidate" in sql:
            claims.append(sql)

    try:
        owner = LocalUser(1, "Owner")
        for text in ("/newshop Corner", "/add milk", "/restock milk 100"):
            await api.send_text(owner, None, text)
            await api.next_message(owner.id, timeout=30)
        event.listen(Engine, "before_cursor_execute", statement)
        for _ in range(SALES):
            await api.send_text(owner, None, "/sell milk 1")
            reply = await api.next_message(owner.id, timeout=30)
            assert "Sold 1" in reply.shown_text
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot, 30)
        await api.stop()
        await drop_database(url)
    # Per sale: the claim its arrival wakes, and its release (which claims whatever came
    # meanwhile: here nothing, the next sale waits for this reply), plus a few idle
    # wake-ups. A claim again after each of those, which found nothing, made it 3.
    assert len(claims) <= 2 * SALES + 5, len(claims)
