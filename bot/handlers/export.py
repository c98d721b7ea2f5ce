"""/export: the inventory snapshot and the whole ledger as CSV documents."""

from __future__ import annotations

import csv
import io

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.handlers.base import here
from bot.i18n import _
from core import export as tables


async def export(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    services = context.services
    message = update.effective_message
    assert message is not None
    progress = await message.reply_text(_(texts.EXPORT_PREPARING))

    stock = io.StringIO()
    writer = csv.writer(stock)
    # In a group staff read along: no costs or suppliers there, even for an owner.
    snapshot = await tables.stock_table(
        services.uow, where.actor, now=services.clock.now(), in_group=where.in_group
    )
    writer.writerow(snapshot.header)
    writer.writerows(snapshot.rows)

    ledger = io.StringIO()
    writer = csv.writer(ledger)
    writer.writerow(await tables.ledger_header(services.uow, where.actor, in_group=where.in_group))
    rows = 0
    async for page in tables.ledger_pages(services.uow, where.actor, in_group=where.in_group):
        writer.writerows(page)
        rows += len(page)
        if len(page) == tables.LEDGER_PAGE:
            await progress.edit_text(texts.export_progress(rows))

    day = services.clock.now().date().isoformat()
    await message.reply_document(
        stock.getvalue().encode(),
        filename=f"stock-{day}.csv",
        caption=_(texts.EXPORT_STOCK_CAPTION),
    )
    await message.reply_document(
        ledger.getvalue().encode(),
        filename=f"ledger-{day}.csv",
        caption=texts.export_ledger_caption(rows),
    )
    await progress.edit_text(_(texts.EXPORT_READY))
