"""Alerts through the real bot process: a threshold crossing pushed once to the owner, the
daily digest with its buttons, Snooze and Ordered (and forged taps on them from another
shop), and a recipient who blocked the bot. The alert jobs run fast (FAST_ALERTS) so a
push arrives within a second or two; every wait is on an event, with a timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devtools.localapi import ChatMessage, LocalBotApi, LocalChat
from tests.e2e.alerting import (
    FAST_ALERTS,
    AlertBooks,
    Pushes,
    alert_time_just_passed,
    ask,
    is_crossing_alert,
    opened_yesterday,
    refusal,
    scans_held_off,
    tap,
)
from tests.e2e.conftest import Launch
from tests.e2e.harness import (
    OWNER,
    STAFF,
    BotProcess,
    Chat,
    eventually,
    invite_code,
    text_of,
)

CROSSING_BUTTONS = ["📦 Restock…", "🗂 Open card", "😴 Snooze 1 day", "✅ Ordered"]
AFTER_ACTION_BUTTONS = ["📦 Restock…", "🗂 Open card"]


def labels(message: ChatMessage) -> list[str]:
    return [b.text for b in message.buttons]


@pytest.fixture
def alert_books(database_url: str) -> AlertBooks:
    return AlertBooks(database_url)


@pytest.fixture
async def shop(launch: Launch, database_url: str, owner: Chat) -> AsyncIterator[BotProcess]:
    """The bot with fast alert jobs and the owner's Cafe: milk (min 5 l), bread (min 2).
    No digest is planned meanwhile (its alert time may have passed today): these tests
    are about pushes of crossings alone."""
    async with scans_held_off(database_url):
        process = await launch(**FAST_ALERTS)
        await open_cafe(owner)
        yield process


async def open_cafe(owner: Chat) -> None:
    assert "is ready" in text_of(await ask(owner, "/newshop Cafe"))
    assert "Added" in text_of(await ask(owner, "/add milk unit l min 5"))
    assert "Added" in text_of(await ask(owner, "/add bread min 2"))


async def join_as_staff(owner: Chat, staff: Chat) -> None:
    code = invite_code(await ask(owner, "/invite"))
    assert "joined Cafe as staff" in text_of(await ask(staff, f"/start {code}"))


# -- 1. a threshold crossing ---------------------------------------------------------------


async def test_a_sale_to_the_threshold_pushes_one_alert_to_the_owner_and_none_to_staff(
    shop: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat, alert_books: AlertBooks
) -> None:
    await join_as_staff(owner, staff)
    pushes = Pushes(api, OWNER.id)
    await ask(owner, "/restock milk 10")

    assert "Sold 5 l milk" in text_of(await ask(owner, "/sell milk 5"))
    alert = await pushes.next()

    assert text_of(alert) == ("🟠 milk is running low: 5 l left (reorder point 5 l).\nCafe")
    assert labels(alert) == CROSSING_BUTTONS

    # Still low: no new crossing, so nothing is pushed.
    assert "Sold 1 l milk" in text_of(await ask(owner, "/sell milk 1"))
    assert len(await alert_books.crossings("milk")) == 1

    # Back above the threshold, then below again: a new crossing, a new push.
    await ask(owner, "/restock milk 10")
    await ask(owner, "/sell milk 9")
    again = await pushes.next()
    assert text_of(again).startswith("🟠 milk is running low: 5 l left")
    assert labels(again) == CROSSING_BUTTONS

    # Out of stock is a crossing of its own.
    await ask(owner, "/sell milk 5")
    out = await pushes.next()
    assert text_of(out) == "🔴 milk is out of stock.\nCafe"
    assert labels(out) == CROSSING_BUTTONS

    assert pushes.untaken() == []
    assert len(pushes.all()) == 3
    assert [c["kind"] for c in await alert_books.crossings("milk")] == ["low", "low", "out"]
    # Each crossing was planned for every recipient at once: staff have none by default.
    assert Pushes(api, STAFF.id).all() == []
    assert await alert_books.deliveries(STAFF.id) == []

    async def all_recorded_as_sent() -> bool:  # the outcome is recorded right after the send
        return [d["status"] for d in await alert_books.deliveries(OWNER.id)] == ["sent"] * 3

    await eventually(all_recorded_as_sent, "three deliveries recorded as sent")


# -- 2. the daily digest -------------------------------------------------------------------


async def test_the_daily_digest_comes_once_with_working_buttons(
    launch: Launch,
    database_url: str,
    api: LocalBotApi,
    owner: Chat,
    alert_books: AlertBooks,
) -> None:
    pushes = Pushes(api, OWNER.id)

    # Nothing may plan today's digest before the shop has something to report.
    async with scans_held_off(database_url):
        bot = await launch(**FAST_ALERTS)
        alert_time = await alert_time_just_passed()
        today = datetime.now(UTC).date()
        await open_cafe(owner)
        await ask(owner, "/add yogurt min 1")
        long_ago = (today - timedelta(days=10)).isoformat()
        assert "already past" in text_of(await ask(owner, f"/restock milk 20 exp {long_ago}"))
        await ask(owner, f"/restock yogurt 6 exp {(today + timedelta(days=2)).isoformat()}")
        await ask(owner, "/restock bread 3")
        await ask(owner, "/sell bread 2")
        assert "bread is running low" in text_of(await pushes.next())
        changed = await ask(owner, f"/settings alert {alert_time}")
        assert not text_of(changed).startswith("⚠️"), text_of(changed)
        await opened_yesterday(database_url)

    digest = await pushes.next()

    shown = text_of(digest)
    assert shown.startswith("☀️ Cafe — ")
    assert "🔴 Expired (1)\n• milk — 20 l, expired" in shown
    assert "🟠 Expiring soon (1)\n• yogurt — 6 pcs, good until" in shown
    assert "🟠 Low stock (1)\n• bread — 1 pcs (min 2 pcs)" in shown
    assert labels(digest) == [
        "🗑 Write off expired",
        "View expired",
        "View expiring",
        "View low",
        "🧾 Reorder list",
    ]

    # "View …" opens the filtered inventory as a new message; the digest stays as it was.
    low = await tap(owner, digest, "View low")
    assert text_of(low).startswith("📦 Low and out of stock — 1 product\n• bread")
    expired = await tap(owner, digest, "View expired")
    assert "milk" in text_of(expired)
    assert "bread" not in text_of(expired) and "yogurt" not in text_of(expired)
    kept = api.message(OWNER.id, digest.message_id)
    assert (text_of(kept), labels(kept)) == (shown, labels(digest))

    # "Write off expired" removes the expired batch with reason `expired`, in one tap.
    done = await tap(owner, digest, "Write off expired")
    assert text_of(done) == "🗑 Wrote off expired stock of 1 product."
    milk = await alert_books.movements("milk")
    assert [(m["reason"], m["quantity"]) for m in milk] == [("restock", 20), ("expired", -20)]
    assert await alert_books.on_hand("milk") == 0
    assert await alert_books.on_hand("yogurt") == 6
    assert text_of(await pushes.next()) == "🔴 milk is out of stock.\nCafe"

    # A restart does not send today's digest again: the new process leads the scans,
    # and the next push is a crossing after which nothing is left to send.
    await bot.stop()
    restarted = await launch(**FAST_ALERTS)

    async def leads() -> bool:
        return "now runs the scheduled scans" in restarted.log()

    await eventually(leads, "the restarted bot runs the scans", timeout=15)
    await ask(owner, "/sell yogurt 6")
    assert text_of(await pushes.next()) == "🔴 yogurt is out of stock.\nCafe"
    assert pushes.untaken() == []
    digests = [d for d in await alert_books.deliveries(OWNER.id) if d["kind"] == "digest"]
    assert [(d["day"], d["status"]) for d in digests] == [(today, "sent")]

    # The push arrives a moment before its delivery is recorded as sent.
    async def nothing_pending() -> bool:
        return all(d["status"] != "pending" for d in await alert_books.deliveries())

    await eventually(nothing_pending, "every delivery is recorded")


# -- 3. Snooze and Ordered, and forged taps on them -----------------------------------------


async def test_snooze_quiets_the_product_for_a_day_and_ordered_until_the_restock(
    shop: BotProcess, api: LocalBotApi, owner: Chat, alert_books: AlertBooks
) -> None:
    pushes = Pushes(api, OWNER.id)
    await ask(owner, "/restock milk 10")
    await ask(owner, "/sell milk 5")
    alert = await pushes.next()

    snooze = await owner.press(alert, "Snooze 1 day")
    answer = await owner.answer(snooze)
    assert answer.text is not None
    assert answer.text.startswith("😴 Snoozed. I'll remind you")
    assert labels(await owner.edited()) == AFTER_ACTION_BUTTONS
    snoozes = await alert_books.rows("SELECT * FROM alert_snoozes")
    assert [
        (s["user_id"], s["until"] > datetime.now(UTC) + timedelta(hours=23)) for s in snoozes
    ] == [(OWNER.id, True)]

    # Crossing again while snoozed: recorded, planned, but nobody is told.
    await ask(owner, "/restock milk 10")
    await ask(owner, "/sell milk 10")
    await _planned_for_nobody(alert_books, "milk", 2)
    assert pushes.untaken() == []
    reminders = [d for d in await alert_books.deliveries(OWNER.id) if d["status"] == "pending"]
    assert len(reminders) == 1
    assert reminders[0]["key"].startswith("snooze:")
    assert reminders[0]["not_before"] > datetime.now(UTC) + timedelta(hours=23)

    # Ordered: the product's alerts wait for the next restock.
    await ask(owner, "/restock bread 5")
    await ask(owner, "/sell bread 3")
    bread_alert = await pushes.next()
    assert text_of(bread_alert).startswith("🟠 bread is running low")
    ordered = await owner.press(bread_alert, "Ordered")
    assert (await owner.answer(ordered)).text == (
        "✅ bread marked as ordered; its alerts resume after the next restock."
    )
    assert labels(await owner.edited()) == AFTER_ACTION_BUTTONS
    await ask(owner, "/sell bread 2")
    await _planned_for_nobody(alert_books, "bread", 2)
    assert pushes.untaken() == []

    # The restock ends "Ordered": the next crossing is pushed again.
    await ask(owner, "/restock bread 5")
    states = await alert_books.rows("SELECT ordered_at FROM alert_product_states")
    assert all(s["ordered_at"] is None for s in states)
    await ask(owner, "/sell bread 4")
    assert text_of(await pushes.next()).startswith("🟠 bread is running low: 1 pcs left")


async def test_snooze_answers_in_the_alerts_shop_time_wherever_it_is_tapped(
    shop: BotProcess, api: LocalBotApi, owner: Chat, alert_books: AlertBooks
) -> None:
    kiritimati = ZoneInfo("Pacific/Kiritimati")  # UTC+14: no other shop's clock reads so
    changed = await ask(owner, "/settings timezone Pacific/Kiritimati")
    assert not text_of(changed).startswith("⚠️"), text_of(changed)
    pushes = Pushes(api, OWNER.id)
    await ask(owner, "/restock milk 10")
    await ask(owner, "/sell milk 5")
    alert = await pushes.next()
    snooze_data = next(
        data for b in alert.buttons if (data := b.callback_data or "").startswith("al:snz:")
    )
    # Another shop, on UTC, becomes the owner's active one.
    assert "is ready" in text_of(await ask(owner, "/newshop Deli"))

    async def told_until(answer_text: str | None) -> None:
        (snoozed,) = await alert_books.rows("SELECT until FROM alert_snoozes")
        until = snoozed["until"].astimezone(kiritimati).strftime("%-d %b %H:%M")
        assert answer_text == f"😴 Snoozed. I'll remind you {until} if it is still short."

    await told_until((await owner.answer(await owner.press(alert, "Snooze 1 day"))).text)

    # The same button tapped in a group linked to no shop (e.g. the alert forwarded
    # there): the snooze is the alert's shop's business, so it is answered as in private.
    group = Chat(api, OWNER, LocalChat.group(-4001, "Staff room"))
    anchor = await ask(group, "/help")
    await told_until((await group.answer(await group.forge(anchor, snooze_data))).text)
    assert len(await alert_books.rows("SELECT * FROM alert_snoozes")) == 1


async def _planned_for_nobody(books: AlertBooks, product: str, count: int) -> None:
    """Wait until the product's `count`-th crossing is planned; it made no delivery."""

    async def planned() -> bool:
        crossings = await books.crossings(product)
        return len(crossings) >= count and crossings[count - 1]["planned_at"] is not None

    await eventually(planned, f"crossing {count} of {product} planned", timeout=15)
    crossing = (await books.crossings(product))[count - 1]
    made = await books.rows(
        "SELECT * FROM alert_deliveries WHERE crossing_id = $1 AND key LIKE 'crossing:%'",
        crossing["id"],
    )
    assert made == []


