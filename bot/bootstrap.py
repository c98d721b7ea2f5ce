"""The composition root: builds the engine, state store, services and the Application."""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import SystemClock
from bot.context import BotContext, Services, StockbotApp
from bot.sending import RetryingRequest
from bot.settings import Settings
from bot.state import MemoryStateStore, RedisStateStore, StateStore, redis_client
from db.engine import create_engine, database_url
from db.inbox import SqlInbox
from db.uow import uow_factory

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 8


def build_services(settings: Settings) -> Services:
    engine = create_engine(database_url(settings.database_url))
    state: StateStore
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    if redis is not None:
        state = RedisStateStore(redis, settings.redis_prefix)
    else:
        state = MemoryStateStore()
    return Services(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory(engine),
        inbox=SqlInbox(engine),
        state=state,
        clock=SystemClock(),
        redis=redis,
    )


async def close_services(services: Services) -> None:
    await services.state.close()
    await services.engine.dispose()


def build_application(services: Services, token: str) -> StockbotApp:
    """The python-telegram-bot Application with every handler registered.

    It has no Updater: updates arrive through our own polling loop or webhook, which
    store them in the inbox first (see bot.inbox_processor)."""
    from bot.handlers import register

    settings = services.settings
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.base_file_url)
        .updater(None)
        .request(RetryingRequest())
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
    )
    if settings.telegram_rate_limit:
        # Replies keep within Telegram's limits (30/s, 20/min per group) in this process;
        # alert fan-out also shares one budget across processes (jobs.ratelimit). A 429
        # pauses every request for its retry_after; a confirmation outlasts a long one
        # (12 s of retry_after=3 was seen) rather than being dropped after two tries.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    application: StockbotApp = builder.build()
    application.bot_data["services"] = services
    register(application)
    return application
