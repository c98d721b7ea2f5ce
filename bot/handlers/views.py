"""Looking at stock: /stock, /inventory, /low, /expiring, /dashboard, /products, /history."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.charts import stock_chart_png
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    ask,
    deliver,
    end_flow,
    here,
    resolve_or_suggest,
    respond,
    start_flow,
)
from bot.handlers.stock import message_args, product_buttons, show_card
from bot.miniapp_wiring import with_open_app
from bot.parsing import Command, ParseError, parse_command, parse_inventory, parse_quantity
from bot.steps import CardStep, CommandChoice
from core import catalog, inventory
from core.errors import ProductNotFound
from core.inventory import PAGE_SIZE, InventoryQuery, SortBy, StatusFilter
from core.model import Reason


async def stock(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    text = message_args(update)
    if not text.strip():
        await start_flow(context, update, CardStep())
        await ask(update, texts.CARD_PROMPT, await product_buttons(update, context, where, None))
        return
    await show_named_card(update, context, where, text)


async def continue_card(update: Update, context: BotContext, reply: str) -> None:
    """The answer to /stock's "Which product?"."""
    where = await here(update, context)
    await end_flow(context, update)
    await show_named_card(update, context, where, reply)


async def show_named_card(update: Update, context: BotContext, where: Here, name: str) -> None:
    product = await resolve_or_suggest(
        update, context, where, name, CommandChoice(command=Command.STOCK, text=name)
    )
    if product is not None:
        await show_card(update, context, where, product.id)


async def on_card(update: Update, context: BotContext, action: cb.OpenCard) -> None:
    where = await here(update, context, product_id=action.product_id)
    await answer(update)
    await show_card(update, context, where, action.product_id)


async def _category_id(context: BotContext, where: Here, category: str | None) -> int | None:
    """Buttons carry a category as its position in the shop's sorted categories."""
    if category is None:
        return None
    names = await catalog.categories(context.services.uow(), where.actor)
    key = category.strip().lower()
    return names.index(key) if key in names else None


async def _category_of(context: BotContext, where: Here, category_id: int | None) -> str | None:
    if category_id is None:
        return None
    names = await catalog.categories(context.services.uow(), where.actor)
    return names[category_id] if category_id < len(names) else None


async def show_inventory(
    update: Update,
    context: BotContext,
    where: Here,
    query: InventoryQuery,
    *,
    edit: bool = True,
) -> None:
    """`edit=False`: a new message rather than the pressed one edited in place."""
    services = context.services
    page = await inventory.inventory(services.uow(), where.actor, query, now=services.clock.now())
    category_id = await _category_id(context, where, query.category)
    markup = with_open_app(
        keyboards.inventory(page, category_id),
        update,
        services.settings,
        where.shop.id,
        "inventory",
        **({"status": _APP_STATUS[query.status]} if query.status in _APP_STATUS else {}),
    )
    await deliver(update, context, where, texts.inventory_page(page), markup, edit=edit)