async def test_forged_alert_taps_from_another_shop_are_refused_and_change_nothing(
    shop: BotProcess,
    api: LocalBotApi,
    owner: Chat,
    attacker: Chat,
    alert_books: AlertBooks,
) -> None:
    pushes = Pushes(api, OWNER.id)
    await ask(owner, "/restock milk 10 exp 2020-01-01")  # expired stock to write off
    await ask(owner, "/sell milk 5")
    alert = await pushes.next()
    assert is_crossing_alert(alert)
    assert "is ready" in text_of(await ask(attacker, "/newshop Eve's Deli"))
    cafe = await alert_books.rows("SELECT id FROM shops WHERE name = 'Cafe'")
    deli = await alert_books.rows("SELECT id FROM shops WHERE name = 'Eve''s Deli'")
    shop_a, shop_e = cafe[0]["id"], deli[0]["id"]
    milk = (await alert_books.product("milk"))["id"]
    crossing = (await alert_books.crossings("milk"))[0]["id"]
    forged = [
        f"al:snz:{shop_a}:{crossing}",
        f"al:snz:{shop_e}:{crossing}",  # her own shop, A's crossing
        f"al:ord:{shop_a}:{milk}",
        f"al:ord:{shop_e}:{milk}",
        f"al:woff:{shop_a}",
        f"al:woff:{shop_a}:{milk}",
        f"al:woff:{shop_e}:{milk}",
        f"al:reorder:{shop_a}",
    ]
    before = (await alert_books.snapshot(), await alert_books.alert_snapshot())

    anchor = await ask(attacker, "/help")  # any bot message to hang the forged buttons on
    for data in forged:
        told = await refusal(attacker, data, on=anchor)
        assert told.startswith("⚠️"), (data, told)
        assert "milk" not in told and "Cafe" not in told, (data, told)

    assert (await alert_books.snapshot(), await alert_books.alert_snapshot()) == before
    assert await alert_books.on_hand("milk") == 5
    assert api.message(OWNER.id, alert.message_id).buttons == alert.buttons
    assert pushes.untaken() == []
    assert api.message(attacker.chat_id, anchor.message_id).edits == 0


