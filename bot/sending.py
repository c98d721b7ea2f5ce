"""Requests to the Bot API that survive a bad minute at Telegram's end.

A confirmation is the only thing that tells the person at the till that a sale went
through; if it is lost they sell again, and that second movement is real. So a request
that met a 5xx, a timeout or a broken connection is sent again, with backoff, for a bounded
time. The movement itself is never repeated: it committed before the reply was sent, and
only the request is retried. A retried send can, rarely, arrive twice (Telegram took the
first one but the answer was lost) — a duplicate confirmation is harmless, a missing one
is not.

429 is not handled here: python-telegram-bot's AIORateLimiter sees it, pauses every
request for `retry_after` and retries (see bot.bootstrap).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.5
LONGEST_BACKOFF_SECONDS = 8.0
# Long enough for a Telegram hiccup (seen: 8 s of 500s, 12 s of hanging sends), short
# enough that a person still connects the answer with what they typed.
RETRY_FOR_SECONDS = 40.0
# A toast is worth nothing a few seconds late, and one sent again after a timeout that
# Telegram did receive is refused as already answered.
NOT_RETRIED = frozenset({"answerCallbackQuery"})


class RetryingRequest(HTTPXRequest):
    def __init__(
        self,
        *,
        retry_for: float = RETRY_FOR_SECONDS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        read_timeout: float | None = 5.0,
        connection_pool_size: int = 256,
    ) -> None:
        super().__init__(connection_pool_size=connection_pool_size, read_timeout=read_timeout)
        self._retry_for = retry_for
        self._first_backoff = first_backoff
        self._sleep = sleep
        self._monotonic = monotonic
        self.too_many_requests = 0  # 429s Telegram answered, read by /metrics

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        deadline = self._monotonic() + (0 if _method(url) in NOT_RETRIED else self._retry_for)
        backoff = self._first_backoff
        attempt = 1
        while True:
            try:
                code, payload = await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except (TimedOut, NetworkError) as exc:
                if self._monotonic() + backoff > deadline:
                    raise
                log.warning(
                    "%s failed (%s); sending again in %.1fs (attempt %d)",
                    _method(url),
                    exc,
                    backoff,
                    attempt + 1,
                )
            else:
                if code == HTTPStatus.TOO_MANY_REQUESTS:
                    self.too_many_requests += 1
                out_of_time = self._monotonic() + backoff > deadline
                if code < HTTPStatus.INTERNAL_SERVER_ERROR or out_of_time:
                    return code, payload
                log.warning(
                    "%s answered %d; sending again in %.1fs (attempt %d)",
                    _method(url),
                    code,
                    backoff,
                    attempt + 1,
                )
            await self._sleep(backoff)
            backoff = min(backoff * 2, LONGEST_BACKOFF_SECONDS)
            attempt += 1


def _method(url: str) -> str:
    return url.rsplit("/", 1)[-1]
