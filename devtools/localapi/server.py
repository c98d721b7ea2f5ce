"""The server itself: its lifecycle and HTTP front, and the side a test or a terminal plays
(users who write, tap and wait for the bot's answers)."""

# The harness API takes timeouts (`next_message(chat_id, timeout=…)`): a test waiting on the
# bot reads better that way than wrapped in asyncio.timeout at every call.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from devtools.localapi.chats import (
    BotEvent,
    ButtonPress,
    CallbackAnswer,
    ChatMessage,
    EventKind,
    LocalChat,
    LocalUser,
    StoredFile,
)
from devtools.localapi.errors import ApiError, too_many_requests
from devtools.localapi.faults import Fault, FaultPlan, RateLimits, SendLimiter
from devtools.localapi.members import ANONYMOUS_ADMIN, CHANNEL_BOT, MemberStatus
from devtools.localapi.methods import BotApiMethods, scope_key
from devtools.localapi.params import read_params
from devtools.localapi.webhook import Webhook, WebhookDelivery
from devtools.localapi.world import ChatWorld, Listener

SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class ApiCall:
    """A call of a Bot API method: how its parameters came (`content_type`: a JSON body,
    a form…) and what they were."""

    method: str
    content_type: str
    params: dict[str, Any]


class LocalBotApi:
    """An in-process Bot API server on aiohttp. See the package docstring."""

    def __init__(
        self,
        token: str = "123456:LOCAL-TEST-TOKEN",
        *,
        bot_username: str = "stockbot_local_bot",
        bot_name: str = "Stockbot",
        rate_limits: RateLimits | None = None,
        webhook_retry_delay: float = 0.2,
        webhook_max_retry_delay: float = 5.0,
        id_base: int = 1,
    ) -> None:
        """`id_base`: the first update, message and callback query id. A console over a
        database that outlives it starts above the ids of earlier runs, as Telegram's
        never repeat."""
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot = LocalUser(
            int(bot_id) if bot_id.isdigit() else 1, bot_name, username=bot_username, is_bot=True
        )
        self.world = ChatWorld(self.bot, id_base)
        self.limiter = SendLimiter(rate_limits)
        # Faults to inject, as from Telegram on a bad day: api.faults.during(Fault(500), 8).
        self.faults = FaultPlan()
        self.delivery = WebhookDelivery(self.world, webhook_retry_delay, webhook_max_retry_delay)
        self._methods = BotApiMethods(self.world, self.limiter, self.delivery).handlers()
        # Every call of a method, as it came: its body's content type and parameters.
        self.calls: list[ApiCall] = []
        self._read_messages: dict[int, int] = {}  # chat → seq of the last next_message
        self._read_edits: dict[int, int] = {}

        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._http: ClientSession | None = None
        self._host = "127.0.0.1"
        self._port = 0

    # ------------------------------------------------------------------ state

    @property
    def rate_limits(self) -> RateLimits | None:
        return self.limiter.limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        self.limiter.limits = limits

    @property
    def chats(self) -> dict[int, LocalChat]:
        return self.world.chats

    @property
    def users(self) -> dict[int, LocalUser]:
        return self.world.users

    @property
    def messages(self) -> dict[int, list[ChatMessage]]:
        return self.world.messages

    @property
    def events(self) -> list[BotEvent]:
        return self.world.events

    @property
    def files(self) -> dict[str, StoredFile]:
        return self.world.files

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        return self.world.callback_answers

    @property
    def webhook(self) -> Webhook | None:
        return self.world.webhook

    @property
    def menu_buttons(self) -> dict[int | None, dict[str, Any]]:
        """setChatMenuButton's buttons by chat id (None: the default for every chat)."""
        return self.world.menu_buttons

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        server = self._site._server
        sockets = getattr(server, "sockets", None) or []
        self._host = host
        self._port = sockets[0].getsockname()[1] if sockets else port
        self._http = ClientSession(timeout=ClientTimeout(total=10))
        self.delivery.start(self._http)

    async def stop(self) -> None:
        await self.delivery.stop()
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(…)`: the token is appended to it."""
        return f"http://{self._host}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self._port}/file/bot"

    @property
    def port(self) -> int:
        return self._port

    # ------------------------------------------------------------------ the user side

    def add_chat(self, chat: LocalChat) -> LocalChat:
        return self.world.add_chat(chat)

    def set_member(
        self,
        chat: LocalChat,
        user: LocalUser,
        status: MemberStatus | str,
        *,
        anonymous: bool = False,
    ) -> None:
        """`user`'s standing in the group `chat` from now on (creator, administrator,
        member, left, kicked…); `anonymous`: an admin who remains anonymous."""
        world = self.world
        world.add_chat(chat)
        world.users.setdefault(user.id, user)
        world.members.setdefault(chat.id, {})[user.id] = MemberStatus(status)
        if anonymous:
            world.anonymous_admins.add((chat.id, user.id))
        else:
            world.anonymous_admins.discard((chat.id, user.id))

    def member_status(self, chat_id: int, user_id: int) -> MemberStatus:
        return self.world.member_status(chat_id, user_id)

    def block(self, chat_id: int) -> None:
        """The user of this private chat blocks the bot: every send to the chat is refused
        with 403, as Telegram does, and recorded as a REFUSED event."""
        self.world.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.world.blocked.discard(chat_id)

    async def set_bot_blocked(self, user: LocalUser, blocked: bool) -> int:
        """The user blocks or unblocks the bot in their app, and Telegram tells the bot so
        (a my_chat_member update: the bot's own standing in that private chat). Returns
        the update's id."""
        (self.block if blocked else self.unblock)(user.id)
        chat = self.world.chat_for(user, None)
        bot = self.world.bot.to_api()
        member = {"status": "member", "user": bot}
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        return await self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_api(),
                    "from": user.to_api(),
                    "date": int(time.time()),
                    "old_chat_member": member if blocked else kicked,
                    "new_chat_member": kicked if blocked else member,
                }
            }
        )

    def refused_sends(self, chat_id: int) -> int:
        """How many sends to `chat_id` were refused because it blocked the bot."""
        return sum(1 for e in self.events if e.kind is EventKind.REFUSED and e.chat_id == chat_id)

    async def send_text(
        self,
        user: LocalUser,
        chat: LocalChat | None,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        sender_chat: LocalChat | None = None,
    ) -> int:
        """A user writes `text` in `chat` (None: their private chat with the bot); returns
        the update_id. Commands get bot_command entities as Telegram marks them.

        `sender_chat`: written "as" a chat, as Telegram shows it — an anonymous admin is
        `send_text(ANONYMOUS_ADMIN, group, …, sender_chat=group)`, a post as a channel
        `send_text(CHANNEL_BOT, group, …, sender_chat=channel)` (see `send_anonymously`
        and `send_as_channel`)."""
        data = self.world.written(
            user, text, chat, sender_chat=sender_chat, reply_to_message_id=reply_to_message_id
        )
        return await self.push_update({"message": data})

    async def send_anonymously(self, admin: LocalUser, group: LocalChat, text: str) -> int:
        """`admin` writes in `group` with "Remain anonymous" on: Telegram hides who, and
        the bot sees GroupAnonymousBot with the group as the sender chat."""
        self.set_member(group, admin, MemberStatus.ADMINISTRATOR, anonymous=True)
        return await self.send_text(ANONYMOUS_ADMIN, group, text, sender_chat=group)

    async def send_as_channel(self, channel: LocalChat, group: LocalChat, text: str) -> int:
        """Someone writes in `group` as `channel`: the bot sees Channel_Bot."""
        return await self.send_text(CHANNEL_BOT, group, text, sender_chat=channel)

    async def send_file(
        self,
        user: LocalUser,
        chat: LocalChat | None,
        content: bytes,
        *,
        kind: str = "photo",
        filename: str = "photo.jpg",
        mime_type: str = "image/jpeg",
        caption: str | None = None,
    ) -> int:
        """A user sends a photo (`kind="photo"`) or a file (`kind="document"`) with an
        optional caption; returns the update_id. The bot fetches the bytes with getFile."""
        world = self.world
        where = world.chat_for(user, chat)
        number = world.next_file_number()
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number}-{user.id}",
            file_unique_id=f"u{number}",
            filename=filename,
            mime_type=mime_type,
            content=content,
        )
        world.files[stored.file_id] = stored
        message = ChatMessage(
            chat_id=where.id,
            message_id=world.next_message_id(where.id),
            from_bot=False,
            date=int(time.time()),
            caption=caption,
            sender_id=user.id,
            photo=stored if kind == "photo" else None,
            document=stored if kind == "document" else None,
        )
        world.messages[where.id].append(message)
        return await self.push_update({"message": world.message_to_api(message)})

    async def press_button(
        self,
        user: LocalUser,
        chat: LocalChat | None,
        message_id: int,
        callback_data: str,
        *,
        require_button: bool = True,
    ) -> ButtonPress:
        """A user taps an inline button with `callback_data` under a bot message. With
        `require_button=False` any data is sent, as a forger would."""
        world = self.world
        where = world.chat_for(user, chat)
        message = world.message(where.id, message_id)
        if require_button and callback_data not in {b.callback_data for b in message.buttons}:
            raise LookupError(f"message {message_id} has no button with data {callback_data!r}")
        query_id = world.next_callback_id()
        world.open_callbacks.add(query_id)
        update_id = await self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "chat_instance": str(where.id),
                    "data": callback_data,
                    "message": world.message_to_api(message),
                }
            }
        )
        return ButtonPress(update_id, query_id)

    async def press(
        self, user: LocalUser, chat: LocalChat | None, message_id: int, label: str
    ) -> ButtonPress:
        """Tap the button labelled `label` (see ChatMessage.button)."""
        where = self.world.chat_for(user, chat)
        button = self.message(where.id, message_id).button(label)
        if button.callback_data is None:
            raise LookupError(f"button {label!r} is a link, not a callback button")
        return await self.press_button(user, where, message_id, button.callback_data)

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue any update (its update_id is assigned here) and return the update_id."""
        return await self.world.push_update(update)

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        return self.world.message(chat_id, message_id)

    def transcript(self, chat_id: int) -> list[ChatMessage]:
        """Every message of the chat, the user's and the bot's, in order, as they stand now."""
        return list(self.messages.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot and not m.deleted]

    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.world.pending)

    def my_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        return list(self.world.commands.get(scope_key(scope, language_code), []))

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> ChatMessage:
        """The next message the bot sent to `chat_id` that this method has not returned
        yet (a snapshot as sent); waits up to `timeout` seconds for it."""
        event = await self._next_event(chat_id, EventKind.SENT, self._read_messages, timeout)
        assert event.message is not None
        return event.message

    async def next_edit(self, chat_id: int, timeout: float = 5.0) -> ChatMessage:
        """The next edit the bot made in `chat_id` (a snapshot after the edit)."""
        event = await self._next_event(chat_id, EventKind.EDITED, self._read_edits, timeout)
        assert event.message is not None
        return event.message

    async def callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        await self.wait_for(lambda: callback_query_id in self.callback_answers, timeout)
        return self.callback_answers[callback_query_id]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; TimeoutError after `timeout` seconds."""
        await self.world.wait_for(condition, timeout)

    async def wait_until_delivered(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed (polling) or accepted (webhook) the update."""
        await self.wait_for(
            lambda: all(u["update_id"] != update_id for u in self.world.pending), timeout
        )

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` for every BotEvent from now on (e.g. a console printer)."""
        self.world.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self.world.listeners.remove(listener)

    async def watch(self) -> AsyncGenerator[BotEvent, None]:
        """Every BotEvent from now on, as an async iterator."""
        queue: asyncio.Queue[BotEvent] = asyncio.Queue()
        self.add_listener(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            self.remove_listener(queue.put_nowait)

    async def _next_event(
        self, chat_id: int, kind: EventKind, cursors: dict[int, int], timeout: float
    ) -> BotEvent:
        def unread() -> BotEvent | None:
            after = cursors.get(chat_id, 0)
            for event in self.events[after:]:
                if event.kind is kind and event.chat_id == chat_id:
                    return event
            return None

        try:
            await self.wait_for(lambda: unread() is not None, timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot sent nothing ({kind}) to chat {chat_id}") from None
        event = unread()
        assert event is not None
        cursors[chat_id] = event.seq
        return event

    # ------------------------------------------------------------------ HTTP

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_api(), status=401)
        handler = self._methods.get(request.match_info["method"].casefold())
        if handler is None:
            return web.json_response(ApiError(404, "Not Found").to_api(), status=404)
        try:
            if (fault := self.faults.next_fault(request.match_info["method"])) is not None:
                if fault.drop:
                    assert request.transport is not None
                    request.transport.close()
                    return web.Response()
                await self._fail(fault)
            params = await read_params(request)
            self.calls.append(
                ApiCall(request.match_info["method"], request.content_type, dict(params.values))
            )
            result = await handler(params)
        except ApiError as error:
            return web.json_response(error.to_api(), status=error.code)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _fail(fault: Fault) -> None:
        if fault.hang:
            await asyncio.sleep(fault.hang)
            raise ApiError(502, "Bad Gateway")
        if fault.status == 429:
            raise too_many_requests(fault.retry_after)
        if fault.description is not None:
            raise ApiError(fault.status, fault.description)
        raise ApiError(fault.status, SERVER_ERRORS.get(fault.status, "Internal Server Error"))

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return web.Response(status=404)
