"""The command menu per role (setMyCommands): staff see the everyday commands, owners
also the management ones, in their private chat with the bot."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot import i18n
from bot.i18n import _
from bot.texts import OWNER_COMMANDS, STAFF_COMMANDS
from core.model import LANGUAGES, Role

log = logging.getLogger(__name__)


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    """In the language being spoken (commands keep their English names)."""
    return [BotCommand(name, _(description)) for name, description in pairs]


async def install_default_menus(bot: Bot) -> None:
    """The default menu, and one per language for apps in that language."""
    try:
        await bot.set_my_commands(_commands(STAFF_COMMANDS), scope=BotCommandScopeDefault())
        for language in LANGUAGES[1:]:
            with i18n.speaking(language):
                await bot.set_my_commands(
                    _commands(STAFF_COMMANDS),
                    scope=BotCommandScopeDefault(),
                    language_code=language,
                )
    except TelegramError:
        log.warning("could not set the default command menu", exc_info=True)


async def set_menu_for(bot: Bot, user_id: int, role: Role) -> None:
    """The menu a user sees in their private chat, following their role."""
    commands = OWNER_COMMANDS if role is Role.OWNER else STAFF_COMMANDS
    try:
        await bot.set_my_commands(_commands(commands), scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.warning("could not set the command menu for %s", user_id, exc_info=True)
