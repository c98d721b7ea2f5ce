"""The shared send budget on real Redis: one bucket for all workers."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from jobs.ratelimit import TELEGRAM, Limits, RedisSendBudget
from tests.services import redis_error, redis_url, unreachable

pytestmark = pytest.mark.redis


@pytest.fixture
async def client() -> AsyncIterator[redis.Redis]:
    if error := await redis_error():
        unreachable("Redis", error)
    connection = redis.Redis.from_url(redis_url())
    prefix = f"stockbot-test-{secrets.token_hex(4)}:"
    connection.test_prefix = prefix  # type: ignore[attr-defined]
    try:
        yield connection
    finally:
        keys = [key async for key in connection.scan_iter(match=f"{prefix}*")]
        if keys:
            await connection.delete(*keys)
        await connection.aclose()


class Clock:
    """The shared timeline the budgets read instead of the Redis server's clock."""

    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


def budget(client: redis.Redis, clock: Clock, limits: Limits = TELEGRAM) -> RedisSendBudget:
    prefix = client.test_prefix  # type: ignore[attr-defined]
    return RedisSendBudget(client, prefix, limits, clock=clock)


async def test_the_bot_bucket_is_shared_by_every_worker(client: redis.Redis) -> None:
    clock = Clock()
    workers = [budget(client, clock) for _ in range(3)]
    waits = await asyncio.gather(*(workers[i % 3].take(1000 + i) for i in range(15)))
    assert sum(1 for w in waits if not w) == 5  # five at once at most, for the whole bot
    assert [w for w in waits if w] == [0.034] * 10  # the next token, in whole milliseconds


async def test_the_bot_sends_at_most_30_in_any_second_of_answers(client: redis.Redis) -> None:
    clock = Clock()
    first, second = budget(client, clock), budget(client, clock)
    chats: list[int] = []
    while len(chats) < 30:  # 30 a second, however the workers take turns
        chat = 2000 + len(chats)
        if await (first, second)[len(chats) % 2].take(chat) == 0:
            chats.append(chat)
        clock.seconds += 1 / 30
    # Telegram counts a message when it arrives, which is before its answer comes back:
    # while the 30 are on their way, the 31st asks again in a moment.
    clock.seconds = 1_005.0
    assert await second.take(3000) == 0.005
    for index, chat in enumerate(chats):
        await (first, second)[index % 2].done(chat)
    wait = await second.take(3000)
    assert wait == 1.005  # a second (and 5 ms) after their answers
    assert getattr(wait, "bot", False)  # the bot's turn: every sender waits for it alike
    clock.seconds = 1_006.005
    assert await first.take(3000) == 0


async def test_telegrams_limits_space_sends_evenly_after_a_few(client: redis.Redis) -> None:
    shared = budget(client, Clock())
    assert [await shared.take(chat) for chat in range(1, 6)] == [0] * 5
    assert await shared.take(6) == 0.034


async def test_one_message_a_second_per_private_chat(client: redis.Redis) -> None:
    clock = Clock()
    first, second = budget(client, clock), budget(client, clock)
    assert await first.take(7) == 0
    clock.seconds += 0.25
    wait = await second.take(7)
    assert wait == 0.75 and not getattr(wait, "bot", True)  # the chat's, not the bot's
    clock.seconds += 0.75
    assert await second.take(7) == 0


async def test_groups_get_twenty_a_minute(client: redis.Redis) -> None:
    shared = budget(client, Clock())
    assert await shared.take(-100123) == 0
    assert await shared.take(-100123) == 3.0


async def test_a_429_pauses_every_worker(client: redis.Redis) -> None:
    clock = Clock()
    first, second = budget(client, clock), budget(client, clock)
    await first.pause(2)
    clock.seconds += 0.5
    assert await second.take(99) == 1.5
    await second.pause(0.5)  # a shorter pause never shortens the running one
    assert await first.take(99) == 1.5
    clock.seconds += 1.5
    assert await first.take(99) == 0


async def test_outside_tests_the_timeline_is_the_redis_servers_clock(client: redis.Redis) -> None:
    first = RedisSendBudget(client, client.test_prefix)  # type: ignore[attr-defined]
    second = RedisSendBudget(client, client.test_prefix)  # type: ignore[attr-defined]
    assert await first.take(7) == 0
    assert 0 < await second.take(7) <= 1.0
    await first.pause(600)
    assert 590 < await second.take(8) <= 600  # a minute's slack for a slow machine


async def test_without_redis_the_budget_falls_back_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [100.0]
    # Nothing listens on port 1; no client retries, so each attempt fails at once.
    down = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    local = RedisSendBudget(down, "stockbot-test-down:", monotonic=lambda: clock[0])
    try:
        with caplog.at_level(logging.INFO, logger="jobs.ratelimit"):
            assert await local.take(7) == 0
            assert await local.take(7) == 1.0  # still one a second per private chat
            assert [await local.take(8 + n) for n in range(4)] == [0] * 4
            assert await local.take(20) == pytest.approx(1 / 30)  # and 30 a second in all
            await local.pause(2)
            assert await local.take(9) == 2.0
            clock[0] += RedisSendBudget.RETRY_SECONDS + 1  # Redis is asked again: still down
            assert await local.take(9) == 0
            assert local.degraded
    finally:
        await down.aclose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis is unreachable" in warnings[0]


async def test_the_budget_is_shared_again_when_redis_returns(
    client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    prefix = client.test_prefix  # type: ignore[attr-defined]
    shared = RedisSendBudget(client, prefix, monotonic=clock, clock=clock)
    shared.degraded = True  # as after an outage
    clock.seconds += RedisSendBudget.RETRY_SECONDS + 1
    with caplog.at_level(logging.INFO, logger="jobs.ratelimit"):
        assert await shared.take(7) == 0
    assert not shared.degraded
    assert "Redis is back" in caplog.text
    assert await budget(client, clock).take(7) == 1.0  # the token was taken in Redis
