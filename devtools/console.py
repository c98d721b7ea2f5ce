"""`stockbot chat`: the real bot, served by a local Bot API server, in this terminal.

Type as a simulated user and read the bot's replies; press inline buttons by number;
switch between an owner, a staff member and a stranger to try invites and roles. A block
pasted at once, or lines ending in `\\`, are one message (a multi-line stocktake)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from aiohttp import web

from bot import texts
from bot.runner import serve
from bot.settings import Settings
from devtools.localapi import (
    BotEvent,
    ChatMessage,
    EventKind,
    LocalBotApi,
    LocalChat,
    LocalUser,
    MemberStatus,
)
from devtools.loopback import serve_on_loopback
from webapp.initdata import WebAppUser, signed_for

USERS = {
    "alice": LocalUser(1001, "Alice", username="alice_owner"),
    "bob": LocalUser(1002, "Bob", username="bob_staff"),
    "eve": LocalUser(1003, "Eve", username="eve_stranger"),
}
GROUP = LocalChat.group(-100200300, "Shop team")
FILES = Path("stockbot-files")
ANSWER_WAIT_SECONDS = 10.0
SETTLE_SECONDS = 0.3  # an answer may come in several messages
# Lines arriving closer together than this were pasted, not typed: no one types a line in
# 50 ms, and a terminal hands over a pasted block in one read.
PASTE_GAP_SECONDS = 0.05
QUIT = frozenset({":quit", ":q", ":exit"})
CONSOLE_COMMAND = re.compile(
    r":(?:quit|q|exit|group|dm|list|as(?:\s.*)?|lang(?:\s.*)?|send(?:\s.*)?|\d+(?:\^\d+)?)",
    re.DOTALL,
)
OLD_BUTTON = re.compile(r":(\d+)(?:\^(\d+))?")
# What a file sent with :send is, by its name's ending (anything else is a document).
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
DOCUMENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
KEPT_BUTTON_MESSAGES = 20
CONTINUATION = "\\"

INTRO = """\
stockbot console — you are chatting with the real bot through a local Bot API server.
  Type messages as the current user, e.g. /newshop Corner Cafe, /add milk unit l min 5,
  /restock milk 20 exp 20 dec, /sell milk 3, /dashboard, /help.
  :1, :2 …      press button 1, 2 … of the bot's last message (:list shows them)
  :2^1          press button 2 of the message before it (^2 the one before that …)
  :as bob       switch user (alice = owner-to-be, bob = staff-to-be, eve = a stranger)
  :lang ru      the current user's Telegram app language (en, ru, de …)
  :send stock.csv [caption]  send a file (a .jpg/.png goes as a photo)
  :group / :dm  talk in a group chat (alice created it: she can /link it to her shop)
                or in your private chat with the bot
  :quit         leave (Ctrl-D works too)
  Several lines in one message: paste them as a block, or end each line but the last
  with \\ (a stocktake: /count ⏎ flour 12 ⏎ sugar 3).
"""


@dataclass(frozen=True)
class Entry:
    """One thing the person at the console asked for: a console command or a message."""

    text: str
    command: bool

    @property
    def quits(self) -> bool:
        return self.command and self.text in QUIT


def is_console_command(line: str) -> bool:
    return CONSOLE_COMMAND.fullmatch(line.strip()) is not None


class LineAssembler:
    """Turns the lines read at once (`batch`) into entries: a line ending in `\\` goes on
    into the next line (even into the next batch), a pasted batch is one message, and a
    console command stands alone unless a `\\` carried it into a message."""

    def __init__(self) -> None:
        self._open: list[str] = []  # lines of a message continued with `\`

    def entries(self, batch: Sequence[str], *, pasted: bool) -> list[Entry]:
        found: list[Entry] = []
        block = self._open
        self._open = []
        joining = bool(block)
        for raw in batch:
            line = raw.rstrip("\r\n")
            continues = line.endswith(CONTINUATION)
            if continues:
                line = line[: -len(CONTINUATION)]
            if not joining and is_console_command(line):
                found.extend(_message(block))
                block = []
                found.append(Entry(line.strip(), command=True))
                continue
            block.append(line)
            joining = continues
            if not continues and not pasted:
                found.extend(_message(block))
                block = []
        if joining:
            self._open = block
        else:
            found.extend(_message(block))
        return found


def _message(lines: list[str]) -> list[Entry]:
    text = "\n".join(lines).strip()
    return [Entry(text, command=False)] if text else []


class StdinLines:
    """Lines of a text stream, read by a daemon thread so that leaving never waits for a
    line nobody will type (a thread blocked in readline would hold up the exit).

    Whether lines came together is judged by when they were read, not by when the
    console gets to them: lines typed while it waits for an answer are separate
    messages, not one pasted block."""

    def __init__(self, stream: TextIO, *, paste_gap: float) -> None:
        self.stream = stream
        self.paste_gap = paste_gap
        # (when read, the line); the line is None at the end of the input
        self._queue: asyncio.Queue[tuple[float, str | None]] = asyncio.Queue()
        self._held: tuple[float, str | None] | None = None  # the first of the next batch

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        def read() -> None:
            while True:
                try:
                    line = self.stream.readline()
                except (OSError, ValueError):
                    line = ""
                loop.call_soon_threadsafe(self._queue.put_nowait, (time.monotonic(), line or None))
                if not line:
                    return

        threading.Thread(target=read, name="console-stdin", daemon=True).start()

    async def batches(self) -> AsyncIterator[list[str]]:
        """The lines read together (each within `paste_gap` of the one before), until EOF."""
        while True:
            read_at, line = self._held or await self._queue.get()
            self._held = None
            if line is None:
                return
            batch = [line]
            while self.paste_gap > 0:
                item = await self._next_before(read_at + self.paste_gap)
                if item is None:
                    break
                next_read_at, next_line = item
                if next_line is None or next_read_at - read_at > self.paste_gap:
                    self._held = item
                    break
                read_at = next_read_at
                batch.append(next_line)
            yield batch

    async def _next_before(self, deadline: float) -> tuple[float, str | None] | None:
        """The next item already read, or read before `deadline`; None if none comes."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self._queue.get(), max(0.0, deadline - time.monotonic()))
        return None


