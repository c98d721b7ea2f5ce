"""`/count cat pastries`: a category counted at closing time, one product after another.

Each answer is just the number on the shelf (or `skip`): the count is recorded at once,
and the same reply asks for the next product, so a shop types `12 ⏎ 8 ⏎ 5` and is done.
The count is blind (the books' figure is not shown), as a stocktake should be."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    answer,
    current_flow,
    end_flow,
    group_chat_id,
    here,
    respond,
    start_flow,
)
from bot.handlers.stock import (
    here_of,
    message_args,
    record_known,
    run_stock_text,
    signed,
    undoable,
)
from bot.i18n import _
from bot.parsing import Command
from bot.parsing.sentence import quantity_and_unit
from bot.steps import StocktakeStep
from core import catalog, ledger
from core.errors import ProductNotFound
from core.model import Product


async def count_command(update: Update, context: BotContext) -> None:
    await run_count_text(update, context, message_args(update))


async def run_count_text(update: Update, context: BotContext, text: str) -> None:
    """/count: a category (`/count cat pastries`, or `/count pastries` when no product is
    called so), else one product or one per line."""
    category = category_of(text) or await _a_category_alone(update, context, text)
    if category is None or not await start_stocktake(update, context, category):
        await run_stock_text(update, context, Command.COUNT, text)


async def _a_category_alone(update: Update, context: BotContext, text: str) -> str | None:
    """`/count выпечка`: a category of the shop's typed without its `cat` (no number, one
    line, and no product of that name)."""
    named = " ".join(text.split())
    if not named or "\n" in text.strip() or any(char.isdigit() for char in named):
        return None
    where = await here(update, context)
    categories = await catalog.categories(context.services.uow(), where.actor)
    meant = next((c for c in categories if c.casefold() == named.casefold()), None)
    if meant is None:
        return None
    try:
        await catalog.find_product(context.services.uow(), where.actor, named)
    except ProductNotFound:
        return meant
    return None  # a product called so is counted as before


CATEGORY_WORDS = frozenset({"cat", "category", "кат", "категория"})
SKIP_WORDS = frozenset({"skip", "пропустить", "пропуск", "-", "−"})


def category_of(text: str) -> str | None:
    """`pastries` from `cat pastries`; None when the text names no category."""
    words = text.strip().split(maxsplit=1)
    if len(words) == 2 and words[0].casefold() in CATEGORY_WORDS and "\n" not in words[1]:
        return words[1].strip()
    return None


async def start_stocktake(update: Update, context: BotContext, category: str) -> bool:
    """Begin counting the category; False when it has no products (then the words are
    read as a product's name instead: `/count cat food` may be a product)."""
    where = await here(update, context)
    products = await catalog.list_products(context.services.uow(), where.actor, category)
    if not products:
        return False
    step = StocktakeStep(
        category=category, product_ids=tuple(p.id for p in products), total=len(products)
    )
    await start_flow(context, update, step)
    await _ask(update, step, products[0], "")
    return True


async def continue_stocktake(
    update: Update, context: BotContext, step: StocktakeStep, reply: str
) -> None:
    """The number counted of the product asked (or skip); then the next one."""
    product_id, rest = step.product_ids[0], step.product_ids[1:]
    movement_id = None
    if reply.strip().casefold() in SKIP_WORDS:
        where = await here(update, context, product_id=product_id)
        product = await catalog.get_product(context.services.uow(), where.actor, product_id)
        done, counted = texts.stocktake_skipped(product), step.counted
    else:
        quantity, unit = quantity_and_unit(reply, _(texts.STOCKTAKE_USAGE))
        count = ledger.Count(product_id, quantity)
        recorded = await record_known(update, context, count, f"{step.key}:{product_id}", unit)
        where, result = here_of(recorded.place, update), recorded.result
        done = texts.movement_done(result, where.shop, counted=True)
        movement_id, counted = undoable(result), step.counted + 1
    if not rest:
        await end_flow(context, update)
        summary = texts.stocktake_done(step.category, counted, step.total)
        await respond(
            update,
            signed(update, where, f"{done}\n\n{summary}"),
            keyboards.stocktake(movement_id, asking=None),
            edit=False,
        )
        return
    following = replace(step, product_ids=rest, counted=counted)
    await start_flow(context, update, following, key=step.key)
    next_product = await catalog.get_product(context.services.uow(), where.actor, rest[0])
    await _ask(update, following, next_product, signed(update, where, done), movement_id)


async def _ask(
    update: Update,
    step: StocktakeStep,
    product: Product,
    done: str,
    movement_id: int | None = None,
) -> None:
    """What was just recorded (if anything) and the next question, in one message. In a
    group the bot sees only replies to its messages (privacy mode): the question says so."""
    position = step.total - len(step.product_ids) + 1
    question = texts.stocktake_prompt(step.category, position, step.total, product)
    if group_chat_id(update) is not None:
        question += f"\n{texts.ASK_REPLY}"
    text = f"{done}\n\n{question}" if done else question
    await respond(update, text, keyboards.stocktake(movement_id, asking=product.id), edit=False)


async def on_skip(update: Update, context: BotContext, action: cb.SkipCount) -> None:
    """Skip the product the tapped question asked about, if it is still the one asked."""
    step = await current_flow(context, update)
    if not isinstance(step, StocktakeStep) or step.product_ids[0] != action.product_id:
        await answer(update, texts.STOCKTAKE_SKIP_STALE)
        return
    await answer(update)
    await continue_stocktake(update, context, step, texts.SKIP_WORD)