# -- 4. a recipient who blocked the bot ------------------------------------------------------


async def test_a_recipient_who_blocked_the_bot_is_marked_and_skipped_until_they_return(
    shop: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat, alert_books: AlertBooks
) -> None:
    await join_as_staff(owner, staff)
    prefs = await ask(staff, "/alerts")
    await staff.press(prefs, "Turn on: Low stock")
    assert "✅ Low stock" in text_of(await staff.edited())
    staff_pushes, owner_pushes = Pushes(api, STAFF.id), Pushes(api, OWNER.id)
    await ask(staff, "/restock milk 20")

    api.block(OWNER.id)
    await ask(staff, "/sell milk 15")
    assert text_of(await staff_pushes.next()).startswith("🟠 milk is running low")

    async def owner_marked() -> bool:
        return OWNER.id in await alert_books.blocked()

    await eventually(owner_marked, "the owner is marked as blocked", timeout=15)
    assert [d["status"] for d in await alert_books.deliveries(OWNER.id)] == ["blocked"]
    assert api.refused_sends(OWNER.id) == 1

    # The next crossing skips the owner: no delivery, no attempt.
    await ask(staff, "/restock milk 10")
    await ask(staff, "/sell milk 10")
    assert text_of(await staff_pushes.next()).startswith("🟠 milk is running low")
    assert [d["status"] for d in await alert_books.deliveries(OWNER.id)] == ["blocked"]
    assert api.refused_sends(OWNER.id) == 1
    assert owner_pushes.all() == []

    # Talking to the bot again (so it is unblocked) makes the owner reachable.
    api.unblock(OWNER.id)
    assert "Cafe" in text_of(await ask(owner, "/start"))
    assert await alert_books.blocked() == set()
    await ask(staff, "/restock milk 10")
    await ask(staff, "/sell milk 10")
    assert text_of(await owner_pushes.next()).startswith("🟠 milk is running low")
    assert text_of(await staff_pushes.next()).startswith("🟠 milk is running low")
    assert api.refused_sends(OWNER.id) == 1


