"""/report: the weekly report on demand, up to today — owners only, and from a group
sent to the owner privately (it shows takings and costs)."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden

from bot import texts
from bot.charts import report_chart_png
from bot.context import BotContext
from bot.handlers.base import deliver, here, person
from bot.i18n import _
from bot.refusal import ChatRefusal
from core import report


async def report_command(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    services = context.services
    found = await report.report_now(services.uow(), where.actor, services.clock.now())
    if found.is_empty:
        await deliver(update, context, where, texts.NOTHING_TO_REPORT, private=where.in_group)
        return
    chart, caption = await report_chart_png(found), texts.report_caption(found)
    message = update.effective_message
    assert message is not None
    if not where.in_group:
        await message.reply_photo(chart, caption=caption)
        return
    try:
        await context.bot.send_photo(person(update), chart, caption=caption)
    except Forbidden:
        raise ChatRefusal(texts.open_private_chat(context.bot.username)) from None
    await message.reply_text(_(texts.SENT_PRIVATELY))
