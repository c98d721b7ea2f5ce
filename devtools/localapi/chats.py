"""Simulated users, chats and the messages in them, and what the bot did to them."""

from __future__ import annotations

import enum
import html
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devtools.localapi.validation import utf16_length


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
    type: str = "private"  # private | group | supergroup | channel
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

    @classmethod
    def channel(cls, chat_id: int, title: str) -> LocalChat:
        """A channel: people may write in groups "as" it (Telegram sends them as
        Channel_Bot with the channel as `sender_chat`)."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        return cls(chat_id, "channel", title=title)

    @property
    def is_group(self) -> bool:
        return self.type in {"group", "supergroup"}

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "first_name", "username"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data


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

    def document_to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }

    def photo_to_api(self) -> dict[str, Any]:
        width, height = _image_size(self.content)
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(self.content),
        }


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (what matplotlib writes); (0, 0) for anything else."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 0, 0


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None  # a button that opens a Mini App


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
    sender_chat_id: int | None = None  # who it was sent "as": the group or a channel
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[InlineButton]:
        """The inline keyboard's buttons, row by row, left to right."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            InlineButton(
                b.get("text", ""),
                b.get("callback_data"),
                b.get("url"),
                (b.get("web_app") or {}).get("url"),
            )
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


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities as Telegram marks them (offsets in UTF-16 code units)."""
    entities = []
    for match in re.finditer(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])", text):
        offset = utf16_length(text[: match.start()])
        entities.append({"type": "bot_command", "offset": offset, "length": utf16_length(match[0])})
    return entities
