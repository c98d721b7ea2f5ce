"""Chat sessions and conversation state: Redis when configured, process memory otherwise.

Every update reads its state here, so any bot process can continue a flow another one
started. State is a convenience: when Redis is unreachable, `StateUnavailable` is
raised, the user is told to type the full command, and the ledger is untouched.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

FLOW_TTL_SECONDS = 600


class StateUnavailable(Exception):
    """The state store cannot be reached."""


class UnreadableState(Exception):
    """A stored value is not the JSON object written (damaged, or written by hand)."""


def _decoded(raw: str | bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(raw)
    except ValueError as exc:
        raise UnreadableState(str(exc)) from exc
    if not isinstance(loaded, dict):
        raise UnreadableState(f"not an object: {type(loaded).__name__}")
    return loaded


class StateStore(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def set(self, key: str, value: dict[str, Any], ttl: int = FLOW_TTL_SECONDS) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryStateStore:
    """For a single process: the embedded default."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= time.monotonic():
            del self._items[key]
            return None
        return _decoded(value)

    async def set(self, key: str, value: dict[str, Any], ttl: int = FLOW_TTL_SECONDS) -> None:
        self._items[key] = (time.monotonic() + ttl, json.dumps(value))

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._items.clear()


def redis_client(url: str) -> redis.Redis:
    """Short timeouts: a Redis outage must cost a flow, not hang an update."""
    return redis.Redis.from_url(
        url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
    )


class RedisStateStore:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self._client.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StateUnavailable(str(exc)) from exc
        if raw is None:
            return None
        return _decoded(raw)

    async def set(self, key: str, value: dict[str, Any], ttl: int = FLOW_TTL_SECONDS) -> None:
        try:
            await self._client.set(self._prefix + key, json.dumps(value), ex=ttl)
        except (RedisError, OSError) as exc:
            raise StateUnavailable(str(exc)) from exc

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StateUnavailable(str(exc)) from exc

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._client.aclose()
