"""HTTP endpoints on aiohttp: the webhook (in webhook mode), /healthz and /readyz."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from sqlalchemy import text

from bot.context import Services
from bot.inbox_processor import InboxProcessor, chat_of

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


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

    async def webhook(request: web.Request) -> web.Response:
        secret = services.settings.webhook_secret
        if secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
                return web.Response(status=401, text="bad secret token")
        body = await request.text()
        try:
            decoded = json.loads(body)
            update_id = decoded["update_id"]
            if not isinstance(update_id, int):
                raise TypeError("update_id is not an integer")
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await processor.store(body, update_id, chat_of(decoded))
        except Exception:
            # 5xx makes Telegram deliver the update again later.
            log.exception("update %s could not be stored", update_id)
            return web.Response(status=503, text="not stored, retry")
        return web.Response(status=200)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if webhook_path is not None:
        app.router.add_post(webhook_path, webhook)
    return app
