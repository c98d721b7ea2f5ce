"""The authorization matrix (tests/authz.py) through the real bot process, on PostgreSQL
and Redis, over the local Bot API.

By default a slice of rows that stand for each kind of rule, each in every cell: a
member's write (/sell, its confirmation signed in a group), an owner's view answered
privately from a group (/team), a button naming the shop answered privately elsewhere
(an alert's View) and a settings step refused elsewhere. With
STOCKBOT_FULL_MATRIX=1 every row that leaves the world as it found it (see
`Row.keeps_world`; the in-process matrix covers the rest) — several minutes.

The world is built through the chat, as people would; a cell is done when the inbox
has handled its update and released it, by which time everything the bot said is
recorded.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg

from devtools.localapi import LocalBotApi
from tests.authz import (
    BOB,
    BOOK_CLUB,
    BUTTONS,
    CAFE,
    COMMANDS,
    DELI,
    EVE,
    LINKED_SHOP,
    MALLORY,
    OLGA,
    PEOPLE,
    RITA,
    ROLES,
    STAFF_ROOM,
    Cell,
    Outcome,
    Row,
    Where,
    button_cells,
    command_cells,
    expected,
    judge,
    said_since,
    seat_everyone,
    send,
)
from tests.e2e.alerting import is_crossing_alert, scans_held_off
from tests.e2e.conftest import Launch
from tests.e2e.harness import REPLY_TIMEOUT, Books, Chat, invite_code, text_of

SLICE = {"sell", "team", "al:view", "set"}
FULL = os.environ.get("STOCKBOT_FULL_MATRIX") == "1"


def _rows() -> list[Row]:
    rows = [r for r in (*COMMANDS, *BUTTONS) if r.keeps_world and r.name != "pick"]
    return rows if FULL else [r for r in rows if r.name in SLICE]


async def _build_world(api: LocalBotApi, books: Books) -> dict[str, int]:
    olga, bob, rita, eve = (Chat(api, p) for p in (OLGA, BOB, RITA, EVE))
    for said in (
        f"/newshop {CAFE}",
        "/add milk unit l min 38 cost 0.61 price 1.25 supplier MilkCo",
        "/add sourdough min 10 supplier MilkCo",
        "/restock milk 40",
        "/restock sourdough 4",
    ):
        assert not text_of(await olga.say(said)).startswith("⚠️"), said
    for person in (bob, rita):
        code = invite_code(await olga.say("/invite"))
        assert "You joined" in text_of(await person.say(f"/start {code}"))
        assert "joined" in text_of(await olga.reply())
    team = await olga.say("/team")
    await olga.press(team, "Remove Rita")
    await olga.press(await olga.edited(), "Remove Rita")  # the question, then the removal
    await olga.edited()
    await rita.reply()  # told she was removed
    assert "Sold 3 l milk" in text_of(await bob.say("/sell milk 3"))
    for said in (f"/newshop {DELI}", "/add darjeeling", "/restock darjeeling 55"):
        assert not text_of(await eve.say(said)).startswith("⚠️"), said
    await Chat(api, MALLORY).say("/start")
    seat_everyone(api)
    assert "now linked" in text_of(await Chat(api, OLGA, STAFF_ROOM).say("/link"))
    assert "now linked" in text_of(await Chat(api, EVE, BOOK_CLUB).say("/link"))
    milk = await books.product("milk", CAFE)
    (sale,) = [m for m in await books.movements("milk") if m["reason"] == "sale"]
    (crossing,) = await books._fetch("SELECT id FROM alert_crossings ORDER BY id LIMIT 1")
    return {
        "product": milk["id"],
        "movement": sale["id"],
        "shop": milk["shop_id"],
        "crossing": crossing["id"],
        "staff": BOB.id,
        "room": -STAFF_ROOM.id,
        "token": "none",
    }


GROUPS = {where.chat.id: where for where in Where if where.chat is not None}
PERSONS = {person.id: who for who, person in PEOPLE.items()}


def _may_show(chat_id: int) -> set[str]:
    """The world does not change here: who may see what is the table in tests.authz."""
    if chat_id > 0:
        return set(ROLES.get(PERSONS[chat_id], {})) if chat_id in PERSONS else set()
    where = GROUPS.get(chat_id)
    return {LINKED_SHOP[where]} if where in LINKED_SHOP else set()


async def test_the_authorization_matrix_through_the_real_bot(
    launch: Launch, api: LocalBotApi, books: Books, database_url: str
) -> None:
    async with scans_held_off(database_url):  # no digest: only the cells speak
        await _run(launch, api, books, database_url)


async def _run(launch: Launch, api: LocalBotApi, books: Books, database_url: str) -> None:
    await launch()
    ids = await _build_world(api, books)
    # The milk's low-stock push comes once; let it arrive before the cells begin.
    await api.wait_for(lambda: any(map(is_crossing_alert, api.bot_messages(OLGA.id))), 15)
    anchors = {p.id: (await Chat(api, p).say("/help")).message_id for p in PEOPLE.values()}
    for room in GROUPS.values():
        assert room.chat is not None
        anchors[room.chat.id] = (await Chat(api, OLGA, room.chat).say("/help")).message_id
    connection = await asyncpg.connect(database_url, timeout=10)
    report: list[str] = []
    cells = 0
    try:
        for row in _rows():
            for cell in command_cells() if row.text is not None else button_cells():
                cells += 1
                problems = await _play(api, books, connection, anchors, ids, row, cell)
                report += [
                    f"{row.name} · {cell.who.value} · {cell.where.value}: {p}" for p in problems
                ]
    finally:
        await connection.close()
    print(f"{cells} cells through the real bot")
    assert report == []


async def _play(
    api: LocalBotApi,
    books: Books,
    connection: asyncpg.Connection,
    anchors: dict[int, int],
    ids: dict[str, int],
    row: Row,
    cell: Cell,
) -> list[str]:
    outcome = expected(row, cell)
    before = await books.snapshot() if outcome is Outcome.REFUSED else None
    mark = len(api.events)
    error = await _processed(connection, await send(api, row, cell, anchors, ids))
    said, answered = said_since(api, mark, cell.who.user.id)
    unchanged = await books.snapshot() == before if before is not None else None
    problems = judge(outcome, said, answered, _may_show, unchanged=unchanged)
    return problems + ([f"failed inside the bot: {error}"] if error else [])


async def _processed(connection: asyncpg.Connection, update_id: int) -> str | None:
    """Wait until the inbox has handled the update and released it, which it does once
    its replies are out (its commit marks it processed before they are sent); its last
    error, if any."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REPLY_TIMEOUT
    while True:
        row = await connection.fetchrow(
            "SELECT processed_at, leased_until, last_error FROM update_inbox WHERE update_id = $1",
            update_id,
        )
        if row is not None and row["processed_at"] is not None and row["leased_until"] is None:
            error: str | None = row["last_error"]
            return error
        if loop.time() > deadline:
            return f"update {update_id} not processed within {REPLY_TIMEOUT}s"
        await asyncio.sleep(0.02)
