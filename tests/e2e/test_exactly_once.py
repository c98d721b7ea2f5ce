"""Every update takes effect exactly once: delivered twice, or acknowledged by a bot that
then crashed, it moves stock once and is answered once.

The local Bot API, like Telegram, never hands the same update_id to a poller twice once
the offset moved past it (and `push_update` numbers every update itself), so a
duplicate delivery is played on the webhook, where Telegram retries for real."""

from __future__ import annotations

import asyncio
import json

from devtools.localapi import LocalBotApi
from tests.e2e.conftest import open_cafe
from tests.e2e.harness import (
    OWNER,
    SECRET_HEADER,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    Books,
    BotProcess,
    Chat,
    eventually,
    owner_message,
    text_of,
)

HOOK_HEADERS = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}


def replies_containing(api: LocalBotApi, chat: Chat, text: str) -> int:
    return sum(text in text_of(m) for m in api.bot_messages(chat.chat_id))


async def test_the_same_update_delivered_twice_moves_stock_once(
    webhook_bot: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    await open_cafe(owner)
    body = json.dumps(owner_message(900_001, "/restock milk 5")).encode()

    # Twice at once (a retry racing the first delivery), then once more later.
    statuses = await asyncio.gather(
        webhook_bot.post(WEBHOOK_PATH, body, HOOK_HEADERS),
        webhook_bot.post(WEBHOOK_PATH, body, HOOK_HEADERS),
    )
    assert statuses == [200, 200]
    assert "Restocked 5 l milk" in text_of(await owner.reply())
    assert await webhook_bot.post(WEBHOOK_PATH, body, HOOK_HEADERS) == 200
    # Updates are handled in order: once this one is answered, the duplicates were seen.
    assert "On hand: 5 l" in text_of(await owner.say("/stock milk"))

    assert len(await books.movements()) == 1
    assert await books.on_hand("milk") == 5
    assert replies_containing(api, owner, "Restocked 5 l milk") == 1
    history = text_of(await owner.say("/history milk"))
    assert history.count("restock") == 1


async def test_updates_acknowledged_before_a_crash_are_processed_once_after_restart(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    milk = await books.product("milk")
    sent = 5

    # Hold milk's row lock so the bot stores, acknowledges and starts handling the
    # updates, but cannot finish any of them before it is killed.
    async with books.locked("SELECT 1 FROM products WHERE id = $1 FOR UPDATE", milk["id"]):
        update_ids = [await owner.send("/restock milk 1") for _ in range(sent)]
        await api.wait_until_delivered(update_ids[-1], timeout=10)  # acknowledged
        await eventually(
            lambda: books.waiting_on_locks("SELECT"), "the bot waits for milk's row lock"
        )
        assert await cafe.kill() == -9
    inbox = {row["update_id"]: row for row in await books.inbox()}
    assert all(inbox[u]["processed_at"] is None for u in update_ids)
    assert inbox[update_ids[0]]["leased_until"] is not None  # claimed when the bot died
    assert await books.movements() == []
    # The dead process leased the rows it claimed; let the lease run out now rather
    # than wait a minute for it.
    await books.execute("UPDATE update_inbox SET leased_until = NULL WHERE processed_at IS NULL")

    await cafe.start()
    replies = [text_of(await owner.reply()) for _ in range(sent)]

    assert all("Restocked 1 l milk" in reply for reply in replies)
    keys = [m["idempotency_key"] for m in await books.movements()]
    assert len(keys) == len(set(keys)) == sent
    assert await books.on_hand("milk") == sent
    await eventually(
        lambda: _all_processed(books, update_ids), "every stored update is marked processed"
    )
    assert "On hand: 5 l" in text_of(await owner.say("/stock milk"))
    assert replies_containing(api, owner, "Restocked 1 l milk") == sent


async def test_updates_fetched_but_not_stored_before_a_crash_are_fetched_again(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    sent = 3

    # Block writes to the inbox: the bot fetches the updates but cannot store them, so
    # it must not acknowledge them either.
    async with books.locked("LOCK TABLE update_inbox IN SHARE MODE"):
        update_ids = [await owner.send("/restock milk 2") for _ in range(sent)]
        await eventually(
            lambda: books.waiting_on_locks("INSERT INTO update_inbox"),
            "the bot waits to store the updates",
        )
        assert await cafe.kill() == -9
    assert {u["update_id"] for u in api.pending_updates()} >= set(update_ids)

    await cafe.start()
    replies = [text_of(await owner.reply()) for _ in range(sent)]

    assert all("Restocked 2 l milk" in reply for reply in replies)
    assert len(await books.movements()) == sent
    assert await books.on_hand("milk") == 2 * sent
    assert "On hand: 6 l" in text_of(await owner.say("/stock milk"))
    assert replies_containing(api, owner, "Restocked 2 l milk") == sent


async def _all_processed(books: Books, update_ids: list[int]) -> bool:
    rows = {row["update_id"]: row for row in await books.inbox()}
    return all(rows[u]["processed_at"] is not None for u in update_ids)


async def test_an_update_the_library_cannot_read_does_not_stop_polling(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, books: Books
) -> None:
    """An update python-telegram-bot cannot parse (here a member change without the
    until_date Telegram always sends) stalled polling: getUpdates failed on it, the offset
    never moved, and every later update waited behind it for ever. Updates are now stored
    as Telegram sent them; that one fails alone, and the next is answered."""
    before = await books.on_hand("milk")
    bot = api.world.bot.to_api()
    await api.push_update(
        {
            "my_chat_member": {
                "chat": {"id": OWNER.id, "type": "private", "first_name": OWNER.first_name},
                "from": OWNER.to_api(),
                "date": 0,
                "old_chat_member": {"status": "kicked", "user": bot},
                "new_chat_member": {"status": "member", "user": bot},
            }
        }
    )
    assert "Restocked 5 l milk" in text_of(await owner.say("/restock milk 5"))
    assert await books.on_hand("milk") == before + 5
