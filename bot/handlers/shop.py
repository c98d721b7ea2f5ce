"""Onboarding and shop management: /start, /newshop, /invite, /team, /shop, /settings."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import callbacks as cb
from bot import i18n, keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    ask,
    deliver,
    end_flow,
    group_chat_id,
    here,
    here_in,
    person,
    respond,
    respond_personally,
    respond_privately,
    start_flow,
    user_name,
)
from bot.menus import set_menu_for
from bot.parsing import (
    ParseError,
    parse_alert_time,
    parse_currency,
    parse_near_expiry_days,
    parse_timezone,
)
from bot.steps import SettingStep, ShopNameStep
from core import alert_audience, languages, shops
from core.access import OwnerAction, require_owner
from core.errors import NoActiveShop, ShownElsewhere
from core.model import Role, Shop

log = logging.getLogger(__name__)


def _args(context: BotContext) -> str:
    return " ".join(context.args or [])


async def start(update: Update, context: BotContext) -> None:
    services = context.services
    user_id = person(update)
    code = _args(context).strip()
    if code:
        joined = await shops.join_shop(
            services.uow(), user_id, user_name(update), code, services.clock.now()
        )
        if joined.is_new:
            await _tell_owners(context, joined)
        await respond(update, texts.joined(joined.shop, joined.member))
        await set_menu_for(context.bot, user_id, joined.member.role)
        return
    await shops.register_user(services.uow(), user_id, user_name(update))
    try:
        where = await here(update, context)
    except NoActiveShop:
        await respond(update, texts.WELCOME_NEW)
        return
    await respond(update, texts.welcome_back(where.shop, where.member))


async def _tell_owners(context: BotContext, joined: shops.Joined) -> None:
    """Each owner hears of a newcomer privately; best effort — the join is done."""
    for owner_id in joined.owners:
        with i18n.speaking(await _language_of(context, owner_id, joined.shop)):
            await _tell_member(context, owner_id, texts.someone_joined(joined.shop, joined.member))


async def help_command(update: Update, context: BotContext) -> None:
    await respond(update, texts.HELP)


async def newshop(update: Update, context: BotContext) -> None:
    name = _args(context)
    if not name.strip():
        await start_flow(context, update, ShopNameStep())
        await ask(update, texts.SHOP_NAME_PROMPT)
        return
    await create_shop(update, context, name)


async def create_shop(update: Update, context: BotContext, name: str) -> None:
    """`name`: as typed after /newshop, or as the answer to its step."""
    user_id = person(update)
    if not name.strip():
        raise ParseError(texts.SHOP_NEEDS_NAME, texts.NEWSHOP_USAGE)
    services = context.services
    shop = await shops.create_shop(
        services.uow(), user_id, user_name(update), name, services.clock.now()
    )
    await end_flow(context, update)
    await set_menu_for(context.bot, user_id, Role.OWNER)
    if group_chat_id(update) is not None:
        # Linking the group is its own step, by a group admin (/link).
        await respond(update, texts.shop_created_in_group(shop))
        return
    # The timezone decides when stock counts as expired: offer to set it straight away.
    await respond(update, texts.shop_created(shop), keyboards.settings(shop.id))


async def invite(update: Update, context: BotContext) -> None:
    """A one-time link for one person, so it only ever goes to the owner privately; in a
    group linked to no shop it is for the owner's active shop."""
    where = await here(update, context, or_active_shop=True)
    arg = _args(context).strip().lower()
    if arg not in {"", "staff", "owner"}:
        raise ParseError(texts.not_a_role(arg), texts.INVITE_USAGE)
    role = Role.OWNER if arg == "owner" else Role.STAFF
    services = context.services
    created = await shops.create_invite(services.uow(), where.actor, role, services.clock.now())
    link = f"https://t.me/{context.bot.username}?start={created.code}"
    text = texts.invite_created(link, created.code, role, created.expires_at, where.shop)
    if group_chat_id(update) is None:
        await respond(update, text)
        return
    await respond_privately(update, context, text)
    await respond(update, texts.INVITE_SENT_PRIVATELY)


