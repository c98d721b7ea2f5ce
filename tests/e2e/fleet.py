"""Several bot processes behind nginx, and updates posted the way Telegram posts them.

    fleet = await Fleet.start(launch, tmp_path, processes=3)
    await fleet.post(fleet.message(user, "/sell milk 1"))     # through nginx
    await fleet.post(body, to=fleet.bots[1])                   # straight to one process

Telegram delivers webhook updates over several connections at once; the local Bot API's
own delivery goes one by one, so these tests post to the webhook themselves (with the
secret header) and read the bot's answers from the local Bot API as usual. Shops and
members are set up through core's use cases on the bots' database, which is quicker than
inviting a dozen people by chat and is not what these tests are about.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from core import catalog, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.model import Role
from db.engine import create_engine
from db.uow import uow_factory
from devtools.localapi import LocalBotApi, LocalChat, LocalUser
from tests.e2e.harness import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    BotProcess,
    free_port,
)
from tests.loadbalancer import LoadBalancer, nginx_binary

Launch = Callable[..., Awaitable[BotProcess]]


@dataclass
class Fleet:
    api: LocalBotApi
    bots: list[BotProcess]
    balancer: LoadBalancer
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5_000_000))

    @classmethod
    async def start(
        cls, api: LocalBotApi, launch: Launch, workdir: Path, processes: int, **env: str
    ) -> Fleet:
        if nginx_binary() is None:
            raise RuntimeError("nginx is not installed (.ci/run installs Debian's nginx-light)")
        port = free_port()
        url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        bots = [
            await launch(WEBHOOK_URL=url, WEBHOOK_SECRET=WEBHOOK_SECRET, **env)
            for _ in range(processes)
        ]
        balancer = LoadBalancer(workdir / "nginx", port, [bot.port for bot in bots])
        await balancer.start()
        return cls(api, bots, balancer)

    async def stop(self) -> None:
        await self.balancer.stop()

    @property
    def url(self) -> str:
        return self.balancer.url + WEBHOOK_PATH

    def message(self, user: LocalUser, text: str, chat: LocalChat | None = None) -> dict[str, Any]:
        """A new update of `user` writing `text` (in their private chat by default)."""
        return {
            "update_id": next(self._update_ids),
            "message": self.api.world.written(user, text, chat),
        }

    async def post(self, update: dict[str, Any], to: BotProcess | None = None) -> int:
        url = f"{to.url}{WEBHOOK_PATH}" if to is not None else self.url
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        async with (
            ClientSession(timeout=ClientTimeout(total=20)) as http,
            http.post(url, json=update, headers=headers) as response,
        ):
            return response.status


async def open_shop_with_staff(
    database_url: str, owner: LocalUser, staff: list[LocalUser], stock: int
) -> None:
    """A shop of `owner` with every one of `staff` in it and `stock` l of milk."""
    engine = create_engine(database_url)
    make = uow_factory(engine)
    now = datetime.now(UTC)
    try:
        shop = await shops.create_shop(make(), owner.id, owner.first_name, "Fleet Cafe", now)
        actor = Actor(owner.id, shop.id)
        milk = await catalog.add_product(make(), actor, ProductFields(name="milk", unit="l"))
        restock = ledger.Restock(milk.id, Decimal(stock))
        await ledger.restock(make(), actor, restock, key="fleet-seed", now=now)
        for member in staff:
            invite = await shops.create_invite(make(), actor, Role.STAFF, now)
            await shops.join_shop(make(), member.id, member.first_name, invite.code, now)
    finally:
        await engine.dispose()
