"""The pieces of an e2e test: the real bot process, the people who chat with it over the
local Bot API server, and a read-only look at the books it keeps in PostgreSQL.

    bot = await launch()                       # `stockbot run` in a subprocess
    olga = Chat(api, OWNER)
    reply = await olga.say("/newshop Cafe")    # send, then wait for the bot's answer
    card = await olga.say("/stock milk")
    await olga.press(card, "+1")
    card = await olga.edited()                 # the same card, edited in place
    assert (await books.product("milk"))["on_hand"] == 1
"""

# Waiting helpers take a timeout argument, like the LocalBotApi they wrap.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.settings import Settings
from devtools.localapi import (
    ButtonPress,
    CallbackAnswer,
    ChatMessage,
    LocalBotApi,
    LocalChat,
    LocalUser,
    command_entities,
)

REPLY_TIMEOUT = 10.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
WEBHOOK_PATH = "/tg/hook"
WEBHOOK_SECRET = "e2e-Secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

OWNER = LocalUser(1001, "Olga", username="olga")
STAFF = LocalUser(1002, "Bob", username="bob")
ATTACKER = LocalUser(1003, "Eve", username="eve")
STRANGER = LocalUser(1004, "Mallory", username="mallory")

# Every variable the bot reads, so none leaks in from the shell running the tests.
SETTINGS_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bot_environment(
    api: LocalBotApi,
    *,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    port: int,
    **overrides: str,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}
    env.update(
        BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_BASE_FILE_URL=api.base_file_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_PREFIX=redis_prefix,
        HOST="127.0.0.1",
        PORT=str(port),
        POLL_TIMEOUT="1",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class BotProcess:
    """`python -m bot.cli run` with its own environment; stdout and stderr go to a file
    that survives restarts, so a failing test can show everything the bot logged."""

    env: dict[str, str]
    log_path: Path
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    exit_codes: list[int] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def start(self) -> None:
        """Start the bot and wait until /healthz answers."""
        assert not self.running, "the bot is already running"
        with self.log_path.open("ab") as log:
            # The working directory has no .env file for the settings to pick up.
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=self.env,
                cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self._wait_healthy()

    async def _wait_healthy(self) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        async with ClientSession(timeout=ClientTimeout(total=2)) as http:
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(
                        f"the bot exited with {self.process.returncode} before it was healthy:"
                        f"\n{self.log()}"
                    )
                with contextlib.suppress(ClientError, OSError, TimeoutError):
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                if loop.time() > deadline:
                    raise TimeoutError(
                        f"/healthz did not answer in {START_TIMEOUT}s:\n{self.log()}"
                    )
                # Nothing to wait on but the port itself: poll it.
                await asyncio.sleep(0.05)

    async def stop(self) -> int:
        """SIGTERM, then wait for a clean exit (SIGKILL if it hangs); the exit code."""
        return await self._end(signal.SIGTERM)

    async def kill(self) -> int:
        """SIGKILL: a crash, with no chance to finish anything."""
        return await self._end(signal.SIGKILL)

    async def _end(self, how: signal.Signals) -> int:
        process = self.process
        assert process is not None
        if process.returncode is None:
            process.send_signal(how)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        code = process.returncode
        assert code is not None
        self.exit_codes.append(code)
        return code

    async def get(self, path: str) -> tuple[int, Any]:
        async with (
            ClientSession(timeout=ClientTimeout(total=10)) as http,
            http.get(self.url + path) as response,
        ):
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        async with (
            ClientSession(timeout=ClientTimeout(total=10)) as http,
            http.post(self.url + path, data=body, headers=headers) as response,
        ):
            return response.status


@dataclass
class Chat:
    """One person talking to the bot in one chat (their private chat by default)."""

    api: LocalBotApi
    user: LocalUser
    chat: LocalChat | None = None

    @property
    def chat_id(self) -> int:
        return self.chat.id if self.chat is not None else self.user.id

    async def send(self, text: str) -> int:
        return await self.api.send_text(self.user, self.chat, text)

    async def send_file(
        self,
        content: bytes,
        *,
        caption: str | None = None,
        kind: str = "photo",
        filename: str = "photo.jpg",
        mime_type: str = "image/jpeg",
    ) -> int:
        """A photo (or, with `kind="document"`, a file) with an optional caption."""
        return await self.api.send_file(
            self.user,
            self.chat,
            content,
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            caption=caption,
        )

    async def show(
        self,
        content: bytes,
        caption: str | None = None,
        timeout: float = REPLY_TIMEOUT,
        **file: str,
    ) -> ChatMessage:
        """Send a picture or file and return the bot's next message in this chat."""
        await self.send_file(content, caption=caption, **file)
        return await self.reply(timeout)

    async def say(self, text: str, timeout: float = REPLY_TIMEOUT) -> ChatMessage:
        """Send `text` and return the bot's next message in this chat."""
        await self.send(text)
        return await self.reply(timeout)

    async def reply(self, timeout: float = REPLY_TIMEOUT) -> ChatMessage:
        return await self.api.next_message(self.chat_id, timeout)

    async def edited(self, timeout: float = REPLY_TIMEOUT) -> ChatMessage:
        return await self.api.next_edit(self.chat_id, timeout)

    async def press(self, message: ChatMessage, label: str) -> ButtonPress:
        return await self.api.press(self.user, self.chat, message.message_id, label)

    async def forge(self, message: ChatMessage, data: str) -> ButtonPress:
        """A tap with any callback data at all, as a forger would send it."""
        return await self.api.press_button(
            self.user, self.chat, message.message_id, data, require_button=False
        )

    async def answer(self, press: ButtonPress, timeout: float = REPLY_TIMEOUT) -> CallbackAnswer:
        return await self.api.callback_answer(press.callback_query_id, timeout)

    async def refusal(self, press: ButtonPress, timeout: float = REPLY_TIMEOUT) -> str:
        """What the user was told about a refused tap: the alert on the button, or, when
        the tap had already been acknowledged, the bot's next message in the chat."""
        answer = await self.answer(press, timeout)
        if answer.show_alert and answer.text:
            return answer.text
        return text_of(await self.reply(timeout))


async def eventually(
    condition: Callable[[], Awaitable[object]], what: str, timeout: float = REPLY_TIMEOUT
) -> None:
    """Wait until `condition()` holds, for state the test cannot be notified of (another
    process's database session); checked every 50 ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise TimeoutError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.05)


def owner_message(update_id: int, text: str) -> dict[str, Any]:
    """An update as Telegram would send it for the owner writing `text` in private,
    for posting to the webhook by hand."""
    message: dict[str, Any] = {
        "message_id": 10_000 + update_id,
        "date": int(time.time()),
        "chat": {"id": OWNER.id, "type": "private", "first_name": OWNER.first_name},
        "from": OWNER.to_api(),
        "text": text,
    }
    if entities := command_entities(text):
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


def text_of(message: ChatMessage) -> str:
    return message.shown_text


def invite_code(message: ChatMessage) -> str:
    match = re.search(r"/start (\S+)", text_of(message))
    assert match, f"no invite code in {text_of(message)!r}"
    return match[1]


class Books:
    """Read-only queries on the bot's database, to check what the chat claims."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def _fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.url, timeout=10)
        try:
            return list(await connection.fetch(query, *args))
        finally:
            await connection.close()

    async def product(self, name: str, shop_name: str | None = None) -> asyncpg.Record:
        rows = await self._fetch(
            "SELECT p.* FROM products p JOIN shops s ON s.id = p.shop_id "
            "WHERE p.name = $1 AND ($2::text IS NULL OR s.name = $2)",
            name,
            shop_name,
        )
        assert len(rows) == 1, f"{len(rows)} products called {name!r}"
        return rows[0]

    async def shop_id(self, name: str) -> int:
        rows = await self._fetch("SELECT id FROM shops WHERE name = $1", name)
        assert len(rows) == 1, f"{len(rows)} shops called {name!r}"
        shop_id: int = rows[0]["id"]
        return shop_id

    async def on_hand(self, name: str) -> Decimal:
        on_hand: Decimal = (await self.product(name))["on_hand"]
        return on_hand

    async def movements(self, product_name: str | None = None) -> list[asyncpg.Record]:
        return await self._fetch(
            "SELECT m.*, p.name AS product_name FROM movements m "
            "JOIN products p ON p.id = m.product_id "
            "WHERE $1::text IS NULL OR p.name = $1 ORDER BY m.id",
            product_name,
        )

    async def snapshot(self) -> tuple[list[tuple[Any, ...]], ...]:
        """Every row that holds stock, members or the ledger, to compare before and after."""
        tables = ("products", "batches", "movements", "members", "invites")
        rows = []
        for table in tables:
            found = await self._fetch(f"SELECT * FROM {table} ORDER BY 1, 2")
            rows.append([tuple(row.values()) for row in found])
        return tuple(rows)

    async def inbox(self) -> list[asyncpg.Record]:
        return await self._fetch("SELECT * FROM update_inbox ORDER BY update_id")

    async def waiting_on_locks(self, statement_start: str) -> int:
        """How many of the bot's statements starting so are waiting for a lock now."""
        rows = await self._fetch(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE $1",
            statement_start + "%",
        )
        count: int = rows[0]["n"]
        return count

    @contextlib.asynccontextmanager
    async def locked(self, statement: str, *args: object) -> AsyncIterator[None]:
        """Hold the locks `statement` takes (e.g. `LOCK TABLE …`, `SELECT … FOR UPDATE`)
        in an open transaction for the block, then roll it back."""
        connection = await asyncpg.connect(self.url, timeout=10)
        try:
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute(statement, *args)
                yield
            finally:
                await transaction.rollback()
        finally:
            await connection.close()

    async def execute(self, query: str, *args: object) -> str:
        connection = await asyncpg.connect(self.url, timeout=10)
        try:
            result: str = await connection.execute(query, *args)
            return result
        finally:
            await connection.close()