async def inventory_command(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    text = message_args(update)
    try:
        parsed = parse_inventory(text)
    except ParseError:
        # `/inventory pastries`: a category of the shop's, typed without its `cat`.
        named = " ".join(text.split()).casefold()
        categories = await catalog.categories(context.services.uow(), where.actor)
        if not named or named not in (c.casefold() for c in categories):
            raise
        parsed = parse_inventory(f'cat "{named}"')
    query = InventoryQuery(status=parsed.status, category=parsed.category, sort=parsed.sort)
    await show_inventory(update, context, where, query)


async def low(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    await show_inventory(
        update, context, where, InventoryQuery(StatusFilter.LOW, sort=SortBy.QUANTITY)
    )


async def expiring(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    await show_inventory(
        update, context, where, InventoryQuery(StatusFilter.EXPIRING, sort=SortBy.EXPIRY)
    )


async def on_inventory(update: Update, context: BotContext, action: cb.OpenInventory) -> None:
    where = await here(update, context)
    await answer(update)
    category = await _category_of(context, where, action.category_id)
    query = InventoryQuery(action.status, category, action.sort, page=action.page)
    await show_inventory(update, context, where, query)


async def dashboard(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    services = context.services
    board = await inventory.dashboard(
        services.uow(), where.actor, now=services.clock.now(), in_group=where.in_group
    )
    markup = with_open_app(
        keyboards.dashboard(board), update, services.settings, where.shop.id, "dashboard"
    )
    await respond(update, texts.dashboard(board), markup)


async def on_dashboard(update: Update, context: BotContext, action: cb.OpenDashboard) -> None:
    await answer(update)
    await dashboard(update, context)


async def products(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    parsed = parse_command(Command.PRODUCTS, message_args(update))
    category = getattr(parsed, "category", None)
    listed = await catalog.list_products(context.services.uow(), where.actor, category)
    await respond(update, texts.products_list(listed, where.shop, category))


async def history(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    text = message_args(update).strip()
    product_id = None
    if text:
        choice = CommandChoice(command=Command.HISTORY, text=text)
        product = await resolve_or_suggest(
            update, context, where, text, choice, include_archived=True
        )
        if product is None:
            return
        product_id = product.id
    await show_history(update, context, where, product_id, None)


async def on_history(update: Update, context: BotContext, action: cb.OpenHistory) -> None:
    where = await here(update, context, product_id=action.product_id)
    await answer(update)
    await show_history(update, context, where, action.product_id, action.before_id)


async def show_history(
    update: Update,
    context: BotContext,
    where: Here,
    product_id: int | None,
    before_id: int | None,
) -> None:
    services = context.services
    entries = await inventory.history(
        services.uow(), where.actor, product_id=product_id, before_id=before_id
    )
    product = (
        await catalog.get_product(services.uow(), where.actor, product_id, include_archived=True)
        if product_id
        else None
    )
    # An archived product's history is for reading: an Undo there would change the stock
    # of a product no list shows (restore it first).
    archived = product is not None and product.archived
    undoable = [] if archived else [e.movement.id for e in entries if e.can_undo]
    await respond(
        update,
        texts.history(entries, where.shop, product),
        keyboards.history(entries, product_id, undoable, more=len(entries) == PAGE_SIZE),
        edit=before_id is not None,
    )


async def stock_by_text(update: Update, context: BotContext, text: str) -> None:
    """A bare product name (or barcode) in a private chat opens its card. What reads as
    the answer to a step (`3`, `10 exp 3.12.2026`, `damage`) and names no product is one
    whose step was lost — expired, or forgotten by a restart or a flushed store: it is
    not looked up as a name."""
    where = await here(update, context)
    if looks_like_an_answer(text):
        try:
            product = await catalog.find_product(context.services.uow(), where.actor, text)
        except ProductNotFound:
            await respond(update, texts.STEP_LOST, edit=False)
            return
    else:
        found = await resolve_or_suggest(
            update, context, where, text, CommandChoice(command=Command.STOCK, text=text)
        )
        if found is None:
            return
        product = found
    await show_card(update, context, where, product.id)


def looks_like_an_answer(text: str) -> bool:
    """A quantity first (`3`, `-2`, `10 exp 3.12.2026`) or a removal's reason alone."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return False
    if words[0].casefold() in {reason.value for reason in Reason}:
        return len(words) == 1
    try:
        parse_quantity(words[0].lstrip("+-−"))
    except ParseError:
        return False
    return True


CHART_DAYS = 30

# The Mini App's names for the inventory filters (its API's).
_APP_STATUS = {
    StatusFilter.LOW: "low",
    StatusFilter.OUT: "out",
    StatusFilter.EXPIRING: "near_expiry",
    StatusFilter.EXPIRED: "expired",
}


async def on_chart(update: Update, context: BotContext, action: cb.OpenChart) -> None:
    where = await here(update, context, product_id=action.product_id)
    services = context.services
    now = services.clock.now()
    timeline = await inventory.stock_timeline(
        services.uow(),
        where.actor,
        action.product_id,
        since=now - timedelta(days=CHART_DAYS),
        now=now,
    )
    await answer(update)
    message = update.effective_message
    if message is not None:
        await message.reply_photo(
            await stock_chart_png(timeline),
            caption=texts.chart_caption(timeline.product, CHART_DAYS),
        )
