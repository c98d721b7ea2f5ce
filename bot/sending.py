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

Requests go out through aiohttp (already the bot's web server) rather than
python-telegram-bot's default httpx: a reply is the one request every update makes, and
httpx took about 9 % of the bot's CPU for it in a profile under load (the headers and
the body in two writes, and the layers of httpcore and anyio between). Their parameters
go as one JSON body, as the Bot API takes them (but uploads, a form with the files):
python-telegram-bot's form, each value JSON-encoded on its own and then URL-encoded by
aiohttp's FormData, was a quarter of the reply's CPU.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup, Message
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.5
LONGEST_BACKOFF_SECONDS = 8.0
# Long enough for a Telegram hiccup (seen: 8 s of 500s, 12 s of hanging sends), short
# enough that a person still connects the answer with what they typed.
RETRY_FOR_SECONDS = 40.0
# A toast is worth nothing a few seconds late, and one sent again after a timeout that
# Telegram did receive is refused as already answered.
NOT_RETRIED = frozenset({"answerCallbackQuery"})


CONNECT_TIMEOUT_SECONDS = 5.0
JSON_BODY = {"Content-Type": "application/json"}
# Uploads (a chart, a spreadsheet) may take longer to go out than a text.
MEDIA_TIMEOUT_SECONDS = 20.0


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests over one aiohttp session (pooled keep-alive
    connections). Timeouts: `read` waits for the answer, `connect` for a connection
    (a free one of the pool included); aiohttp has no write timeout of its own, so an
    upload gets MEDIA_TIMEOUT_SECONDS to be sent and answered."""

    def __init__(self, *, connection_pool_size: int = 256, read_timeout: float | None = 5.0):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        data: Any = None
        headers = None
        if files:
            assert request_data is not None
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        elif request_data is not None:
            data, headers = json.dumps(request_data.parameters).encode(), JSON_BODY
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            CONNECT_TIMEOUT_SECONDS
            if isinstance(connect_timeout, DefaultValue)
            else connect_timeout
        )
        timeout = aiohttp.ClientTimeout(
            total=MEDIA_TIMEOUT_SECONDS if files else None, connect=connect, sock_read=read
        )
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


class RetryingRequest(AiohttpRequest):
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


async def reply(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """`message.reply_text(text, reply_markup=…)`, without reading Telegram's answer into
    a Message: python-telegram-bot builds one (a Message, its chat, its sender, its
    keyboard) for every message sent, a quarter of a reply's CPU, and nothing here reads
    it. The request is the one reply_text sends, made by python-telegram-bot's own
    parts: the chat and the quote (a reply in a group quotes the message it answers),
    the forum topic, the business connection and the direct messages topic as
    reply_text reads them from `message`, the bot's defaults (parse mode, link
    previews) and its rate limiter as every request gets them. Those parts are not
    python-telegram-bot's public API; the version is pinned below 23 (pyproject), and
    tests/integration/test_sending.py sends both ways and compares what arrives."""
    bot: Any = message.get_bot()
    chat_id, reply_parameters = await message._parse_quote_arguments(None, None, None)
    data = {
        "chat_id": chat_id,
        "text": text,
        "reply_markup": reply_markup,
        "reply_parameters": reply_parameters,
        "message_thread_id": message._parse_message_thread_id(chat_id),
        "business_connection_id": message.business_connection_id,
        "direct_messages_topic_id": message._extract_direct_messages_topic_id(),
        # Left to the bot's defaults, as reply_text leaves them.
        "parse_mode": DEFAULT_NONE,
        "link_preview_options": DEFAULT_NONE,
        "disable_notification": DEFAULT_NONE,
        "protect_content": DEFAULT_NONE,
    }
    await bot._post("sendMessage", data)