class Console:
    def __init__(self, api: LocalBotApi, *, answer_wait: float = ANSWER_WAIT_SECONDS) -> None:
        self.api = api
        self.answer_wait = answer_wait
        api.set_member(GROUP, USERS["alice"], MemberStatus.CREATOR)
        self.user = USERS["alice"]
        self.chat: LocalChat | None = None
        # Per chat, the bot's messages with buttons, newest last (`:2^1` presses an old one).
        self.with_buttons: dict[int, list[ChatMessage]] = {}
        self.lines = LineAssembler()

    @property
    def chat_id(self) -> int:
        return self.chat.id if self.chat is not None else self.user.id

    def show(self, event: BotEvent) -> None:
        message = event.message
        if event.kind is EventKind.CALLBACK_ANSWERED:
            text = event.detail.get("text")
            if text:
                print(f"  [popup] {text}")
            return
        if message is None or event.kind not in {EventKind.SENT, EventKind.EDITED}:
            return
        where = "group" if message.chat_id < 0 else self._user_name(message.chat_id)
        tag = "edited" if event.kind is EventKind.EDITED else "bot"
        print(f"\n┌─ {tag} → {where}")
        body = message.shown_text
        named = [(message.document, None), (message.photo, f"photo-{message.message_id}.png")]
        for attachment, name in named:
            if attachment is not None:
                saved = self._save(name or attachment.filename, attachment.content)
                body = f"📎 {saved} ({len(attachment.content)} bytes)\n{body}"
        for line in body.splitlines() or [""]:
            print(f"│ {line}")
        kept = self.with_buttons.setdefault(message.chat_id, [])
        kept[:] = [m for m in kept if m.message_id != message.message_id]
        if message.buttons:
            kept.append(message)
            del kept[:-KEPT_BUTTON_MESSAGES]
            labels = [f"[{i}] {b.text}" for i, b in enumerate(message.buttons, start=1)]
            print("│ " + "  ".join(labels))
        print("└─")

    def _save(self, filename: str, content: bytes) -> Path:
        """Files the bot sends land in ./stockbot-files so they can be opened."""
        FILES.mkdir(exist_ok=True)
        path = FILES / Path(filename).name
        path.write_bytes(content)
        return path

    def _user_name(self, user_id: int) -> str:
        return next((name for name, u in USERS.items() if u.id == user_id), str(user_id))

    async def session(self, batches: AsyncIterator[list[str]], *, pasted: bool) -> None:
        """Take entries until `:quit` or the end of input. Only what reaches the bot waits
        for its answer (so piped lines see the replies to the lines before them); a console
        command or an empty line is done at once."""
        async for batch in batches:
            for entry in self.lines.entries(batch, pasted=pasted):
                if entry.quits:
                    return
                seen = len(self.api.events)
                if await self.handle(entry):
                    await self._answer_after(seen)

    async def _answer_after(self, seen: int) -> None:
        with contextlib.suppress(TimeoutError):
            await self.api.wait_for(lambda: len(self.api.events) > seen, self.answer_wait)
        await asyncio.sleep(SETTLE_SECONDS)

    async def handle(self, entry: Entry) -> bool:
        """Do what `entry` asks; True when something went to the bot."""
        if not entry.command:
            await self.api.send_text(self.user, self.chat, entry.text)
            return True
        line = entry.text
        if line.startswith(":as"):
            name = line[3:].strip().lower()
            if name not in USERS:
                print(f"  unknown user; choose one of {', '.join(USERS)}")
            else:
                self.user = USERS[name]
                print(f"  you are now {self.user.first_name}")
        elif line == ":group":
            self.chat = GROUP
            print(f"  talking in the group “{GROUP.title}”")
        elif line == ":dm":
            self.chat = None
            print("  talking in your private chat with the bot")
        elif line == ":list":
            message = self._with_buttons(0)
            buttons = message.buttons if message else []
            for i, b in enumerate(buttons, start=1):
                print(f"  [{i}] {b.text}")
            if not buttons:
                print("  no buttons here")
        elif line.startswith(":lang"):
            code = line[5:].strip().lower() or "en"
            self.user = replace(self.user, language_code=code)
            USERS[self._user_name(self.user.id)] = self.user
            print(f"  {self.user.first_name}'s Telegram app speaks {code}")
        elif line.startswith(":send"):
            return await self._send(line[5:].strip())
        elif pressed := OLD_BUTTON.fullmatch(line):
            return await self._press(int(pressed[1]), int(pressed[2] or 0))
        return False

    def _with_buttons(self, back: int) -> ChatMessage | None:
        kept = self.with_buttons.get(self.chat_id, [])
        return kept[-1 - back] if back < len(kept) else None

    async def _send(self, typed: str) -> bool:
        path_text, _, caption = typed.partition(" ")
        path = Path(path_text)
        content = await asyncio.to_thread(_read_file, path)
        if content is None:
            print("  no such file; e.g. :send stockbot-files/stock-2026-12-07.csv")
            return False
        suffix = path.suffix.lower()
        kind = "photo" if suffix in PHOTO_TYPES else "document"
        mime = PHOTO_TYPES.get(suffix) or DOCUMENT_TYPES.get(suffix, "application/octet-stream")
        await self.api.send_file(
            self.user,
            self.chat,
            content,
            kind=kind,
            filename=path.name,
            mime_type=mime,
            caption=caption.strip() or None,
        )
        return True

    async def _press(self, number: int, back: int = 0) -> bool:
        message = self._with_buttons(back)
        buttons = message.buttons if message else []
        if message is None or not 1 <= number <= len(buttons):
            print("  no such button")
            return False
        data = buttons[number - 1].callback_data
        if data is None:
            return False
        await self.api.press_button(self.user, self.chat, message.message_id, data)
        return True


