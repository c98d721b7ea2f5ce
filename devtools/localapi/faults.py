"""Telegram's send limits, emulated: a bot that sends faster than Telegram allows gets
429 with retry_after, as from the real API."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from devtools.localapi.errors import too_many_requests


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented send limits; set on LocalBotApi to get 429s like Telegram."""

    per_chat_per_second: int = 1
    global_per_second: int = 30


class SendLimiter:
    """Sliding one-second windows per chat and for the whole bot; off while `limits` is
    None."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits
        self._sends: dict[int | None, deque[float]] = {}

    def check(self, chat_id: int) -> None:
        if self.limits is None:
            return
        now = time.monotonic()
        for key, limit in (
            (chat_id, self.limits.per_chat_per_second),
            (None, self.limits.global_per_second),
        ):
            sent = self._sends.setdefault(key, deque())
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) >= limit:
                raise too_many_requests(max(1, int(1.0 - (now - sent[0])) + 1))
        for key in (chat_id, None):
            self._sends[key].append(now)


@dataclass(frozen=True)
class Fault:
    """One way for a call to fail as Telegram's servers do on a bad day: `status` 429
    (with `retry_after`), a 5xx, a 4xx with its `description`; with `hang` seconds, no
    answer that long (then a 502, as a proxy in front of a stuck server gives); with
    `drop`, the connection closed without an answer."""

    status: int = 500
    retry_after: int = 1
    hang: float = 0.0
    drop: bool = False
    description: str | None = None


class FaultPlan:
    """Faults to inject into calls of given methods (all methods: None), each fault used
    for one call, or every call while `until` (a time.monotonic() value) has not passed."""

    def __init__(self) -> None:
        self._queued: dict[str | None, deque[Fault]] = {}
        self._windows: list[tuple[str | None, Fault, float]] = []
        self.injected = 0

    def inject(self, fault: Fault, method: str | None = None, times: int = 1) -> None:
        self._queued.setdefault(_key(method), deque()).extend([fault] * times)

    def during(self, fault: Fault, seconds: float, method: str | None = None) -> None:
        self._windows.append((_key(method), fault, time.monotonic() + seconds))

    def clear(self) -> None:
        self._queued.clear()
        self._windows.clear()

    def next_fault(self, method: str) -> Fault | None:
        key = _key(method)
        now = time.monotonic()
        self._windows = [w for w in self._windows if w[2] > now]
        for name in (key, None):
            if queued := self._queued.get(name):
                self.injected += 1
                return queued.popleft()
        for name, fault, _ in self._windows:
            if name in (key, None):
                self.injected += 1
                return fault
        return None


def _key(method: str | None) -> str | None:
    return method.casefold() if method is not None else None
