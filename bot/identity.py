"""Who sent an update, in core's terms: the Telegram facts that say a sender is nobody
in particular, mapped to `core.access.Speaker` (core decides what that means).

Telegram shows an admin who "remains anonymous" as GroupAnonymousBot (1087968824) with
the group as `sender_chat`, a message written "as" a channel as Channel_Bot (136817688)
with the channel as `sender_chat`, and a channel post forwarded into its discussion
group as Telegram (777000). Any message with a `sender_chat` is on behalf of a chat, not
of a person. A button tap always carries the real person who tapped it.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatID

from core.access import SharedAs, Speaker

SHARED_USER_IDS: dict[int, SharedAs] = {
    int(ChatID.ANONYMOUS_ADMIN): SharedAs.ANONYMOUS_ADMIN,
    int(ChatID.FAKE_CHANNEL): SharedAs.CHANNEL,
    int(ChatID.SERVICE_CHAT): SharedAs.CHANNEL,
}


def speaker_of(update: Update) -> Speaker | None:
    """The sender of `update`, or None when it has none (nothing to act for)."""
    if update.callback_query is not None:
        return Speaker(update.callback_query.from_user.id)
    message = update.effective_message
    user = update.effective_user
    sender_chat = message.sender_chat if message is not None else None
    if sender_chat is not None:
        chat = update.effective_chat
        as_group = chat is not None and sender_chat.id == chat.id
        shared = SharedAs.ANONYMOUS_ADMIN if as_group else SharedAs.CHANNEL
        return Speaker(user.id if user is not None else sender_chat.id, shared)
    if user is None:
        return None
    return Speaker(user.id, SHARED_USER_IDS.get(user.id))