async def team(update: Update, context: BotContext) -> None:
    await show_team(update, context, await here(update, context))


async def show_team(update: Update, context: BotContext, where: Here) -> None:
    """The team and its buttons are for the owner alone: from a group, privately."""
    members = await shops.team(context.services.uow(), where.actor)
    await deliver(
        update,
        context,
        where,
        texts.team(members, where.shop),
        keyboards.team(members, where.actor.user_id, where.shop.id),
        private=where.in_group,
    )


async def on_remove_member(update: Update, context: BotContext, action: cb.RemoveMember) -> None:
    """Asked once more: one stray tap on a phone must not lock a colleague out."""
    where = await here_in(update, context, action.shop_id)
    member = await shops.team_member(context.services.uow(), where.actor, action.user_id)
    await answer(update)
    await deliver(
        update,
        context,
        where,
        texts.removal_question(member, where.shop),
        keyboards.confirm_removal(where.shop.id, member),
        private=where.in_group,
    )


async def on_confirm_remove_member(
    update: Update, context: BotContext, action: cb.ConfirmRemoveMember
) -> None:
    where = await here_in(update, context, action.shop_id)
    removed = await shops.remove_member(context.services.uow(), where.actor, action.user_id)
    await answer(update, texts.member_removed(removed))
    await show_team(update, context, where)
    with i18n.speaking(await _language_of(context, removed.user_id, where.shop)):
        await _tell_member(context, removed.user_id, texts.you_were_removed(where.shop))


async def on_set_role(update: Update, context: BotContext, action: cb.SetMemberRole) -> None:
    where = await here_in(update, context, action.shop_id)
    member = await shops.set_role(context.services.uow(), where.actor, action.user_id, action.role)
    await answer(update, texts.role_changed(member))
    await show_team(update, context, where)
    with i18n.speaking(await _language_of(context, member.user_id, where.shop)):
        await set_menu_for(context.bot, member.user_id, member.role)
        if member.user_id != where.actor.user_id:  # not "an owner made you owner" to oneself
            await _tell_member(
                context, member.user_id, texts.your_role_now(where.shop, member.role)
            )


async def _language_of(context: BotContext, user_id: int, shop: Shop) -> str:
    """The language of a message to someone other than the sender: theirs, as an alert's."""
    return await languages.recipient_language(context.services.uow(), user_id, shop)


async def _tell_member(context: BotContext, user_id: int, text: str) -> None:
    """The person a change is about hears of it privately; best effort — it is done."""
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as error:
        log.info("could not tell member %s of a change: %s", user_id, error)


async def shop_switch(update: Update, context: BotContext) -> None:
    """The person's shops are their own business: from a group, answered privately."""
    choices = await shops.my_shops(context.services.uow(), person(update))
    if not choices:
        raise NoActiveShop()
    try:
        active: int | None = (await shops.active_shop(context.services.uow(), person(update))).id
    except NoActiveShop:
        active = None
    await respond_personally(
        update, context, texts.your_shops(list(choices)), keyboards.shops(choices, active)
    )


async def on_switch_shop(update: Update, context: BotContext, action: cb.SwitchShop) -> None:
    shop = await shops.switch_shop(context.services.uow(), person(update), action.shop_id)
    await answer(update, texts.now_working_in(shop))
    await shop_switch(update, context)


# --- settings ---------------------------------------------------------------------------

# Offered as buttons when the currency is asked, after the shop's own and its country's.
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "RUB", "UAH", "KZT")

SETTING_WORDS = {
    "timezone": cb.SettingsField.TIMEZONE,
    "tz": cb.SettingsField.TIMEZONE,
    "currency": cb.SettingsField.CURRENCY,
    "expiry": cb.SettingsField.NEAR_EXPIRY_DAYS,
    "days": cb.SettingsField.NEAR_EXPIRY_DAYS,
    "alert": cb.SettingsField.ALERT_TIME,
    "dates": cb.SettingsField.DATE_ORDER,
    "quiet": cb.SettingsField.QUIET_HOURS,
}


