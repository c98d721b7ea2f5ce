"""/undo and the Undo buttons under a confirmation or a card."""

from __future__ import annotations

from telegram import Message, Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    here,
    last_refusal,
    replace_buttons,
    request_key,
    respond,
)
from bot.handlers.stock.card import show_card
from bot.handlers.stock.replies import signed
from core import ledger


async def undo_command(update: Update, context: BotContext) -> None:
    """The change just made is undone at once; any other is named and asked about."""
    where = await here(update, context)
    services = context.services
    outcome = await ledger.undo_last(
        services.uow(),
        where.actor,
        key=request_key(update),
        now=services.clock.now(),
        refused_at=await last_refusal(context, update),
    )
    if isinstance(outcome, ledger.UndoQuestion):
        question = texts.undo_question(outcome.movement, outcome.product, where.shop)
        await respond(update, question, keyboards.confirm_undo(outcome.movement.id), edit=False)
        return
    undone = signed(update, where, texts.undone(outcome))
    await respond(update, undone, keyboards.movement(None, outcome.product.id))


async def on_undo(update: Update, context: BotContext, action: cb.Undo) -> None:
    where = await here(update, context, movement_id=action.movement_id)
    await _undo(update, context, where, action.movement_id)


async def _undo(update: Update, context: BotContext, where: Here, movement_id: int | None) -> None:
    services = context.services
    result = await ledger.undo(
        services.uow(), where.actor, movement_id, key=request_key(update), now=services.clock.now()
    )
    query = update.callback_query
    undone = signed(update, where, texts.undone(result))
    if query is None or not isinstance(query.message, Message):
        await respond(update, undone, keyboards.movement(None, result.product.id))
        return
    await answer(update, texts.UNDONE_TOAST)
    markup = query.message.reply_markup
    if keyboards.is_card(markup):
        await show_card(update, context, where, result.product.id)
        return
    # A confirmation keeps its text; its used Undo button goes away.
    await replace_buttons(update, keyboards.without(markup, query.data))
    await respond(update, undone, keyboards.movement(None, result.product.id), edit=False)
