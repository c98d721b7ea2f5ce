"""The store the chat's state and the Mini App's sessions share: one contract for Redis
and process memory."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tests.services import redis_error, redis_url, unreachable
from ttlstore import JsonStore, MemoryJsonStore, RedisJsonStore, StoreUnavailable


class Clock:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[JsonStore]:
    if request.param == "memory":
        yield MemoryJsonStore()
        return
    if error := await redis_error():
        unreachable("Redis", error)
    client = redis.Redis.from_url(redis_url())
    prefix = f"stockbot-test-{secrets.token_hex(4)}:"
    try:
        yield RedisJsonStore(client, prefix)
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_a_value_comes_back_as_it_was_put(store: JsonStore) -> None:
    assert await store.get("flow:1") is None
    await store.put("flow:1", {"step": "quantity", "product": 7, "names": ["milk"]}, 60)
    assert await store.get("flow:1") == {"step": "quantity", "product": 7, "names": ["milk"]}
    await store.put("flow:1", {"step": "done"}, 60)
    assert await store.get("flow:1") == {"step": "done"}
    await store.delete("flow:1")
    assert await store.get("flow:1") is None
    await store.delete("flow:1")  # deleting what is gone is no error


async def test_add_stores_only_a_new_key(store: JsonStore) -> None:
    assert await store.add("login:abc", {"user": 1}, 60)
    assert not await store.add("login:abc", {"user": 2}, 60)
    assert await store.get("login:abc") == {"user": 1}


async def test_the_store_answers_a_ping(store: JsonStore) -> None:
    assert await store.ping()


async def test_in_memory_a_value_lives_for_its_time_to_live() -> None:
    clock = Clock()
    store = MemoryJsonStore(monotonic=clock)
    await store.put("flow:1", {"step": "quantity"}, 600)
    clock.seconds += 599
    assert await store.get("flow:1") == {"step": "quantity"}
    clock.seconds += 1
    assert await store.get("flow:1") is None
    assert await store.add("flow:1", {"step": "again"}, 600)


@pytest.mark.redis
async def test_in_redis_a_value_is_kept_with_its_time_to_live() -> None:
    if error := await redis_error():
        unreachable("Redis", error)
    client = redis.Redis.from_url(redis_url())
    prefix = f"stockbot-test-{secrets.token_hex(4)}:"
    try:
        await RedisJsonStore(client, prefix).put("flow:1", {"step": "quantity"}, 600)
        assert 590 <= await client.ttl(f"{prefix}flow:1") <= 600
    finally:
        await client.delete(f"{prefix}flow:1")
        await client.aclose()


async def test_an_unreachable_redis_is_reported_as_unavailable() -> None:
    # Nothing listens on port 1; no client retries, so each call fails at once.
    down = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    store = RedisJsonStore(down, "stockbot-test-down:")
    try:
        for call in (
            store.get("k"),
            store.put("k", {}, 60),
            store.add("k", {}, 60),
            store.delete("k"),
        ):
            with pytest.raises(StoreUnavailable):
                await call
        assert not await store.ping()
    finally:
        await down.aclose()
