"""Webhook mode of the real bot: registration with the secret, delivery, refusal of posts
without the secret, and the health endpoints."""

from __future__ import annotations

import asyncio
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
    assert hook.allowed_updates == {"message", "edited_message", "callback_query", "my_chat_member"}

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


def _nested(depth: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE_BODIES = {
    "invalid UTF-8": b'{"update_id": 900001, "message": "\xff\xfe"}',
    "100,000-deep JSON": _nested(100_000),
    "update_id at 2^63": json.dumps({"update_id": 2**63}).encode(),
    "update_id beyond 2^64": json.dumps({"update_id": 2**70}).encode(),
    "update_id true": b'{"update_id": true}',
    "update_id a string": b'{"update_id": "900003"}',
    "update_id negative": b'{"update_id": -5}',
    "a list": b"[1, 2, 3]",
    "a string": b'"update"',
    "empty": b"",
    "not JSON": b"update_id=1",
    "a message that is a string": b'{"update_id": 900004, "message": "hi"}',
    "a message without its fields": b'{"update_id": 900005, "message": {"chat": 5}}',
    "a tap that is a list": b'{"update_id": 900006, "callback_query": []}',
}


async def test_bodies_no_retry_can_mend_get_400_and_leave_nothing_behind(
    webhook_bot: BotProcess, owner: Chat, books: Books
) -> None:
    """Before: invalid UTF-8 and deep nesting answered 500, an update_id past 2^63 answered
    503 (Telegram retries a 5xx for a day) and {"update_id": true} was stored as update 1.
    Only our own failure may answer 5xx; a body that can never be an update is a 400."""
    await open_cafe(owner)
    inbox = await books.inbox()
    headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}
    statuses = {
        name: await webhook_bot.post(WEBHOOK_PATH, body, headers)
        for name, body in HOSTILE_BODIES.items()
    }
    assert statuses == dict.fromkeys(HOSTILE_BODIES, 400)
    oversized = b'{"update_id": 900007, "message": {"text": "' + b"x" * 2_000_000 + b'"}}'
    assert await webhook_bot.post(WEBHOOK_PATH, oversized, headers) == 413
    # Spaces around a header value are not part of it (HTTP), so padding means more
    # characters: base64-style, or the secret twice.
    body = json.dumps(owner_message(900_008, "/restock milk 50")).encode()
    for padded in (WEBHOOK_SECRET + "==", WEBHOOK_SECRET * 2, "0" + WEBHOOK_SECRET):
        assert await webhook_bot.post(WEBHOOK_PATH, body, {**headers, SECRET_HEADER: padded}) == 401

    reply = await owner.say("/stock milk")
    assert "On hand: 0 l" in text_of(reply)
    assert len(await books.inbox()) == len(inbox) + 1


async def test_many_slow_connections_do_not_hold_up_a_real_update(
    webhook_bot: BotProcess, owner: Chat, books: Books
) -> None:
    """200 connections that send half a request and stall (a slowloris) leave the
    process answering; each is answered or dropped when it gives up."""
    await open_cafe(owner)
    stalled = []
    for _ in range(200):
        reader, writer = await asyncio.open_connection("127.0.0.1", webhook_bot.port)
        writer.write(
            f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            f'{SECRET_HEADER}: {WEBHOOK_SECRET}\r\n\r\n{{"update_id": '.encode()
        )
        await writer.drain()
        stalled.append((reader, writer))
    try:
        await owner.say("/restock milk 3")
        assert await books.on_hand("milk") == 3
        assert await webhook_bot.get("/healthz") == (200, {"status": "ok"})
    finally:
        for _, writer in stalled:
            writer.close()
    await owner.say("/sell milk 1")
    assert await books.on_hand("milk") == 2
