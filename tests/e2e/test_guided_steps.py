"""Guided steps through the real bot process: the answer to "How many bread?" is a
quantity for bread, and nothing else is. A message that names a product, or starts with
a stock command word, is read as the whole command it says — never as the step's number
(before, `/count bread` answered with `milk 5` counted bread at 5)."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def stocked(owner: Chat, books: Books) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 10"))
    assert "Restocked" in text_of(await owner.say("/restock milk 10"))
    assert await books.on_hand("bread") == 10


async def test_an_answer_naming_another_product_is_that_products_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await stocked(owner, books)

    assert "How many" in text_of(await owner.say("/count bread"))
    counted = text_of(await owner.say("milk 5"))
    assert "milk" in counted and "bread" not in counted, counted
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (10, 5)

    assert "How many" in text_of(await owner.say("/sell bread"))
    sold = text_of(await owner.say("sell milk 2"))
    assert "Sold 2 l milk" in sold, sold
    assert (await books.on_hand("bread"), await books.on_hand("milk")) == (10, 3)


async def test_an_answer_that_names_the_steps_own_product_or_command_is_the_answer(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await stocked(owner, books)

    assert "How many" in text_of(await owner.say("/sell bread"))
    assert "Sold 2 pcs bread" in text_of(await owner.say("sell 2"))
    assert "How many" in text_of(await owner.say("/count bread"))
    assert "bread" in text_of(await owner.say("bread 7"))
    assert await books.on_hand("bread") == 7
    assert await books.on_hand("milk") == 10


async def test_a_stock_command_typed_into_any_step_is_that_command(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """Every kind of step: which product, quantity, reason, the card's custom amount,
    an edit field, a setting, the name of a new product."""
    await stocked(owner, books)
    milk = Decimal(10)

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
