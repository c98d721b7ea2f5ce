"""/edit through the real bot process: a product's reorder date is set and cleared from
its buttons (a restock's `reorder` could set it, and nothing could take it away)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_an_owner_sets_and_clears_the_reorder_date(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 10 reorder 20.12.2026"))
    assert (await books.product("bread"))["reorder_date"] == date(2026, 12, 20)

    editing = await owner.say("/edit bread")
    await owner.press(editing, "Reorder date")
    prompt = text_of(await owner.reply())
    assert "none" in prompt, prompt
    assert "Saved" in text_of(await owner.say("none"))
    assert (await books.product("bread"))["reorder_date"] is None
    assert "Reorder" not in text_of(await owner.say("/stock bread"))

    editing = await owner.say("/edit bread")
    await owner.press(editing, "Reorder date")
    await owner.reply()
    refused = text_of(await owner.say("someday"))
    assert "not a date" in refused or "date" in refused, refused
    assert "Saved" in text_of(await owner.say("5.1.2027"))
    assert (await books.product("bread"))["reorder_date"] == date(2027, 1, 5)


async def test_an_owner_changes_fields_in_one_line(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    """`/edit bread price 2.40 min 8` answered "No product called “bread price 2.40 min 8”"
    with a "did you mean bread" button that opened the field menu, the price lost."""
    saved = text_of(await owner.say("/edit bread price 2,40 min 8"))
    assert "Saved" in saved and "bread" in saved, saved
    bread = await books.product("bread")
    assert (bread["price"], bread["threshold"]) == (Decimal("2.40"), Decimal(8))

    assert "Saved" in text_of(await owner.say("/edit bread name rye bread, cat loaves"))
    assert (await books.product("rye bread"))["category"] == "loaves"

    refused = text_of(await owner.say("/edit rye bread min 2 kg"))  # counted in pcs
    assert "counted in pcs, not kg" in refused, refused
    assert (await books.product("rye bread"))["threshold"] == Decimal(8)

    asked = text_of(await owner.say("/edit rye bread"))  # a name alone asks field by field
    assert "What should change?" in asked, asked
