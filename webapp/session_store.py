"""Where Mini App sessions live: Redis when configured, process memory otherwise.

Values are small JSON objects kept for a time to live. `add` stores only when the key
is new, atomically, so a replayed initData cannot log in twice even at the same moment.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError


class SessionStoreUnavailable(Exception):
    """The session store cannot be reached."""


class SessionStore(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None: ...
    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        """Store unless the key exists; True when stored."""
        ...

    async def delete(self, key: str) -> None: ...


class MemorySessionStore:
    """For one process: the embedded default when there is no REDIS_URL."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= time.monotonic():
            del self._items[key]
            return None
        return value

    async def get(self, key: str) -> dict[str, Any] | None:
        value = self._live(key)
        if value is None:
            return None
        loaded: dict[str, Any] = json.loads(value)
        return loaded

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        self._items[key] = (time.monotonic() + ttl, json.dumps(value))
        if len(self._items) % 1000 == 0:
            self._forget_expired()

    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        if self._live(key) is not None:
            return False
        await self.put(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]


class RedisSessionStore:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self._client.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise SessionStoreUnavailable(str(exc)) from exc
        if raw is None:
            return None
        loaded: dict[str, Any] = json.loads(raw)
        return loaded

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        try:
            await self._client.set(self._prefix + key, json.dumps(value), ex=ttl)
        except (RedisError, OSError) as exc:
            raise SessionStoreUnavailable(str(exc)) from exc

    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        try:
            stored = await self._client.set(self._prefix + key, json.dumps(value), ex=ttl, nx=True)
        except (RedisError, OSError) as exc:
            raise SessionStoreUnavailable(str(exc)) from exc
        return bool(stored)

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise SessionStoreUnavailable(str(exc)) from exc
