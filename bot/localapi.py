"""A Telegram Bot API server in miniature, for loopback use: the e2e harness and the engine
of the console chat.

The real python-telegram-bot client talks to it over HTTP::

    api = LocalBotApi(token="123:LOCAL")
    await api.start()
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())

and a test or a terminal plays the users::

    owner = LocalUser(1, "Olga")
    await api.send_text(owner, None, "/newshop Corner")   # None: the private chat
    reply = await api.next_message(owner.id)
    await api.press(owner, None, reply.message_id, "+1")

It serves the methods the bot uses, answers in the Bot API's shape with Telegram's error
descriptions (so python-telegram-bot raises the same BadRequest), queues updates for
getUpdates long polling or delivers them to a webhook with retries, and records everything
the bot sends. It holds no state on disk and is not meant to face the internet.
"""

# The harness API takes timeouts (`next_message(chat_id, timeout=…)`): a test waiting on the
# bot reads better that way than wrapped in asyncio.timeout at every call.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import html
import itertools
import json
import logging
import re
import struct
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_POLL_TIMEOUT = 50
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)  # fmt: skip
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


# ------------------------------------------------------------------------ people, chats


@dataclass(frozen=True)
class LocalUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            data["username"] = self.username
        if self.last_name:
            data["last_name"] = self.last_name
        return data


@dataclass(frozen=True)
class LocalChat:
    """A simulated chat: a private chat has the user's id, a group a negative id."""

    id: int
    type: str = "private"  # private | group | supergroup
    title: str | None = None
    first_name: str | None = None
    username: str | None = None

    @classmethod
    def private(cls, user: LocalUser) -> LocalChat:
        return cls(user.id, "private", first_name=user.first_name, username=user.username)

    @classmethod
    def group(cls, chat_id: int, title: str, *, supergroup: bool = False) -> LocalChat:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        return cls(chat_id, "supergroup" if supergroup else "group", title=title)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "first_name", "username"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class StoredFile:
    """A document or photo the bot uploaded (or a user sent), bytes and all."""

    file_id: str
    file_unique_id: str
    filename: str
    mime_type: str
    content: bytes

    @property
    def path(self) -> str:
        return f"files/{self.file_unique_id}/{self.filename}"


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class ChatMessage:
    """A message in a chat as it stands now: edits change it, deletion flags it."""

    chat_id: int
    message_id: int
    from_bot: bool
    date: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    sender_id: int | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[InlineButton]:
        """The inline keyboard's buttons, row by row, left to right."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            InlineButton(b.get("text", ""), b.get("callback_data"), b.get("url"))
            for row in rows
            for b in row
        ]

    def button(self, label: str) -> InlineButton:
        """The button whose text is `label` (exactly, or else the only one containing it)."""
        exact = [b for b in self.buttons if b.text == label]
        partial = [b for b in self.buttons if label.casefold() in b.text.casefold()]
        found = exact or partial
        if len(found) != 1:
            labels = [b.text for b in self.buttons]
            raise LookupError(f"no single button {label!r} on message {self.message_id}: {labels}")
        return found[0]

    @property
    def shown_text(self) -> str:
        """Text or caption without HTML tags, as a person would read it."""
        raw = self.text if self.text is not None else (self.caption or "")
        if (self.parse_mode or "").casefold() == "html":
            return html.unescape(re.sub(r"<[^>]*>", "", raw))
        return raw


class EventKind(enum.StrEnum):
    SENT = "sent"
    EDITED = "edited"
    DELETED = "deleted"
    CALLBACK_ANSWERED = "callback_answered"
    CHAT_ACTION = "chat_action"
    REFUSED = "refused"  # a send Telegram refused because the user blocked the bot


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did, in the order it did it; `message` is a snapshot."""

    seq: int
    kind: EventKind
    chat_id: int | None
    message: ChatMessage | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ButtonPress:
    update_id: int
    callback_query_id: str


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented send limits; set on LocalBotApi to get 429s like Telegram."""

    per_chat_per_second: int = 1
    global_per_second: int = 30


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    allowed_updates: frozenset[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class ApiError(Exception):
    """An answer of `{"ok": false, …}` with Telegram's code and description."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            data["parameters"] = {"retry_after": self.retry_after}
        return data


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# ------------------------------------------------------------------------- parameters


