"""The Bot API methods the bot calls, answered in the Bot API's shape with Telegram's error
descriptions (so python-telegram-bot raises the same BadRequest)."""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.web_request import FileField

from devtools.localapi.chats import CallbackAnswer, ChatMessage, EventKind, LocalChat, StoredFile
from devtools.localapi.errors import (
    BLOCKED_BY_USER,
    CANT_INITIATE,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiError,
    bad_request,
)
from devtools.localapi.faults import SendLimiter
from devtools.localapi.members import MemberStatus, member_to_api
from devtools.localapi.params import Params
from devtools.localapi.validation import (
    MAX_CAPTION,
    MAX_TEXT,
    MAX_TOAST,
    check_text,
    checked_markup,
    utf16_length,
)
from devtools.localapi.webhook import Webhook, WebhookDelivery
from devtools.localapi.world import ChatWorld

MAX_POLL_TIMEOUT = 50
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")

Handler = Callable[[Params], Awaitable[Any]]


class BotApiMethods:
    """Each `api_<name>` method serves the Bot API method `<name>` without underscores,
    matched case-insensitively as Telegram does (`sendMessage`, `sendmessage`)."""

    def __init__(self, world: ChatWorld, limiter: SendLimiter, delivery: WebhookDelivery) -> None:
        self.world = world
        self.limiter = limiter
        self.delivery = delivery

    def handlers(self) -> dict[str, Handler]:
        return {
            name.removeprefix("api_").replace("_", "").casefold(): getattr(self, name)
            for name in dir(self)
            if name.startswith("api_")
        }

    # ------------------------------------------------------------------ identity

    async def api_get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.world.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def api_log_out(self, params: Params) -> bool:
        return True

    async def api_close(self, params: Params) -> bool:
        return True

    async def api_get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._known_chat(params)
        return {**chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11}

    async def api_get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._known_chat(params)
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if not chat.is_group:
            if chat.type == "private" and chat.id == user_id:
                return {"status": MemberStatus.MEMBER.value, "user": user.to_api()}
            raise bad_request("user not found")
        return self._member(chat.id, user_id)

    async def api_get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._known_chat(params)
        if not chat.is_group:
            raise bad_request("there are no administrators in the private chat")
        admins = {MemberStatus.CREATOR, MemberStatus.ADMINISTRATOR}
        return [
            self._member(chat.id, user_id)
            for user_id, status in self.world.members.get(chat.id, {}).items()
            if status in admins
        ]

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        return member_to_api(
            self.world.users[user_id],
            self.world.member_status(chat_id, user_id),
            anonymous=(chat_id, user_id) in self.world.anonymous_admins,
        )

    # ------------------------------------------------------------------ updates

    async def api_get_updates(self, params: Params) -> list[dict[str, Any]]:
        world = self.world
        if world.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = max(1, min(params.integer("limit", 100) or 100, 100))
        timeout = max(0, min(params.integer("timeout", 0) or 0, MAX_POLL_TIMEOUT))
        if params.has("allowed_updates"):
            world.allowed_updates = frozenset(params.json_value("allowed_updates") or []) or None
        if offset is not None:
            if offset < 0:
                world.pending = world.pending[offset:]
            else:
                world.pending = [u for u in world.pending if u["update_id"] >= offset]
        world.pending = [u for u in world.pending if world.is_allowed(u, world.allowed_updates)]
        world.poll_generation += 1
        generation = world.poll_generation
        await world.notify()  # a poller still waiting is terminated, as Telegram does
        if not world.pending and timeout:
            with contextlib.suppress(TimeoutError):
                await world.wait_for(
                    lambda: bool(world.pending) or world.poll_generation != generation,
                    timeout,
                )
            if world.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
        allowed = [u for u in world.pending if world.is_allowed(u, world.allowed_updates)]
        return copy.deepcopy(allowed[:limit])

    async def api_set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return await self.api_delete_webhook(params)
        if not re.match(r"https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json_value("allowed_updates")
        if params.flag("drop_pending_updates"):
            self.world.pending.clear()
        self.world.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=frozenset(allowed) if allowed else None,
            max_connections=params.integer("max_connections", 40) or 40,
        )
        self.delivery.ensure_running()
        await self.world.notify()
        return True

    async def api_delete_webhook(self, params: Params) -> bool:
        self.world.webhook = None
        if params.flag("drop_pending_updates"):
            self.world.pending.clear()
        await self.world.notify()
        return True

    async def api_get_webhook_info(self, params: Params) -> dict[str, Any]:
        hook = self.world.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = sorted(hook.allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    # ------------------------------------------------------------------ sending

    def _known_chat(self, params: Params) -> LocalChat:
        chat_id = params.integer("chat_id")
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.world.chats.get(chat_id)
        if chat is None:
            if chat_id in self.world.users:
                # A user who never opened a private chat with the bot (wrote only in a
                # group) cannot be written to first.
                raise ApiError(403, CANT_INITIATE)
            raise bad_request("chat not found")
        return chat

    async def _new_bot_message(
        self, params: Params, chat: LocalChat, **content: Any
    ) -> ChatMessage:
        world = self.world
        if chat.id in world.blocked:
            await world.record(EventKind.REFUSED, chat.id, error=BLOCKED_BY_USER)
            raise ApiError(403, BLOCKED_BY_USER)
        self.limiter.check(chat.id)
        reply_to = params.integer("reply_to_message_id")
        reply_parameters = params.json_value("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
        message = ChatMessage(
            chat_id=chat.id,
            message_id=world.next_message_id(chat.id),
            from_bot=True,
            date=int(time.time()),
            parse_mode=params.text("parse_mode"),
            reply_markup=checked_markup(params.json_value("reply_markup")),
            sender_id=world.bot.id,
            reply_to_message_id=reply_to,
            **content,
        )
        world.messages[chat.id].append(message)
        await world.record(EventKind.SENT, chat.id, message)
        return message

    async def api_send_message(self, params: Params) -> dict[str, Any]:
        chat = self._known_chat(params)
        text = params.text("text") or ""
        check_text(text, params.text("parse_mode"), MAX_TEXT, "message is too long")
        message = await self._new_bot_message(params, chat, text=text)
        return self.world.message_to_api(message)

    async def api_send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_file(params, "document")

    async def api_send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_file(params, "photo")

    async def _send_file(self, params: Params, kind: str) -> dict[str, Any]:
        chat = self._known_chat(params)
        caption = params.text("caption")
        if caption is not None:
            check_text(
                caption, params.text("parse_mode"), MAX_CAPTION, "message caption is too long"
            )
        stored = await self._store_file(params.file(kind), kind)
        message = await self._new_bot_message(params, chat, caption=caption, **{kind: stored})
        return self.world.message_to_api(message)

    async def _store_file(self, upload: FileField | str | None, kind: str) -> StoredFile:
        if upload is None:
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(upload, str):
            known = self.world.files.get(upload)
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
        number = self.world.next_file_number()
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number}-{self.world.bot.id}",
            file_unique_id=f"u{number}",
            filename=filename,
            mime_type=mime,
            content=content,
        )
        self.world.files[stored.file_id] = stored
        return stored

    async def api_get_file(self, params: Params) -> dict[str, Any]:
        stored = self.world.files.get(params.required_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    async def api_send_chat_action(self, params: Params) -> bool:
        chat = self._known_chat(params)
        await self.world.record(EventKind.CHAT_ACTION, chat.id, action=params.text("action"))
        return True

    # ------------------------------------------------------------------ editing

    def _editable(self, params: Params) -> ChatMessage:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the local Bot API")
        chat = self._known_chat(params)
        message_id = params.integer("message_id")
        try:
            message = self.world.message(chat.id, message_id or 0)
        except LookupError:
            raise bad_request("message to edit not found") from None
        if message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    async def api_edit_message_text(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        check_text(text, parse_mode, MAX_TEXT, "MESSAGE_TOO_LONG")
        # Without reply_markup Telegram drops the inline keyboard.
        markup = checked_markup(params.json_value("reply_markup"))
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        return await self._apply_edit(
            message, text=text, parse_mode=parse_mode, reply_markup=markup
        )

    async def api_edit_message_caption(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        caption = params.text("caption")
        markup = checked_markup(params.json_value("reply_markup"))
        return await self._apply_edit(message, caption=caption, reply_markup=markup)

    async def api_edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        message = self._editable(params)
        markup = checked_markup(params.json_value("reply_markup"))
        return await self._apply_edit(message, reply_markup=markup)

    async def _apply_edit(self, message: ChatMessage, **changes: Any) -> dict[str, Any]:
        if all(getattr(message, name) == value for name, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = int(time.time())
        message.edits += 1
        await self.world.record(EventKind.EDITED, message.chat_id, message)
        return self.world.message_to_api(message)

    async def api_delete_message(self, params: Params) -> bool:
        chat = self._known_chat(params)
        try:
            message = self.world.message(chat.id, params.integer("message_id") or 0)
        except LookupError:
            raise bad_request("message to delete not found") from None
        if message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        await self.world.record(EventKind.DELETED, chat.id, message)
        return True

    async def api_answer_callback_query(self, params: Params) -> bool:
        world = self.world
        query_id = params.required_str("callback_query_id")
        if query_id not in world.open_callbacks:
            raise bad_request(QUERY_TOO_OLD)
        toast = params.text("text")
        if toast is not None and utf16_length(toast) > MAX_TOAST:
            raise bad_request("MESSAGE_TOO_LONG")
        world.open_callbacks.discard(query_id)  # a second answer is refused, as by Telegram
        answer = CallbackAnswer(query_id, toast, params.flag("show_alert"), params.text("url"))
        world.callback_answers[query_id] = answer
        await world.record(
            EventKind.CALLBACK_ANSWERED, None, callback_query_id=query_id, text=answer.text
        )
        return True

    # ------------------------------------------------------------------ commands menu

    async def api_set_my_commands(self, params: Params) -> bool:
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
        key = scope_key(params.json_value("scope"), params.text("language_code") or "")
        self.world.commands[key] = [
            {"command": str(c["command"]).lstrip("/"), "description": str(c["description"])}
            for c in commands
        ]
        return True

    async def api_get_my_commands(self, params: Params) -> list[dict[str, str]]:
        key = scope_key(params.json_value("scope"), params.text("language_code") or "")
        return list(self.world.commands.get(key, []))

    async def api_delete_my_commands(self, params: Params) -> bool:
        key = scope_key(params.json_value("scope"), params.text("language_code") or "")
        self.world.commands.pop(key, None)
        return True

    async def api_set_chat_menu_button(self, params: Params) -> bool:
        """The menu button of one private chat, or (without chat_id) the default."""
        button = params.json_value("menu_button") or {"type": "default"}
        kinds = {"commands", "web_app", "default"}
        if not isinstance(button, dict) or button.get("type") not in kinds:
            raise bad_request("invalid menu button")
        if button["type"] == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not url.startswith("https://") or not button.get("text"):
                raise bad_request("BUTTON_URL_INVALID")
        self.world.menu_buttons[params.integer("chat_id")] = button
        return True

    async def api_get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        chat_id = params.integer("chat_id")
        found = self.world.menu_buttons.get(chat_id) or self.world.menu_buttons.get(None)
        return found or {"type": "commands"}


def scope_key(scope: Any, language_code: str) -> tuple[str, str]:
    canonical = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return json.dumps(canonical, sort_keys=True), language_code
