"""What the chat says about a movement, and where its buttons are, through the real bot
process: a correction is not called a count, a matched count offers no Undo and reads
as matched in the history, the card's buttons keep their places after a tap, and
/edit's Done does not say Cancelled, nor does Keep under a question."""

from __future__ import annotations

from devtools.localapi import ChatMessage
from tests.e2e.harness import Books, BotProcess, Chat, text_of


def labels(message: ChatMessage) -> list[str]:
    return [button.text for button in message.buttons]


async def test_a_correction_is_adjusted_and_a_matched_count_has_nothing_to_undo(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 10"))

    card = await owner.say("/stock bread")
    await owner.press(card, "±…")
    assert "By how much" in text_of(await owner.reply())
    adjusted = text_of(await owner.say("-4"))
    assert adjusted.startswith("✅ Adjusted bread: −4 pcs"), adjusted

    counted = await owner.say("/count bread 5")
    assert text_of(counted).startswith("✅ Counted bread: −1 pcs"), text_of(counted)
    assert "Undo" in " ".join(labels(counted))

    matched = await owner.say("/count bread 5")
    assert text_of(matched).startswith("✅ Count matches"), text_of(matched)
    assert not any("Undo" in label for label in labels(matched)), labels(matched)

    history = text_of(await owner.say("/history bread"))
    assert "bread count matched" in history, history
    assert "−0" not in history, history
    # The count and the tap were both "adjustment": the history could not tell them apart.
    assert "−1 pcs bread counted 5 pcs" in history, history
    assert "−4 pcs bread adjustment" in history, history
    assert await books.on_hand("bread") == 5


async def test_the_cards_buttons_keep_their_places_after_a_tap(
    cafe: BotProcess, owner: Chat
) -> None:
    assert "Restocked" in text_of(await owner.say("/restock bread 10"))
    card = await owner.say("/stock bread")
    before = labels(card)

    await owner.press(card, "+1")
    tapped = await owner.edited()
    after = labels(tapped)
    assert after[: len(before)] == before, (before, after)
    assert "Undo" in after[-1], after
    # The third button is still +5, as it was before the tap.
    await owner.press(tapped, before[2])
    assert "+5" in before[2]
    assert "16 pcs" in text_of(await owner.edited())


async def test_edit_done_after_saving_does_not_say_cancelled(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    editing = await owner.say("/edit bread")
    await owner.press(editing, "Price")
    await owner.reply()
    saved = await owner.say("2.50")
    assert "Saved" in text_of(saved) or "saved" in text_of(saved), text_of(saved)

    done = await owner.press(saved, "Done")
    answer = await owner.answer(done)
    assert answer.text == "Done", answer
    closed = await owner.edited()
    assert closed.buttons == [], labels(closed)
    assert "Cancelled" not in text_of(closed)
    assert (await books.product("bread"))["price"] == 2.5


async def said(chat: Chat, text: str, needle: str) -> ChatMessage:
    """The bot's answer to `text` that contains `needle`, past any alert pushed in between
    (bread at 0 is low: an alert may come first)."""
    message = await chat.say(text)
    while needle not in text_of(message):
        message = await chat.reply()
    return message


async def test_keep_says_what_was_kept_not_cancelled(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock bread 8")
    await owner.say("/restock milk 10")
    await said(owner, "/undo", "Undone")
    question = await said(owner, "/undo", "Undo your change")
    await owner.press(question, "✖️ Keep")
    kept = text_of(await owner.edited())
    assert kept == "Kept: nothing was undone.", kept
    assert await books.on_hand("bread") == 8

    asked = await said(owner, "/delete bread", "Archive")
    await owner.press(asked, "✖️ Keep")
    kept = text_of(await owner.edited())
    assert kept == "Kept: the product stays in the catalog.", kept

    await owner.press(await said(owner, "/delete bread", "Archive"), "Archive")
    await owner.edited()
    offered = await said(owner, "/add bread", "archived")
    await owner.press(offered, "✖️ Keep")
    kept = text_of(await owner.edited())
    assert kept == "Kept: the product stays archived; nothing was added.", kept


async def test_a_batchs_undo_buttons_name_the_product_and_the_change(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    report = await said(owner, "/restock\nmilk 20\nbread 5", "lines applied")
    assert labels(report) == ["↩️ milk +20", "↩️ bread +5"], labels(report)
    await owner.press(report, "↩️ bread +5")
    undone = await owner.reply()
    while "Undone" not in text_of(undone):
        undone = await owner.reply()
    assert await books.on_hand("bread") == 0
    assert await books.on_hand("milk") == 20
