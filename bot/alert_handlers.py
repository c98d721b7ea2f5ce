"""Handlers of alert buttons and commands: /reorder, /alerts, /quiet, /mute, /unmute.

Thin as every handler: parse → one core use case → render. Buttons of alerts carry the
shop they came from (a person may get alerts of several shops); the use case re-checks
membership and role for every tap. Domain errors go to the common error handler.

`register(application)` adds the commands and a callback handler for the `al:` buttons.
Call it *before* bot.handlers.register: in one handler group the first matching handler
wins, so the `al:` pattern must be checked before the catch-all button dispatcher (or
merge `ACTIONS` into that dispatcher's table instead).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from datetime import time
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import alerts_view as view
from bot import callbacks as cb
from bot import texts
from bot.context import BotContext
from bot.handlers.base import (
    answer,
    deliver,
    here,
    here_in,
    person,
    replace_buttons,
    request_key,
    respond,
)
from bot.handlers.views import show_inventory
from bot.parsing import ParseError, parse_alert_time
from bot.refusal import ChatRefusal
from core import alert_audience, alerts, catalog, reordering
from core.access import Actor
from core.inventory import InventoryQuery
from core.shops import shop_of

ActionHandler = Callable[[Update, BotContext, Any], Awaitable[None]]


def _user_id(update: Update) -> int:
    return person(update)


# -- buttons under alerts ----------------------------------------------------------------


async def on_snooze(update: Update, context: BotContext, action: cb.SnoozeCrossing) -> None:
    services = context.services
    actor = Actor(_user_id(update), action.shop_id)
    until = await alerts.snooze(services.uow(), actor, action.crossing_id, services.clock.now())
    # The alert's shop, not the chat's active one: its clock, and no group link needed.
    shop, _ = await shop_of(services.uow(), actor)
    await answer(update, texts.snoozed(texts.moment(until, shop)))
    await _keep_restock_buttons(update)


async def on_ordered(update: Update, context: BotContext, action: cb.MarkOrdered) -> None:
    services = context.services
    actor = Actor(_user_id(update), action.shop_id)
    product = await alerts.mark_ordered(
        services.uow(), actor, action.product_id, services.clock.now()
    )
    await answer(update, texts.ordered(product))
    await _keep_restock_buttons(update)


async def _keep_restock_buttons(update: Update) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    action = cb.decode(query.data)
    product_id = getattr(action, "product_id", None)
    if product_id is None and query.message is not None:
        # Snooze carries the crossing; find the product from the message's own buttons.
        markup = getattr(query.message, "reply_markup", None)
        for row in markup.inline_keyboard if markup else ():
            for key in row:
                try:
                    found = cb.decode(
                        key.callback_data if isinstance(key.callback_data, str) else None
                    )
                except cb.CallbackDataError:
                    continue
                if isinstance(found, cb.OpenCard):
                    product_id = found.product_id
    if product_id is not None:
        await replace_buttons(update, view.after_action_keyboard(product_id))


async def on_write_off(update: Update, context: BotContext, action: cb.WriteOffExpired) -> None:
    services = context.services
    where = await here_in(update, context, action.shop_id)
    results = await alerts.write_off_all_expired(
        services.uow(),
        where.actor,
        key=request_key(update),
        now=services.clock.now(),
        product_id=action.product_id,
    )
    if where.shown_here:  # else `deliver` answers the tap: "sent to you privately"
        await answer(update)
    await deliver(update, context, where, texts.written_off(len(results)), edit=False)


async def on_reorder_button(
    update: Update, context: BotContext, action: cb.OpenReorderList
) -> None:
    services = context.services
    where = await (
        here_in(update, context, action.shop_id)
        if action.shop_id is not None
        else here(update, context)
    )
    found = await reordering.reorder_list(
        services.uow(), where.actor, services.clock.now(), in_group=where.in_group
    )
    if where.shown_here:
        await answer(update)
    text, keyboard = texts.reorder_text(found), view.reorder_keyboard(found)
    await deliver(update, context, where, text, keyboard, edit=False)


async def on_view(update: Update, context: BotContext, action: cb.ViewFromAlert) -> None:
    """The digest's shop, which need not be the person's active one; a new message, so
    the digest stays readable and its other buttons usable."""
    where = await here_in(update, context, action.shop_id)
    if where.shown_here:
        await answer(update)
    await show_inventory(update, context, where, InventoryQuery(action.status), edit=False)


# -- preferences -------------------------------------------------------------------------


async def on_toggle_kind(update: Update, context: BotContext, action: cb.ToggleAlertKind) -> None:
    where = await here(update, context)
    prefs = await alert_audience.set_kind(
        context.services.uow(), where.actor, action.kind, action.enabled == "on"
    )
    await answer(update)
    await respond(update, texts.preferences_text(prefs), view.preferences_keyboard(prefs))


async def on_mute_button(update: Update, context: BotContext, action: cb.SetProductMuted) -> None:
    where = await here(update, context)
    uow = context.services.uow
    await alerts.set_muted(uow(), where.actor, action.product_id, action.muted == "on")
    prefs = await alert_audience.preferences(uow(), where.actor)
    await answer(update)
    await respond(update, texts.preferences_text(prefs), view.preferences_keyboard(prefs))


ACTIONS: dict[type[cb.CallbackAction], ActionHandler] = {
    cb.SnoozeCrossing: on_snooze,
    cb.MarkOrdered: on_ordered,
    cb.WriteOffExpired: on_write_off,
    cb.OpenReorderList: on_reorder_button,
    cb.ViewFromAlert: on_view,
    cb.ToggleAlertKind: on_toggle_kind,
    cb.SetProductMuted: on_mute_button,
}


# -- commands ----------------------------------------------------------------------------


async def reorder(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    services = context.services
    found = await reordering.reorder_list(
        services.uow(), where.actor, services.clock.now(), in_group=where.in_group
    )
    await respond(update, texts.reorder_text(found), view.reorder_keyboard(found))


async def alerts_command(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    prefs = await alert_audience.preferences(context.services.uow(), where.actor)
    await respond(update, texts.preferences_text(prefs), view.preferences_keyboard(prefs))


# Two times of day and what joins them: `22:00-07:00`, `22-7`, `с 22 до 7`, `from 22 to 7`,
# `с 10 вечера до 7 утра`. Each time is read as the alert time is (parse_alert_time), so
# the words one setting takes the other takes too.
QUIET_RANGE = re.compile(
    r"^\s*(?:с|from)?\s*(?P<start>.+?)\s*(?:[-–—]|\bдо\b|\bto\b|\btill\b|\buntil\b)\s*(?P<end>.+?)\s*$",
    re.IGNORECASE,
)


def parse_quiet(text: str) -> tuple[time | None, time | None]:
    """'22:00-07:00' → (22:00, 07:00); 'off' → (None, None)."""
    if text.strip().lower() in {"off", "none", "no", "выкл", "нет"}:
        return None, None
    match = QUIET_RANGE.match(text)
    if match is None:
        raise ChatRefusal(texts.QUIET_USAGE)
    try:
        return parse_alert_time(match["start"]), parse_alert_time(match["end"])
    except ParseError as error:
        raise ChatRefusal(texts.QUIET_USAGE) from error


async def quiet(update: Update, context: BotContext) -> None:
    await set_quiet(update, context, " ".join(context.args or []))


async def set_quiet(
    update: Update, context: BotContext, text: str, actor: Actor | None = None
) -> None:
    """`22:00-07:00` or `off`, from /quiet or a /settings button (which names its shop)."""
    if actor is None:
        actor = (await here(update, context)).actor
    start, end = parse_quiet(text)
    settings = await alert_audience.set_quiet_hours(context.services.uow(), actor, start, end)
    shown = (
        (settings.quiet_start.strftime("%H:%M"), settings.quiet_end.strftime("%H:%M"))
        if settings.quiet_start and settings.quiet_end
        else (None, None)
    )
    await respond(update, texts.quiet_set(*shown))


def _mute(is_muted: bool) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    async def command(update: Update, context: BotContext) -> None:
        name = " ".join(context.args or []).strip()
        if not name:
            raise ChatRefusal(texts.MUTE_USAGE)
        where = await here(update, context)
        uow = context.services.uow
        product = await catalog.find_product(uow(), where.actor, name)
        await alerts.set_muted(uow(), where.actor, product.id, is_muted)
        await respond(update, texts.muted(product, is_muted))

    return command


async def reachable(update: Update, context: BotContext) -> None:
    """Someone who talks to the bot in private has not blocked it (any more)."""
    await alert_audience.mark_reachable(context.services.uow(), _user_id(update))


async def blocked_or_unblocked(update: Update, context: BotContext) -> None:
    """Telegram tells the bot when a person blocks or unblocks it in their app. Unblocking
    needs no /start: without this, someone who unblocked got no alerts until they typed one."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    uow = context.services.uow
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await alert_audience.mark_unreachable(
            uow(), change.from_user.id, context.services.clock.now()
        )
    elif change.new_chat_member.status == ChatMemberStatus.MEMBER:
        await alert_audience.mark_reachable(uow(), change.from_user.id)


COMMANDS: dict[str, Callable[[Update, BotContext], Coroutine[Any, Any, None]]] = {
    "reorder": reorder,
    "alerts": alerts_command,
    "quiet": quiet,
    "mute": _mute(True),
    "unmute": _mute(False),
}


def register(application: Any) -> None:
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.Regex(r"^/(start|alerts)\b"), reachable),
        group=-2,
    )
    application.add_handler(
        ChatMemberHandler(blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER), group=-2
    )
