"""The CSV export's tables: the stock snapshot and the whole ledger, as rows of text.

One definition for every interface (the chat's /export, the Mini App's download), so
both show the same columns, leave costs and suppliers out for staff, and never let a
cell run as a spreadsheet formula."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core import inventory
from core.access import Actor
from core.inventory import InventoryLine, InventoryQuery
from core.ports import UnitOfWork
from core.product_fields import EDITABLE, Kind
from core.quantities import format_quantity
from core.shops import shop_of
from core.visibility import sees_costs

LEDGER_PAGE = 500
WHOLE_CATALOG = 10**9

# The stock snapshot's columns: the catalog fields (core.product_fields) by their column,
# with the figures of stock among them where the first exports put them; a field added
# since comes after these, and those only owners see come last. The same columns /import
# reads (bot/spreadsheet.py), so an export imports back to the same catalog and stock.
STOCK_LAYOUT = (
    "product",
    "category",
    "unit",
    "on_hand",
    "threshold",
    "stock_status",
    "expiry_status",
    "earliest_expiry",
    "price",
    "reorder_date",
    "barcode",
    "expiry_warning_days",
    "lead_days",
)
FIELDS_BY_COLUMN = {f.column: f for f in EDITABLE}
STOCK_COLUMNS = STOCK_LAYOUT + tuple(
    f.column for f in EDITABLE if f.column not in STOCK_LAYOUT and not f.owner_only
)
STOCK_OWNER_COLUMNS = tuple(f.column for f in EDITABLE if f.owner_only)
LEDGER_COLUMNS = (
    "id",
    "at_utc",
    "product",
    "quantity",
    "unit",
    "reason",
    "by",
    "note",
    "expiry",
    "price",
    "sale_price",
    "reorder_date",
    "reverses",
)
LEDGER_OWNER_COLUMNS = ("cost",)


def cell(text: str) -> str:
    """Typed text as a spreadsheet shows it, never as a formula it would run."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _money(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _day(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[list[str]]


async def stock_table(
    new_uow: Callable[[], UnitOfWork], actor: Actor, *, now: datetime, in_group: bool = False
) -> Table:
    """`in_group`: for a group chat, where staff read along (see core.visibility)."""
    _, member = await shop_of(new_uow(), actor)
    owner = sees_costs(member, in_group=in_group)
    # The whole catalog in one page: the use case reads every product once anyway.
    everything = await inventory.inventory(
        new_uow(), actor, InventoryQuery(page_size=WHOLE_CATALOG), now=now
    )
    columns = STOCK_COLUMNS + (STOCK_OWNER_COLUMNS if owner else ())
    return Table(
        columns, [[_stock_cell(line, column) for column in columns] for line in everything.lines]
    )


def _stock_cell(line: InventoryLine, column: str) -> str:
    p = line.product
    match column:
        case "on_hand":
            return format_quantity(p.on_hand)
        case "stock_status":
            return line.status.stock.value
        case "expiry_status":
            return line.status.expiry.value
        case "earliest_expiry":
            return _day(p.earliest_expiry)
    field = FIELDS_BY_COLUMN[column]
    value = getattr(p, field.name)
    match field.kind:
        case Kind.TEXT:
            return cell(value)
        case Kind.QUANTITY:
            return format_quantity(value)
        case Kind.MONEY:
            return _money(value)
        case Kind.DAYS | Kind.DATE:
            return _day(value)
        case Kind.BARCODES:
            return cell(" ".join(value))


async def ledger_header(
    new_uow: Callable[[], UnitOfWork], actor: Actor, *, in_group: bool = False
) -> tuple[str, ...]:
    _, member = await shop_of(new_uow(), actor)
    owner = sees_costs(member, in_group=in_group)
    return LEDGER_COLUMNS + (LEDGER_OWNER_COLUMNS if owner else ())


async def ledger_pages(
    new_uow: Callable[[], UnitOfWork],
    actor: Actor,
    *,
    page: int = LEDGER_PAGE,
    in_group: bool = False,
) -> AsyncIterator[list[list[str]]]:
    """The ledger newest first, `page` rows at a time (one transaction each), so a long
    ledger never sits in memory whole."""
    _, member = await shop_of(new_uow(), actor)
    owner = sees_costs(member, in_group=in_group)
    before: int | None = None
    while True:
        entries = await inventory.history(
            new_uow(), actor, before_id=before, limit=page, mark_undone=False
        )
        rows = []
        for entry in entries:
            m = entry.movement
            row = [
                str(m.id),
                m.created_at.isoformat(),
                cell(entry.product_name),
                format_quantity(m.quantity),
                entry.unit,
                m.reason.value,
                cell(entry.user_name),
                cell(m.note),
                _day(m.expiry),
                _money(m.price),
                _money(m.sale_price),
                _day(m.reorder_date),
                str(m.reverses_id or ""),
            ]
            rows.append(row + ([_money(m.cost)] if owner else []))
        if rows:
            yield rows
        if len(entries) < page:
            return
        before = entries[-1].movement.id
