"""Mini App API fixtures: the real aiohttp app (webapp.server.mount) on a loopback test
server over the integration database (SQLite and PostgreSQL), sessions in process
memory, and people who log in with initData signed for the test bot's token."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.miniapp_wiring import CHAT_WORDS
from core import shops
from core.access import Actor
from core.catalog import ProductFields, add_product
from core.errors import DuplicateRequest
from core.ledger import Restock, restock
from core.model import Role, Shop
from db.uow import SqlUnitOfWork
from tests.fakes import FakeClock
from tests.integration.conftest import NOW
from webapp.deps import CSRF_HEADER, IDEMPOTENCY_HEADER, MiniAppConfig, MiniAppDeps, build_deps
from webapp.initdata import WebAppUser, signed_for
from webapp.server import mount
from webapp.session_store import MemorySessionStore

BOT_TOKEN = "424242:MINIAPP-TEST-TOKEN"
OWNER = WebAppUser(2001, "Olga")
STAFF = WebAppUser(2002, "Bob")
RIVAL = WebAppUser(2003, "Rita")  # owner of another shop


@dataclass
class Person:
    """One browser: its own cookie jar and the CSRF token of its session."""

    client: TestClient[Any, Any]
    user: WebAppUser
    csrf: str = ""
    shops: list[dict[str, Any]] = field(default_factory=list)

    async def log_in(self, **extra: str) -> ClientResponse:
        init_data = signed_for(self.user, BOT_TOKEN, auth_date=int(NOW.timestamp()), **extra)
        response = await self.client.post("/api/v1/session", json={"init_data": init_data})
        if response.status == 200:
            body = await response.json()
            self.csrf = body["csrf_token"]
            self.shops = body["shops"]
        return response

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {CSRF_HEADER: self.csrf}
        if key is not None:
            headers[IDEMPOTENCY_HEADER] = key
        return headers

    async def get(self, path: str, **params: Any) -> ClientResponse:
        return await self.client.get("/api/v1" + path, params=params)

    async def post(self, path: str, body: Any = None, *, key: str | None = "new") -> ClientResponse:
        if key == "new":
            key = secrets.token_hex(8)
        return await self.client.post("/api/v1" + path, json=body, headers=self._headers(key))

    async def patch(self, path: str, body: Any) -> ClientResponse:
        return await self.client.patch("/api/v1" + path, json=body, headers=self._headers(None))

    async def delete(self, path: str) -> ClientResponse:
        return await self.client.delete("/api/v1" + path, headers=self._headers(None))


@dataclass
class Cafe:
    shop: Shop
    milk: int
    bread: int
    rival_shop: Shop
    rival_product: int
    rival_movement: int


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def deps(make_uow: Callable[[], SqlUnitOfWork], clock: FakeClock) -> MiniAppDeps:
    return build_deps(
        MiniAppConfig(bot_token=BOT_TOKEN, init_data_max_age=10**9),
        uow_factory=make_uow,
        clock=clock,
        store=MemorySessionStore(),
        words=CHAT_WORDS,
        retry_once_on=(DuplicateRequest,),
    )


@pytest.fixture
async def server(deps: MiniAppDeps) -> AsyncIterator[TestServer]:
    app = web.Application()
    mount(app, deps)
    test_server = TestServer(app)
    async with test_server:
        yield test_server


@pytest.fixture
async def browser(server: TestServer) -> AsyncIterator[Callable[[WebAppUser], Person]]:
    """`browser(user)`: a new browser (cookie jar) for that person."""
    clients: list[TestClient[Any, Any]] = []

    def open_browser(user: WebAppUser) -> Person:
        client: TestClient[Any, Any] = TestClient(server)
        clients.append(client)
        return Person(client, user)

    yield open_browser
    for client in clients:
        await client.close()


@pytest.fixture
async def cafe(make_uow: Callable[[], SqlUnitOfWork]) -> Cafe:
    """Olga's cafe (Bob is staff) with milk (cost 0.60, supplier Dairy Co, 10 l) and bread;
    Rita's shop next door with a product and a movement of its own."""
    shop = await shops.create_shop(make_uow(), OWNER.id, "Olga", "Corner Cafe", NOW)
    owner = Actor(OWNER.id, shop.id)
    invite = await shops.create_invite(make_uow(), owner, Role.STAFF, NOW)
    await shops.join_shop(make_uow(), STAFF.id, "Bob", invite.code, NOW)
    milk = await add_product(
        make_uow(),
        owner,
        ProductFields(
            name="milk", unit="l", threshold=_d("5"), cost=_d("0.60"), supplier="Dairy Co"
        ),
    )
    bread = await add_product(make_uow(), owner, ProductFields(name="bread", price=_d("2.50")))
    await restock(
        make_uow(), owner, Restock(milk.id, _d("10"), cost=_d("0.60")), key="seed-milk", now=NOW
    )
    rival = await shops.create_shop(make_uow(), RIVAL.id, "Rita", "Rival Deli", NOW)
    rival_actor = Actor(RIVAL.id, rival.id)
    ham = await add_product(make_uow(), rival_actor, ProductFields(name="ham", cost=_d("3")))
    moved = await restock(
        make_uow(), rival_actor, Restock(ham.id, _d("4")), key="seed-ham", now=NOW
    )
    assert moved.movement is not None
    return Cafe(shop, milk.id, bread.id, rival, ham.id, moved.movement.id)


def _d(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)


@pytest.fixture
async def olga(browser: Callable[[WebAppUser], Person], cafe: Cafe) -> Person:
    person = browser(OWNER)
    assert (await person.log_in()).status == 200
    return person


@pytest.fixture
async def bob(browser: Callable[[WebAppUser], Person], cafe: Cafe) -> Person:
    person = browser(STAFF)
    assert (await person.log_in()).status == 200
    return person


@pytest.fixture
async def rita(browser: Callable[[WebAppUser], Person], cafe: Cafe) -> Person:
    person = browser(RIVAL)
    assert (await person.log_in()).status == 200
    return person
