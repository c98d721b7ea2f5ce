"""Several bot processes sharing PostgreSQL and Redis behind a real load balancer (nginx):
any process takes any update, each chat's answers come in the order it wrote, an update
posted to two processes at once is handled once, a process killed under load loses and
doubles nothing, and the scheduled scan runs in one process."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devtools.localapi import LocalBotApi, LocalUser
from devtools.localapi.faults import Fault
from tests.e2e.alerting import alert_time_just_passed, opened_yesterday, scans_held_off
from tests.e2e.conftest import Launch, open_cafe
from tests.e2e.fleet import Fleet, open_shop_with_staff
from tests.e2e.harness import OWNER, Books, Chat, eventually, text_of
from tests.loadbalancer import nginx_binary

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")

STAFF = [LocalUser(2000 + i, f"Staff {i}") for i in range(6)]
SALES_EACH = 8
SOLD = re.compile(r"Sold (\d+) l")
RECORDED_UNANSWERED = re.compile(r"before confirming “/sell milk (\d+)”")


@pytest.fixture
async def fleet(
    api: LocalBotApi, launch: Launch, tmp_path: Path, database_url: str
) -> AsyncIterator[Fleet]:
    await open_shop_with_staff(database_url, OWNER, STAFF, stock=10_000)
    # A short lease, so the kill test need not wait 20 s for the dead process's updates.
    fleet = await Fleet.start(api, launch, tmp_path, 3, INBOX_LEASE_SECONDS="3")
    yield fleet
    await fleet.stop()


def sales_answered(api: LocalBotApi, user: LocalUser) -> list[int]:
    """The quantities of the sales confirmed to `user`, in the order they arrived."""
    found = (SOLD.search(text_of(m)) for m in api.bot_messages(user.id))
    return [int(match[1]) for match in found if match]


def sales_told_recorded(api: LocalBotApi, user: LocalUser) -> list[int]:
    """The sales `user` was told were recorded by a process other than the one that died
    before confirming them."""
    found = (RECORDED_UNANSWERED.search(text_of(m)) for m in api.bot_messages(user.id))
    return [int(match[1]) for match in found if match]


async def sell_in_bursts(fleet: Fleet, users: list[LocalUser], sales: int) -> list[int]:
    """Each user sends `/sell milk 1` … `/sell milk <sales>` back to back, all users at
    once, through nginx; the statuses the webhook answered."""

    async def burst(user: LocalUser) -> list[int]:
        return [
            await fleet.post(fleet.message(user, f"/sell milk {n}")) for n in range(1, 1 + sales)
        ]

    return [
        status
        for statuses in await asyncio.gather(*(burst(u) for u in users))
        for status in statuses
    ]


async def test_an_update_posted_to_two_processes_at_once_is_handled_once(
    api: LocalBotApi, launch: Launch, tmp_path: Path, database_url: str, books: Books
) -> None:
    await open_shop_with_staff(database_url, OWNER, STAFF, stock=10_000)
    fleet = await Fleet.start(api, launch, tmp_path, 2)
    try:
        await _posted_twice_is_handled_once(fleet, api, books)
    finally:
        await fleet.stop()


async def _posted_twice_is_handled_once(fleet: Fleet, api: LocalBotApi, books: Books) -> None:
    user = STAFF[0]
    update = fleet.message(user, "/sell milk 7")

    statuses = await asyncio.gather(
        fleet.post(update, to=fleet.bots[0]), fleet.post(update, to=fleet.bots[1])
    )

    assert statuses == [200, 200]
    await api.wait_for(lambda: len(sales_answered(api, user)) >= 1, timeout=20)
    # Anything still on its way would be answered by the time a later message is.
    await fleet.post(fleet.message(user, "/sell milk 1"), to=fleet.bots[1])
    await api.wait_for(lambda: len(sales_answered(api, user)) >= 2, timeout=20)
    assert sales_answered(api, user) == [7, 1]
    assert [m["quantity"] for m in await books.movements("milk")][1:] == [-7, -1]
    assert await books.on_hand("milk") == 10_000 - 8


async def test_each_chat_in_order_across_three_processes_and_a_kill_loses_and_doubles_nothing(
    fleet: Fleet, api: LocalBotApi, books: Books
) -> None:
    """Six chats pour sales in through nginx at once and one of the three processes is
    killed (-9) halfway: every sale the webhook acknowledged is recorded exactly once,
    each chat's answers come in the order it wrote, none twice, and every process took
    part."""
    load = asyncio.create_task(sell_in_bursts(fleet, STAFF, SALES_EACH))
    await eventually(lambda: _has_movements(books, 10), "sales are being recorded", timeout=30)
    assert await fleet.bots[1].kill() == -9
    statuses = await load

    assert set(statuses) == {200}  # nginx passed what the dead process refused to the others
    # The dead process's updates wait for their lease (3 s here), then go elsewhere.
    await eventually(lambda: _all_processed(books), "every stored update is handled", 60)
    movements = await books.movements("milk")
    keys = Counter(m["idempotency_key"] for m in movements[1:])  # the first is the stock
    assert len(keys) == len(STAFF) * SALES_EACH and set(keys.values()) == {1}
    sold = sum(range(1, SALES_EACH + 1)) * len(STAFF)
    assert await books.on_hand("milk") == 10_000 - sold
    for user in STAFF:
        answered = sales_answered(api, user)
        assert len(answered) == len(set(answered)), f"{user.first_name} told twice: {answered}"
        assert answered == sorted(answered), f"{user.first_name} answered out of order"
    # A sale the dead process recorded but never confirmed is told as recorded by another
    # process once its lease runs out: nobody is left without an answer (and sells again).
    everything = set(range(1, SALES_EACH + 1))

    def each_sale_answered_or_told() -> bool:
        return all(
            set(sales_answered(api, u)) | set(sales_told_recorded(api, u)) == everything
            for u in STAFF
        )

    await api.wait_for(each_sale_answered_or_told, timeout=30)
    handled_by = [b.log().count("POST /tg/hook") for b in fleet.bots]
    assert all(count > 0 for count in handled_by), handled_by


async def test_the_scheduled_scan_runs_in_one_process_of_three(
    api: LocalBotApi, launch: Launch, tmp_path: Path, books: Books, database_url: str
) -> None:
    owner = Chat(api, OWNER)
    async with scans_held_off(database_url):  # until the shop has something to report
        fleet = await Fleet.start(api, launch, tmp_path, 3, ALERT_SCAN_SECONDS="1")
        alert_time = await alert_time_just_passed()
        await open_cafe(owner)  # bread and milk are out of stock
        changed = await owner.say(f"/settings alert {alert_time}")
        assert not text_of(changed).startswith("⚠️"), text_of(changed)
        await opened_yesterday(database_url)
    try:
        await eventually(lambda: _digests(books, 1), "the daily digest is planned", timeout=30)
        await asyncio.sleep(3)  # three more scan ticks on every process
        assert await _digests(books, 1)
        leaders = [b for b in fleet.bots if "now runs the scheduled scans" in b.log()]
        assert len(leaders) == 1
    finally:
        await fleet.stop()


async def _has_movements(books: Books, count: int) -> bool:
    return len(await books.movements("milk")) > count


async def _all_processed(books: Books) -> bool:
    """Every update handled and released (its answers sent), or its process dead."""
    rows = await books._fetch(
        "SELECT count(*) AS n FROM update_inbox WHERE processed_at IS NULL OR leased_until > now()"
    )
    return int(rows[0]["n"]) == 0


async def _digests(books: Books, expected: int) -> bool:
    rows = await books._fetch("SELECT count(*) AS n FROM alert_deliveries WHERE kind = 'digest'")
    return int(rows[0]["n"]) == expected


async def test_a_sale_recorded_by_a_process_killed_before_its_reply_is_told_as_recorded(
    api: LocalBotApi, launch: Launch, tmp_path: Path, database_url: str, books: Books
) -> None:
    """The process records the sale, Telegram hangs on its reply, and the process is
    killed: the seller heard nothing and would sell again. Now the other process, once the
    dead one's lease runs out, tells the seller the sale was recorded (once)."""
    await open_shop_with_staff(database_url, OWNER, STAFF, stock=100)
    fleet = await Fleet.start(api, launch, tmp_path, 2, INBOX_LEASE_SECONDS="2")
    try:
        seller = STAFF[0]
        api.faults.inject(Fault(hang=15), method="sendMessage")
        assert await fleet.post(fleet.message(seller, "/sell milk 3"), to=fleet.bots[0]) == 200
        await eventually(lambda: _has_movements(books, 1), "the sale is recorded", timeout=30)
        assert await fleet.bots[0].kill() == -9
        api.faults.clear()

        await api.wait_for(lambda: sales_told_recorded(api, seller) == [3], timeout=30)
        assert sales_answered(api, seller) == []
        assert await books.on_hand("milk") == 97
        # The next sale is answered as usual, and the notice is not repeated.
        await fleet.post(fleet.message(seller, "/sell milk 1"), to=fleet.bots[1])
        await api.wait_for(lambda: sales_answered(api, seller) == [1], timeout=30)
        assert sales_told_recorded(api, seller) == [3]
    finally:
        await fleet.stop()
