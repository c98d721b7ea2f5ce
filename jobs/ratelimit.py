"""One send budget for every bot process: Telegram's limits as token buckets.

Telegram allows about 30 messages a second per bot, one a second per private chat and 20 a
minute per group. python-telegram-bot's AIORateLimiter counts per process and has no
per-private-chat limit, so with several workers the budget must be shared: the buckets
live in Redis and one Lua script takes a token from the bot's bucket *and* the chat's
bucket atomically (or from neither).

The bot's rate is counted as Telegram counts it, in sliding windows of a second, and
from the right ends: a send is in the window until a second after its answer came back
(`done`), and a send still on its way counts as in the window. Telegram sees a message
arrive after the budget granted it and before its answer comes back, so however unevenly
the requests travel (a busy event loop, a descheduled process), no second at Telegram
ever holds more than `window_sends`: no margin to guess. A token bucket of `burst` (5)
besides lets a sender that came late for its turn catch up a few sends at once instead
of losing them, as a bucket of one did (evenly spaced sends lost every millisecond a
sender was late: 23-61 % of the allowed rate in the alerts bench).

A 429's `retry_after` pauses every sender through one key with an expiry. Without Redis
(the single-process default) the same buckets live in memory, and so they do while Redis
is unreachable: alerts keep going out at Telegram's limits for this process instead of
waiting for Redis to return.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What an unreachable or failing Redis raises (redis-py wraps most, not all, of them).
REDIS_DOWN = (RedisError, OSError, ConnectionError)


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # the whole bot: the bucket's refill
    # A few sends at once at most: a sender late for its turn catches up, and no more.
    burst: float = 5.0
    # Telegram counts in sliding windows: never more than `window_sends` sends whose
    # answer came back less than `window` seconds ago or has not come back (a full bucket
    # plus its refill alone would allow 35 in a second). The 5 ms cover the clocks'
    # rounding to milliseconds.
    window_sends: int = 30
    window: float = 1.005
    # A send never marked done (its process died) leaves the window after this long.
    in_flight: float = 30.0
    private_per_second: float = 1.0  # one private chat
    group_per_second: float = 20 / 60  # one group chat: 20 a minute

    def chat_rate(self, chat_id: int) -> float:
        # Telegram's group and channel ids are negative; users' are positive.
        return self.group_per_second if chat_id < 0 else self.private_per_second


TELEGRAM = Limits()


T = TypeVar("T")


class Wait(float):
    """Seconds to wait before asking again; `bot`: what is awaited is the bot's own turn
    (its bucket or its window), which every sender of the process waits for alike, not
    the chat's token nor a pause."""

    bot: bool = False

    def __new__(cls, seconds: float, *, bot: bool = False) -> Wait:
        wait = super().__new__(cls, seconds)
        wait.bot = bot
        return wait


def _oldest_open(open_sends: dict[int, deque[T]], chat_id: int) -> tuple[T] | None:
    """The oldest send to `chat_id` not yet done, taken off the list; None when none is."""
    sends = open_sends.get(chat_id)
    if not sends:
        return None
    oldest = sends.popleft()
    if not sends:
        del open_sends[chat_id]
    return (oldest,)


class SendBudget(Protocol):
    async def take(self, chat_id: int) -> Wait:
        """Take the right to send one message to `chat_id` now: no wait (0.0) when taken,
        else the seconds to wait before asking again (nothing was taken)."""
        ...

    async def done(self, chat_id: int) -> None:
        """The send to `chat_id` granted by `take` got its answer (or failed): from now
        on it leaves the window `window` seconds later."""
        ...

    async def pause(self, seconds: float) -> None:
        """Flood control (429): no sender may send for `seconds`."""
        ...


NO_WAIT = Wait(0.0)

