"""A user of another shop, or of none, against shop A through the real bot: nothing of A
is shown, and forged or malformed callback data changes nothing and crashes nothing."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.harness import OWNER, Books, BotProcess, Chat, text_of


@pytest.fixture
async def eve(cafe: BotProcess, owner: Chat, attacker: Chat) -> Chat:
    """Shop A (the Cafe) with stock and a ledger; Eve owns a shop of her own next door.
    The bot fixture holds the digest scan off: Eve's out-of-stock tea would otherwise be
    pushed to her in the middle of the refusals the tests count."""
    await owner.say("/restock milk 20 cost 0.60")
    await owner.say("/sell milk 3")
    assert "is ready" in text_of(await attacker.say("/newshop Eve's Deli"))
    assert "Added tea" in text_of(await attacker.say("/add tea"))
    return attacker


async def test_another_shops_user_cannot_find_shop_a_products(eve: Chat, books: Books) -> None:
    for command in ("/stock milk", "/sell milk 1", "/history milk"):
        reply = text_of(await eve.say(command))
        assert reply.startswith("⚠️ No product called “milk”"), command
        assert "17" not in reply
    listing = text_of(await eve.say("/inventory"))
    assert "tea" in listing and "milk" not in listing
    assert await books.on_hand("milk") == 17


async def test_forged_callback_data_on_shop_a_is_refused_and_changes_nothing(
    eve: Chat, stranger: Chat, books: Books
) -> None:
    milk = await books.product("milk", "Cafe")
    movement = (await books.movements("milk"))[0]
    before = await books.snapshot()
    forged = [
        f"adj:{milk['id']}:-5",
        f"adj:{milk['id']}:5",
        f"undo:{movement['id']}",
        f"card:{milk['id']}",
        f"hist:{milk['id']}",
        f"ask:{milk['id']}:sell",
        f"del:{milk['id']}",
        f"edit:{milk['id']}:name",
        f"team:rm:{milk['shop_id']}:{OWNER.id}",
        f"team:rmok:{milk['shop_id']}:{OWNER.id}",
        f"team:role:{milk['shop_id']}:{OWNER.id}:staff",
        f"set:{milk['shop_id']}:cur",
    ]

    for who in (eve, stranger):
        anchor = await who.say("/help")  # any bot message to hang the forged button on
        for data in forged:
            refusal = await who.refusal(await who.forge(anchor, data))
            assert refusal.startswith("⚠️"), (data, refusal)
            assert "milk" not in refusal and "Cafe" not in refusal, (data, refusal)
        since = [m for m in who.api.bot_messages(who.chat_id) if m.message_id > anchor.message_id]
        assert all(text_of(m).startswith("⚠️") for m in since)  # refusals, nothing else
        assert who.api.message(who.chat_id, anchor.message_id).edits == 0

    assert await books.snapshot() == before
    assert await books.on_hand("milk") == 17
    assert [m["reason"] for m in await books.movements()] == ["restock", "sale"]


async def test_malformed_callback_data_is_no_longer_valid_and_never_a_crash(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    card = await owner.say("/stock milk")
    before = await books.snapshot()
    malformed = [
        "adj:x:y",
        "adj:1",
        "adj:1:1:1",
        "undo:-1",
        "nope",
        secrets.token_urlsafe(48),  # 64 characters, none of ours
        secrets.token_bytes(64).decode("latin-1"),  # 64 random bytes
    ]

    for data in malformed:
        answer = await owner.answer(await owner.forge(card, data))
        assert answer.text == "This button is no longer valid.", repr(data)

    assert cafe.running
    assert await books.snapshot() == before
    assert all(row["last_error"] is None for row in await books.inbox())
    assert "Cafe" in text_of(await owner.say("/start"))