async def test_blocking_and_unblocking_in_the_app_is_heard_without_a_start(
    shop: BotProcess, api: LocalBotApi, owner: Chat, staff: Chat, alert_books: AlertBooks
) -> None:
    """Telegram tells the bot when someone blocks or unblocks it. Before, only a failed
    send marked the owner, and only a typed /start brought them back: an owner who
    unblocked the bot and went on selling got no alerts."""
    await join_as_staff(owner, staff)
    owner_pushes = Pushes(api, OWNER.id)
    await ask(staff, "/restock milk 20")

    async def owner_blocked() -> bool:
        return OWNER.id in await alert_books.blocked()

    async def owner_reachable() -> bool:
        return OWNER.id not in await alert_books.blocked()

    await api.set_bot_blocked(OWNER, True)
    await eventually(owner_blocked, "the owner is marked as blocked", timeout=15)
    await ask(staff, "/sell milk 15")  # a crossing while blocked: not even tried
    await ask(staff, "/restock milk 10")
    assert api.refused_sends(OWNER.id) == 0

    await api.set_bot_blocked(OWNER, False)
    await eventually(owner_reachable, "the owner is reachable again", timeout=15)
    assert "Sold 10 l milk" in text_of(await ask(owner, "/sell milk 10"))
    assert text_of(await owner_pushes.next()).startswith("🟠 milk is running low")


