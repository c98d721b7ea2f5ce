"""Composition of the Mini App: its dependencies from the bot's services, its routes on
the bot's web server, and the bot's menu button that opens it."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot import i18n, texts
from bot.context import Services
from bot.settings import Settings
from core.errors import DomainError, DuplicateRequest
from webapp.deps import MiniAppConfig, MiniAppDeps, build_deps
from webapp.server import mount

log = logging.getLogger(__name__)


class ChatWords:
    """The Mini App API's words (webapp.errors.Words): the chat's, in the caller's
    language."""

    def refusal(self, error: DomainError, language: str) -> str:
        with i18n.speaking(language):
            return texts.why(error)

    def message(self, message: str, language: str) -> str:
        with i18n.speaking(language):
            return i18n._(message)


CHAT_WORDS = ChatWords()


def miniapp_deps(services: Services, bot_token: str) -> MiniAppDeps:
    settings = services.settings
    # Sessions live in the store bootstrap built for the chat's state (keys under
    # "webapp:"), so the composition root makes and closes the one store.
    store = services.state
    config = MiniAppConfig(
        bot_token=bot_token,
        public_url=settings.miniapp_url,
        init_data_max_age=settings.miniapp_init_data_max_age,
        session_lifetime=settings.miniapp_session_days * 24 * 60 * 60,
        secure_cookies=settings.miniapp_url is not None,
        cors_origins=settings.cors_origins,
    )
    return build_deps(
        config,
        uow_factory=services.uow_factory,
        clock=services.clock,
        store=store,
        words=CHAT_WORDS,
        retry_once_on=(DuplicateRequest,),
    )


def mount_miniapp(app: web.Application, services: Services, bot_token: str) -> MiniAppDeps:
    """The hook the composition root (bot.bootstrap) calls: /api/v1 and /app/ on the
    bot's aiohttp app."""
    deps = miniapp_deps(services, bot_token)
    mount(app, deps)
    return deps


async def install_menu_button(bot: Bot, miniapp_url: str | None) -> None:
    """With MINIAPP_URL the chat's menu button opens the app (setChatMenuButton)."""
    if miniapp_url is None:
        return
    button = MenuButtonWebApp(texts.OPEN_APP_MENU, WebAppInfo(miniapp_url))
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramError:
        log.warning("could not set the menu button to the Mini App", exc_info=True)


def app_link(miniapp_url: str, shop_id: int, route: str, **params: object) -> str:
    """The page to open: Telegram appends its launch data to the fragment, so the page
    to show travels in the query (webapp/static/app.js reads `route`)."""
    query = urlencode({"shop": shop_id, "route": route, **params})
    return f"{miniapp_url}{'&' if '?' in miniapp_url else '?'}{query}"


def with_open_app(
    markup: InlineKeyboardMarkup | None,
    update: Update,
    settings: Settings,
    shop_id: int,
    route: str,
    **params: object,
) -> InlineKeyboardMarkup | None:
    """The keyboard plus an "Open app" button when MINIAPP_URL is set, in private chats
    only (Telegram refuses web_app buttons in groups)."""
    chat = update.effective_chat
    if settings.miniapp_url is None or chat is None or chat.type != ChatType.PRIVATE:
        return markup
    link = app_link(settings.miniapp_url, shop_id, route, **params)
    row = [InlineKeyboardButton(texts.OPEN_APP_BUTTON, web_app=WebAppInfo(link))]
    rows = [list(r) for r in markup.inline_keyboard] if markup else []
    return InlineKeyboardMarkup([*rows, row])
