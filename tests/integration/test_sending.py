"""Sends outlast a bad minute at Telegram: 5xx, hangs and broken connections are sent
again within a bound, through the real python-telegram-bot client against the local Bot
API with faults injected (devtools/localapi/faults.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from telegram.error import NetworkError, TimedOut
from telegram.ext import Defaults, ExtBot

from bot.sending import RetryingRequest, reply
from devtools.localapi import EventKind, Fault, LocalBotApi, LocalChat, LocalUser

TOKEN = "123456:" + "A" * 35


@dataclass
class Flaky:
    """The local Bot API with one private chat (42), and faults to inject into its calls."""

    api: LocalBotApi
    base_url: str

    def fail(self, *faults: Fault, method: str = "sendMessage") -> None:
        for fault in faults:
            self.api.faults.inject(fault, method)

    @property
    def delivered(self) -> list[str]:
        return [m.text or "" for m in self.api.bot_messages(CHAT.id)]

    @property
    def calls(self) -> int:
        """Calls that reached a method (faults injected and calls answered alike)."""
        return self.api.faults.injected + sum(
            e.kind in {EventKind.SENT, EventKind.CALLBACK_ANSWERED} for e in self.api.events
        )


CHAT = LocalUser(42, "Till")
SERVER_ERROR = {
    "500": Fault(status=500),
    "502": Fault(status=502),
    "drop": Fault(drop=True),
}


@pytest.fixture
async def flaky() -> AsyncIterator[Flaky]:
    async with LocalBotApi(token=TOKEN) as api:
        api.add_chat(LocalChat.private(CHAT))
        yield Flaky(api, api.base_url)


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def make_bot(base_url: str, request: RetryingRequest) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request)


@pytest.mark.parametrize("fault", SERVER_ERROR)
async def test_a_send_that_meets_a_server_error_arrives_once(flaky: Flaky, fault: str) -> None:
    flaky.fail(*[SERVER_ERROR[fault]] * 3)
    async with make_bot(flaky.base_url, RetryingRequest(sleep=no_wait)) as bot:
        message = await bot.send_message(42, "✅ Sold 2 pcs croissant")
    assert message.text == "✅ Sold 2 pcs croissant"
    assert flaky.delivered == ["✅ Sold 2 pcs croissant"]
    assert flaky.calls == 4


async def test_a_hanging_send_is_sent_again_after_its_timeout(flaky: Flaky) -> None:
    flaky.fail(Fault(hang=3))
    request = RetryingRequest(sleep=no_wait, read_timeout=0.2)
    async with make_bot(flaky.base_url, request) as bot:
        await bot.send_message(42, "✅ Sold")
    assert flaky.delivered == ["✅ Sold"]


async def test_gives_up_after_the_bound(flaky: Flaky) -> None:
    flaky.api.faults.during(Fault(status=500), seconds=60, method="sendMessage")
    ticks = iter(range(10_000))

    request = RetryingRequest(sleep=no_wait, retry_for=5, monotonic=lambda: float(next(ticks)))
    async with make_bot(flaky.base_url, request) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "✅ Sold")
    assert flaky.delivered == []
    assert 2 <= flaky.calls <= 6


async def test_a_refusal_is_not_sent_again(flaky: Flaky) -> None:
    """A 4xx is Telegram's answer, not a fault: sending it again would change nothing."""
    refusal = Fault(status=400, description="Bad Request: chat not found")
    flaky.fail(refusal, refusal)
    async with make_bot(flaky.base_url, RetryingRequest(sleep=no_wait)) as bot:
        with pytest.raises(Exception, match=r"(?i)chat not found"):
            await bot.send_message(42, "x")
    assert flaky.calls == 1


def test_timeouts_are_network_errors() -> None:
    """The retry loop catches NetworkError; PTB's TimedOut must stay one of them."""
    assert issubclass(TimedOut, NetworkError)


async def test_a_toast_is_not_sent_again(flaky: Flaky) -> None:
    flaky.fail(Fault(status=500), method="answerCallbackQuery")
    async with make_bot(flaky.base_url, RetryingRequest(sleep=no_wait)) as bot:
        with pytest.raises(NetworkError):
            await bot.answer_callback_query("1", "+1 → 6 l")
    assert flaky.calls == 1


async def test_a_send_goes_as_one_json_body(flaky: Flaky) -> None:
    """Its parameters are one JSON body, as the Bot API takes them, not a form whose
    every value python-telegram-bot encodes as JSON and aiohttp then URL-encodes (a
    quarter of a reply's CPU); its text, markup and options arrive the same."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("↩️ Undo", callback_data="u:7")]])
    async with make_bot(flaky.base_url, RetryingRequest(sleep=no_wait)) as bot:
        message = await bot.send_message(
            42, "✅ Sold <b>2</b> pcs", parse_mode="HTML", reply_markup=keyboard
        )
    # getMe and sendMessage
    assert {call.content_type for call in flaky.api.calls} == {"application/json"}
    assert message.reply_markup == keyboard
    (sent,) = flaky.api.bot_messages(CHAT.id)
    assert sent.shown_text == "✅ Sold 2 pcs"  # read as HTML


@pytest.mark.parametrize("where", ["private", "group", "forum topic"])
async def test_a_reply_sends_what_reply_text_sends(flaky: Flaky, where: str) -> None:
    """bot.sending.reply answers a message as python-telegram-bot's reply_text does (a
    reply in a group quotes its message, one in a forum topic stays in the topic, the
    bot's defaults apply) without reading Telegram's answer into a Message."""
    group = LocalChat.group(-1001, "Cafe", supergroup=True)
    flaky.api.add_chat(group)
    written = flaky.api.world.written(CHAT, "/sell milk 1", None if where == "private" else group)
    if where == "forum topic":
        written |= {"is_topic_message": True, "message_thread_id": 7}
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("↩️ Undo", callback_data="u:7")]])
    defaults = Defaults(parse_mode="HTML", link_preview_options=LinkPreviewOptions(True))
    request = RetryingRequest(sleep=no_wait)
    async with ExtBot(TOKEN, base_url=flaky.base_url, request=request, defaults=defaults) as bot:
        message = Message.de_json(written, bot)
        await message.reply_text("✅ Sold <b>1</b> l", reply_markup=keyboard)
        await reply(message, "✅ Sold <b>1</b> l", keyboard)
    by_reply_text, by_reply = flaky.api.calls[-2:]
    assert by_reply.method == by_reply_text.method == "sendMessage"
    assert by_reply.params == by_reply_text.params
    assert by_reply.params["parse_mode"] == "HTML"
    assert ("reply_parameters" in by_reply.params) == (where != "private")
    assert ("message_thread_id" in by_reply.params) == (where == "forum topic")
