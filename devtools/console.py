"""`stockbot chat`: the real bot, served by a local Bot API server, in this terminal.

Type as a simulated user and read the bot's replies; press inline buttons by number;
switch between an owner, a staff member and a stranger to try invites and roles."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from functools import partial
from pathlib import Path

from bot.runner import serve
from bot.settings import Settings
from devtools.localapi import BotEvent, ChatMessage, EventKind, LocalBotApi, LocalChat, LocalUser

USERS = {
    "alice": LocalUser(1001, "Alice", username="alice_owner"),
    "bob": LocalUser(1002, "Bob", username="bob_staff"),
    "eve": LocalUser(1003, "Eve", username="eve_stranger"),
}
GROUP = LocalChat.group(-100200300, "Shop team")
FILES = Path("stockbot-files")
ANSWER_WAIT_SECONDS = 10.0
SETTLE_SECONDS = 0.3  # an answer may come in several messages

INTRO = """\
stockbot console — you are chatting with the real bot through a local Bot API server.
  Type messages as the current user, e.g. /newshop Corner Cafe, /add milk unit l min 5,
  /restock milk 20 exp 2026-06-01, /sell milk 3, /dashboard, /help.
  :1, :2 …      press button 1, 2 … of the bot's last message (:list shows them)
  :as bob       switch user (alice = owner-to-be, bob = staff-to-be, eve = a stranger)
  :group / :dm  talk in a group chat or in your private chat with the bot
  :quit         leave (Ctrl-D works too)
"""


class Console:
    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self.user = USERS["alice"]
        self.chat: LocalChat | None = None
        self.last_with_buttons: dict[int, ChatMessage] = {}

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
        if message.buttons:
            self.last_with_buttons[message.chat_id] = message
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

    async def handle(self, line: str) -> bool:
        """False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if line in {":quit", ":q", ":exit"}:
            return False
        if line.startswith(":as "):
            name = line[4:].strip().lower()
            if name not in USERS:
                print(f"  unknown user; choose one of {', '.join(USERS)}")
            else:
                self.user = USERS[name]
                print(f"  you are now {self.user.first_name}")
            return True
        if line == ":group":
            self.chat = GROUP
            print(f"  talking in the group “{GROUP.title}”")
            return True
        if line == ":dm":
            self.chat = None
            print("  talking in your private chat with the bot")
            return True
        if line == ":list":
            message = self.last_with_buttons.get(self.chat_id)
            for i, b in enumerate(message.buttons if message else [], start=1):
                print(f"  [{i}] {b.text}")
            return True
        if line.startswith(":") and line[1:].isdigit():
            await self._press(int(line[1:]))
            return True
        await self.api.send_text(self.user, self.chat, line)
        return True

    async def _press(self, number: int) -> None:
        message = self.last_with_buttons.get(self.chat_id)
        buttons = message.buttons if message else []
        if message is None or not 1 <= number <= len(buttons):
            print("  no such button")
            return
        data = buttons[number - 1].callback_data
        if data is not None:
            await self.api.press_button(self.user, self.chat, message.message_id, data)


def _answered(api: LocalBotApi, events_before: int) -> bool:
    return len(api.events) > events_before


async def _read_lines(queue: asyncio.Queue[str | None]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        await queue.put(line if line else None)
        if not line:
            return


async def run_console(settings: Settings) -> None:
    # Milliseconds grow across runs faster than anyone types.
    api = LocalBotApi(bot_username="stockbot_local_bot", id_base=int(time.time() * 1000))
    await api.start()
    local = settings.model_copy(
        update={
            "telegram_api_base_url": api.base_url,
            "telegram_api_base_file_url": api.base_file_url,
            "webhook_url": None,
            "poll_timeout": 1,
            "telegram_rate_limit": False,
        }
    )
    console = Console(api)
    api.add_listener(console.show)
    stop = asyncio.Event()
    bot_task = asyncio.create_task(serve(local, api.token, stop, http=False))
    print(INTRO)
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    reader = asyncio.create_task(_read_lines(queue))
    try:
        while not bot_task.done():
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getter, bot_task}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            line = getter.result()
            seen = len(api.events)
            if line is None or not await console.handle(line):
                break
            # Let the bot answer before the next line (typed or piped) is taken.
            with contextlib.suppress(TimeoutError):
                await api.wait_for(partial(_answered, api, seen), timeout=ANSWER_WAIT_SECONDS)
            await asyncio.sleep(SETTLE_SECONDS)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot_task, timeout=10)
        reader.cancel()
        await api.stop()
    if bot_task.done() and not bot_task.cancelled() and bot_task.exception():
        raise bot_task.exception()  # type: ignore[misc]
