"""/export: the inventory snapshot and the whole ledger as CSV documents."""

from __future__ import annotations

import csv
import io

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.handlers.base import here
from core import inventory
from core.inventory import InventoryQuery
from core.quantities import format_quantity

EXPORT_PAGE = 500
WHOLE_CATALOG = 10**9


def _cell(text: str) -> str:
    """Typed text as a spreadsheet shows it, never as a formula it would run."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _money(value: object) -> str:
    return "" if value is None else str(value)


async def export(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    services = context.services
    message = update.effective_message
    assert message is not None
    owner = where.is_owner
    progress = await message.reply_text(texts.EXPORT_PREPARING)

    stock = io.StringIO()
    writer = csv.writer(stock)
    header = [
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
    ]
    writer.writerow(header + (["cost", "supplier"] if owner else []))
    # The whole catalog in one page: the use case reads every product once anyway.
    everything = await inventory.inventory(
        services.uow(),
        where.actor,
        InventoryQuery(page_size=WHOLE_CATALOG),
        now=services.clock.now(),
    )
    for line in everything.lines:
        p = line.product
        stock_row: list[object] = [
            _cell(p.name),
            _cell(p.category),
            p.unit,
            format_quantity(p.on_hand),
            format_quantity(p.threshold),
            line.status.stock.value,
            line.status.expiry.value,
            p.earliest_expiry or "",
            _money(p.price),
            p.reorder_date or "",
        ]
        writer.writerow(stock_row + ([_money(p.cost), _cell(p.supplier)] if owner else []))

    ledger = io.StringIO()
    writer = csv.writer(ledger)
    header = [
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
        "reorder_date",
        "reverses",
    ]
    writer.writerow(header + (["cost"] if owner else []))
    before: int | None = None
    rows = 0
    while True:
        entries = await inventory.history(
            services.uow(), where.actor, before_id=before, limit=EXPORT_PAGE, mark_undone=False
        )
        for entry in entries:
            m = entry.movement
            row: list[object] = [
                m.id,
                m.created_at.isoformat(),
                _cell(entry.product_name),
                format_quantity(m.quantity),
                entry.unit,
                m.reason.value,
                _cell(entry.user_name),
                _cell(m.note),
                m.expiry or "",
                _money(m.price),
                m.reorder_date or "",
                m.reverses_id or "",
            ]
            writer.writerow(row + ([_money(m.cost)] if owner else []))
        rows += len(entries)
        if len(entries) < EXPORT_PAGE:
            break
        before = entries[-1].movement.id
        await progress.edit_text(texts.export_progress(rows))

    day = services.clock.now().date().isoformat()
    await message.reply_document(
        stock.getvalue().encode(), filename=f"stock-{day}.csv", caption=texts.EXPORT_STOCK_CAPTION
    )
    await message.reply_document(
        ledger.getvalue().encode(),
        filename=f"ledger-{day}.csv",
        caption=texts.export_ledger_caption(rows),
    )
    await progress.edit_text(texts.EXPORT_READY)
