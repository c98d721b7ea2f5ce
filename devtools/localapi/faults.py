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
