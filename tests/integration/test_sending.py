"""Sends outlast a bad minute at Telegram: 5xx, hangs and broken connections are sent
again within a bound, through the real python-telegram-bot client against a small Bot API
stand-in on loopback that misbehaves on purpose."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.sending import RetryingRequest

TOKEN = "123456:" + "A" * 35


@dataclass
class FlakyApi:
    """Answers sendMessage with `failures` bad answers first, then the real thing."""

    failures: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    calls: int = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await request.post()
        if method == "getMe":
            return web.json_response(
                {
                    "ok": True,
                    "result": {"id": 123456, "is_bot": True, "first_name": "t", "username": "t"},
                }
            )
        self.calls += 1
        fault = self.failures.pop(0) if self.failures else None
        if fault == "500":
            return web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal"}, status=500
            )
        if fault == "400":
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                status=400,
            )
        if fault == "502":
            return web.Response(status=502, text="Bad Gateway")
        if fault == "hang":
            await asyncio.sleep(3)
            return web.json_response({"ok": False, "description": "late"}, status=500)
        if fault == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        self.delivered.append(str(params.get("text")))
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "message_id": len(self.delivered),
                    "date": 0,
                    "chat": {"id": int(str(params["chat_id"])), "type": "private"},
                    "text": params.get("text"),
                },
            }
        )


@pytest.fixture
async def flaky() -> AsyncIterator[tuple[FlakyApi, str]]:
    api = FlakyApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield api, f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def make_bot(base_url: str, request: RetryingRequest) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request)


@pytest.mark.parametrize("fault", ["500", "502", "drop"])
async def test_a_send_that_meets_a_server_error_arrives_once(
    flaky: tuple[FlakyApi, str], fault: str
) -> None:
    api, base_url = flaky
    api.failures = [fault] * 3
    async with make_bot(base_url, RetryingRequest(sleep=no_wait)) as bot:
        message = await bot.send_message(42, "✅ Sold 2 pcs croissant")
    assert message.text == "✅ Sold 2 pcs croissant"
    assert api.delivered == ["✅ Sold 2 pcs croissant"]
    assert api.calls == 4


async def test_a_hanging_send_is_sent_again_after_its_timeout(
    flaky: tuple[FlakyApi, str],
) -> None:
    api, base_url = flaky
    api.failures = ["hang"]
    async with make_bot(base_url, RetryingRequest(sleep=no_wait, read_timeout=0.2)) as bot:
        await bot.send_message(42, "✅ Sold")
    assert api.delivered == ["✅ Sold"]


async def test_gives_up_after_the_bound(flaky: tuple[FlakyApi, str]) -> None:
    api, base_url = flaky
    api.failures = ["500"] * 1000
    ticks = iter(range(10_000))

    request = RetryingRequest(sleep=no_wait, retry_for=5, monotonic=lambda: float(next(ticks)))
    async with make_bot(base_url, request) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "✅ Sold")
    assert api.delivered == []
    assert 2 <= api.calls <= 6


async def test_a_refusal_is_not_sent_again(flaky: tuple[FlakyApi, str]) -> None:
    """A 4xx is Telegram's answer, not a fault: sending it again would change nothing."""
    api, base_url = flaky
    api.failures = ["400", "400"]
    async with make_bot(base_url, RetryingRequest(sleep=no_wait)) as bot:
        with pytest.raises(Exception, match=r"(?i)chat not found"):
            await bot.send_message(42, "x")
    assert api.calls == 1


def test_timeouts_are_network_errors() -> None:
    """The retry loop catches NetworkError; PTB's TimedOut must stay one of them."""
    assert issubclass(TimedOut, NetworkError)


async def test_a_toast_is_not_sent_again(flaky: tuple[FlakyApi, str]) -> None:
    api, base_url = flaky
    api.failures = ["500"]
    async with make_bot(base_url, RetryingRequest(sleep=no_wait)) as bot:
        with pytest.raises(NetworkError):
            await bot.answer_callback_query("1", "+1 → 6 l")
    assert api.calls == 1
