"""The whole authorization matrix (tests/authz.py): every command and button kind × seven
senders × four chats, each cell from the same world.

Each cell goes through the real handlers and the real python-telegram-bot client, which
talks to the local Bot API on loopback; the store is the in-memory fake, put back to the
world's state before every cell, so a cell that removes staff or archives the milk
leaves the next one untouched. One test per row; a failing row lists its cells.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

from bot import handlers, outcome, steps
from bot.alert_handlers import COMMANDS as ALERT_COMMANDS
from bot.bootstrap import build_application
from bot.callbacks import REGISTRY
from bot.context import Services, StockbotApp
from bot.parsing import Command
from bot.state import MemoryStateStore
from bot.steps import CommandChoice
from core import catalog, groups, ledger, shops
from core.access import Actor
from core.catalog import ProductFields
from core.groups import GroupStanding
from core.model import Reason, Role
from devtools.localapi import LocalBotApi, LocalChat
from tests.authz import (
    BOB,
    BOOK_CLUB,
    BUTTONS,
    CAFE,
    COMMANDS,
    DELI,
    EVE,
    LOBBY,
    MALLORY,
    OLGA,
    PEOPLE,
    RITA,
    STAFF_ROOM,
    Cell,
    Outcome,
    Row,
    Said,
    WarningLog,
    Where,
    Who,
    button_cells,
    command_cells,
    expected,
    judge,
    said_since,
    seat_everyone,
    send,
    services_on,
    shops_named,
)
from tests.fakes import FakeClock, FakeStore, StoreState, uow_factory

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOKEN = "pickOlga01"  # a "did you mean" choice Olga was offered: sell 1 milk


@dataclass
class World:
    api: LocalBotApi
    app: StockbotApp
    services: Services
    store: FakeStore
    state: StoreState
    ids: dict[str, Any]
    shop_names: dict[int, str]
    anchors: dict[int, int] = field(default_factory=dict)  # chat → a bot message
    offset: int = 0
    log: list[logging.LogRecord] = field(default_factory=list)


async def _build_store(store: FakeStore, clock: FakeClock) -> dict[str, Any]:
    uow = uow_factory(store)
    now = clock.now()
    cafe = await shops.create_shop(uow(), OLGA.id, "Olga", CAFE, now)
    olga = Actor(OLGA.id, cafe.id)
    milk = await catalog.add_product(
        uow(),
        olga,
        ProductFields(
            name="milk", unit="l", threshold=Decimal(38), cost=Decimal("0.61"),
            price=Decimal("1.25"), supplier="MilkCo",
        ),
    )  # fmt: skip
    bread = await catalog.add_product(
        uow(), olga, ProductFields(name="sourdough", threshold=Decimal(10), supplier="MilkCo")
    )  # low, so every list of the Cafe shows it
    await ledger.restock(uow(), olga, ledger.Restock(milk.id, Decimal(40)), key="w1", now=now)
    await ledger.restock(uow(), olga, ledger.Restock(bread.id, Decimal(4)), key="w2", now=now)
    for user, name in ((BOB, "Bob"), (RITA, "Rita")):
        code = (await shops.create_invite(uow(), olga, Role.STAFF, now)).code
        await shops.join_shop(uow(), user.id, name, code, now)
    await shops.remove_member(uow(), olga, RITA.id)
    bob = Actor(BOB.id, cafe.id)
    sale = await ledger.remove(
        uow(), bob, ledger.Removal(milk.id, Decimal(3), Reason.SALE), key="w3", now=now
    )
    deli = await shops.create_shop(uow(), EVE.id, "Eve", DELI, now)
    eve = Actor(EVE.id, deli.id)
    tea = await catalog.add_product(uow(), eve, ProductFields(name="darjeeling"))
    await ledger.restock(uow(), eve, ledger.Restock(tea.id, Decimal(55)), key="w4", now=now)
    await shops.register_user(uow(), MALLORY.id, "Mallory")
    await groups.link_group(uow(), OLGA.id, STAFF_ROOM.id, GroupStanding.ADMIN)
    await groups.link_group(uow(), EVE.id, BOOK_CLUB.id, GroupStanding.ADMIN)
    crossing = max(store.state.alerts.crossings) if store.state.alerts.crossings else 0
    assert sale.movement is not None and crossing, "the sale should cross the threshold"
    return {
        "product": milk.id,
        "movement": sale.movement.id,
        "shop": cafe.id,
        "crossing": crossing,
        "staff": BOB.id,
        "room": -STAFF_ROOM.id,
        "token": TOKEN,
        "cafe": cafe.id,
        "deli": deli.id,
    }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world() -> AsyncIterator[World]:
    store, clock = FakeStore(), FakeClock()
    ids = await _build_store(store, clock)
    async with LocalBotApi() as api:
        for person in PEOPLE.values():
            api.users[person.id] = person
            api.add_chat(LocalChat.private(person))
        seat_everyone(api)
        services = services_on(api, uow_factory(store), clock)
        app = build_application(services, api.token)
        await app.initialize()
        found = World(
            api, app, services, store, store.state, ids, {ids["cafe"]: CAFE, ids["deli"]: DELI}
        )
        for chat_id in [*(p.id for p in PEOPLE.values()), STAFF_ROOM.id, LOBBY.id, BOOK_CLUB.id]:
            found.anchors[chat_id] = (await app.bot.send_message(chat_id, "anchor")).message_id
        collector = WarningLog(found.log)
        logging.getLogger("bot").addHandler(collector)
        try:
            yield found
        finally:
            logging.getLogger("bot").removeHandler(collector)
            await app.shutdown()


# -- one cell ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    said: list[Said]
    before: StoreState
    after: StoreState
    failures: dict[int, str]
    warnings: list[str]
    answered: bool  # anything at all: a message, an edit, a tap acknowledged


async def _play(world: World, row: Row, cell: Cell) -> Observed:
    world.store.state = world.state
    state = MemoryStateStore()
    await state.put(
        f"pending:{TOKEN}",
        steps.dump(CommandChoice(command=Command.SELL, text="milk 1", key="pick-1", user=OLGA.id)),
        600,
    )
    world.services.state = state
    world.log.clear()
    api = world.api
    mark = len(api.events)
    await send(api, row, cell, world.anchors, world.ids)
    failures: dict[int, str] = {}
    for update in await world.app.bot.get_updates(offset=world.offset, timeout=0):
        world.offset = update.update_id + 1
        # The error handler records our own failures in the update's outcome.
        with outcome.handling(update.update_id) as result:
            await world.app.process_update(update)
        if result.error is not None:
            failures[update.update_id] = result.error
    said, answered = said_since(api, mark, cell.who.user.id)
    warnings = [r.getMessage() for r in world.log]
    return Observed(said, world.state, world.store.state, failures, warnings, answered)


def _shops_of(state: StoreState, user_id: int, names: dict[int, str]) -> set[str]:
    return {names.get(shop, "") for (shop, user) in state.members if user == user_id}


def _may_show(world: World, seen: Observed) -> Any:
    def may_show(chat_id: int) -> set[str]:
        names = world.shop_names
        if chat_id > 0:
            return _shops_of(seen.before, chat_id, names) | _shops_of(seen.after, chat_id, names)
        linked = {seen.before.chats.get(chat_id), seen.after.chats.get(chat_id)}
        return {names[s] for s in linked if s in names}

    return may_show


def _unchanged(before: StoreState, after: StoreState) -> bool:
    """Nothing of any shop changed (a first /start may remember the person's name)."""
    if after is before:
        return True
    active = {u: user.active_shop_id for u, user in before.users.items()}
    after_active = {
        u: user.active_shop_id
        for u, user in after.users.items()
        if u in before.users or user.active_shop_id is not None
    }
    return replace(after, users=before.users) == before and active == after_active


def _problems(world: World, row: Row, cell: Cell, seen: Observed) -> list[str]:
    outcome = expected(row, cell)
    unchanged = _unchanged(seen.before, seen.after) if outcome is Outcome.REFUSED else None
    problems = judge(outcome, seen.said, seen.answered, _may_show(world, seen), unchanged=unchanged)
    if seen.failures:
        problems.append(f"failed inside the bot: {seen.failures}")
    if seen.warnings:
        problems.append(f"warnings: {seen.warnings}")
    return problems


async def _run_row(world: World, row: Row, cells: list[Cell]) -> list[str]:
    report = []
    for cell in cells:
        seen = await _play(world, row, cell)
        for problem in _problems(world, row, cell, seen):
            report.append(f"{row.name} · {cell.who.value} · {cell.where.value}: {problem}")
    return report


# -- the tests ---------------------------------------------------------------------------


async def test_the_matrix_has_a_row_for_every_command_and_every_button_kind() -> None:
    registered = set(handlers.COMMANDS) | set(ALERT_COMMANDS)
    rows = {row.text.split()[0].lstrip("/") for row in COMMANDS if row.text.startswith("/")}  # type: ignore[union-attr]
    assert rows == registered
    kinds = {row.data.split(":{")[0].split(":low")[0] for row in BUTTONS}  # type: ignore[union-attr]
    covered = {
        prefix
        for prefix in REGISTRY
        if any(k == prefix or k.startswith(prefix + ":") for k in kinds)
    }
    assert covered == set(REGISTRY), set(REGISTRY) - covered


@pytest.mark.parametrize("row", COMMANDS, ids=[r.name for r in COMMANDS])
async def test_command(world: World, row: Row) -> None:
    assert await _run_row(world, row, list(command_cells())) == []


@pytest.mark.parametrize("row", BUTTONS, ids=[r.name for r in BUTTONS])
async def test_button(world: World, row: Row) -> None:
    assert await _run_row(world, row, list(button_cells())) == []


async def test_the_markers_find_a_shops_data_where_it_is_allowed(world: World) -> None:
    """The leak check is only as good as its markers: the owner's own views show them."""
    for text in ("/inventory", "/history", "/dashboard"):
        seen = await _play(
            world, Row(text, lambda c: Outcome.ALLOWED, text), Cell(Who.OWNER, Where.PRIVATE)
        )
        assert any(CAFE in shops_named(s.text) for s in seen.said), (text, seen.said)
    card = await _play(world, BUTTONS[2], Cell(Who.OWNER, Where.PRIVATE))
    assert any("0.61" in s.text for s in card.said)  # the owner sees the cost in private