def _read_file(path: Path) -> bytes | None:
    try:
        return path.expanduser().read_bytes()
    except OSError:
        return None


OWNER = USERS["alice"]


def _loopback_port(preferred: int) -> int:
    """The configured port when it is free on loopback, else any free one."""
    for candidate in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise OSError("no free port on 127.0.0.1")


def _app_url(api: LocalBotApi, port: int) -> str:
    """The page with login data signed for the console's owner, as Telegram would pass
    it in the URL's fragment: opening it logs in (once; the session cookie stays)."""
    user = WebAppUser(OWNER.id, OWNER.first_name, username=OWNER.username or "")
    # Each opening is unique, as Telegram's query_id makes it: two openings within one
    # second would otherwise sign the same data, and the second would be refused as a
    # replay.
    data = signed_for(user, api.token, query_id=secrets.token_urlsafe(12))
    return f"http://127.0.0.1:{port}/app/#tgWebAppData={quote(data)}"


async def _login_door(api: LocalBotApi, app_port: int) -> tuple[web.AppRunner, str]:
    """A loopback address that signs fresh login data at each visit and sends the browser
    on to the app. Telegram's initData is used once and grows old, so a link with it
    printed once would work in one browser once: not after a log out, in a second
    browser, or the next day."""

    async def open_app(_: web.Request) -> web.Response:
        # The Location as is: HTTPFound would decode the fragment's %26 and %3D and
        # split the login data into pieces.
        return web.Response(status=302, headers={"Location": _app_url(api, app_port)})

    door = web.Application()
    door.router.add_get("/", open_app)
    runner, base = await serve_on_loopback(door)
    return runner, f"{base}/"


async def run_console(settings: Settings) -> None:
    # Milliseconds grow across runs faster than anyone types.
    api = LocalBotApi(bot_username="stockbot_local_bot", id_base=int(time.time() * 1000))
    await api.start()
    port = _loopback_port(settings.port)
    local = settings.model_copy(
        update={
            "telegram_api_base_url": api.base_url,
            "telegram_api_base_file_url": api.base_file_url,
            "webhook_url": None,
            "poll_timeout": 1,
            "telegram_rate_limit": False,
            # The Mini App, for a browser on this machine only.
            "host": "127.0.0.1",
            "port": port,
        }
    )
    console = Console(api)
    api.add_listener(console.show)
    stop = asyncio.Event()
    bot_task = asyncio.create_task(serve(local, api.token, stop))
    door, door_url = await _login_door(api, port)
    print(INTRO)
    print(texts.MINIAPP_CONSOLE_LINK.format(name=OWNER.first_name, url=door_url))
    print()
    typed = sys.stdin.isatty()
    lines = StdinLines(sys.stdin, paste_gap=PASTE_GAP_SECONDS if typed else 0)
    lines.start()
    session = asyncio.create_task(console.session(lines.batches(), pasted=typed))
    try:
        await asyncio.wait({session, bot_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        session.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await session
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot_task, timeout=10)
        await door.cleanup()
        await api.stop()
    if bot_task.done() and not bot_task.cancelled() and bot_task.exception():
        raise bot_task.exception()  # type: ignore[misc]
