"""The command menu per role (setMyCommands): staff see the everyday commands, owners
also the management ones, in their private chat with the bot."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.texts import OWNER_COMMANDS, STAFF_COMMANDS
from core.model import Role

log = logging.getLogger(__name__)


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def install_default_menus(bot: Bot) -> None:
    try:
        await bot.set_my_commands(_commands(STAFF_COMMANDS), scope=BotCommandScopeDefault())
    except TelegramError:
        log.warning("could not set the default command menu", exc_info=True)


async def set_menu_for(bot: Bot, user_id: int, role: Role) -> None:
    """The menu a user sees in their private chat, following their role."""
    commands = OWNER_COMMANDS if role is Role.OWNER else STAFF_COMMANDS
    try:
        await bot.set_my_commands(_commands(commands), scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.warning("could not set the command menu for %s", user_id, exc_info=True)
