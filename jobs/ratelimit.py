"""One send budget for every bot process: Telegram's limits as token buckets.

Telegram allows about 30 messages a second per bot, one a second per private chat and 20 a
minute per group. python-telegram-bot's AIORateLimiter counts per process and has no
per-private-chat limit, so with several workers the budget must be shared: the buckets
live in Redis and one Lua script takes a token from the bot's bucket *and* the chat's
bucket atomically (or from neither). A 429's `retry_after` pauses every sender through
one key with an expiry. Without Redis (the single-process default) the same buckets live
in memory, and so they do while Redis is unreachable: alerts keep going out at Telegram's
limits for this process instead of waiting for Redis to return.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What an unreachable or failing Redis raises (redis-py wraps most, not all, of them).
REDIS_DOWN = (RedisError, OSError, ConnectionError)


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # the whole bot
    # No burst: Telegram counts in sliding windows, and a full bucket plus its refill
    # would allow ~2x the rate in the first second. Evenly spaced sends never trip it.
    burst: float = 1.0
    private_per_second: float = 1.0  # one private chat
    group_per_second: float = 20 / 60  # one group chat: 20 a minute

    def chat_rate(self, chat_id: int) -> float:
        # Telegram's group and channel ids are negative; users' are positive.
        return self.group_per_second if chat_id < 0 else self.private_per_second


TELEGRAM = Limits()


class SendBudget(Protocol):
    async def take(self, chat_id: int) -> float:
        """Take the right to send one message to `chat_id` now: 0.0 when taken, else the
        seconds to wait before asking again (nothing was taken)."""
        ...

    async def pause(self, seconds: float) -> None:
        """Flood control (429): no sender may send for `seconds`."""
        ...


@dataclass
class _Bucket:
    tokens: float
    at: float


class MemorySendBudget:
    """The same buckets in process memory, keyed like the Redis ones."""

    def __init__(
        self, limits: Limits = TELEGRAM, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._now = monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._paused_until = 0.0

    def _level(self, key: str, rate: float, capacity: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        return bucket

    async def take(self, chat_id: int) -> float:
        now = self._now()
        if now < self._paused_until:
            return self._paused_until - now
        limits = self.limits
        chat_rate = limits.chat_rate(chat_id)
        bot = self._level("bot", limits.per_second, limits.burst, now)
        chat = self._level(f"chat:{chat_id}", chat_rate, 1.0, now)
        if bot.tokens >= 1 and chat.tokens >= 1:
            bot.tokens -= 1
            chat.tokens -= 1
            if len(self._buckets) > 10_000:
                self._forget_full(now)
            return 0.0
        return max((1 - bot.tokens) / limits.per_second, (1 - chat.tokens) / chat_rate)

    def _forget_full(self, now: float) -> None:
        # A bucket idle long enough to be full again is the same as no bucket.
        for key in [k for k, b in self._buckets.items() if k != "bot" and now - b.at > 60]:
            del self._buckets[key]

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._now() + seconds)


# Time comes from the Redis server, so workers with skewed clocks share one timeline (a
# test may pass the time instead: the last ARGV, in milliseconds).
_NOW = """
local function now_ms(given)
  if given then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

# KEYS: bot bucket, chat bucket, pause key. ARGV: bot rate, bot capacity, chat rate[, now].
# Returns 0 when a token was taken from both buckets, else the milliseconds to wait.
_TAKE = (
    _NOW
    + """
local now = now_ms(ARGV[4])
local paused_until = tonumber(redis.call('GET', KEYS[3]))
if paused_until and paused_until > now then return math.ceil(paused_until - now) end
local function level(key, rate, capacity)
  local b = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(b[1]) or capacity
  local at = tonumber(b[2]) or now
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
  return tokens
end
local bot_rate, bot_cap, chat_rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bot = level(KEYS[1], bot_rate, bot_cap)
local chat = level(KEYS[2], chat_rate, 1)
if bot >= 1 and chat >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', bot - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(bot_cap / bot_rate * 1000) + 1000)
  redis.call('HSET', KEYS[2], 'tokens', chat - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil(1 / chat_rate * 1000) + 1000)
  return 0
end
local wait = math.max((1 - bot) / bot_rate, (1 - chat) / chat_rate)
return math.max(1, math.ceil(wait * 1000))
"""
)

# KEYS: pause key. ARGV: milliseconds[, now]. The key holds the moment the pause ends; a
# shorter pause never shortens a running one. Its expiry only cleans up: the moment decides.
_PAUSE = (
    _NOW
    + """
local now = now_ms(ARGV[2])
local ends = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]))
if not current or current < ends then
  redis.call('SET', KEYS[1], ends, 'PX', tonumber(ARGV[1]) + 60000)
end
return 0
"""
)


class RedisSendBudget:
    """Token buckets shared by every worker through Redis (keys under `prefix`).

    While Redis fails, the buckets of this process (`fallback`) take over: each worker
    then keeps Telegram's limits on its own, which beats sending nothing. Redis is asked
    again only every `RETRY_SECONDS` meanwhile (a failing call can take seconds of the
    client's own retries). The outage is logged once when it starts and once when it
    ends."""

    RETRY_SECONDS = 5.0

    def __init__(
        self,
        redis: Redis,
        prefix: str = "stockbot:",
        limits: Limits = TELEGRAM,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] | None = None,
    ):
        """`clock`: the shared timeline in seconds; None (always, outside tests) is the
        Redis server's own clock."""
        self.redis = redis
        self.prefix = f"{prefix}sendbudget:"
        self.limits = limits
        self.fallback = MemorySendBudget(limits, monotonic)
        self.degraded = False
        self._now = monotonic
        self._retry_at = 0.0
        self._clock = clock
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)

    def _now_ms(self) -> list[float]:
        return [] if self._clock is None else [self._clock() * 1000]

    def _skip_redis(self) -> bool:
        return self.degraded and self._now() < self._retry_at

    async def take(self, chat_id: int) -> float:
        if self._skip_redis():
            return await self.fallback.take(chat_id)
        keys = [f"{self.prefix}bot", f"{self.prefix}chat:{chat_id}", f"{self.prefix}pause"]
        args = [self.limits.per_second, self.limits.burst, self.limits.chat_rate(chat_id)]
        args += self._now_ms()
        try:
            waited = await self._take(keys=keys, args=args)
        except REDIS_DOWN as error:
            self._down(error)
            return await self.fallback.take(chat_id)
        self._up()
        return int(waited) / 1000

    async def pause(self, seconds: float) -> None:
        # The local buckets pause too, so a pause survives Redis going away right after.
        await self.fallback.pause(seconds)
        if self._skip_redis():
            return
        milliseconds = max(1, math.ceil(seconds * 1000))
        try:
            await self._pause(keys=[f"{self.prefix}pause"], args=[milliseconds, *self._now_ms()])
        except REDIS_DOWN as error:
            self._down(error)
            return
        self._up()

    def _down(self, error: BaseException) -> None:
        self._retry_at = self._now() + self.RETRY_SECONDS
        if not self.degraded:
            self.degraded = True
            log.warning(
                "Redis is unreachable (%s: %s); the send budget is per process until it returns",
                type(error).__name__,
                error,
            )

    def _up(self) -> None:
        if self.degraded:
            self.degraded = False
            log.info("Redis is back; the send budget is shared again")


def send_budget(redis: Redis | None, prefix: str = "stockbot:") -> SendBudget:
    """The shared budget when Redis is configured, else the in-process one."""
    return RedisSendBudget(redis, prefix) if redis is not None else MemorySendBudget()
