"""Phrasings a shop uses, through the real bot process: the unit after the quantity, the
quantity first, plurals, and dates as people type them. Each cost a round trip before
(the quantity asked again, or "No product called …")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot import texts
from devtools.localapi import LocalBotApi, LocalUser
from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_the_unit_after_the_quantity_the_quantity_first_and_plurals(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Added" in text_of(await owner.say("/add flour unit kg"))
    assert "Added" in text_of(await owner.say("/add croissant unit pcs"))

    restocked = text_of(await owner.say("/restock flour 2.5 kg"))
    assert "Restocked 2.5 kg flour" in restocked, restocked
    await owner.say("/restock croissant 10")
    sold = text_of(await owner.say("/sell 3 croissants"))
    assert "Sold 3 pcs croissant" in sold, sold
    sold = text_of(await owner.say("/sell 2 kg of flour"))
    assert "Sold 2 kg flour" in sold, sold
    offer = await owner.say("/sell 2 croisants")  # misspelt: the choice keeps the 2
    assert "Did you mean" in text_of(offer), text_of(offer)
    await owner.answer(await owner.press(offer, "croissant"))
    sold = text_of(await owner.reply())
    assert "Sold 2 pcs croissant" in sold, sold

    refused = text_of(await owner.say("/sell flour 0.5 pcs"))
    assert "flour is counted in kg, not pcs" in refused, refused
    asked = text_of(await owner.say("/sell flour"))
    assert "How many kg of flour" in asked, asked
    sold = text_of(await owner.say("0.25 kg"))  # a step's answer with its unit
    assert "Sold 0.25 kg flour" in sold, sold

    batch = text_of(await owner.say("/restock\n2 croissants\nflour 1 pcs"))
    assert "Restocked 2 pcs croissant" in batch, batch
    assert "flour is counted in kg, not pcs" in batch, batch

    assert await books.on_hand("flour") == Decimal("0.25")
    assert await books.on_hand("croissant") == Decimal(7)


async def test_dates_people_type_are_read_in_the_shops_day(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    today = datetime.now(UTC).date()  # the Cafe's timezone is UTC
    restocked = text_of(await owner.say("/restock milk 4 exp tomorrow"))
    assert f"exp {texts.day(today + timedelta(days=1))}" in restocked, restocked

    refused = text_of(await owner.say("/restock milk 4 exp 12/25/2026"))
    assert "this shop reads dates day first" in refused, refused
    assert "/settings dates month-first" in refused
    assert "Русский" in text_of(await owner.say("/language ru"))
    restocked = text_of(await owner.say("/restock milk 1 exp 20 декабря 2027"))
    assert "2027" in restocked and "⚠️" not in restocked, restocked
    assert await books.on_hand("milk") == Decimal(5)


async def test_adding_a_name_that_exists_offers_that_products_card(
    cafe: BotProcess, owner: Chat
) -> None:
    refused = await owner.say("/add Milk unit l")
    assert "already exists" in text_of(refused), text_of(refused)
    await owner.press(refused, "📦 Card")
    card = text_of(await owner.reply())  # below the refusal, which stays
    assert "milk" in card and "already exists" not in card, card


async def test_a_list_typed_on_one_line_records_each_product(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """`/sell 2 bread, 3 milk` was "No product called “bread, 3 milk”"."""
    await owner.say("/restock bread 10")
    await owner.say("/restock milk 10")
    sold = text_of(await owner.say("/sell 2 bread, 3 milk"))
    assert "2 of 2 lines applied" in sold or ("bread" in sold and "milk" in sold), sold
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (8, 7)


async def test_a_category_may_be_named_without_cat(cafe: BotProcess, owner: Chat) -> None:
    """`/inventory pastries` was "Unknown filter “pastries”; for a category write cat
    pastries" though the shop has that category; a word that is none still gets the hint."""
    assert "Added" in text_of(await owner.say("/add scone cat Pastries"))
    listed = text_of(await owner.say("/inventory pastries"))
    assert "scone" in listed and "milk" not in listed, listed
    hinted = text_of(await owner.say("/inventory lwo"))
    assert "Unknown filter" in hinted, hinted


async def test_a_russian_bakery_types_as_it_speaks(
    bot: BotProcess, api: LocalBotApi, books: Books
) -> None:
    """`привоз молоко 20 до 20.12` and `продал 3 круассана` each asked "did you mean"
    (the first for a product called "привоз молоко 20 до"), every time."""
    alice = Chat(api, LocalUser(1006, "Алиса", language_code="ru"))
    await alice.say("/newshop Пекарня")
    await alice.say("/add круассан ед шт мин 10")
    await alice.say("/add молоко ед л мин 5")
    expiry = datetime.now(UTC).date() + timedelta(days=10)

    restocked = text_of(await alice.say(f"привоз молоко 20 до {expiry:%d.%m}"))
    assert restocked.startswith("✅ Принято 20 л молоко (годен до"), restocked
    restocked = text_of(await alice.say("привезли круассаны 40"))
    assert restocked.startswith("✅ Принято 40 шт круассан"), restocked
    sold = text_of(await alice.say("продал 3 круассана"))
    assert sold.startswith("✅ Продано 3 шт круассан"), sold
    sold = text_of(await alice.say("продали 5 круассанов"))
    assert sold.startswith("✅ Продано 5 шт круассан"), sold
    restocked = text_of(await alice.say(f"приход молока 2 л годен до {expiry:%d.%m}"))
    assert restocked.startswith("✅ Принято 2 л молоко"), restocked

    assert await books.on_hand("круассан") == 32
    assert await books.on_hand("молоко") == 22


async def test_a_hardware_store_sells_half_a_metre_and_restocks_what_it_never_added(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """Found in the console: '1/2' to "How many m of cable…?" was "not a quantity", an
    unknown name with nothing close said only "No product called “cable”" with no way on,
    and a refused sale said "cannot remove 12.5" without its unit."""
    assert "Added" in text_of(await owner.say("/add cable 2.5mm unit m"))
    await owner.say("/restock cable 2.5mm 10")
    asked = text_of(await owner.say("/sell cable 2.5mm"))
    assert "How many m of cable 2.5mm" in asked, asked
    sold = text_of(await owner.say("1/2"))
    assert "Sold 0.5 m cable 2.5mm" in sold, sold
    await owner.say("/sell cable 2.5mm")
    sold = text_of(await owner.say("1 1/2 m"))
    assert "Sold 1.5 m cable 2.5mm" in sold, sold
    assert await books.on_hand("cable 2.5mm") == Decimal(8)

    unknown = text_of(await owner.say("/restock hinges 20"))
    assert "No product called “hinges”" in unknown, unknown
    assert "/products" in unknown and "/add hinges" in unknown, unknown
    refused = text_of(await owner.say("/sell cable 2.5mm 12.5"))
    assert "Only 8 m of cable 2.5mm on hand; cannot remove 12.5 m." in refused, refused

    # The verb last, as said after the fact, was "the answer to a question I no longer have".
    sold = text_of(await owner.say("cable 2.5mm 2 sold"))
    assert "Sold 2 m cable 2.5mm" in sold, sold
    sold = text_of(await owner.say("cable 2.5mm 1 sold."))
    assert "Sold 1 m cable 2.5mm" in sold, sold
    assert await books.on_hand("cable 2.5mm") == Decimal(5)