class Params:
    """A method's parameters from the query string, a JSON body, or a form/multipart body
    (where python-telegram-bot JSON-encodes every non-string value)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, FileField):
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def required_str(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise bad_request(f"parameter {name} is required")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool | FileField):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.casefold() in ("true", "1")
        return bool(value)

    def json_value(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> FileField | str | None:
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        return value if isinstance(value, FileField | str) else None


# ----------------------------------------------------------------------------- server

Handler = Callable[[Params], Awaitable[Any]]
Listener = Callable[[BotEvent], None]


class LocalBotApi:
    """An in-process Bot API server on aiohttp. See the module docstring."""

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
        self.rate_limits = rate_limits
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_retry_delay = webhook_max_retry_delay

        self.chats: dict[int, LocalChat] = {}
        self.users: dict[int, LocalUser] = {}
        self.messages: dict[int, list[ChatMessage]] = {}  # per chat, in order
        self.events: list[BotEvent] = []
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.webhook: Webhook | None = None

        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(id_base)
        self._id_base = id_base
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(id_base)
        self._open_callbacks: set[str] = set()
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._changed = asyncio.Condition()
        self._read_messages: dict[int, int] = {}  # chat → seq of the last next_message
        self._read_edits: dict[int, int] = {}
        self._listeners: list[Listener] = []
        self._sends: dict[int | None, deque[float]] = {}
        self._blocked: set[int] = set()
        self._methods: dict[str, Handler] = {
            name.removeprefix("_api_").replace("_", "").casefold(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }

        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._http: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._host = "127.0.0.1"
        self._port = 0

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

    async def stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
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
        self.chats.setdefault(chat.id, chat)
        self.messages.setdefault(chat.id, [])
        return self.chats[chat.id]

    def block(self, chat_id: int) -> None:
        """The user of this private chat blocks the bot: every send to the chat is refused
        with 403, as Telegram does, and recorded as a REFUSED event."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def refused_sends(self, chat_id: int) -> int:
        """How many sends to `chat_id` were refused because it blocked the bot."""
        return sum(1 for e in self.events if e.kind is EventKind.REFUSED and e.chat_id == chat_id)

    def _chat_for(self, user: LocalUser, chat: LocalChat | None) -> LocalChat:
        self.users[user.id] = user
        return self.add_chat(chat or LocalChat.private(user))

    async def send_text(
        self,
        user: LocalUser,
        chat: LocalChat | None,
        text: str,
        *,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user writes `text` in `chat` (None: their private chat with the bot); returns
        the update_id. Commands get bot_command entities as Telegram marks them."""
        where = self._chat_for(user, chat)
        message = ChatMessage(
            chat_id=where.id,
            message_id=self._next_message_id(where.id),
            from_bot=False,
            date=int(time.time()),
            text=text,
            sender_id=user.id,
            reply_to_message_id=reply_to_message_id,
        )
        self.messages[where.id].append(message)
        data = self._message_to_api(message)
        entities = command_entities(text)
        if entities:
            data["entities"] = entities
        return await self.push_update({"message": data})

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
        where = self._chat_for(user, chat)
        message = self.message(where.id, message_id)
        if require_button and callback_data not in {b.callback_data for b in message.buttons}:
            raise LookupError(f"message {message_id} has no button with data {callback_data!r}")
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        update_id = await self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "chat_instance": str(where.id),
                    "data": callback_data,
                    "message": self._message_to_api(message),
                }
            }
        )
        return ButtonPress(update_id, query_id)

    async def press(
        self, user: LocalUser, chat: LocalChat | None, message_id: int, label: str
    ) -> ButtonPress:
        """Tap the button labelled `label` (see ChatMessage.button)."""
        where = self._chat_for(user, chat)
        button = self.message(where.id, message_id).button(label)
        if button.callback_data is None:
            raise LookupError(f"button {label!r} is a link, not a callback button")
        return await self.press_button(user, where, message_id, button.callback_data)

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue any update (its update_id is assigned here) and return the update_id."""
        update_id = next(self._update_ids)
        self._pending.append({"update_id": update_id, **update})
        await self._notify()
        return update_id

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise LookupError(f"no message {message_id} in chat {chat_id}")

    def transcript(self, chat_id: int) -> list[ChatMessage]:
        """Every message of the chat, the user's and the bot's, in order, as they stand now."""
        return list(self.messages.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages.get(chat_id, []) if m.from_bot and not m.deleted]

    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._pending)

    def my_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        return list(self.commands.get(_scope_key(scope, language_code), []))

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
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(condition)

    async def wait_until_delivered(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed (polling) or accepted (webhook) the update."""
        await self.wait_for(
            lambda: all(u["update_id"] != update_id for u in self._pending), timeout
        )

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` for every BotEvent from now on (e.g. a console printer)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    async def watch(self) -> AsyncIterator[BotEvent]:
        """Every BotEvent from now on, as an async iterator."""
        queue: asyncio.Queue[BotEvent] = asyncio.Queue()
        self.add_listener(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            self.remove_listener(queue.put_nowait)

    # ------------------------------------------------------------------ internals

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _record(
        self,
        kind: EventKind,
        chat_id: int | None,
        message: ChatMessage | None = None,
        **detail: Any,
    ) -> None:
        snapshot = replace(message) if message is not None else None
        event = BotEvent(len(self.events) + 1, kind, chat_id, snapshot, detail)
        self.events.append(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("local Bot API listener failed")
        await self._notify()

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

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(self._id_base)))

    def _message_to_api(self, message: ChatMessage) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        sender = self.bot if message.from_bot else self.users.get(message.sender_id or 0)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        if sender is not None:
            data["from"] = sender.to_api()
        if message.text is not None:
            data["text"] = message.text
        if message.caption is not None:
            data["caption"] = message.caption
        # Telegram echoes only inline keyboards; ForceReply and reply keyboards stay unsaid.
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.document is not None:
            data["document"] = _document_to_api(message.document)
        if message.photo is not None:
            data["photo"] = [_photo_to_api(message.photo)]
        if message.reply_to_message_id is not None:
            with contextlib.suppress(LookupError):
                replied = self.message(message.chat_id, message.reply_to_message_id)
                data["reply_to_message"] = self._message_to_api(
                    replace(replied, reply_to_message_id=None)
                )
        return data

    # ------------------------------------------------------------------ HTTP

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_api(), status=401)
        handler = self._methods.get(request.match_info["method"].casefold())
        if handler is None:
            return web.json_response(ApiError(404, "Not Found").to_api(), status=404)
        try:
            params = Params(await _read_params(request))
            result = await handler(params)
        except ApiError as error:
            return web.json_response(error.to_api(), status=error.code)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return web.Response(status=404)

    # ------------------------------------------------------------------ updates

    def _is_allowed(self, update: Mapping[str, Any], allowed: frozenset[str] | None) -> bool:
        kinds = allowed or DEFAULT_UPDATE_TYPES
        return any(key in kinds for key in update if key != "update_id")

    async def _api_get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = max(1, min(params.integer("limit", 100) or 100, 100))
        timeout = max(0, min(params.integer("timeout", 0) or 0, MAX_POLL_TIMEOUT))
        if params.has("allowed_updates"):
            self._allowed_updates = frozenset(params.json_value("allowed_updates") or []) or None
        if offset is not None:
            if offset < 0:
                self._pending = self._pending[offset:]
            else:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self._pending = [u for u in self._pending if self._is_allowed(u, self._allowed_updates)]
        self._poll_generation += 1
        generation = self._poll_generation
        await self._notify()  # a poller still waiting is terminated, as Telegram does
        if not self._pending and timeout:
            with contextlib.suppress(TimeoutError):
                await self.wait_for(
                    lambda: bool(self._pending) or self._poll_generation != generation,
                    timeout,
                )
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
        allowed = [u for u in self._pending if self._is_allowed(u, self._allowed_updates)]
        return copy.deepcopy(allowed[:limit])

    async def _api_set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return await self._api_delete_webhook(params)
        if not re.match(r"https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json_value("allowed_updates")
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        self.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=frozenset(allowed) if allowed else None,
            max_connections=params.integer("max_connections", 40) or 40,
        )
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        await self._notify()
        return True

    async def _api_delete_webhook(self, params: Params) -> bool:
        self.webhook = None
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        await self._notify()
        return True

    async def _api_get_webhook_info(self, params: Params) -> dict[str, Any]:
        hook = self.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = sorted(hook.allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates one by one, oldest first; retry a failed one with growing
        delays until the hook accepts it (2xx), as Telegram does."""
        delay = self.webhook_retry_delay
        while True:
            hook = self.webhook
            if hook is None:
                return
            update = next(
                (u for u in self._pending if self._is_allowed(u, hook.allowed_updates)), None
            )
            if update is None:
                self._pending = []  # what the hook does not want is dropped, like Telegram
                with contextlib.suppress(TimeoutError):
                    await self.wait_for(self._webhook_has_work(hook), 30)
                continue
            error = await self._post_update(hook, update)
            if error is None:
                self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                delay = self.webhook_retry_delay
                await self._notify()
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.webhook_max_retry_delay)

    def _webhook_has_work(self, hook: Webhook) -> Callable[[], bool]:
        return lambda: bool(self._pending) or self.webhook is not hook

    async def _post_update(self, hook: Webhook, update: dict[str, Any]) -> str | None:
        assert self._http is not None, "LocalBotApi is not started"
        headers = {}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._http.post(hook.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (ClientError, TimeoutError, OSError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"

    # ------------------------------------------------------------------ identity

    async def _api_get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_log_out(self, params: Params) -> bool:
        return True

    async def _api_close(self, params: Params) -> bool:
        return True

    async def _api_get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._known_chat(params)
        return {**chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11}

    # ------------------------------------------------------------------ sending

    def _known_chat(self, params: Params) -> LocalChat:
        chat_id = params.integer("chat_id")
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _check_rate(self, chat_id: int) -> None:
        if self.rate_limits is None:
            return
        now = time.monotonic()
        for key, limit in (
            (chat_id, self.rate_limits.per_chat_per_second),
            (None, self.rate_limits.global_per_second),
        ):
            sent = self._sends.setdefault(key, deque())
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) >= limit:
                retry_after = max(1, int(1.0 - (now - sent[0])) + 1)
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
        for key in (chat_id, None):
            self._sends[key].append(now)

    async def _new_bot_message(
        self, params: Params, chat: LocalChat, **content: Any
    ) -> ChatMessage:
        if chat.id in self._blocked:
            await self._record(EventKind.REFUSED, chat.id, error=BLOCKED_BY_USER)
            raise ApiError(403, BLOCKED_BY_USER)
        self._check_rate(chat.id)
        reply_to = params.integer("reply_to_message_id")
        reply_parameters = params.json_value("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
        message = ChatMessage(
            chat_id=chat.id,
            message_id=self._next_message_id(chat.id),
            from_bot=True,
            date=int(time.time()),
            parse_mode=params.text("parse_mode"),
            reply_markup=_checked_markup(params.json_value("reply_markup")),
            sender_id=self.bot.id,
            reply_to_message_id=reply_to,
            **content,
        )
        self.messages[chat.id].append(message)
        await self._record(EventKind.SENT, chat.id, message)
        return message

    async def _api_send_message(self, params: Params) -> dict[str, Any]:
        chat = self._known_chat(params)
        text = params.text("text") or ""
        _check_text(text, params.text("parse_mode"), MAX_TEXT, "message is too long")
        message = await self._new_bot_message(params, chat, text=text)
        return self._message_to_api(message)

    async def _api_send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_file(params, "document")

    async def _api_send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_file(params, "photo")

    async def _send_file(self, params: Params, kind: str) -> dict[str, Any]:
        chat = self._known_chat(params)
        caption = params.text("caption")
        if caption is not None:
            _check_text(
                caption, params.text("parse_mode"), MAX_CAPTION, "message caption is too long"
            )
        stored = await self._store_file(params.file(kind), kind)
        message = await self._new_bot_message(params, chat, caption=caption, **{kind: stored})
        return self._message_to_api(message)

    async def _store_file(self, upload: FileField | str | None, kind: str) -> StoredFile:
        if upload is None:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(upload, str):
            known = self.files.get(upload)
            if known is not None:
                return known
            if not re.match(r"https?://", upload):
                raise bad_request("wrong file identifier/HTTP URL specified")
            content, filename, mime = (
                b"",
                upload.rsplit("/", 1)[-1] or kind,
                "application/octet-stream",
            )
        else:
            content = upload.file.read()
            filename = upload.filename or kind
            mime = upload.content_type or "application/octet-stream"
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number}-{self.bot.id}",
            file_unique_id=f"u{number}",
            filename=filename,
            mime_type=mime,
            content=content,
        )
        self.files[stored.file_id] = stored
        return stored

    async def _api_get_file(self, params: Params) -> dict[str, Any]:
        stored = self.files.get(params.required_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    async def _api_send_chat_action(self, params: Params) -> bool:
        chat = self._known_chat(params)
        await self._record(EventKind.CHAT_ACTION, chat.id, action=params.text("action"))
        return True

    # ------------------------------------------------------------------ editing

    def _editable(self, params: Params) -> ChatMessage:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the local Bot API")
        chat = self._known_chat(params)
        message_id = params.integer("message_id")
        try:
            message = self.message(chat.id, message_id or 0)
        except LookupError:
            raise bad_request("message to edit not found") from None
        if message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    async def _api_edit_message_text(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        _check_text(text, parse_mode, MAX_TEXT, "MESSAGE_TOO_LONG")
        # Without reply_markup Telegram drops the inline keyboard.
        markup = _checked_markup(params.json_value("reply_markup"))
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        return await self._apply_edit(
            message, text=text, parse_mode=parse_mode, reply_markup=markup
        )

    async def _api_edit_message_caption(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        caption = params.text("caption")
        markup = _checked_markup(params.json_value("reply_markup"))
        return await self._apply_edit(message, caption=caption, reply_markup=markup)

    async def _api_edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        markup = _checked_markup(params.json_value("reply_markup"))
        return await self._apply_edit(message, reply_markup=markup)

    async def _apply_edit(self, message: ChatMessage, **changes: Any) -> dict[str, Any]:
        if all(getattr(message, name) == value for name, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = int(time.time())
        message.edits += 1
        await self._record(EventKind.EDITED, message.chat_id, message)
        return self._message_to_api(message)

    async def _api_delete_message(self, params: Params) -> bool:
        chat = self._known_chat(params)
        try:
            message = self.message(chat.id, params.integer("message_id") or 0)
        except LookupError:
            raise bad_request("message to delete not found") from None
        if message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        await self._record(EventKind.DELETED, chat.id, message)
        return True

    async def _api_answer_callback_query(self, params: Params) -> bool:
        query_id = params.required_str("callback_query_id")
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        answer = CallbackAnswer(
            query_id, params.text("text"), params.flag("show_alert"), params.text("url")
        )
        self.callback_answers[query_id] = answer
        await self._record(
            EventKind.CALLBACK_ANSWERED, None, callback_query_id=query_id, text=answer.text
        )
        return True

    # ------------------------------------------------------------------ commands menu

    async def _api_set_my_commands(self, params: Params) -> bool:
        commands = params.json_value("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name).lstrip("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(description)) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(params.json_value("scope"), params.text("language_code") or "")
        self.commands[key] = [
            {"command": str(c["command"]).lstrip("/"), "description": str(c["description"])}
            for c in commands
        ]
        return True

    async def _api_get_my_commands(self, params: Params) -> list[dict[str, str]]:
        key = _scope_key(params.json_value("scope"), params.text("language_code") or "")
        return list(self.commands.get(key, []))

    async def _api_delete_my_commands(self, params: Params) -> bool:
        key = _scope_key(params.json_value("scope"), params.text("language_code") or "")
        self.commands.pop(key, None)
        return True


# ---------------------------------------------------------------------------- helpers


async def _read_params(request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return values
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("the JSON body must be an object")
        values.update(body)
    else:
        form = await request.post()
        values.update({key: value for key, value in form.items()})
    return values


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities as Telegram marks them (offsets in UTF-16 code units)."""
    entities = []
    for match in re.finditer(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])", text):
        offset = _utf16_length(text[: match.start()])
        entities.append(
            {"type": "bot_command", "offset": offset, "length": _utf16_length(match[0])}
        )
    return entities


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _scope_key(scope: Any, language_code: str) -> tuple[str, str]:
    canonical = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return json.dumps(canonical, sort_keys=True), language_code


def _check_text(text: str, parse_mode: str | None, limit: int, too_long: str) -> None:
    mode = (parse_mode or "").casefold()
    shown = _check_html(text) if mode == "html" else text
    if not shown.strip() and limit == MAX_TEXT:
        raise bad_request("message text is empty")
    if _utf16_length(shown) > limit:
        raise bad_request(too_long)


TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)\s*>")


def _check_html(text: str) -> str:
    """The text a reader sees, after checking the HTML as Telegram's parser would refuse
    it: unknown tags, stray `<`, unbalanced tags."""
    open_tags: list[str] = []
    shown: list[str] = []
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            shown.append(text[position:])
            break
        shown.append(text[position:start])
        match = TAG.match(text, start)
        offset = len(text[:start].encode())
        if match is None:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "" at byte offset {offset}'
            )
        closing, name = match[1] == "/", match[2].casefold()
        if name not in HTML_TAGS:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        if closing:
            if not open_tags or open_tags[-1] != name:
                raise bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            open_tags.pop()
        else:
            open_tags.append(name)
        position = match.end()
    if open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    return html.unescape("".join(shown))


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards and the like are kept as sent
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            data = button.get("callback_data")
            actions = [k for k in button if k != "text"]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _document_to_api(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.filename,
        "mime_type": stored.mime_type,
        "file_size": len(stored.content),
    }


def _photo_to_api(stored: StoredFile) -> dict[str, Any]:
    width, height = _image_size(stored.content)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
        "file_size": len(stored.content),
    }


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (what matplotlib writes); (0, 0) for anything else."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 0, 0
