"""The composition root: every long-lived part of a running bot is built here, once.

    stockbot = build(settings, token)
    await stockbot.application.initialize()   # getMe
    await stockbot.application.post_init(…)   # opens: schema check, menus, alert jobs
    …                                          # bot.runner feeds updates to the inbox
    await stockbot.application.post_shutdown(…)  # closes them again

`build` only constructs (no I/O): the database engine and its units of work, the state
store (Redis or memory), the inbox and its processor, the send budget, the alert jobs,
the python-telegram-bot Application with every handler, and the aiohttp app with the
webhook and health endpoints. Clients that hold connections are opened in `post_init`
and closed in `post_shutdown`, the Application's own hooks (we call them ourselves: PTB
only does inside `run_polling`, which we do not use, see bot.runner).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.exc import DBAPIError
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from bot import i18n
from bot.alerts_view import TelegramNotifier
from bot.clock import SystemClock
from bot.context import BotContext, Services, StockbotApp
from bot.inbox_processor import InboxProcessor
from bot.menus import install_default_menus
from bot.miniapp_wiring import install_menu_button, mount_miniapp
from bot.sending import RetryingRequest
from bot.settings import Settings
from bot.state import MemoryStateStore, RedisStateStore, StateStore, redis_client
from bot.web import make_web_app
from core import languages
from db.engine import create_engine, database_url
from db.inbox import SqlInbox
from db.migrate import current_revisions, head_revision, upgrade
from db.uow import uow_factory
from jobs import leader, ratelimit, scheduler

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 8


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


@dataclass
class Stockbot:
    """Everything a running bot is made of."""

    settings: Settings
    services: Services
    application: StockbotApp
    processor: InboxProcessor
    web: web.Application
    jobs: scheduler.AlertJobs | None = None

    async def open(self) -> None:
        """Start what holds connections: run as the Application's `post_init`."""
        await ensure_schema(self.services)
        i18n.load_all()
        await install_default_menus(self.application.bot)
        await install_menu_button(self.application.bot, self.settings.miniapp_url)
        settings = self.settings
        self.jobs = scheduler.install(
            self.application,
            uow_factory=self.services.uow_factory,
            notifier=TelegramNotifier(
                self.application.bot,
                lambda user_id, shop: languages.recipient_language(
                    self.services.uow(), user_id, shop
                ),
            ),
            clock=self.services.clock,
            budget=ratelimit.send_budget(self.services.redis, settings.redis_prefix),
            leader=leader.leader_for(self.services.engine),
            dispatch_every=settings.alert_dispatch_seconds,
            scan_every=settings.alert_scan_seconds,
        )
        self.services.metrics.sources.dispatch = self.jobs.dispatcher.stats

    async def close(self) -> None:
        """Close everything `open` and `build` made: the Application's `post_shutdown`."""
        try:
            if self.jobs is not None:
                await self.jobs.close()
        finally:
            await self.services.state.close()
            await self.services.engine.dispose()


def build(settings: Settings, token: str) -> Stockbot:
    services = build_services(settings)
    application = build_application(services, token)
    processor = InboxProcessor(application, services)
    webhook_path = settings.webhook_path if settings.webhook_url else None
    web_app = make_web_app(services, processor, webhook_path)
    stockbot = Stockbot(settings, services, application, processor, web_app)
    add_routes(stockbot)

    async def post_init(_: Any) -> None:
        await stockbot.open()

    async def post_shutdown(_: Any) -> None:
        await stockbot.close()

    application.post_init = post_init
    application.post_shutdown = post_shutdown
    return stockbot


def add_routes(stockbot: Stockbot) -> None:
    """Further HTTP routes served by the same aiohttp app, with the services they need
    from `stockbot.services`: the Mini App and its JSON API."""
    mount_miniapp(stockbot.web, stockbot.services, stockbot.application.bot.token)


# The database connections a process keeps: SQLAlchemy's default total (5 kept, 10 more
# opened when busy), all kept. With 5 kept, the overflow beyond them was closed as each
# was given back and opened again for the next update: under load a new connection
# every few updates (134 in 6 s at 166 replies/s), each a backend forked, a login, and
# every statement prepared again on it.
POOL_SIZE = 15


def build_services(settings: Settings) -> Services:
    url = database_url(settings.database_url)
    pool = {} if url.startswith("sqlite") else {"pool_size": POOL_SIZE, "max_overflow": 0}
    engine = create_engine(url, **pool)
    state: StateStore
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    if redis is not None:
        state = RedisStateStore(redis, settings.redis_prefix)
    else:
        state = MemoryStateStore()
    services = Services(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory(engine),
        inbox=SqlInbox(engine),
        state=state,
        clock=SystemClock(),
        redis=redis,
    )
    services.metrics.sources.engine = engine
    return services


def build_application(services: Services, token: str) -> StockbotApp:
    """The python-telegram-bot Application with every handler registered.

    It has no Updater: updates arrive through our own polling loop or webhook, which
    store them in the inbox first (see bot.inbox_processor)."""
    from bot.handlers import register

    settings = services.settings
    request = RetryingRequest()
    services.metrics.sources.request = request
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.base_file_url)
        .updater(None)
        .request(request)
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


async def ensure_schema(services: Services) -> None:
    """Refuse to run on an old schema; the embedded SQLite default migrates itself."""
    try:
        revisions = await current_revisions(services.engine)
    except (OSError, DBAPIError) as exc:
        raise StartupError(f"The database cannot be reached: {first_line(exc)}") from exc
    if revisions == {head_revision()}:
        return
    url = services.engine.url
    if url.get_backend_name() == "sqlite":
        log.info("migrating the embedded database %s", url.database)
        await upgrade(url.render_as_string(hide_password=False))
        return
    if not revisions:
        raise StartupError("The database has no tables yet: run `stockbot migrate` to create them.")
    raise StartupError(
        f"The database schema is out of date (at {', '.join(sorted(revisions))}, this version"
        f" needs {head_revision()}): run `stockbot migrate` first."
    )


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
