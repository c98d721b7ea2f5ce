"""`stockbot run`: long polling or webhook, both through the durable inbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web
from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.alerts_view import TelegramNotifier, retry_after_seconds
from bot.bootstrap import build_application, build_services, close_services
from bot.context import Services, StockbotApp
from bot.inbox_processor import InboxProcessor
from bot.menus import install_default_menus
from bot.miniapp_wiring import install_menu_button, mount_miniapp
from bot.settings import Settings
from bot.web import make_web_app
from db.migrate import is_current, upgrade
from jobs import leader, ratelimit, scheduler

log = logging.getLogger(__name__)

# Edits of sent commands are not re-applied: a movement is recorded once, as first sent.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


async def ensure_schema(services: Services) -> None:
    """Refuse to run on an old schema; the embedded SQLite default migrates itself."""
    if await is_current(services.engine):
        return
    url = services.engine.url
    if url.get_backend_name() == "sqlite":
        log.info("migrating the embedded database %s", url.database)
        await upgrade(url.render_as_string(hide_password=False))
        return
    raise StartupError("The database schema is out of date: run `stockbot migrate` first.")


async def poll(
    application: StockbotApp, processor: InboxProcessor, stop: asyncio.Event, poll_timeout: int
) -> None:
    """Long polling. The offset that confirms updates to Telegram advances only after
    the updates are committed to the inbox, so a crash never loses a fetched update."""
    bot = application.bot
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                read_timeout=poll_timeout + 10,
            )
            for update in updates:
                await processor.store(update.to_json(), update.update_id)
            if updates:
                offset = updates[-1].update_id + 1
            backoff = 1.0
        except RetryAfter as exc:
            await _sleep(stop, retry_after_seconds(exc))
        except (InvalidToken, Forbidden):
            raise
        except Conflict as exc:
            raise StartupError(
                f"Another bot instance or a webhook holds this token: {exc}"
            ) from exc
        except (TimedOut, NetworkError) as exc:
            log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 30.0)
        except Exception:
            # The inbox could not be written: do not confirm, fetch the same updates again.
            log.exception("could not store updates; retrying in %.0fs", backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 30.0)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(
    settings: Settings, token: str, stop: asyncio.Event | None = None, *, http: bool = True
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set). `http=False` serves no HTTP endpoints
    (health, Mini App) unless webhook mode needs them."""
    stop = stop or asyncio.Event()
    services = build_services(settings)
    try:
        try:
            await ensure_schema(services)
        except (OSError, DBAPIError) as exc:
            raise StartupError(f"The database cannot be reached: {_first_line(exc)}") from exc
        application = build_application(services, token)
        try:
            await application.initialize()
        except InvalidToken as exc:
            raise StartupError("Telegram refused BOT_TOKEN; check it with @BotFather.") from exc
        except NetworkError as exc:
            raise StartupError(
                f"The Bot API at {settings.telegram_api_base_url} cannot be reached: "
                f"{_first_line(exc)}"
            ) from exc
        try:
            await _serve_application(settings, services, application, stop, http)
        finally:
            await application.shutdown()
    finally:
        await close_services(services)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


async def _serve_application(
    settings: Settings,
    services: Services,
    application: StockbotApp,
    stop: asyncio.Event,
    http: bool,
) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    processor = InboxProcessor(application, services)
    webhook_path = settings.webhook_path if settings.webhook_url else None
    web_app = make_web_app(services, processor, webhook_path)
    mount_miniapp(web_app, services, application.bot.token)
    runner = web.AppRunner(web_app)
    await runner.setup()
    if http or webhook_path is not None:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("HTTP endpoints on %s:%s", settings.host, settings.port)

    await application.start()
    await install_default_menus(application.bot)
    await install_menu_button(application.bot, settings.miniapp_url)
    alert_jobs = scheduler.install(
        application,
        uow_factory=services.uow_factory,
        notifier=TelegramNotifier(application.bot),
        clock=services.clock,
        budget=ratelimit.send_budget(services.redis, settings.redis_prefix),
        leader=leader.leader_for(services.engine),
        dispatch_every=settings.alert_dispatch_seconds,
        scan_every=settings.alert_scan_seconds,
    )
    tasks = [asyncio.create_task(processor.run(stop, settings.inbox_workers), name="inbox")]
    try:
        if settings.webhook_url:
            secret = settings.webhook_secret
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("webhook set to %s", settings.webhook_url)
        else:
            await application.bot.delete_webhook()
            tasks.append(
                asyncio.create_task(
                    poll(application, processor, stop, settings.poll_timeout), name="poll"
                )
            )
            log.info("long polling %s", settings.telegram_api_base_url)
        done, _ = await asyncio.wait(
            [*tasks, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            if task in tasks and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await application.stop()
        await alert_jobs.close()
        await runner.cleanup()