async def test_a_stocktake_that_leaves_several_short_is_one_push(
    shop: BotProcess, api: LocalBotApi, owner: Chat, alert_books: AlertBooks
) -> None:
    """Found in the console: a 40-line stocktake pushed 25 alerts, one a second."""
    pushes = Pushes(api, OWNER.id)
    await ask(owner, "/add eggs min 6")
    await ask(owner, "/restock\nmilk 10\nbread 10\neggs 12")
    counted = text_of(await ask(owner, "/count\nmilk 0\nbread 1\neggs 4"))
    assert "Counted milk" in counted, counted

    alert = await pushes.next()
    assert text_of(alert) == (
        "🔔 3 products just ran low or out\n\n🔴 Out of stock (1)\n• milk\n\n"
        "🟠 Low stock (2)\n• bread — 1 pcs (min 2 pcs)\n• eggs — 4 pcs (min 6 pcs)\nCafe"
    ), text_of(alert)
    assert labels(alert) == ["View out", "View low", "🧾 Reorder list"]
    listed = text_of(await tap(owner, alert, "View low"))
    assert "Low and out of stock — 3 products" in listed, listed

    async def all_recorded_as_sent() -> bool:
        return [d["status"] for d in await alert_books.deliveries(OWNER.id)] == ["sent"] * 3

    await eventually(all_recorded_as_sent, "the three deliveries recorded as sent by one push")
    assert pushes.untaken() == []