def settings_change(field: cb.SettingsField, value: str) -> shops.SettingsChange:
    if field is cb.SettingsField.TIMEZONE:
        return shops.SettingsChange(timezone=parse_timezone(value))
    if field is cb.SettingsField.CURRENCY:
        return shops.SettingsChange(currency=parse_currency(value))
    if field is cb.SettingsField.NEAR_EXPIRY_DAYS:
        return shops.SettingsChange(near_expiry_days=parse_near_expiry_days(value))
    if field is cb.SettingsField.ALERT_TIME:
        return shops.SettingsChange(alert_time=parse_alert_time(value))
    order = value.strip().lower().replace("_", "-")
    if order not in {"day-first", "month-first"}:
        raise ParseError(texts.CHOOSE_DATE_ORDER, texts.SETTINGS_USAGE)
    return shops.SettingsChange(day_first=order == "day-first")


async def settings(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    words = _args(context).split(maxsplit=1)
    if not words:
        quiet = await alert_audience.shop_alert_settings(context.services.uow(), where.actor)
        if not where.is_owner:
            await respond(update, texts.settings_text(where.shop, quiet, owner=False))
            return
        await respond(
            update, texts.settings_text(where.shop, quiet), keyboards.settings(where.shop.id)
        )
        return
    field = SETTING_WORDS.get(words[0].lower())
    if field is None or len(words) < 2:
        raise ParseError(texts.SAY_WHICH_SETTING, texts.SETTINGS_USAGE)
    await apply_setting(update, context, field, words[1])


async def apply_setting(
    update: Update,
    context: BotContext,
    field: cb.SettingsField,
    value: str,
    shop_id: int | None = None,
) -> None:
    """`shop_id`: the shop a settings button named, else the shop of this chat."""
    where = await (here(update, context) if shop_id is None else here_in(update, context, shop_id))
    if not where.shown_here:  # the group was unlinked or moved since the step began
        raise ShownElsewhere()
    if field is cb.SettingsField.QUIET_HOURS:  # alert settings live with the alerts
        from bot.alert_handlers import set_quiet

        await set_quiet(update, context, value, where.actor)
        await end_flow(context, update)
        return
    shop = await shops.update_settings(
        context.services.uow(), where.actor, settings_change(field, value)
    )
    quiet = await alert_audience.shop_alert_settings(context.services.uow(), where.actor)
    await end_flow(context, update)
    saved = texts.settings_saved(shop, quiet)
    local = i18n.currency_of_zone(shop.timezone)
    if field is cb.SettingsField.TIMEZONE and local is not None and local != shop.currency:
        # A shop in London left at the default EUR would price everything in euros.
        saved += "\n\n" + texts.local_currency_hint(shop, local)
    await respond(update, saved, keyboards.settings(shop.id), edit=False)


async def on_change_setting(update: Update, context: BotContext, action: cb.ChangeSetting) -> None:
    where = await here_in(update, context, action.shop_id)
    if not where.shown_here:  # the step and its answer would show the shop in this group
        raise ShownElsewhere()
    require_owner(where.member, OwnerAction.CHANGE_SETTINGS)
    await start_flow(context, update, SettingStep(field=action.field, shop_id=action.shop_id))
    markup = None
    if action.field is cb.SettingsField.DATE_ORDER:
        markup = keyboards.options(texts.DATE_ORDER_CHOICES)
    elif action.field is cb.SettingsField.CURRENCY:
        local = i18n.currency_of_zone(where.shop.timezone)
        likely = dict.fromkeys(c for c in (local, where.shop.currency, *COMMON_CURRENCIES) if c)
        markup = keyboards.options([(code, code) for code in list(likely)[:6]])
    await answer(update)
    await ask(update, texts.SETTING_PROMPTS[action.field], markup)
