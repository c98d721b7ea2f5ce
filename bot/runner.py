"""`stockbot run`: long polling or webhook, both through the durable inbox; the parts
themselves are built in bot.bootstrap."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import warnings
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.alerts_view import retry_after_seconds
from bot.bootstrap import StartupError, Stockbot, build, first_line
from bot.context import StockbotApp
from bot.inbox_processor import InboxProcessor
from bot.settings import Settings

log = logging.getLogger(__name__)

# Edits of sent commands are not re-applied: a movement is recorded once, as first sent.
# my_chat_member: a person blocking or unblocking the bot (bot.alert_handlers).
# Edited messages too, only to say an edit changes nothing (bot.handlers.on_edited).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


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
            updates = await _fetch(bot, offset, poll_timeout)
            for update_id, payload in updates:
                await processor.store(payload, update_id)
            if updates:
                offset = updates[-1][0] + 1
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


# _fetch calls getUpdates raw on purpose (it must not parse); the library warns on every
# such call, once per process, into the log and the console chat.
warnings.filterwarnings(
    "ignore", message=r".*Bot\.getUpdates.*", category=PTBUserWarning, module=__name__
)


async def _fetch(bot: Bot, offset: int | None, poll_timeout: int) -> list[tuple[int, str]]:
    """The next updates as Telegram sent them (update_id, JSON). Not parsed here: an
    update the library cannot read would fail the whole getUpdates and, the offset never
    moving, hold up every update after it; stored as sent, it fails alone when handled."""
    arguments: dict[str, Any] = {"timeout": poll_timeout, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        arguments["offset"] = offset
    raw = await bot.do_api_request(
        "getUpdates", api_kwargs=arguments, read_timeout=poll_timeout + 10
    )
    updates = []
    for update in raw if isinstance(raw, list) else []:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if type(update_id) is int:
            updates.append((update_id, json.dumps(update, ensure_ascii=False)))
    return sorted(updates)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(
    settings: Settings, token: str, stop: asyncio.Event | None = None, *, http: bool = True
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set). `http=False` serves no HTTP endpoints
    (health, Mini App) unless webhook mode needs them. Everything is built by
    bot.bootstrap."""
    stop = stop or asyncio.Event()
    stockbot = build(settings, token)
    application = stockbot.application
    try:
        try:
            await application.initialize()
        except InvalidToken as exc:
            raise StartupError("Telegram refused BOT_TOKEN; check it with @BotFather.") from exc
        except NetworkError as exc:
            raise StartupError(
                f"The Bot API at {settings.telegram_api_base_url} cannot be reached: "
                f"{first_line(exc)}"
            ) from exc
        try:
            assert application.post_init is not None
            await application.post_init(application)
            await _serve(stockbot, stop, http)
        finally:
            await application.shutdown()
    finally:
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


def settle_the_heap() -> None:
    """What start-up built (modules, SQLAlchemy's and python-telegram-bot's classes, the
    translations) lives as long as the process: moved out of the collector's reach, a
    full collection no longer walks it. Such a collection walked ~1 million objects for
    up to 113 ms under load, holding every update up (a p99 of its own). Undone when
    serving stops (`gc.unfreeze`), so what was built is collected as usual then."""
    gc.collect()
    gc.freeze()


async def _serve(stockbot: Stockbot, stop: asyncio.Event, http: bool) -> None:
    settings, application, processor = stockbot.settings, stockbot.application, stockbot.processor
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    runner = web.AppRunner(stockbot.web)
    await runner.setup()
    if http or settings.webhook_url:
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("HTTP endpoints on %s:%s", settings.host, settings.port)

    await application.start()
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
        settle_the_heap()
        done, _ = await asyncio.wait(
            [*tasks, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            if task in tasks and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        gc.unfreeze()
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await application.stop()
        await runner.cleanup()
