"""HTTP endpoints on aiohttp: the webhook (in webhook mode), /healthz, /readyz and /metrics."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text
from telegram import Bot, Update

from bot.context import Services
from bot.inbox_processor import InboxProcessor
from bot.metrics import CONTENT_TYPE
from db.queue_depths import pending_deliveries

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The inbox keys updates by a signed 64-bit integer; Telegram's ids are far below it.
MAX_UPDATE_ID = 2**63 - 1


class NotAnUpdate(ValueError):
    """A body that no retry can make into an update: answered 400, which Telegram does
    not retry, unlike a 5xx (retried for a day)."""


def parsed_update(body: bytes, bot: Bot | None = None) -> tuple[str, int, dict[str, Any], Update]:
    """The body as text, its update_id, its decoded form and the update made of it for
    `bot`; NotAnUpdate when it is not a Telegram update."""
    try:
        payload = body.decode("utf-8")
        decoded = json.loads(payload)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotAnUpdate(f"not JSON in UTF-8: {type(error).__name__}") from None
    if not isinstance(decoded, dict):
        raise NotAnUpdate("not a JSON object")
    update_id = decoded.get("update_id")
    # bool is an int to Python: {"update_id": true} must not become update 1.
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        raise NotAnUpdate("update_id is not an integer in range")
    try:
        update = Update.de_json(decoded, bot)
    except Exception as error:  # whatever the library trips on is the body's fault
        raise NotAnUpdate(f"not an update: {type(error).__name__}") from None
    return payload, update_id, decoded, update


def make_web_app(
    services: Services, processor: InboxProcessor, webhook_path: str | None
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        checks = {"database": False, "state": False}
        try:
            async with services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception:
            log.warning("readiness: database unreachable", exc_info=True)
        checks["state"] = await services.state.ping()
        status = 200 if all(checks.values()) else 503
        return web.json_response(checks, status=status)

    async def metrics(_: web.Request) -> web.Response:
        sources = services.metrics.sources
        try:
            sources.inbox_depth = await services.inbox.pending()
            sources.alert_queue_depth = await pending_deliveries(services.engine)
        except Exception:  # the counters still answer when the database does not
            log.warning("metrics: the queues could not be counted", exc_info=True)
            sources.inbox_depth = sources.alert_queue_depth = None
        return web.Response(body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def webhook(request: web.Request) -> web.Response:
        secret = services.settings.webhook_secret
        if secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
                return web.Response(status=401, text="bad secret token")
        try:
            payload, update_id, decoded, update = parsed_update(await request.read(), processor.bot)
        except NotAnUpdate as refused:
            log.info("webhook body refused: %s", refused)
            return web.Response(status=400, text="not a Telegram update")
        try:
            await processor.store(payload, update_id, decoded, update)
        except Exception:
            # 5xx makes Telegram deliver the update again later.
            log.exception("update %s could not be stored", update_id)
            return web.Response(status=503, text="not stored, retry")
        return web.Response(status=200)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    if webhook_path is not None:
        app.router.add_post(webhook_path, webhook)
    return app
