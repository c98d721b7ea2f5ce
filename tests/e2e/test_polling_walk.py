"""An owner runs the shop through the real bot process, long polling: stock in and out,
the card's buttons, the dashboard, stocktakes, guided steps, undo and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot import texts
from devtools.localapi import ChatMessage
from tests.e2e.harness import Books, BotProcess, Chat, text_of

TODAY = datetime.now(UTC).date()
IN_TWO_MONTHS = (TODAY + timedelta(days=60)).isoformat()
IN_TWO_DAYS = (TODAY + timedelta(days=2)).isoformat()


def buttons_of(message: ChatMessage) -> list[str]:
    return [b.text for b in message.buttons]


async def test_names_with_spaces_and_digits_and_quoted_names(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    assert "Added 7 up" in text_of(await owner.say("/add 7 up price 1.50"))
    assert "Restocked 12 pcs 7 up" in text_of(await owner.say("/restock 7 up 12"))

    sold = await owner.say('/sell "7 up" 3')

    assert "Sold 3 pcs 7 up" in text_of(sold)
    assert "On hand: 9 pcs" in text_of(sold)
    assert await books.on_hand("7 up") == 9


async def test_a_past_expiry_is_accepted_with_a_warning(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    expired = await owner.say("/restock milk 20 exp 2025-06-01")

    assert "Restocked 20 l milk (exp 1 Jun 2025" in text_of(expired)
    assert "already past" in text_of(expired)
    assert buttons_of(expired) == ["↩️ Undo", "📦 Card"]

    fresh = await owner.say(f"/restock milk 10 exp {IN_TWO_MONTHS}")

    assert "Restocked 10 l milk" in text_of(fresh)
    assert "already past" not in text_of(fresh)
    assert "On hand: 30 l" in text_of(fresh)
    assert [m["expiry"].isoformat() for m in await books.movements("milk")] == [
        "2025-06-01",
        IN_TWO_MONTHS,
    ]


async def test_quick_adjust_buttons_edit_the_card_in_place(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say(f"/restock milk 10 exp {IN_TWO_MONTHS}")
    sold = await owner.say("/sell milk 4")
    assert "Sold 4 l milk" in text_of(sold)
    assert "On hand: 6 l" in text_of(sold)
    card = await owner.say("/stock milk")
    assert "On hand: 6 l (min 5)" in text_of(card)
    assert "Cost: 0.60 EUR" in text_of(card)

    def replies() -> list[str]:
        # The −1 crosses the threshold, so a low-stock push may arrive meanwhile: that is
        # the alert's message, not the tap's.
        return [
            m.text or ""
            for m in owner.api.bot_messages(owner.chat_id)
            if "is running low" not in (m.text or "")
        ]

    sent_before = len(replies())

    minus = await owner.press(card, "−1")
    after_minus = await owner.edited()
    assert (await owner.answer(minus)).text == "−1 → 5 l"
    plus = await owner.press(after_minus, "+1")
    after_plus = await owner.edited()
    assert (await owner.answer(plus)).text == "+1 → 6 l"

    assert after_minus.message_id == after_plus.message_id == card.message_id
    assert "On hand: 5 l (min 5) 🟠 low" in text_of(after_minus)
    assert "On hand: 6 l (min 5)" in text_of(after_plus)
    assert "low" not in text_of(after_plus)
    assert len(replies()) == sent_before  # the taps sent no new messages
    assert [m["quantity"] for m in await books.movements("milk")] == [10, -4, -1, 1]
    assert await books.on_hand("milk") == 6


async def test_dashboard_shows_four_boxes_and_view_all_opens_the_filtered_list(
    cafe: BotProcess, owner: Chat
) -> None:
    await owner.say("/restock milk 3 exp 2025-06-01")  # low and expired
    await owner.say("/restock bread 10")  # fine
    await owner.say("/add jam")  # out of stock
    await owner.say("/add yogurt min 1")
    await owner.say(f"/restock yogurt 4 exp {IN_TWO_DAYS}")  # near expiry

    board = await owner.say("/dashboard")

    shown = text_of(board)
    # Low counts out of stock too, in the text, on its button and atop its list.
    assert "Low and out of stock: 2\n   jam, milk" in shown
    assert "Out of stock: 1\n   jam" in shown
    assert "Near expiry: 1\n   yogurt" in shown
    assert "Expired: 1\n   milk" in shown
    assert "💶 Sales today: 0.00 EUR · this week: 0.00 EUR" in shown
    assert "📦 Stock at cost: 1.80 EUR" in shown  # 3 l of milk at 0.60

    await owner.press(board, "🔴 Expired (1) ›")
    expired = await owner.edited()

    assert expired.message_id == board.message_id
    assert text_of(expired).startswith("📦 Expired — 1 product\n• milk — 3 l")

    await owner.press(await owner.say("/dashboard"), "🟠 Low (2) ›")
    assert text_of(await owner.edited()).startswith("📦 Low and out of stock — 2 products")
    low = text_of(await owner.say("/low"))
    assert low.startswith("📦 Low and out of stock — 2 products")
    assert "milk" in low and "jam" in low and "bread" not in low
    only_expired = text_of(await owner.say("/inventory expired"))
    assert only_expired.startswith("📦 Expired — 1 product")
    assert "milk" in only_expired and "yogurt" not in only_expired


async def test_a_count_batch_applies_the_good_lines_and_reports_the_bad_one(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 20")

    report = await owner.say("/count\nmilk = 18\nbread = lots\nbread = 4")

    shown = text_of(report)
    assert shown.startswith("📋 2 of 3 lines applied")
    assert "❌ Line 2:" in shown
    assert await books.on_hand("milk") == 18
    assert await books.on_hand("bread") == 4
    assert len(await books.movements()) == 3


async def test_did_you_mean_button_completes_the_sale(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")

    suggestion = await owner.say("/sell mlik 2")

    assert "No product called “mlik”. Did you mean:" in text_of(suggestion)
    await owner.press(suggestion, "milk")
    sold = await owner.reply()
    assert "Sold 2 l milk" in text_of(sold)
    assert await books.on_hand("milk") == 8

    too_many = await owner.say("/sell mlik 50")
    refusal = await owner.refusal(await owner.press(too_many, "milk"))
    assert refusal == "⚠️ Only 8 l of milk on hand; cannot remove 50 l."
    assert await books.on_hand("milk") == 8


async def test_a_missing_quantity_is_asked_for_and_cancel_leaves_the_step(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    question = await owner.say("/restock milk")
    assert text_of(question).startswith("How many l of milk arrived?")

    done = await owner.say("6")
    assert "Restocked 6 l milk" in text_of(done)

    assert text_of(await owner.say("/sell milk")).startswith("How many l of milk were sold?")
    assert text_of(await owner.say("/cancel")) == "Cancelled."
    after_cancel = await owner.say("2")  # no step is waiting: not a sale

    assert "Sold" not in text_of(after_cancel)
    assert await books.on_hand("milk") == 6
    assert text_of(await owner.say("/cancel")) == texts.NOTHING_TO_CANCEL

    question = await owner.say("/remove milk")
    await owner.press(question, "✖️ Cancel")
    assert text_of(await owner.edited()) == "Cancelled."
    assert "Sold" not in text_of(await owner.say("1"))
    assert await books.on_hand("milk") == 6


async def test_undo_reverses_once_and_a_second_tap_is_refused(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    restocked = await owner.say("/restock milk 10")
    await owner.say("/sell milk 3")

    undone = await owner.say("/undo")
    assert "Undone: Sold 3 l milk" in text_of(undone)
    assert "milk on hand: 10 l" in text_of(undone)

    # A double tap: the second tap leaves before the first one's button went away.
    undo = restocked.button("↩️ Undo").callback_data
    assert undo is not None
    first = await owner.press(restocked, "↩️ Undo")
    second = await owner.forge(restocked, undo)

    assert (await owner.answer(first)).text == "Undone"
    assert "milk on hand: 0 l" in text_of(await owner.reply())
    assert (await owner.edited()).buttons == [
        b for b in restocked.buttons if b.callback_data != undo
    ]
    refusal = await owner.answer(second)
    assert refusal.show_alert
    assert refusal.text == "⚠️ This movement was already undone."
    assert await books.on_hand("milk") == 0
    ledger = [(m["reason"], m["quantity"]) for m in await books.movements()]
    assert ledger == [("restock", 10), ("sale", -3), ("undo", 3), ("undo", -10)]


async def test_export_sends_stock_and_ledger_csv_that_match_the_books(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say(f"/restock milk 12 exp {IN_TWO_MONTHS} cost 0.55")
    await owner.say("/sell milk 2")
    await owner.say("/restock bread 5")
    await owner.say("/undo")

    assert "Preparing the export" in text_of(await owner.say("/export"))
    documents = [await owner.reply(), await owner.reply()]

    stock_file, ledger_file = (m.document for m in documents)
    assert stock_file is not None and ledger_file is not None
    assert stock_file.filename.startswith("stock-") and stock_file.filename.endswith(".csv")
    assert ledger_file.filename.startswith("ledger-")
    stock = list(csv.DictReader(io.StringIO(stock_file.content.decode())))
    ledger = list(csv.DictReader(io.StringIO(ledger_file.content.decode())))

    products = {row["product"]: Decimal(row["on_hand"]) for row in stock}
    assert products == {"bread": await books.on_hand("bread"), "milk": await books.on_hand("milk")}
    assert products == {"bread": 0, "milk": 10}
    movements = await books.movements()
    assert sorted(
        (int(row["id"]), row["product"], Decimal(row["quantity"]), row["reason"]) for row in ledger
    ) == [(m["id"], m["product_name"], m["quantity"], m["reason"]) for m in movements]
    assert documents[1].caption == "🧾 Ledger: 4 movements"
    assert "cost" in ledger[0]  # the owner's export carries costs


async def test_sigterm_stops_the_bot_cleanly_with_every_update_handled(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 3")

    assert await cafe.stop() == 0
    assert all(row["processed_at"] is not None for row in await books.inbox())
