"""Who may speak, and the group chats a shop works in: the shared-identity gate, /link,
/unlink and the private list of a shop's groups."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import Here, answer, group_chat_id, here, here_in, person, respond
from bot.handlers.stock import message_args
from bot.i18n import _
from bot.identity import speaker_of
from core import groups
from core.access import SharedAs, person_of
from core.errors import SharedIdentity
from core.groups import GroupStanding

log = logging.getLogger(__name__)

STANDINGS: dict[str, GroupStanding] = {
    ChatMemberStatus.OWNER.value: GroupStanding.ADMIN,
    ChatMemberStatus.ADMINISTRATOR.value: GroupStanding.ADMIN,
    ChatMemberStatus.MEMBER.value: GroupStanding.MEMBER,
    ChatMemberStatus.RESTRICTED.value: GroupStanding.MEMBER,
}


async def refuse_shared_identity(update: Update, context: BotContext) -> None:
    """First for every update: a message from an identity many people share (an
    anonymous admin, a channel) goes no further. A command or a reply to the bot is told
    how to write as oneself; anything else is left alone (it was not for the bot)."""
    speaker = speaker_of(update)
    if speaker is None:
        raise ApplicationHandlerStop
    try:
        person_of(speaker)
    except SharedIdentity as refused:
        message = update.effective_message
        if message is not None and _addressed_to_bot(update, context):
            anonymous = refused.shared_as == SharedAs.ANONYMOUS_ADMIN
            await message.reply_text(_(texts.ANONYMOUS_ADMIN if anonymous else texts.AS_CHANNEL))
        raise ApplicationHandlerStop from None


def _addressed_to_bot(update: Update, context: BotContext) -> bool:
    message = update.effective_message
    if message is None:
        return False
    if (message.text or "").startswith("/"):
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)


async def on_upgrade(update: Update, context: BotContext) -> None:
    """A group became a supergroup (a new chat id): its link to the shop moves along.
    Telegram says so in both chats; either message is enough."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await groups.group_upgraded(context.services.uow(), old, new)


async def standing(context: BotContext, chat_id: int, user_id: int) -> GroupStanding:
    """The user's place in the group as Telegram says right now; unknown counts as an
    outsider (a refusal the user can fix, never a link nobody checked)."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        log.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, error)
        return GroupStanding.OUTSIDER
    if member.status == ChatMemberStatus.RESTRICTED and not getattr(member, "is_member", True):
        return GroupStanding.OUTSIDER
    return STANDINGS.get(str(member.status), GroupStanding.OUTSIDER)


async def link(update: Update, context: BotContext) -> None:
    """/link [shop name] in a group: link it to the shop (the active one, or the owned
    shop named), moving it from any other."""
    chat_id = group_chat_id(update)
    if chat_id is None:
        await respond(update, texts.LINK_IN_THE_GROUP)
        return
    user_id = person(update)
    services = context.services
    linked = await groups.link_group(
        services.uow(),
        user_id,
        chat_id,
        await standing(context, chat_id, user_id),
        shop_name=message_args(update).strip() or None,
    )
    if not linked.changed:
        await respond(update, texts.group_already_linked(linked.shop))
        return
    await respond(update, texts.group_linked(linked.shop, linked.moved_from))


async def unlink(update: Update, context: BotContext) -> None:
    """/unlink in a group unlinks it; in private it lists the shop's groups to unlink."""
    chat_id = group_chat_id(update)
    services = context.services
    if chat_id is not None:
        user_id = person(update)
        shop = await groups.unlink_group(
            services.uow(), user_id, chat_id, await standing(context, chat_id, user_id)
        )
        await respond(update, texts.group_unlinked(shop))
        return
    await _show_groups(update, context, await here(update, context), edit=False)


async def _show_groups(update: Update, context: BotContext, where: Here, *, edit: bool) -> None:
    chat_ids = await groups.linked_groups(context.services.uow(), where.actor)
    titles = [await _title(context, chat) for chat in chat_ids]
    keyboard = keyboards.linked_groups(where.shop.id, list(zip(chat_ids, titles, strict=True)))
    await respond(update, texts.linked_groups(where.shop, titles), keyboard, edit=edit)


async def on_unlink(update: Update, context: BotContext, action: cb.UnlinkGroup) -> None:
    """A button of the private list; core checks the presser owns the shop."""
    where = await here_in(update, context, action.shop_id)
    await groups.unlink_from_shop(context.services.uow(), where.actor, action.chat_id)
    await answer(update, texts.UNLINKED_TOAST)
    if where.shown_here and not where.in_group:
        await _show_groups(update, context, where, edit=True)


async def _title(context: BotContext, chat_id: int) -> str:
    try:
        chat = await context.bot.get_chat(chat_id)
    except TelegramError:
        return texts.group_title(chat_id, None)
    return texts.group_title(chat_id, chat.title)
