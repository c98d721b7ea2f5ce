"""`/undo` reverses the change its sender just made, naming it; any other change it
would reverse is named and asked about first, so a second `/undo`, or one after a
refused command, never silently reverses an older, unrelated change."""

from __future__ import annotations

from tests.e2e.harness import Books, BotProcess, Chat, text_of


async def test_a_second_undo_names_the_older_change_and_waits_for_a_tap(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock bread 8")
    await owner.say("/restock milk 10")
    first = text_of(await owner.say("/undo"))
    assert "Undone: Restocked 10 l milk" in first, first

    question = await owner.say("/undo")
    assert "Undo your change" in text_of(question), text_of(question)
    assert "Restocked 8 pcs bread" in text_of(question)
    assert await books.on_hand("bread") == 8  # nothing undone yet

    await owner.press(question, "↩️ Undo")
    assert "Undone: Restocked 8 pcs bread" in text_of(await owner.reply())
    assert await books.on_hand("bread") == 0


async def test_undo_after_a_refused_command_asks_instead_of_reversing_the_sale_before(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")
    await owner.say("/sell milk 2")
    refused = text_of(await owner.say("/sell milk 50"))
    assert "Only 8 l" in refused, refused

    question = text_of(await owner.say("/undo"))
    assert "Undo your change" in question and "Sold 2 l milk" in question, question
    assert await books.on_hand("milk") == 8


async def test_undo_with_nothing_recent_says_so(cafe: BotProcess, owner: Chat) -> None:
    told = text_of(await owner.say("/undo"))
    assert "no change in the last 24 hours" in told, told
