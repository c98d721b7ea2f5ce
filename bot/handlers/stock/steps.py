"""The guided steps of a stock command and the choices that complete one: the answer to
"how many?", "why?", the card's custom amount, a "did you mean" product, a prompt
button."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update

from bot import callbacks as cb
from bot import texts
from bot.context import BotContext
from bot.handlers.base import answer, end_flow, here, recall, start_flow
from bot.handlers.stock.card import adjust
from bot.handlers.stock.reading import (
    STOCK_COMMANDS,
    has_quantity,
    names_a_product,
    reading,
    restated_command,
)
from bot.handlers.stock.replies import ask_quantity, asks_prices, confirm, here_of
from bot.handlers.stock.single import proceed, run_stock_text
from bot.parsing import Command, ParseError, RemoveProduct, is_batch, parse_quantity
from bot.parsing.grammar import REMOVE_REASONS
from bot.parsing.values import fraction_as_decimal
from bot.steps import AmountStep, CommandChoice, ReasonStep, StockStep
from core import catalog
from core.errors import ProductNotFound
from core.model import Reason

PROMPT_COMMAND = {
    cb.PromptKind.SELL: Command.SELL,
    cb.PromptKind.RESTOCK: Command.RESTOCK,
    cb.PromptKind.REMOVE: Command.REMOVE,
    cb.PromptKind.COUNT: Command.COUNT,
}


def _signed_quantity(text: str) -> Decimal:
    cleaned = text.strip().replace("−", "-")
    sign = Decimal(-1) if cleaned.startswith("-") else Decimal(1)
    quantity = parse_quantity(cleaned.lstrip("+-").strip(), texts.SIGNED_QUANTITY_USAGE)
    return sign * quantity


async def continue_amount(
    update: Update, context: BotContext, step: AmountStep, reply: str
) -> None:
    """The card's custom amount: a signed correction."""
    delta = _signed_quantity(reply)
    adjusted = await adjust(update, context, step.product_id, delta, step.key)
    await end_flow(context, update)
    await confirm(update, here_of(adjusted.place, update), adjusted.result)


async def continue_stock(update: Update, context: BotContext, step: StockStep, reply: str) -> None:
    """The user answered a step of a stock command."""
    product_id, command = step.product_id, step.command
    restated = restated_command(reply)
    if restated is not None:  # `sell 2` to "How many were sold?" (see restates_a_command)
        reply = restated[1]
    if product_id is not None:
        reply = fraction_as_decimal(reply)  # `1/2` is a quantity here, never a name
    if product_id is not None and names_a_product(command, reply):
        # `milk 5` to "How many bread?" is about milk: read as `/count milk 5`, a new
        # command, never as a quantity of bread.
        await end_flow(context, update)
        try:
            await run_stock_text(update, context, command, reply)
        except ProductNotFound:
            # No product by that name (`forty`, `3.3.3`): a mistyped answer, and the
            # question stands instead of ending with the mistake.
            await start_flow(context, update, step, key=step.key)
            if has_quantity(command, reply):
                raise
            await _not_a_quantity(update, context, step, product_id, reply)
        return
    if product_id is None and is_batch(reply):
        await end_flow(context, update)
        await run_stock_text(update, context, command, reply)
        return
    # The product is known by id: parse the reply behind a placeholder name.
    text = reply if product_id is None else f'"_" {reply}'
    await proceed(
        update,
        context,
        command,
        reading(command, text, context.services.clock.now()),
        product_id,
        text,
        step.key,
        in_step=True,
    )


async def _not_a_quantity(
    update: Update, context: BotContext, step: StockStep, product_id: int, reply: str
) -> None:
    where = await here(update, context, product_id=product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, product_id)
    try:
        parse_quantity(reply)
    except ParseError as error:  # it is not one: say so, and ask again
        asked = texts.quantity_prompt(step.command.value, product, prices=asks_prices(where))
        raise ParseError(error.message, texts.plain(asked)) from None


async def continue_reason(
    update: Update, context: BotContext, step: ReasonStep, reason: str
) -> None:
    # A tapped button sends the reason's value; a typed one is a word of /remove's
    # (`damaged`, `broken`, `брак`), as it would be after the quantity.
    chosen = REMOVE_REASONS.get(reason.strip().casefold())
    if chosen is None:
        try:
            chosen = Reason(reason)
        except ValueError:
            raise ParseError(texts.not_a_reason(reason), texts.REASON_USAGE) from None
    parsed = RemoveProduct("_", step.quantity, chosen, step.note)
    await proceed(
        update,
        context,
        Command.REMOVE,
        lambda _shop: parsed,
        step.product_id,
        "",
        step.key,
        in_step=True,
    )


async def on_pick(update: Update, context: BotContext, action: cb.PickProduct) -> None:
    """A "did you mean" choice completes the original command with that product."""
    pending = await recall(context, update, action.token)
    if not isinstance(pending, CommandChoice) or pending.command not in STOCK_COMMANDS:
        raise ParseError(texts.FLOW_EXPIRED, texts.TYPE_AGAIN)
    command = pending.command
    await answer(update)
    await proceed(
        update,
        context,
        command,
        reading(command, pending.text, context.services.clock.now()),
        action.product_id,
        pending.text,
        pending.key,
        in_step=True,
    )


async def on_prompt(update: Update, context: BotContext, action: cb.Prompt) -> None:
    where = await here(update, context, product_id=action.product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, action.product_id)
    await answer(update)
    await ask_quantity(update, context, where, PROMPT_COMMAND.get(action.kind), product)
