"""Spreadsheet import through the real bot process: a CSV or XLSX sent as a file is
previewed, one Import tap applies it with a progress message edited in place, the same
file again changes nothing, and an export imports back to the same catalog and stock."""

from __future__ import annotations

import io
import os

import pytest
from openpyxl import Workbook

from devtools.localapi import ChatMessage
from tests.e2e.conftest import open_cafe
from tests.e2e.harness import Books, BotProcess, Chat, invite_code, text_of

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def send_sheet(chat: Chat, content: bytes, filename: str = "stock.csv") -> ChatMessage:
    """Send the file; the bot's "Reading…" message, once edited into the preview."""
    mime = XLSX if filename.endswith(".xlsx") else CSV
    reading = await chat.show(content, kind="document", filename=filename, mime_type=mime)
    assert "Reading the file" in text_of(reading)
    return await chat.edited()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def import_tapped(chat: Chat, preview: ChatMessage, *, again: str | None = None) -> str:
    """Tap Import (`again`: send that button's data once more, as a double tap would);
    the preview's last edit, the import's summary."""
    if again is None:
        await chat.press(preview, "Import")
    else:
        await chat.forge(preview, again)
    while True:
        edited = await chat.edited(timeout=60)
        if "Imported" in text_of(edited):
            return text_of(edited)


async def test_a_csv_is_previewed_then_imported_once(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    await owner.say("/restock milk 10")
    content = (
        b"product,unit,on_hand,price,earliest_expiry\n"
        b"milk,l,14,1.30,\n"
        b"oat milk,l,6,2.10,1.6.2027\n"
        b"bread,pcs,,,\n"
        b"jam,jar,lots,,\n"
        b"butter,,=2*3,,\n"
    )
    preview = await send_sheet(owner, content)
    shown = text_of(preview)
    assert "5 rows — 1 new, 1 changed, 1 unchanged, 2 wrong" in shown
    assert "milk — price, stock 10 → 14" in shown
    assert "row 5: jam — on_hand:" in shown and "row 6: butter — on_hand is a formula" in shown
    assert await books.on_hand("milk") == 10  # nothing until the tap

    tapped = preview.button("Import").callback_data
    assert tapped is not None
    summary = await import_tapped(owner, preview)
    assert "1 new, 1 changed, 1 unchanged" in summary and "Skipped (2)" in summary
    assert await books.on_hand("milk") == 14 and await books.on_hand("oat milk") == 6
    oat = await books.product("oat milk")
    assert str(oat["earliest_expiry"]) == "2027-06-01" and oat["unit"] == "l"
    imported = [m for m in await books.movements() if m["reason"] == "import"]
    assert sorted(m["quantity"] for m in imported) == [4, 6]

    # The same tap again and the same file again: nothing more is recorded.
    twice = await import_tapped(owner, preview, again=tapped)
    assert "0 new, 0 changed, 3 unchanged" in twice
    await owner.say("/sell milk 1")
    again = await send_sheet(owner, content)
    assert "milk — stock 13 → 14" in text_of(again)
    await import_tapped(owner, again)
    assert await books.on_hand("milk") == 13
    assert len([m for m in await books.movements() if m["reason"] == "import"]) == 2


async def test_an_export_imports_back_to_the_same_catalog_and_stock(
    bot: BotProcess, owner: Chat, books: Books
) -> None:
    await open_cafe(owner)
    await owner.say("/add cola cat drinks barcode 036000291452 price 1.50 warn 3")
    await owner.say("/restock cola 24 exp 1.6.2027 cost 0.70")
    await owner.say("/restock milk 7")
    await owner.say("/export")
    stock_file = (await owner.reply()).document
    await owner.reply()  # the ledger
    assert "Export ready" in text_of(await owner.edited())
    assert stock_file is not None

    same = await send_sheet(owner, stock_file.content, stock_file.filename)
    assert "0 new, 0 changed, 3 unchanged, 0 wrong" in text_of(same)
    assert "Nothing to change" in text_of(same) and same.buttons == []

    assert "is ready" in text_of(await owner.say("/newshop Second Cafe"))
    preview = await send_sheet(owner, stock_file.content, stock_file.filename)
    assert "3 new" in text_of(preview)
    await import_tapped(owner, preview)
    for name in ("cola", "milk", "bread"):
        first = await books.product(name, "Cafe")
        second = await books.product(name, "Second Cafe")
        for column in (
            "category",
            "unit",
            "threshold",
            "price",
            "cost",
            "barcodes",
            "supplier",
            "expiry_warning_days",
            "on_hand",
            "earliest_expiry",
        ):
            assert first[column] == second[column], (name, column)


async def test_a_long_xlsx_reports_progress_in_place(
    cafe: BotProcess, owner: Chat, books: Books
) -> None:
    rows = int(os.environ.get("STOCKBOT_IMPORT_ROWS", "450"))
    table: list[list[object]] = [["product", "unit", "on_hand"]]
    content = xlsx(table + [[f"item {i:05}", "pcs", i % 7] for i in range(rows)])
    preview = await send_sheet(owner, content, "catalog.xlsx")
    assert f"{rows} new" in text_of(preview)
    await owner.press(preview, "Import")
    shown: list[str] = []  # the preview's text after each edit (the first takes its button away)
    while not shown or "Imported" not in shown[-1]:
        shown.append(text_of(await owner.edited(timeout=600)))
    progress = [text for text in shown if "Importing…" in text]
    assert progress and f"of {rows} rows" in progress[0]
    assert f"{rows} new" in shown[-1]
    assert await books.on_hand(f"item {rows - 1:05}") == (rows - 1) % 7


@pytest.mark.skipif(
    not os.environ.get("STOCKBOT_HEAVY"), reason="10,000 rows: set STOCKBOT_HEAVY=1"
)
async def test_ten_thousand_rows_import(cafe: BotProcess, owner: Chat, books: Books) -> None:
    os.environ["STOCKBOT_IMPORT_ROWS"] = "10000"
    try:
        await test_a_long_xlsx_reports_progress_in_place(cafe, owner, books)
    finally:
        del os.environ["STOCKBOT_IMPORT_ROWS"]


async def test_bad_files_and_staff_are_refused(bot: BotProcess, owner: Chat, staff: Chat) -> None:
    await open_cafe(owner)
    assert "product (required)" in text_of(await owner.say("/import"))
    refused = await send_sheet(owner, b"colour,size\nred,1\n")
    assert "no product column" in text_of(refused)
    old = await send_sheet(owner, b"\xd0\xcf\x11\xe0" + bytes(600), "stock.xls")
    assert "old Excel file" in text_of(old)
    huge = await send_sheet(owner, b"product\n" + b"x" * (5 * 1024 * 1024), "huge.csv")
    assert "too big to import" in text_of(huge)
    other = await owner.show(b"%PDF-1.4", kind="document", filename="a.pdf", mime_type="x/pdf")
    assert "/import" in text_of(other)

    code = invite_code(await owner.say("/invite"))
    await staff.say(f"/start {code}")
    told = await staff.show(b"product\nmilk\n", kind="document", filename="a.csv", mime_type=CSV)
    assert "Only an owner can import a spreadsheet" in text_of(told)
