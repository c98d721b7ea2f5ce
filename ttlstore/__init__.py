"""JSON objects kept for a time to live: in Redis when configured, in process memory
otherwise. The chat's conversation state (bot.state) and the Mini App's sessions
(webapp.session_store) are both kept here; neither interface imports the other, so the
store is a package of its own that imports neither.

`add` stores only when the key is new, atomically, so two requests racing with the same
key (a replayed login) cannot both win. A Redis that cannot be reached raises
`StoreUnavailable`, a value that does not read back as a JSON object `UnreadableValue`:
what to tell the user is the interface's business.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError


class StoreUnavailable(Exception):
    """The store cannot be reached."""


class UnreadableValue(Exception):
    """A stored value is not the JSON object written (damaged, or written by hand)."""


def _decoded(raw: str | bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(raw)
    except ValueError as exc:
        raise UnreadableValue(str(exc)) from exc
    if not isinstance(loaded, dict):
        raise UnreadableValue(f"not an object: {type(loaded).__name__}")
    return loaded


class JsonStore(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None: ...
    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        """Store unless the key exists; True when stored."""
        ...

    async def delete(self, key: str) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryJsonStore:
    """For one process: the embedded default when there is no REDIS_URL."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._items: dict[str, tuple[float, str]] = {}

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._now():
            del self._items[key]
            return None
        return value

    async def get(self, key: str) -> dict[str, Any] | None:
        value = self._live(key)
        return None if value is None else _decoded(value)

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        self._items[key] = (self._now() + ttl, json.dumps(value))
        if len(self._items) % 1000 == 0:
            self._forget_expired()

    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        if self._live(key) is not None:
            return False
        await self.put(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._items.clear()

    def _forget_expired(self) -> None:
        now = self._now()
        for key in [k for k, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]


class RedisJsonStore:
    """Shared by every process, under `prefix`."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = await self._client.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return None if raw is None else _decoded(raw)

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        await self._set(key, value, ttl, only_if_new=False)

    async def add(self, key: str, value: dict[str, Any], ttl: int) -> bool:
        return await self._set(key, value, ttl, only_if_new=True)

    async def _set(self, key: str, value: dict[str, Any], ttl: int, *, only_if_new: bool) -> bool:
        try:
            stored = await self._client.set(
                self._prefix + key, json.dumps(value), ex=ttl, nx=only_if_new
            )
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return bool(stored)

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._client.aclose()
