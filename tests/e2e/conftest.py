"""E2E fixtures: the real bot process (`python -m bot.cli run`) against a local Bot API
server in the test process, a fresh PostgreSQL database and real Redis under a prefix of
its own. Each test gets its own of each; the bot is stopped with SIGTERM afterwards and
everything it logged is printed when the test failed."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from pathlib import Path

import pytest
import redis.asyncio as redis

from devtools.localapi import LocalBotApi
from tests.e2e.alerting import scans_held_off
from tests.e2e.harness import (
    ATTACKER,
    OWNER,
    REPLY_TIMEOUT,
    STAFF,
    STRANGER,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Books,
    BotProcess,
    Chat,
    bot_environment,
    free_port,
)
from tests.services import fresh_postgres_database, redis_error, redis_url, unreachable

Launch = Callable[..., Awaitable[BotProcess]]

FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        yield server


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with fresh_postgres_database("stockbot_e2e") as url:
        yield url


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    if error := await redis_error():
        unreachable("Redis", error)
    prefix = f"stockbot-e2e:{secrets.token_hex(4)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url())
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def launch(
    request: pytest.FixtureRequest,
    api: LocalBotApi,
    database_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> AsyncIterator[Launch]:
    """`await launch(port=…, WEBHOOK_URL=…)` starts a bot process with extra environment;
    every process started is stopped at the end."""
    started: list[BotProcess] = []

    async def start(port: int | None = None, **overrides: str) -> BotProcess:
        env = bot_environment(
            api,
            database_url=database_url,
            redis_url=redis_url(),
            redis_prefix=redis_prefix,
            port=port or free_port(),
            **overrides,
        )
        process = BotProcess(env, tmp_path / f"bot-{len(started) + 1}.log", tmp_path)
        started.append(process)
        await process.start()
        return process

    yield start

    for process in started:
        if process.running:
            await process.stop()
    if request.node.stash.get(FAILED, False):
        for process in started:
            print(f"===== {process.log_path.name} (exit codes {process.exit_codes}) =====")
            print(process.log())


@pytest.fixture
async def bot(launch: Launch, database_url: str) -> AsyncIterator[BotProcess]:
    """The bot, long polling, with its digest scan held off: a shop made after its alert
    time (08:00) would get a digest at the next scan, among the replies a test reads.
    Tests of alerts start their own bot with fast jobs (tests/e2e/alerting.py)."""
    async with scans_held_off(database_url):
        yield await launch()


@pytest.fixture
async def webhook_bot(launch: Launch, api: LocalBotApi) -> BotProcess:
    """The bot in webhook mode; the local Bot API delivers to it once it is registered."""
    port = free_port()
    process = await launch(
        port=port,
        WEBHOOK_URL=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    await api.wait_for(lambda: api.webhook is not None, timeout=REPLY_TIMEOUT)
    return process


@pytest.fixture
def books(database_url: str) -> Books:
    return Books(database_url)


@pytest.fixture
def owner(api: LocalBotApi) -> Chat:
    return Chat(api, OWNER)


@pytest.fixture
def staff(api: LocalBotApi) -> Chat:
    return Chat(api, STAFF)


@pytest.fixture
def attacker(api: LocalBotApi) -> Chat:
    return Chat(api, ATTACKER)


@pytest.fixture
def stranger(api: LocalBotApi) -> Chat:
    """Someone in no shop at all."""
    return Chat(api, STRANGER)


async def open_cafe(owner: Chat) -> None:
    """The owner's shop with milk (low below 5 l, with a cost) and bread."""
    assert "is ready" in (await owner.say("/newshop Cafe")).shown_text
    assert "Added" in (await owner.say("/add milk unit l min 5 cost 0.60")).shown_text
    assert "Added" in (await owner.say("/add bread min 2")).shown_text


@pytest.fixture
async def cafe(bot: BotProcess, owner: Chat) -> BotProcess:
    """The running bot, with the owner's Cafe open and two products in its catalog."""
    await open_cafe(owner)
    return bot
