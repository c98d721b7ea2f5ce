"""Chat sessions and conversation state: Redis when configured, process memory otherwise.

Every update reads its state here, so any bot process can continue a flow another one
started. State is a convenience: when Redis is unreachable, `StateUnavailable` is
raised, the user is told to type the full command, and the ledger is untouched. The
store itself is ttlstore's, shared with the Mini App's sessions.
"""

from __future__ import annotations

import redis.asyncio as redis

from ttlstore import (
    JsonStore,
    MemoryJsonStore,
    RedisJsonStore,
    StoreUnavailable,
    UnreadableValue,
)

FLOW_TTL_SECONDS = 600

# The chat's names for the shared store.
StateStore = JsonStore
StateUnavailable = StoreUnavailable
UnreadableState = UnreadableValue
MemoryStateStore = MemoryJsonStore
RedisStateStore = RedisJsonStore


def redis_client(url: str) -> redis.Redis:
    """Short timeouts: a Redis outage must cost a flow, not hang an update."""
    return redis.Redis.from_url(
        url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
    )
