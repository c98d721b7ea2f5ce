"""Webhook mode of the real bot: registration with the secret, delivery, refusal of posts
without the secret, and the health endpoints."""

from __future__ import annotations

import json

from devtools.localapi import LocalBotApi
from tests.e2e.conftest import open_cafe
from tests.e2e.harness import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Books,
    BotProcess,
    Chat,
    owner_message,
    text_of,
)


async def test_the_bot_registers_its_webhook_with_the_secret_and_handles_deliveries(
    webhook_bot: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    hook = api.webhook
    assert hook is not None
    assert hook.url == f"http://127.0.0.1:{webhook_bot.port}{WEBHOOK_PATH}"
    assert hook.secret_token == WEBHOOK_SECRET
    assert hook.allowed_updates == {"message", "callback_query"}

    await open_cafe(owner)
    await owner.say("/restock milk 7")
    card = await owner.say("/stock milk")
    await owner.press(card, "+5")

    assert "On hand: 12 l" in text_of(await owner.edited())
    assert await books.on_hand("milk") == 12
    assert hook.last_error_message is None
    assert api.pending_updates() == []


async def test_a_post_without_the_right_secret_gets_401_and_changes_nothing(
    webhook_bot: BotProcess, owner: Chat, books: Books
) -> None:
    await open_cafe(owner)
    before = await books.snapshot()
    inbox = await books.inbox()
    body = json.dumps(owner_message(900_002, "/restock milk 50")).encode()
    json_only = {"Content-Type": "application/json"}

    assert await webhook_bot.post(WEBHOOK_PATH, body, json_only) == 401
    wrong = {**json_only, SECRET_HEADER: WEBHOOK_SECRET + "x"}
    assert await webhook_bot.post(WEBHOOK_PATH, body, wrong) == 401
    assert await webhook_bot.post(WEBHOOK_PATH, body, {**json_only, SECRET_HEADER: ""}) == 401

    # A real update goes through after them, and the forged one left no trace.
    reply = await owner.say("/stock milk")
    assert "On hand: 0 l" in text_of(reply)
    assert await books.snapshot() == before
    assert [r["update_id"] for r in await books.inbox()] == [
        *(r["update_id"] for r in inbox),
        max(r["update_id"] for r in inbox) + 1,
    ]


async def test_health_and_readiness_with_database_and_redis_up(webhook_bot: BotProcess) -> None:
    assert await webhook_bot.get("/healthz") == (200, {"status": "ok"})
    assert await webhook_bot.get("/readyz") == (200, {"database": True, "state": True})
