"""The catalog: /add, /edit, /delete (archive)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Update

from bot import callbacks as cb
from bot import i18n, keyboards, texts
from bot.context import BotContext
from bot.handlers.base import answer, ask, end_flow, here, resolve_or_suggest, respond, start_flow
from bot.handlers.stock import message_args
from bot.parsing import (
    ABSOLUTE_DAY_FIRST,
    USAGE,
    AddProduct,
    Command,
    ParseError,
    ShopDates,
    means_no_value,
    parse_add,
    parse_date,
    parse_days,
    parse_edit_change,
    parse_money,
    parse_quantity,
)
from bot.steps import AddStep, CommandChoice, EditStep
from core import catalog
from core.access import OwnerAction, require_owner
from core.errors import ProductArchived
from core.model import UNITS
from core.product_fields import BY_WORD, Editable, Kind, ProductFields
from core.units import check_typed_unit


async def add(update: Update, context: BotContext) -> None:
    where = await here(update, context)
    require_owner(where.member, OwnerAction.ADD_PRODUCTS)
    parsed = parse_add(message_args(update))
    if parsed.name is None:
        await start_flow(context, update, AddStep())
        await ask(update, texts.NAME_PROMPT)
        return
    await _add(update, context, parsed)


async def continue_add(
    update: Update, context: BotContext, reply: str, barcode: str | None = None
) -> None:
    """`barcode`: the scanned code the new product gets, unless the reply names one."""
    parsed = parse_add(reply)
    if parsed.name is None:
        raise ParseError(texts.PRODUCT_NEEDS_NAME, USAGE[Command.ADD])
    if barcode is not None and parsed.barcodes is None:
        parsed = replace(parsed, barcodes=(barcode,))
    await _add(update, context, parsed)


async def _add(update: Update, context: BotContext, parsed: AddProduct) -> None:
    where = await here(update, context)
    try:
        product = await catalog.add_product(context.services.uow(), where.actor, parsed)
    except ProductArchived as archived:
        await end_flow(context, update)
        await respond(
            update,
            texts.offer_restore(archived.name),
            keyboards.restore(archived.product_id, archived.name),
            edit=False,
        )
        return
    await end_flow(context, update)
    await respond(update, texts.product_added(product), keyboards.card(product.id), edit=False)


async def edit(update: Update, context: BotContext) -> None:
    """`/edit croissant` asks field by field; `/edit croissant price 2 min 20` changes
    those fields at once, as /add would have set them."""
    typed = parse_edit_change(message_args(update))
    product_id = await _named_product(
        update, context, Command.EDIT, OwnerAction.EDIT_PRODUCTS, name=typed.name
    )
    if product_id is None:
        return
    if typed.change is None:
        await show_edit(update, context, product_id)
        return
    where = await here(update, context, product_id=product_id)
    uow = context.services.uow
    if typed.min_unit is not None:
        check_typed_unit(typed.min_unit, await catalog.get_product(uow(), where.actor, product_id))
    product = await catalog.edit_product(uow(), where.actor, product_id, typed.change)
    await respond(
        update, texts.product_saved(product), keyboards.edit_fields(product.id), edit=False
    )


async def _named_product(
    update: Update,
    context: BotContext,
    command: Command,
    owner_action: OwnerAction,
    *,
    name: str | None = None,
) -> int | None:
    """The product an owner's command names (`name`, else the command's words); None
    when "did you mean" buttons were offered instead."""
    where = await here(update, context)
    require_owner(where.member, owner_action)
    text = (name or message_args(update)).strip()
    if not text:
        raise ParseError(texts.WHICH_PRODUCT, USAGE[command])
    choice = CommandChoice(command=command, text=text)
    product = await resolve_or_suggest(update, context, where, text, choice)
    return product.id if product is not None else None


async def show_edit(update: Update, context: BotContext, product_id: int) -> None:
    where = await here(update, context, product_id=product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, product_id)
    await respond(update, texts.editing(product), keyboards.edit_fields(product.id), edit=False)


async def on_edit_field(update: Update, context: BotContext, action: cb.EditField) -> None:
    field = BY_WORD.get(action.field)
    if field is None:
        raise cb.CallbackDataError(f"no product field {action.field!r}")
    where = await here(update, context, product_id=action.product_id)
    require_owner(where.member, OwnerAction.EDIT_PRODUCTS)
    # The button's product id is not trusted: it must be one of this shop's products
    # before anything is asked about it.
    await catalog.get_product(context.services.uow(), where.actor, action.product_id)
    await start_flow(context, update, EditStep(product_id=action.product_id, field=action.field))
    await answer(update)
    markup = keyboards.units(UNITS) if field.name == "unit" else None
    await ask(update, texts.FIELD_PROMPT[field.name], markup)


def field_change(
    field: Editable, value: str, dates: ShopDates = ABSOLUTE_DAY_FIRST
) -> ProductFields:
    """The change a reply to /edit's question makes, read as the field's kind says."""
    usage = texts.FIELD_PROMPT[field.name]
    text = value.strip()
    if not text:
        raise ParseError(texts.SEND_A_VALUE, usage)
    typed: Any
    match field.kind:
        case Kind.TEXT:
            typed = text
        case Kind.QUANTITY:
            typed = parse_quantity(text, usage)
        case Kind.MONEY:
            typed = parse_money(text, usage)
        case Kind.DAYS:
            typed = parse_days(text, usage)
        case Kind.DATE:
            typed = parse_date(text, usage, dates=dates)
        case Kind.BARCODES:
            typed = (text,)
    return ProductFields(**{field.name: typed})


async def continue_edit(update: Update, context: BotContext, step: EditStep, reply: str) -> None:
    field = BY_WORD[step.field]
    where = await here(update, context, product_id=step.product_id)
    now = context.services.clock.now()
    # "none" empties a field that may be empty: no reorder date, the default lead time.
    clear = (field.name,) if field.clearable and means_no_value(reply) else ()
    dates = ShopDates.of(where.shop, now, i18n.current())
    change = ProductFields() if clear else field_change(field, reply, dates)
    product = await catalog.edit_product(
        context.services.uow(), where.actor, step.product_id, change, clear=clear
    )
    await end_flow(context, update)
    await respond(
        update, texts.product_saved(product), keyboards.edit_fields(product.id), edit=False
    )


async def delete(update: Update, context: BotContext) -> None:
    product_id = await _named_product(update, context, Command.DELETE, OwnerAction.DELETE_PRODUCTS)
    if product_id is not None:
        await ask_delete(update, context, product_id)


async def ask_delete(update: Update, context: BotContext, product_id: int) -> None:
    where = await here(update, context, product_id=product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, product_id)
    await respond(
        update, texts.ask_archive(product), keyboards.confirm_delete(product.id), edit=False
    )


async def on_confirm_delete(update: Update, context: BotContext, action: cb.ConfirmDelete) -> None:
    where = await here(update, context, product_id=action.product_id)
    product = await catalog.archive_product(context.services.uow(), where.actor, action.product_id)
    await answer(update, texts.ARCHIVED_TOAST)
    await respond(update, texts.archived(product))


async def on_restore(update: Update, context: BotContext, action: cb.RestoreProduct) -> None:
    where = await here(update, context, product_id=action.product_id)
    product = await catalog.restore_product(context.services.uow(), where.actor, action.product_id)
    await answer(update)
    await respond(update, texts.restored(product), keyboards.card(product.id))
