"""Archiving a product through the real bot process: the owner is warned of the stock it
still has, its history stays readable, and adding its name again offers to restore it
rather than starting a blank product."""

from __future__ import annotations

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_archiving_a_product_with_stock_warns_of_the_stock_on_hand(
    cafe: BotProcess, owner: Chat
) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 12"))
    asked = text_of(await owner.say("/delete bread"))
    assert "12 pcs on hand" in asked, asked


async def test_an_archived_products_history_stays_readable(cafe: BotProcess, owner: Chat) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 12"))
    asked = await owner.say("/delete bread")
    await owner.press(asked, "Archive")
    assert "archived" in text_of(await owner.edited())

    shown = await owner.say("/history bread")
    history = text_of(shown)
    assert "(archived)" in history, history
    assert "+12 pcs" in history, history
    # For reading: no Undo would change the stock of a product no list shows.
    assert not any("↩️" in button.text for button in shown.buttons), shown.buttons


async def test_adding_an_archived_name_offers_to_restore_it(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 12"))
    asked = await owner.say("/delete bread")
    await owner.press(asked, "Archive")
    assert "archived" in text_of(await owner.edited())

    offered = await owner.say("/add bread")
    assert "archived" in text_of(offered), text_of(offered)
    await owner.press(offered, "Restore bread")
    restored = text_of(await owner.edited())
    assert "restored" in restored, restored
    assert await books.on_hand("bread") == 12
    assert "12 pcs" in text_of(await owner.say("/stock bread"))
