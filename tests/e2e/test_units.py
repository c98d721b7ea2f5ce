"""Units counted whole (pcs, box…) take no fractions, on every path a quantity comes in
by: a command, a guided step, the card's custom amount, a batch of lines; units of
weight and volume do."""

from __future__ import annotations

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_a_fraction_of_a_piece_is_refused_with_the_whole_numbers_either_side(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock bread 10")
    refused = text_of(await owner.say("/sell bread 1.5"))
    assert "counted in whole pcs" in refused and "1 or 2" in refused, refused

    question = await owner.say("/sell bread")
    assert "How many" in text_of(question)
    assert "counted in whole pcs" in text_of(await owner.say("2.5"))

    card = await owner.say("/stock bread")
    await owner.press(card, "±…")
    await owner.reply()
    assert "counted in whole pcs" in text_of(await owner.say("-0.5"))

    report = text_of(await owner.say("/restock\nbread 1.5\nmilk 0.5"))
    assert "counted in whole pcs" in report and "Restocked 0.5 l milk" in report, report

    assert await books.on_hand("bread") == 10
    assert [m["quantity"] for m in await books.movements("bread")] == [10]
    assert "Sold 0.25 l milk" in text_of(await owner.say("/sell milk 0.25"))


async def test_a_batch_removal_without_a_reason_is_refused_like_a_single_one_asks(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")
    report = text_of(await owner.say("/remove\nmilk 1 damage\nmilk 2"))
    assert report.startswith("📋 1 of 2 lines applied"), report
    assert "say why it leaves" in report
    assert [m["reason"] for m in await books.movements("milk")] == ["restock", "damage"]
    assert await books.on_hand("milk") == 9
