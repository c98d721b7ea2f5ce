"""Delivery of updates to the bot's webhook, as Telegram does it: one at a time, oldest
first, with the secret header, retried with growing delays until the hook answers 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientSession

from devtools.localapi.world import ChatWorld

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    allowed_updates: frozenset[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDelivery:
    def __init__(self, world: ChatWorld, retry_delay: float, max_retry_delay: float) -> None:
        self.world = world
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._http: ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self, http: ClientSession) -> None:
        self._http = http

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver(self) -> None:
        world = self.world
        delay = self.retry_delay
        while True:
            hook = world.webhook
            if hook is None:
                return
            update = next(
                (u for u in world.pending if world.is_allowed(u, hook.allowed_updates)), None
            )
            if update is None:
                world.pending = []  # what the hook does not want is dropped, like Telegram
                with contextlib.suppress(TimeoutError):
                    await world.wait_for(self._has_work(hook), 30)
                continue
            error = await self._post(hook, update)
            if error is None:
                world.forget_update(update["update_id"])
                delay = self.retry_delay
                await world.notify()
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)

    def _has_work(self, hook: Webhook) -> Callable[[], bool]:
        return lambda: bool(self.world.pending) or self.world.webhook is not hook

    async def _post(self, hook: Webhook, update: dict[str, Any]) -> str | None:
        assert self._http is not None, "LocalBotApi is not started"
        headers = {}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with self._http.post(hook.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (ClientError, TimeoutError, OSError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
