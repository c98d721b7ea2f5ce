"""The simulated Telegram side that every part of the server shares: chats, users and their
messages, the updates waiting for the bot, files, and the log of what the bot did."""

# Waiting helpers take a timeout argument: a test waiting on the bot reads better that way.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from devtools.localapi.chats import (
    BotEvent,
    CallbackAnswer,
    ChatMessage,
    EventKind,
    LocalChat,
    LocalUser,
    StoredFile,
    command_entities,
)
from devtools.localapi.members import SHARED_IDENTITIES, MemberStatus

if TYPE_CHECKING:
    from devtools.localapi.webhook import Webhook

log = logging.getLogger(__name__)

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

Listener = Callable[[BotEvent], None]


class ChatWorld:
    """One asyncio.Condition (`changed`) wakes whoever waits on any change: a poller for
    updates, a test for the bot's answer, the webhook delivery for work."""

    def __init__(self, bot: LocalUser, id_base: int) -> None:
        self.bot = bot
        self.chats: dict[int, LocalChat] = {}
        self.users: dict[int, LocalUser] = {}
        self.messages: dict[int, list[ChatMessage]] = {}  # per chat, in order
        self.events: list[BotEvent] = []
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: default)
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.open_callbacks: set[str] = set()
        self.blocked: set[int] = set()
        self.webhook: Webhook | None = None
        self.pending: list[dict[str, Any]] = []
        self.allowed_updates: frozenset[str] | None = None
        self.poll_generation = 0
        self.changed = asyncio.Condition()
        self.listeners: list[Listener] = []
        # chat → user → standing; whoever writes in a group becomes a member of it.
        self.members: dict[int, dict[int, MemberStatus]] = {}
        self.anonymous_admins: set[tuple[int, int]] = set()

        self._id_base = id_base
        self._update_ids = itertools.count(id_base)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(id_base)
        self._file_ids = itertools.count(1)

    # ------------------------------------------------------------------ chats

    def add_chat(self, chat: LocalChat) -> LocalChat:
        self.chats.setdefault(chat.id, chat)
        self.messages.setdefault(chat.id, [])
        return self.chats[chat.id]

    def chat_for(self, user: LocalUser, chat: LocalChat | None) -> LocalChat:
        self.users[user.id] = user
        where = self.add_chat(chat or LocalChat.private(user))
        if where.is_group and user.id not in SHARED_IDENTITIES:
            # Whoever writes in a group is in it; a standing set before (admin) stays.
            self.members.setdefault(where.id, {}).setdefault(user.id, MemberStatus.MEMBER)
        return where

    def member_status(self, chat_id: int, user_id: int) -> MemberStatus:
        return self.members.get(chat_id, {}).get(user_id, MemberStatus.LEFT)

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise LookupError(f"no message {message_id} in chat {chat_id}")

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(self._id_base)))

    def next_callback_id(self) -> str:
        return str(next(self._callback_ids))

    def next_file_number(self) -> int:
        return next(self._file_ids)

    def written(
        self,
        user: LocalUser,
        text: str,
        chat: LocalChat | None = None,
        *,
        sender_chat: LocalChat | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """`user` writes `text` in `chat` (None: their private chat): the message is kept
        and returned as the Bot API shows it, commands marked as Telegram marks them."""
        where = self.chat_for(user, chat)
        if sender_chat is not None:
            self.add_chat(sender_chat)
        message = ChatMessage(
            chat_id=where.id,
            message_id=self.next_message_id(where.id),
            from_bot=False,
            date=int(time.time()),
            text=text,
            sender_id=user.id,
            sender_chat_id=sender_chat.id if sender_chat is not None else None,
            reply_to_message_id=reply_to_message_id,
        )
        self.messages[where.id].append(message)
        data = self.message_to_api(message)
        if entities := command_entities(text):
            data["entities"] = entities
        return data

    def message_to_api(self, message: ChatMessage) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        sender = self.bot if message.from_bot else self.users.get(message.sender_id or 0)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        if sender is not None:
            data["from"] = sender.to_api()
        if message.sender_chat_id is not None:
            data["sender_chat"] = self.chats[message.sender_chat_id].to_api()
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
            data["document"] = message.document.document_to_api()
        if message.photo is not None:
            data["photo"] = [message.photo.photo_to_api()]
        if message.reply_to_message_id is not None:
            with contextlib.suppress(LookupError):
                replied = self.message(message.chat_id, message.reply_to_message_id)
                data["reply_to_message"] = self.message_to_api(
                    replace(replied, reply_to_message_id=None)
                )
        return data

    # ------------------------------------------------------------------ updates

    async def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue any update (its update_id is assigned here) and return the update_id."""
        update_id = next(self._update_ids)
        self.pending.append({"update_id": update_id, **update})
        await self.notify()
        return update_id

    @staticmethod
    def is_allowed(update: Mapping[str, Any], allowed: frozenset[str] | None) -> bool:
        kinds = allowed or DEFAULT_UPDATE_TYPES
        return any(key in kinds for key in update if key != "update_id")

    def forget_update(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] != update_id]

    # ------------------------------------------------------------------ events

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def record(
        self,
        kind: EventKind,
        chat_id: int | None,
        message: ChatMessage | None = None,
        **detail: Any,
    ) -> None:
        snapshot = replace(message) if message is not None else None
        event = BotEvent(len(self.events) + 1, kind, chat_id, snapshot, detail)
        self.events.append(event)
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:
                log.exception("local Bot API listener failed")
        await self.notify()

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(condition)
