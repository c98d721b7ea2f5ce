"""Reading catalog spreadsheets: columns by name, cells as values (formulas refused, not
run), the file's limits, and what /export writes reads back."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from bot.parsing import ShopDates
from bot.spreadsheet import MAX_FILE_BYTES, SpreadsheetRefused, read_sheet
from core.imports import MAX_ROWS


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_columns_are_matched_by_name_in_any_order_and_case() -> None:
    sheet = read_sheet(
        b"On Hand;Unit;PRODUCT;colour\n2,5;kg;flour;white\n",
        "stock.csv",
        dates=ShopDates(day_first=True),
    )
    [row] = sheet.rows
    assert (row.line, row.name, row.on_hand, row.change.unit) == (2, "flour", Decimal("2.5"), "kg")
    assert sheet.ignored_columns == ["colour"]


def test_a_russian_shops_own_headings_are_read() -> None:
    """`Товар;Ед;Остаток;Цена` was "I found no product column"."""
    sheet = read_sheet(
        "Товар;Категория;Ед. изм.;Остаток;Цена;Закупка;Штрихкод;Срок годности\n"
        "Сметана;молочное;кг;2,5;180;120;4006381333931;20.12.2026\n".encode(),
        "склад.csv",
        dates=ShopDates(day_first=True),
    )
    [row] = sheet.rows
    assert (row.name, row.on_hand, row.expiry) == ("Сметана", Decimal("2.5"), date(2026, 12, 20))
    assert row.change is not None
    assert (row.change.category, row.change.unit, row.change.price, row.change.cost) == (
        "молочное",
        "кг",
        Decimal(180),
        Decimal(120),
    )
    assert row.change.barcodes == ("4006381333931",)
    assert sheet.ignored_columns == []


def test_the_export_header_reads_back_field_by_field() -> None:
    export = (
        "product,category,unit,on_hand,threshold,stock_status,expiry_status,earliest_expiry,"
        "price,reorder_date,barcode,expiry_warning_days,cost,supplier\n"
        "milk,dairy,l,10,5,ok,ok,2026-12-20,1.20,,4006381333931 SKU-1,3,0.60,Dairy Co\n"
        "'-5 cleaner,,pcs,0,0,out,ok,,,,,,,\n"
    )
    sheet = read_sheet(export.encode(), "stock-2026-12-01.csv")
    milk, cleaner = sheet.rows
    assert milk.problem is None and sheet.ignored_columns == []
    assert milk.change.category == "dairy"
    assert milk.change.threshold == Decimal("5")
    assert milk.change.price == Decimal("1.20") and milk.change.cost == Decimal("0.60")
    assert milk.change.barcodes == ("4006381333931", "SKU-1")
    assert milk.change.expiry_warning_days == 3 and milk.change.supplier == "Dairy Co"
    assert milk.expiry == date(2026, 12, 20)
    assert cleaner.name == "-5 cleaner"  # the export's formula guard is taken off


def test_xlsx_cells_keep_their_types_and_formulas_are_refused_not_run() -> None:
    content = xlsx(
        [
            ["product", "on_hand", "price", "earliest_expiry"],
            ["milk", 12, 1.2, datetime(2027, 1, 31)],
            ["bread", "=2*3", None, None],
            ['=HYPERLINK("x")', 1, None, None],
        ]
    )
    milk, bread, link = read_sheet(content, "stock.xlsx").rows
    assert (milk.on_hand, milk.change.price, milk.expiry) == (
        Decimal("12"),
        Decimal("1.2"),
        date(2027, 1, 31),
    )
    assert bread.problem is not None and "formula" in bread.problem
    assert link.problem is not None and "formula" in link.problem


def test_a_bad_cell_makes_its_row_wrong_with_the_column_named() -> None:
    sheet = read_sheet(b"product,on_hand,earliest_expiry\nmilk,lots,\njam,1,31.02.2027\n", "a.csv")
    milk, jam = sheet.rows
    assert milk.problem is not None and milk.problem.startswith("on_hand:")
    assert jam.problem is not None and "There is no date" in jam.problem


def test_dates_follow_the_shops_date_order() -> None:
    content = b"product,earliest_expiry\nmilk,02/03/2027\n"
    assert read_sheet(content, "a.csv", dates=ShopDates(day_first=True)).rows[0].expiry == date(
        2027, 3, 2
    )
    assert read_sheet(content, "a.csv", dates=ShopDates(day_first=False)).rows[0].expiry == date(
        2027, 2, 3
    )


def test_blank_rows_are_skipped_and_row_numbers_are_the_files() -> None:
    rows = read_sheet(b"product\n\nmilk\n,\nbread\n", "a.csv").rows
    assert [(r.line, r.name) for r in rows] == [(3, "milk"), (5, "bread")]


@pytest.mark.parametrize(
    ("content", "filename", "why"),
    [
        (b"", "a.csv", "empty"),
        (b"colour,size\nred,1\n", "a.csv", "no_name_column"),
        (b"\xd0\xcf\x11\xe0" + bytes(100), "old.xls", "old_excel"),
        (b"PK\x03\x04 broken zip", "a.xlsx", "not_a_spreadsheet"),
        (b"product\x00\x00\x01", "a.csv", "not_a_spreadsheet"),
        (b"x" * (MAX_FILE_BYTES + 1), "a.csv", "too_big"),
    ],
)
def test_refuses_files_it_cannot_import(content: bytes, filename: str, why: str) -> None:
    with pytest.raises(SpreadsheetRefused) as refused:
        read_sheet(content, filename)
    assert refused.value.why == why


def test_refuses_more_rows_than_the_limit() -> None:
    content = b"product\n" + b"".join(b"p%d\n" % i for i in range(MAX_ROWS + 1))
    with pytest.raises(SpreadsheetRefused) as refused:
        read_sheet(content, "big.csv")
    assert refused.value.why == "too_many_rows"


def test_refuses_an_xlsx_that_unpacks_to_too_much() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (101 * 1024 * 1024))
    assert len(out.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(SpreadsheetRefused) as refused:
        read_sheet(out.getvalue(), "bomb.xlsx")
    assert refused.value.why == "too_big"


def test_dates_typed_in_cells_are_read_in_the_shops_day() -> None:
    """A hand-made sheet's `20 Dec` or `tomorrow` reads as it would in a command."""
    content = (
        b"product,on_hand,earliest_expiry,reorder_date\nmilk,2,tomorrow,20 dec\njam,1,12/12,+2w\n"
    )
    dates = ShopDates(date(2026, 12, 13), day_first=True)
    milk, jam = read_sheet(content, "a.csv", dates=dates).rows
    assert (milk.expiry, milk.change.reorder_date if milk.change else None) == (
        date(2026, 12, 14),
        date(2026, 12, 20),
    )
    assert (jam.expiry, jam.change.reorder_date if jam.change else None) == (
        date(2026, 12, 12),  # yesterday, as a command reads it: expired, not next year's
        date(2026, 12, 27),
    )
