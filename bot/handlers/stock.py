"""Stock movements: /restock, /sell, /remove, /count, /undo, batches of lines, the card's
quick-adjust buttons, and the guided steps that ask for what a command left out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    ask,
    end_flow,
    here,
    recall,
    remember,
    replace_buttons,
    request_key,
    resolve_or_suggest,
    respond,
    start_flow,
    user_name,
)
from bot.miniapp_wiring import with_open_app
from bot.parsing import (
    Command,
    CountProduct,
    ParseError,
    RemoveProduct,
    RestockProduct,
    SellProduct,
    StockCommand,
    is_batch,
    parse_command,
    parse_lines,
    parse_quantity,
    split_command,
)
from core import catalog, inventory, ledger
from core.errors import DomainError
from core.ledger import MovementResult
from core.model import Product, Reason
from core.quantities import format_quantity

ADJUST = cb.PromptKind.AMOUNT.value  # the card's custom-amount step: a signed quantity
PROMPT_COMMAND = {
    cb.PromptKind.AMOUNT: ADJUST,
    cb.PromptKind.SELL: Command.SELL.value,
    cb.PromptKind.RESTOCK: Command.RESTOCK.value,
    cb.PromptKind.REMOVE: Command.REMOVE.value,
    cb.PromptKind.COUNT: Command.COUNT.value,
}


def message_args(update: Update) -> str:
    """The text after `/command`, newlines kept (context.args would lose them)."""
    message = update.effective_message
    split = split_command(message.text or "") if message is not None else None
    return split[1] if split else ""


def _parse_stock(command: Command, text: str, where: Here) -> StockCommand:
    parsed = parse_command(command, text, day_first=where.shop.day_first)
    assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
    return parsed


def stock_command(command: Command) -> Any:
    async def handle(update: Update, context: BotContext) -> None:
        where = await here(update, context)
        text = message_args(update)
        if is_batch(text):
            await _batch(update, context, where, command, text)
            return
        parsed = _parse_stock(command, text, where)
        await proceed(update, context, where, command, parsed, None, text)

    handle.__name__ = f"{command.value}_command"
    return handle


async def proceed(
    update: Update,
    context: BotContext,
    where: Here,
    command: Command,
    parsed: StockCommand,
    product_id: int | None,
    text: str,
    key: str | None = None,
) -> None:
    """Run the command if it is complete, else ask for the first missing piece. `key`:
    the idempotency key of the message that started it, when a button completes it."""
    services = context.services
    if product_id is None:
        if parsed.name is None:
            step = {"kind": "stock", "command": command.value}
            await start_flow(context, update, step, key=key)
            choices = await _product_buttons(update, context, where, command, key)
            await ask(update, texts.PRODUCT_PROMPT, choices)
            return
        found = await resolve_or_suggest(
            update, context, where, parsed.name, command.value, text, key=key
        )
        if found is None:
            return
        product = found
        product_id = product.id
    else:
        product = await catalog.get_product(services.uow(), where.actor, product_id)
    if parsed.quantity is None:
        await ask_quantity(update, context, command.value, product, key=key)
        return
    if isinstance(parsed, RemoveProduct) and parsed.reason is None:
        await start_flow(
            context,
            update,
            {
                "kind": "reason",
                "product_id": product.id,
                "quantity": str(parsed.quantity),
                "note": parsed.note,
            },
            key=key,
        )
        await respond(
            update, texts.why_leaving(parsed.quantity, product), keyboards.reasons(), edit=False
        )
        return
    result = await execute(context, where, parsed, product_id, key or request_key(update))
    await end_flow(context, update)
    await confirm(update, where, result)


PRODUCT_BUTTONS = 12


async def _product_buttons(
    update: Update, context: BotContext, where: Here, command: Command, key: str | None
) -> InlineKeyboardMarkup | None:
    """A small catalog is offered as buttons; a large one is typed."""
    products = await catalog.list_products(context.services.uow(), where.actor)
    if not 0 < len(products) <= PRODUCT_BUTTONS:
        return None
    token = await remember(context, update, {"command": command.value, "text": ""}, key=key)
    return keyboards.suggestions(token, [(p.id, p.name) for p in products])


async def ask_quantity(
    update: Update, context: BotContext, command: str, product: Product, *, key: str | None = None
) -> None:
    step = {"kind": "stock", "command": command, "product_id": product.id}
    await start_flow(context, update, step, key=key)
    await ask(update, texts.quantity_prompt(command, product))


async def execute(
    context: BotContext, where: Here, parsed: StockCommand, product_id: int, key: str
) -> MovementResult:
    services = context.services
    uow, actor, now = services.uow(), where.actor, services.clock.now()
    assert parsed.quantity is not None
    if isinstance(parsed, RestockProduct):
        command = ledger.Restock(
            product_id,
            parsed.quantity,
            expiry=parsed.expiry,
            cost=parsed.cost,
            price=parsed.price,
            reorder_date=parsed.reorder_date,
            note=parsed.note,
        )
        return await ledger.restock(uow, actor, command, key=key, now=now)
    if isinstance(parsed, SellProduct):
        removal = ledger.Removal(product_id, parsed.quantity, Reason.SALE)
        return await ledger.remove(uow, actor, removal, key=key, now=now)
    if isinstance(parsed, RemoveProduct):
        removal = ledger.Removal(
            product_id, parsed.quantity, parsed.reason or Reason.ADJUSTMENT, parsed.note
        )
        return await ledger.remove(uow, actor, removal, key=key, now=now)
    counted = ledger.Count(product_id, parsed.quantity)
    return await ledger.count(uow, actor, counted, key=key, now=now)


async def confirm(update: Update, where: Here, result: MovementResult) -> None:
    movement_id = result.movement.id if result.movement else None
    await respond(
        update,
        signed(update, where, texts.movement_done(result, where.shop, show_cost=where.sees_costs)),
        keyboards.movement(movement_id, result.product.id),
        edit=False,
    )


def signed(update: Update, where: Here, text: str) -> str:
    """In a group several people record stock: a confirmation says whose it is."""
    return texts.done_by(user_name(update), text) if where.in_group else text


async def _batch(
    update: Update, context: BotContext, where: Here, command: Command, text: str
) -> None:
    """One movement per line; a bad line is reported and the good ones still apply."""
    services = context.services
    lines: list[str] = []
    movements: list[int] = []
    for index, item in enumerate(parse_lines(command, text, day_first=where.shop.day_first)):
        if isinstance(item, ParseError):
            lines.append(texts.batch_line_unreadable(item.line, item.message))
            continue
        assert item.name is not None
        try:
            product = await catalog.find_product(services.uow(), where.actor, item.name)
            result = await execute(context, where, item, product.id, request_key(update, index))
        except DomainError as refused:
            lines.append(texts.batch_line_refused(item.name, refused.message))
            continue
        if result.movement is not None:
            movements.append(result.movement.id)
        lines.append(texts.movement_done(result, where.shop, show_cost=where.sees_costs))
    good = sum(1 for line in lines if line.startswith("✅"))
    header = texts.batch_report_header(good, len(lines))
    report = signed(update, where, "\n".join([header, *lines]))
    await respond(update, report, keyboards.undo_many(movements), edit=False)


# --- guided steps -----------------------------------------------------------------------


def _signed_quantity(text: str) -> Decimal:
    cleaned = text.strip().replace("−", "-")
    sign = Decimal(-1) if cleaned.startswith("-") else Decimal(1)
    quantity = parse_quantity(cleaned.lstrip("+-").strip(), texts.SIGNED_QUANTITY_USAGE)
    return sign * quantity


async def continue_stock(
    update: Update, context: BotContext, flow: dict[str, Any], reply: str
) -> None:
    """The user answered a step of a stock command."""
    where = await here(update, context, product_id=flow.get("product_id"))
    product_id = flow.get("product_id")
    if flow["command"] == ADJUST:
        assert product_id is not None
        delta = _signed_quantity(reply)
        services = context.services
        result = await ledger.adjust(
            services.uow(),
            where.actor,
            ledger.Adjustment(product_id, delta),
            key=flow.get("key") or request_key(update),
            now=services.clock.now(),
        )
        await end_flow(context, update)
        await confirm(update, where, result)
        return
    command = Command(flow["command"])
    # The product is known by id: parse the reply behind a placeholder name.
    text = reply if product_id is None else f'"_" {reply}'
    parsed = _parse_stock(command, text, where)
    await proceed(update, context, where, command, parsed, product_id, text, flow.get("key"))


async def continue_reason(
    update: Update, context: BotContext, flow: dict[str, Any], reason: str
) -> None:
    where = await here(update, context, product_id=flow["product_id"])
    try:
        chosen = Reason(reason)
    except ValueError:
        raise ParseError(texts.not_a_reason(reason), texts.REASON_USAGE) from None
    parsed = RemoveProduct("_", Decimal(flow["quantity"]), chosen, flow.get("note", ""))
    await proceed(
        update, context, where, Command.REMOVE, parsed, flow["product_id"], "", flow.get("key")
    )


async def on_pick(update: Update, context: BotContext, action: cb.PickProduct) -> None:
    """A "did you mean" choice completes the original command with that product."""
    pending = await recall(context, update, action.token)
    if pending is None:
        raise ParseError(texts.FLOW_EXPIRED, "type the command again")
    where = await here(update, context)
    command = Command(pending["command"])
    parsed = _parse_stock(command, pending["text"], where)
    await answer(update)
    await proceed(
        update, context, where, command, parsed, action.product_id, pending["text"], pending["key"]
    )


async def on_prompt(update: Update, context: BotContext, action: cb.Prompt) -> None:
    where = await here(update, context, product_id=action.product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, action.product_id)
    await answer(update)
    await ask_quantity(update, context, PROMPT_COMMAND[action.kind], product)


# --- quick adjust and undo --------------------------------------------------------------


async def on_adjust(update: Update, context: BotContext, action: cb.Adjust) -> None:
    """One tap, one movement; the card is edited in place with the new figures."""
    where = await here(update, context, product_id=action.product_id)
    services = context.services
    result = await ledger.adjust(
        services.uow(),
        where.actor,
        ledger.Adjustment(action.product_id, action.delta),
        key=request_key(update),
        now=services.clock.now(),
    )
    product = result.product
    sign = "+" if action.delta > 0 else "−"
    label = f"{sign}{format_quantity(abs(action.delta))}"
    await answer(update, f"{label} → {format_quantity(product.on_hand)} {product.unit}")
    await show_card(
        update, context, where, product.id, result.movement.id if result.movement else None, label
    )


async def show_card(
    update: Update,
    context: BotContext,
    where: Here,
    product_id: int,
    undo_movement: int | None = None,
    undo_label: str = "",
) -> None:
    """The card replaces a view it was opened from (another card, a list); a record such
    as an alert or a confirmation with its Undo stays, and the card comes below it."""
    services = context.services
    card = await inventory.product_card(
        services.uow(), where.actor, product_id, now=services.clock.now()
    )
    pressed = update.callback_query.message if update.callback_query else None
    in_place = isinstance(pressed, Message) and keyboards.is_view(pressed.reply_markup)
    text = texts.product_card(card, show_cost=where.sees_costs)
    if undo_movement is not None:  # just changed by a tap: say whose, in a group
        text = signed(update, where, text)
    await respond(
        update,
        text,
        with_open_app(
            keyboards.card(product_id, undo_movement, undo_label),
            update,
            services.settings,
            where.shop.id,
            "product",
            id=product_id,
        ),
        edit=in_place,
    )


async def undo_command(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    await _undo(update, context, where, None)


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
