"""/restock, /sell, /remove and /count: one movement, recorded in one transaction when
the command is complete, else the first missing piece asked for (a guided step). Several
lines go to the batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    ask,
    end_flow,
    group_chat_id,
    here,
    request_key,
    respond,
    start_flow,
    suggest,
)
from bot.handlers.stock.batch import run_batch
from bot.handlers.stock.reading import message_args, reading, stock_change
from bot.handlers.stock.replies import ask_quantity, confirm, here_of, product_buttons
from bot.parsing import Command, CountProduct, RemoveProduct, StockCommand, as_lines, is_batch
from bot.steps import CommandChoice, ReasonStep, StockStep
from core import ledger
from core.model import Product, Shop
from core.stock_requests import Draft, Recorded, StockRequest, Suggested, record_stock


def stock_command(command: Command) -> Any:
    async def handle(update: Update, context: BotContext) -> None:
        await run_stock_text(update, context, command, message_args(update))

    handle.__name__ = f"{command.value}_command"
    return handle


async def run_stock_text(update: Update, context: BotContext, command: Command, text: str) -> None:
    """`/command text` as typed: one movement, or one per line (or per part of a list
    typed on one line: `/sell 2 baguettes, 3 croissants`)."""
    lines = text if is_batch(text) else as_lines(command, text)
    if lines is not None:
        where = await here(update, context)
        await run_batch(update, context, where, command, lines)
        return
    read = reading(command, text, context.services.clock.now())
    await proceed(update, context, command, read, None, text)


async def proceed(
    update: Update,
    context: BotContext,
    command: Command,
    read: Callable[[Shop], StockCommand],
    product_id: int | None,
    text: str,
    key: str | None = None,
    *,
    in_step: bool = False,
) -> None:
    """Run the command if it is complete, else ask for the first missing piece: one
    transaction (core.stock_requests). `key`: the idempotency key of the message that
    started it, when a button or a step completes it; `in_step`: it answers a guided
    step, which ends with it (a new command has ended any step already)."""
    services = context.services
    assert update.effective_user is not None
    read_as: list[StockCommand] = []  # the reading the product was found by

    def drafted(parsed: StockCommand) -> Draft:
        def change_for(product: Product) -> ledger.StockChange | None:
            read_as.append(parsed)
            return stock_change(parsed, product.id)

        literal = parsed.literal()
        other = drafted(literal) if literal is not None else None
        return Draft(parsed.name, change_for, unit=parsed.unit, literal=other)

    def draft(shop: Shop) -> Draft:
        return drafted(read(shop))

    request = StockRequest(update.effective_user.id, group_chat_id(update), draft, product_id)
    outcome = await record_stock(
        services.uow(), request, key=key or request_key(update), now=services.clock.now()
    )
    where = here_of(outcome.place, update)
    if isinstance(outcome, Recorded):
        if in_step:
            await end_flow(context, update)
        await confirm(update, where, outcome.result, counted=isinstance(read_as[-1], CountProduct))
        return
    if isinstance(outcome, Suggested):
        choice = CommandChoice(command=command, text=text)
        await suggest(update, context, outcome.missing, choice, key)
        return
    await _ask_missing(update, context, where, command, outcome.product, read_as, key)


async def _ask_missing(
    update: Update,
    context: BotContext,
    where: Here,
    command: Command,
    product: Product | None,
    read_as: list[StockCommand],
    key: str | None,
) -> None:
    """The first piece the command lacks: the product, its quantity, or why it leaves.
    `read_as`: the reading the product was found by, once it was."""
    if product is None:
        await start_flow(context, update, StockStep(command=command), key=key)
        choices = await product_buttons(update, context, where, command, key)
        await ask(update, texts.PRODUCT_PROMPT, choices)
        return
    parsed = read_as[-1]
    if parsed.quantity is None:
        await ask_quantity(update, context, where, command, product, key=key)
    else:
        assert isinstance(parsed, RemoveProduct)
        step = ReasonStep(product_id=product.id, quantity=parsed.quantity, note=parsed.note)
        await start_flow(context, update, step, key=key)
        await respond(
            update, texts.why_leaving(parsed.quantity, product), keyboards.reasons(), edit=False
        )