# A window full of sends still on their way: ask again this soon.
IN_FLIGHT_POLL = 0.005


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
        # The bot's sends in the window: token -> when it leaves (in flight: the latest).
        self._window: dict[int, float] = {}
        self._tokens = itertools.count(1)
        self._open: dict[int, deque[int]] = {}  # chat -> its sends not yet done
        self._paused_until = 0.0

    def _level(self, key: str, rate: float, capacity: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        return bucket

    async def take(self, chat_id: int) -> Wait:
        now = self._now()
        if now < self._paused_until:
            return Wait(self._paused_until - now)
        limits = self.limits
        chat_rate = limits.chat_rate(chat_id)
        bot = self._level("bot", limits.per_second, limits.burst, now)
        chat = self._level(f"chat:{chat_id}", chat_rate, 1.0, now)
        window = self._window
        for token in [t for t, leaves in window.items() if leaves <= now]:
            del window[token]
        window_wait = 0.0
        if len(window) >= limits.window_sends:
            leaves = min(window.values())
            in_flight = leaves > now + limits.window
            window_wait = IN_FLIGHT_POLL if in_flight else leaves - now
        if bot.tokens >= 1 and chat.tokens >= 1 and window_wait <= 0:
            bot.tokens -= 1
            chat.tokens -= 1
            token = next(self._tokens)
            window[token] = now + limits.in_flight
            self._open.setdefault(chat_id, deque()).append(token)
            if len(self._buckets) > 10_000:
                self._forget_full(now)
            return NO_WAIT
        bot_wait = max((1 - bot.tokens) / limits.per_second, window_wait)
        chat_wait = (1 - chat.tokens) / chat_rate
        return Wait(max(bot_wait, chat_wait), bot=bot_wait > chat_wait)

    async def done(self, chat_id: int) -> None:
        if (taken := _oldest_open(self._open, chat_id)) is None:
            return
        (token,) = taken
        if token in self._window:
            self._window[token] = self._now() + self.limits.window

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

# KEYS: bot bucket, chat bucket, pause key, the bot's window (a sorted set: send token ->
# when it leaves the window, in ms), the tokens' counter.
# ARGV: bot rate, bot capacity, chat rate, window sends, window ms, in flight ms[, now].
# Returns {0, token, 0} when a token was taken from both buckets and the window had room,
# else {the milliseconds to wait, 0, 1 if that is the bot's turn (bucket or window)}.
_TAKE = (
    _NOW
    + """
local now = now_ms(ARGV[7])
local paused_until = tonumber(redis.call('GET', KEYS[3]))
if paused_until and paused_until > now then return {math.ceil(paused_until - now), 0, 0} end
local function level(key, rate, capacity)
  local b = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(b[1]) or capacity
  local at = tonumber(b[2]) or now
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
  return tokens
end
local bot_rate, bot_cap, chat_rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window_sends, window_ms = tonumber(ARGV[4]), tonumber(ARGV[5])
local in_flight_ms = tonumber(ARGV[6])
local bot = level(KEYS[1], bot_rate, bot_cap)
local chat = level(KEYS[2], chat_rate, 1)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local window_wait = 0
if redis.call('ZCARD', KEYS[4]) >= window_sends then
  local leaves = tonumber(redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')[2])
  if leaves > now + window_ms then window_wait = """
    + str(round(IN_FLIGHT_POLL * 1000))
    + """ else window_wait = leaves - now end
end
if bot >= 1 and chat >= 1 and window_wait <= 0 then
  redis.call('HSET', KEYS[1], 'tokens', bot - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(bot_cap / bot_rate * 1000) + 1000)
  redis.call('HSET', KEYS[2], 'tokens', chat - 1, 'at', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil(1 / chat_rate * 1000) + 1000)
  local token = redis.call('INCR', KEYS[5])
  redis.call('ZADD', KEYS[4], now + in_flight_ms, token)
  redis.call('PEXPIRE', KEYS[4], in_flight_ms + 1000)
  return {0, token, 0}
end
local bot_wait = math.max((1 - bot) / bot_rate * 1000, window_wait)
local chat_wait = (1 - chat) / chat_rate * 1000
local bot_turn = 0
if bot_wait > chat_wait then bot_turn = 1 end
return {math.max(1, math.ceil(math.max(bot_wait, chat_wait))), 0, bot_turn}
"""
)

# KEYS: the bot's window. ARGV: the send's token, window ms[, now]. The send got its answer:
# it leaves the window `window` from now (unless it already left).
_DONE = (
    _NOW
    + """
local now = now_ms(ARGV[3])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 0
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
        self._done = redis.register_script(_DONE)
        self._pause = redis.register_script(_PAUSE)
        # chat -> its sends not yet done: the Redis token, or None if the fallback granted it
        self._open: dict[int, deque[int | None]] = {}

    def _now_ms(self) -> list[float]:
        return [] if self._clock is None else [self._clock() * 1000]

    def _skip_redis(self) -> bool:
        return self.degraded and self._now() < self._retry_at

    async def take(self, chat_id: int) -> Wait:
        if self._skip_redis():
            return await self._take_here(chat_id)
        keys = [
            f"{self.prefix}bot",
            f"{self.prefix}chat:{chat_id}",
            f"{self.prefix}pause",
            f"{self.prefix}window",
            f"{self.prefix}tokens",
        ]
        limits = self.limits
        args = [limits.per_second, limits.burst, limits.chat_rate(chat_id), limits.window_sends]
        args += [round(limits.window * 1000), round(limits.in_flight * 1000), *self._now_ms()]
        try:
            waited, token, bot_turn = await self._take(keys=keys, args=args)
        except REDIS_DOWN as error:
            self._down(error)
            return await self._take_here(chat_id)
        self._up()
        if int(waited) == 0:
            self._open.setdefault(chat_id, deque()).append(int(token))
            return NO_WAIT
        return Wait(int(waited) / 1000, bot=bool(int(bot_turn)))

    async def _take_here(self, chat_id: int) -> Wait:
        wait = await self.fallback.take(chat_id)
        if not wait:
            self._open.setdefault(chat_id, deque()).append(None)
        return wait

    async def done(self, chat_id: int) -> None:
        if (taken := _oldest_open(self._open, chat_id)) is None:
            return
        (token,) = taken
        if token is None:
            await self.fallback.done(chat_id)
            return
        window = round(self.limits.window * 1000)
        try:
            await self._done(keys=[f"{self.prefix}window"], args=[token, window, *self._now_ms()])
        except REDIS_DOWN as error:
            self._down(error)  # the send leaves the window when its time in flight is up

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
