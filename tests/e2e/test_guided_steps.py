"""Guided steps through the real bot process: the answer to "How many bread?" is a
quantity for bread, and nothing else is. A message that names a product, or starts with
a stock command word, is read as the whole command it says — never as the step's number
(before, `/count bread` answered with `milk 5` counted bread at 5)."""

from __future__ import annotations

import json
from decimal import Decimal

import redis.asyncio as redis

from bot import texts
from devtools.localapi import LocalBotApi, LocalChat, MemberStatus
from tests.e2e.harness import Books, BotProcess, Chat, text_of
from tests.services import redis_url


async def stocked(owner: Chat, books: Books) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 10"))
    assert "Restocked" in text_of(await owner.say("/restock milk 20"))
    assert await books.on_hand("bread") == 10


async def test_an_answer_naming_another_product_is_that_products_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await stocked(owner, books)

    assert "How many" in text_of(await owner.say("/count bread"))
    counted = text_of(await owner.say("milk 8"))  # above its low mark: no alert to read
    assert "milk" in counted and "bread" not in counted, counted
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (10, 8)

    assert "How many" in text_of(await owner.say("/sell bread"))
    sold = text_of(await owner.say("sell milk 2"))
    assert "Sold 2 l milk" in sold, sold
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (10, 6)


async def test_an_answer_that_names_the_steps_own_product_or_command_is_the_answer(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await stocked(owner, books)

    assert "How many" in text_of(await owner.say("/sell bread"))
    assert "Sold 2 pcs bread" in text_of(await owner.say("sell 2"))
    assert "How many" in text_of(await owner.say("/count bread"))
    assert "bread" in text_of(await owner.say("bread 7"))
    assert await books.on_hand("bread") == 7
    assert await books.on_hand("milk") == 20


async def test_a_mistyped_answer_keeps_the_question(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """`forty` or `3.3.3` to "How many bread?" names no product: the bot said "No product
    called “forty”" and ended the step, so the `40` typed next was an answer to nothing."""
    await stocked(owner, books)

    assert "How many" in text_of(await owner.say("/count bread"))
    for mistyped in ("forty", "3.3.3"):
        refused = text_of(await owner.say(mistyped))
        assert "not a quantity" in refused and "How many" in refused, refused
        assert "<b>" not in refused, refused  # the question asked again showed its tags
    assert "Counted bread" in text_of(await owner.say("4"))
    assert await books.on_hand("bread") == 4

    # A quantity with a name no product has is still a name not found, and the question
    # stands all the same.
    assert "How many" in text_of(await owner.say("/sell bread"))
    assert "No product called “cheese”" in text_of(await owner.say("cheese 2"))
    assert "Sold 1 pcs bread" in text_of(await owner.say("1"))
    assert await books.on_hand("bread") == 3


async def test_cancel_typed_as_a_word_cancels_and_undo_typed_undoes(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """The ✖️ Cancel under a question typed rather than tapped: 'cancel' was "not a
    quantity", 'отмена' "Товара «отмена» нет", and 'undo' a lost step's answer."""
    await stocked(owner, books)
    assert "How many" in text_of(await owner.say("/sell bread"))
    assert text_of(await owner.say("Cancel")) == texts.FLOW_CANCELLED
    assert "no longer have" in text_of(await owner.say("5"))  # nothing sold
    assert text_of(await owner.say("cancel")) == texts.NOTHING_TO_CANCEL
    assert "Sold 2 pcs bread" in text_of(await owner.say("sell bread 2"))
    undone = text_of(await owner.say("undo"))
    assert undone.startswith("↩️ Undone"), undone
    assert await books.on_hand("bread") == 10

    assert "Русский" in text_of(await owner.say("/language ru"))
    assert "Какой товар" in text_of(await owner.say("/sell"))
    assert text_of(await owner.say("отмена")) == "Отменено."
    assert "/undo" in text_of(await owner.say("отмена"))


async def test_a_reason_may_be_typed_as_remove_takes_it(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """ "Why are 2 bread leaving?" answered with `damaged` or `брак` was "not a reason":
    only the buttons' own words (damage, expired…) were taken."""
    await stocked(owner, books)
    for typed in ("damaged", "брак", "Expired"):
        assert "Why are" in text_of(await owner.say("/remove bread 1"))
        assert "Written off" in text_of(await owner.say(typed)), typed
    assert await books.on_hand("bread") == 7
    assert "Why are" in text_of(await owner.say("/remove bread 1"))
    assert "not a reason" in text_of(await owner.say("it fell"))


async def test_a_stock_command_typed_into_any_step_is_that_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """Every kind of step: which product, quantity, reason, the card's custom amount,
    an edit field, a setting, the name of a new product."""
    await stocked(owner, books)
    milk = Decimal(20)

    async def sells_one_milk(step_prompt: str) -> None:
        nonlocal milk
        sold = text_of(await owner.say("sell milk 1"))
        assert "Sold 1 l milk" in sold, f"{step_prompt!r} → {sold!r}"
        milk -= 1
        assert await books.on_hand("milk") == milk
        assert await books.on_hand("bread") == 10

    await sells_one_milk(text_of(await owner.say("/sell")))
    await sells_one_milk(text_of(await owner.say("/restock bread")))
    await sells_one_milk(text_of(await owner.say("/remove bread 3")))

    card = await owner.say("/stock bread")
    await owner.press(card, "±…")
    prompt = await owner.reply()
    await sells_one_milk(text_of(prompt))
    await owner.press(card, "±…")
    await owner.reply()
    refused = text_of(await owner.say("milk 5"))
    assert "not a quantity" in refused, refused
    assert await books.on_hand("bread") == 10

    editing = await owner.say("/edit bread")
    await owner.press(editing, "Min (low at)")
    await sells_one_milk(text_of(await owner.reply()))
    threshold = (await books.product("bread"))["threshold"]
    assert threshold == 2

    settings = await owner.say("/settings")
    await owner.press(settings, "⌛ Near-expiry days")
    await sells_one_milk(text_of(await owner.reply()))

    await sells_one_milk(text_of(await owner.say("/add")))
    assert "No product" in text_of(await owner.say("/stock sell milk"))


async def forget_every_step(redis_prefix: str) -> None:
    """What a flushed Redis (or a restart with steps in memory) leaves: no step at all."""
    client = redis.Redis.from_url(redis_url())
    try:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
        assert keys, "no step was stored"
        await client.delete(*keys)
    finally:
        await client.aclose()


async def test_the_answer_to_a_lost_step_says_it_was_lost_and_records_nothing(
    cafe: BotProcess, owner: Chat, books: Books, redis_prefix: str
) -> None:
    await stocked(owner, books)
    for command, answer in [
        ("/sell bread", "3"),
        ("/restock bread", "10 exp 3.12.2026"),
        ("/remove bread 2", "damage"),
        ("/stock bread", "-2"),
    ]:
        asked = await owner.say(command)
        if command == "/stock bread":
            await owner.press(asked, "±…")
            await owner.reply()
        await forget_every_step(redis_prefix)
        lost = text_of(await owner.say(answer))
        assert "no longer have" in lost and "/sell milk 3" in lost, (command, answer, lost)
    assert await books.on_hand("bread") == 10

    # A name that starts with a number is still a name.
    assert "Added" in text_of(await owner.say("/add 7 up"))
    assert "7 up" in text_of(await owner.say("7 up"))


async def test_a_reply_to_a_lost_step_in_a_group_says_it_was_lost(
    cafe: BotProcess, api: LocalBotApi, owner: Chat, books: Books, redis_prefix: str
) -> None:
    await stocked(owner, books)
    room = LocalChat.group(-4343, "Cafe staff room")
    api.set_member(room, owner.user, MemberStatus.CREATOR)
    in_room = Chat(api, owner.user, room)
    assert "now linked to Cafe" in text_of(await in_room.say("/link"))

    question = await in_room.say("/sell bread")
    assert "How many" in text_of(question)
    await forget_every_step(redis_prefix)
    await api.send_text(owner.user, room, "3", reply_to_message_id=question.message_id)
    assert "no longer have" in text_of(await in_room.reply())
    assert await books.on_hand("bread") == 10


async def test_an_unknown_command_in_private_gets_a_hint(cafe: BotProcess, owner: Chat) -> None:
    hint = text_of(await owner.say("/frobnicate now"))
    assert "/frobnicate" in hint and "/help" in hint, hint


async def test_a_command_typed_in_cyrillic_gets_the_hint_not_a_lookup(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """Telegram marks only Latin command names, so `/склад bread` comes as plain text:
    it was looked up as a product called "/склад bread", or taken as a step's answer."""
    await stocked(owner, books)
    hint = text_of(await owner.say("/склад bread"))
    assert "/склад" in hint and "/help" in hint, hint

    assert "How many" in text_of(await owner.say("/sell bread"))
    hint = text_of(await owner.say("/склад 3"))
    assert "/склад" in hint and "/help" in hint, hint
    assert "no longer have" in text_of(await owner.say("3"))  # the hint ended the step
    assert await books.on_hand("bread") == 10


async def test_a_stock_word_typed_with_a_slash_is_that_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """'/продать bread 1' and '/sold bread 1' answered "I don't know /продать", though
    'продать bread 1' without the slash sells; a mistyped command names the likely one."""
    await stocked(owner, books)
    assert "Sold 1 pcs bread" in text_of(await owner.say("/продать bread 1"))
    assert "Sold 2 pcs bread" in text_of(await owner.say("/sold bread 2"))
    assert "How many" in text_of(await owner.say("/sell bread"))
    assert "Sold 3 pcs bread" in text_of(await owner.say("/продал 3"))  # the step's answer
    assert await books.on_hand("bread") == 4
    hint = text_of(await owner.say("/sel bread 2"))
    assert "Did you mean /sell?" in hint, hint


async def test_a_step_stored_unreadably_is_a_lost_step(
    cafe: BotProcess, owner: Chat, books: Books, redis_prefix: str
) -> None:
    """A misspelled kind ended the step in silence; damaged JSON failed the update."""
    await stocked(owner, books)
    client = redis.Redis.from_url(redis_url())
    key = f"{redis_prefix}flow:{owner.chat_id}:{owner.user.id}"
    try:
        assert "How many" in text_of(await owner.say("/sell bread"))
        raw = await client.get(key)
        assert raw is not None
        stored = json.loads(raw)
        await client.set(key, json.dumps({**stored, "kind": "stokc"}), ex=600)
        assert "no longer have" in text_of(await owner.say("3"))

        assert "How many" in text_of(await owner.say("/count bread"))
        await client.set(key, b"\x00{not json", ex=600)
        assert "no longer have" in text_of(await owner.say("bread 4"))
        assert await client.get(key) is None  # forgotten: the next message is itself
    finally:
        await client.aclose()
    assert await books.on_hand("bread") == 10
    assert "bread" in text_of(await owner.say("bread"))


async def test_a_stock_command_without_its_slash_is_that_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """Typed on a phone without the slash, `sell milk 2` was looked up as a product
    called “sell milk 2”."""
    await stocked(owner, books)

    assert "Sold 2 l milk" in text_of(await owner.say("sell milk 2"))
    assert "Restocked 3 pcs bread" in text_of(await owner.say("Restock bread 3"))
    assert "Sold 1 pcs bread" in text_of(await owner.say("sold 1 bread"))
    assert "Sold 1 pcs bread" in text_of(await owner.say("продал bread 1"))
    # A note's heading, punctuation and all: 'Приход: bread 2' was a product called so.
    assert "Restocked 2 pcs bread" in text_of(await owner.say("Приход: bread 2"))
    assert "Sold 2 pcs bread" in text_of(await owner.say("Sold - bread 2"))
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (11, 18)
    assert "How many" in text_of(await owner.say("sell bread"))


async def test_stock_and_newshop_without_a_name_ask_for_it(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    asked = await owner.say("/stock")
    assert "Which product?" in text_of(asked), text_of(asked)
    card = text_of(await owner.say("bread"))
    assert "bread" in card and "On hand" in card, card

    asked = await owner.say("/stock")
    await owner.press(asked, "milk")
    tapped = text_of(await owner.reply())
    assert "milk" in tapped and "On hand" in tapped, tapped

    assert "What is the new shop called?" in text_of(await owner.say("/newshop"))
    assert "Bakery is ready" in text_of(await owner.say("Bakery"))
    assert await books.shop_id("Bakery")


async def test_a_voice_message_or_a_sticker_gets_an_answer(
    cafe: BotProcess, owner: Chat, api: LocalBotApi, books: Books
) -> None:
    """A seller's voice note ('продал три круассана') or a sticker got no answer at all;
    the reply says what the bot reads, and an open step stays open."""
    await stocked(owner, books)
    assert "How many" in text_of(await owner.say("/sell bread"))
    voice = {"voice": {"file_id": "VOICE-1", "file_unique_id": "v1", "duration": 3}}
    sticker = {
        "sticker": {
            "file_id": "STICKER-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    }
    for content in (voice, sticker):
        message = api.world.written(owner.user, "…", None)  # a message of the chat, then
        del message["text"]  # made a voice message or a sticker, as Telegram sends them
        await api.push_update({"message": {**message, **content}})
        told = text_of(await owner.reply())
        assert "can't listen to voice messages" in told and "sold 3 croissants" in told, told
    assert "Sold 2 pcs bread" in text_of(await owner.say("2"))  # the step stood


async def test_an_edited_message_changes_nothing_and_says_so(
    cafe: BotProcess, owner: Chat, api: LocalBotApi, books: Books
) -> None:
    """A seller who edited 'sell bread 3' into 'sell bread 2' heard nothing (edits were not
    even fetched) and believed the sale was 2; taking the edit as a new message would sell
    twice. Now the edit is answered and nothing moves."""
    await stocked(owner, books)
    sale = api.world.written(owner.user, "sell bread 3", None)
    await api.push_update({"message": sale})
    assert "Sold 3 pcs bread" in text_of(await owner.reply())
    edited = {**sale, "text": "sell bread 2", "edit_date": sale["date"] + 5}
    await api.push_update({"edited_message": edited})
    told = text_of(await owner.reply())
    assert "An edit changes nothing" in told and "/undo" in told, told
    assert await books.on_hand("bread") == 7
