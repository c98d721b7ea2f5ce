"""Reading a catalog spreadsheet (CSV or XLSX) into import rows.

Columns are found by name in the first row, so their order does not matter and the
columns /export writes read back as they were written. Cells are read as values, never
run: openpyxl opens the workbook read-only without computing anything, and a cell that
holds a formula is refused with its row, since what it would show is not known here.

Limits, so one file cannot take the bot down: MAX_FILE_BYTES of file, MAX_UNPACKED_BYTES
once an XLSX (a zip) is unpacked, and core.imports.MAX_ROWS rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot import texts
from bot.parsing import (
    ABSOLUTE_DAY_FIRST,
    ParseError,
    ShopDates,
    parse_date,
    parse_days,
    parse_money,
    parse_quantity,
)
from core.imports import MAX_ROWS, ImportRow
from core.product_fields import EDITABLE, Kind, ProductFields

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SPREADSHEET_SUFFIXES = (".csv", ".xlsx", ".tsv", ".txt")

# Heading (lower case, spaces and dashes as "_") → what the column holds: each catalog
# field by its name and by its /export column (core.product_fields), these other names
# people give the same columns, and the stock and expiry /export writes.
SYNONYMS = {
    "product_name": "name",
    "item": "name",
    "cat": "category",
    "min": "threshold",
    "reorder_point": "threshold",
    "low_at": "threshold",
    "store_price": "price",
    "supplier_price": "cost",
    "unit_cost": "cost",
    "vendor": "supplier",
    "ean": "barcodes",
    "upc": "barcodes",
    "gtin": "barcodes",
    "warn": "expiry_warning_days",
    "lead_time": "lead_days",
    "on_hand": "on_hand",
    "quantity": "on_hand",
    "qty": "on_hand",
    "stock": "on_hand",
    "in_stock": "on_hand",
    "earliest_expiry": "expiry",
    "expiry": "expiry",
    "exp": "expiry",
    "best_before": "expiry",
    # A Russian shop's own sheet: `Товар;Ед;Остаток;Цена` was "no product column".
    **dict.fromkeys(("товар", "наименование", "название", "продукт"), "name"),
    **dict.fromkeys(("категория", "кат", "группа"), "category"),
    **dict.fromkeys(("ед", "ед.", "единица", "ед._изм.", "ед.изм.", "ед_изм"), "unit"),
    **dict.fromkeys(("минимум", "мин", "мин._остаток", "минимальный_остаток"), "threshold"),
    **dict.fromkeys(("цена", "цена_продажи", "розничная_цена"), "price"),
    **dict.fromkeys(("закупка", "закупочная_цена", "себестоимость"), "cost"),
    **dict.fromkeys(("поставщик",), "supplier"),
    **dict.fromkeys(("штрихкод", "штрих_код"), "barcodes"),
    **dict.fromkeys(("остаток", "количество", "кол_во", "в_наличии"), "on_hand"),
    **dict.fromkeys(("срок_годности", "годен_до", "срок"), "expiry"),
}
COLUMNS = {f.name: f.name for f in EDITABLE} | {f.column: f.name for f in EDITABLE} | SYNONYMS
# What /export writes but an import has no use for: statuses follow from the figures.
DERIVED = frozenset({"stock_status", "expiry_status"})
FORMULA_START = "="
EXPORT_QUOTED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class SpreadsheetRefused(Exception):
    """The file as a whole cannot be imported. `why` is a key of texts.IMPORT_REFUSED;
    `detail` fills it in."""

    def __init__(self, why: str, detail: str = "") -> None:
        super().__init__(why)
        self.why = why
        self.detail = detail


@dataclass(frozen=True)
class Sheet:
    file_key: str  # a digest of the bytes: the import's idempotency key
    rows: list[ImportRow]
    ignored_columns: list[str]


def is_spreadsheet(filename: str | None, mime_type: str | None) -> bool:
    name = (filename or "").casefold()
    mime = (mime_type or "").casefold()
    return name.endswith(SPREADSHEET_SUFFIXES) or mime in (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def file_key(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:20]


def read_sheet(content: bytes, filename: str, *, dates: ShopDates = ABSOLUTE_DAY_FIRST) -> Sheet:
    """The rows of a CSV or XLSX file; dates typed in cells are read as the shop reads
    them (`dates`: its day and date order), like dates typed in a command."""
    if len(content) > MAX_FILE_BYTES:
        raise SpreadsheetRefused("too_big")
    if content[:4] == b"PK\x03\x04" or filename.casefold().endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif filename.casefold().endswith(".xls") or content[:4] == b"\xd0\xcf\x11\xe0":
        raise SpreadsheetRefused("old_excel")
    else:
        table = _csv_rows(content)
    header = next(table, None)
    if header is None:
        raise SpreadsheetRefused("empty")
    names = [_heading(cell) for cell in header]
    columns = {index: COLUMNS[name] for index, name in enumerate(names) if name in COLUMNS}
    if "name" not in columns.values():
        raise SpreadsheetRefused("no_name_column")
    ignored = [
        str(header[i]).strip()
        for i, name in enumerate(names)
        if name and name not in COLUMNS and name not in DERIVED
    ]
    rows: list[ImportRow] = []
    for line, cells in enumerate(table, start=2):
        if all(_blank(cell) for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetRefused("too_many_rows")
        values: dict[str, Any] = {}
        for index, kind in columns.items():
            cell = cells[index] if index < len(cells) else None
            if not _blank(cell) and kind not in values:
                values[kind] = cell
        rows.append(_row(line, values, dates=dates))
    return Sheet(file_key(content), rows, ignored)


def _heading(cell: object) -> str:
    text = "" if cell is None else str(cell).strip().casefold()
    return "_".join(text.replace("-", " ").replace("_", " ").split())


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SpreadsheetRefused("not_a_spreadsheet")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise SpreadsheetRefused("not_a_spreadsheet") from error


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # a second of import time, only for XLSX files

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise SpreadsheetRefused("not_a_spreadsheet") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetRefused("too_big")
    try:
        # data_only=False: a formula cell comes back as its text ("=A1*2"), never computed.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetRefused("not_a_spreadsheet") from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except Exception as error:
        raise SpreadsheetRefused("not_a_spreadsheet") from error
    finally:
        workbook.close()


class _CellError(Exception):
    pass


def _row(line: int, values: dict[str, Any], *, dates: ShopDates) -> ImportRow:
    name_cell = values.get("name")
    try:
        name = _text(name_cell, "product")
    except _CellError as error:
        return ImportRow(line, str(name_cell or ""), problem=str(error))
    try:
        read = _readers(dates)
        change = ProductFields(
            **{
                f.name: _optional(values, f.name, read[f.kind])
                for f in EDITABLE
                if f.name != "name"
            },
            name=name,
        )
        on_hand = _optional(values, "on_hand", _quantity)
        expiry = _optional(values, "expiry", _date(dates))
    except _CellError as error:
        return ImportRow(line, name, problem=str(error))
    return ImportRow(line, name, change, on_hand, expiry)


def _optional(values: dict[str, Any], kind: str, read: Any) -> Any:
    cell = values.get(kind)
    return None if cell is None else read(cell, kind)


def _formula(cell: object, column: str) -> None:
    if isinstance(cell, str) and cell.strip().startswith(FORMULA_START):
        raise _CellError(texts.import_formula(column, cell.strip()))


def _text(cell: object, column: str) -> str:
    _formula(cell, column)
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    if text.startswith(EXPORT_QUOTED):
        text = text[1:]  # /export's guard against spreadsheet formulas
    return text


def _number_text(cell: object, column: str) -> str:
    _formula(cell, column)
    if isinstance(cell, bool):
        raise _CellError(texts.import_bad_cell(column, str(cell)))
    if isinstance(cell, float):
        try:
            return str(Decimal(repr(cell)).normalize())
        except InvalidOperation as error:
            raise _CellError(texts.import_bad_cell(column, repr(cell))) from error
    return str(cell).strip()


def _quantity(cell: object, column: str) -> Decimal:
    try:
        return parse_quantity(_number_text(cell, column))
    except ParseError as error:
        raise _CellError(f"{column}: {error.message}") from error


def _money(cell: object, column: str) -> Decimal:
    try:
        return parse_money(_number_text(cell, column))
    except ParseError as error:
        raise _CellError(f"{column}: {error.message}") from error


def _days(cell: object, column: str) -> int:
    try:
        return parse_days(_number_text(cell, column), "0 to 365")
    except ParseError as error:
        raise _CellError(f"{column}: {error.message}") from error


def _barcodes(cell: object, column: str) -> tuple[str, ...]:
    text = _text(cell, column)
    return tuple(text.split())  # /export writes them space-separated; a code has no spaces


def _readers(dates: ShopDates) -> dict[Kind, Any]:
    """How a cell is read for each kind of field."""
    return {
        Kind.TEXT: _text,
        Kind.QUANTITY: _quantity,
        Kind.MONEY: _money,
        Kind.DAYS: _days,
        Kind.DATE: _date(dates),
        Kind.BARCODES: _barcodes,
    }


def _date(dates: ShopDates) -> Any:
    def read(cell: object, column: str) -> date:
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        _formula(cell, column)
        try:
            return parse_date(str(cell).strip(), dates=dates)
        except ParseError as error:
            raise _CellError(f"{column}: {error.message}") from error

    return read


def chunks(rows: list[ImportRow], size: int) -> Iterable[list[ImportRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
