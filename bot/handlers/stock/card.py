"""The product card and its quick-adjust buttons: one tap, one movement, and the card
shown again with the new figures."""

from __future__ import annotations

from decimal import Decimal

from telegram import Message, Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import Here, answer, group_chat_id, request_key, respond
from bot.handlers.stock.replies import here_of, signed
from bot.miniapp_wiring import with_open_app
from core import inventory, ledger
from core.stock_requests import Draft, Recorded, StockRequest, record_stock


async def on_adjust(update: Update, context: BotContext, action: cb.Adjust) -> None:
    """One tap, one movement; the card is edited in place with the new figures."""
    adjusted = await adjust(update, context, action.product_id, action.delta, None)
    where, result = here_of(adjusted.place, update), adjusted.result
    product = result.product
    label = texts.signed_quantity(action.delta)
    await answer(update, texts.adjusted_toast(label, product))
    await show_card(
        update, context, where, product.id, result.movement.id if result.movement else None, label
    )


async def adjust(
    update: Update, context: BotContext, product_id: int, delta: Decimal, key: str | None
) -> Recorded:
    """A signed correction of a known product, in one transaction."""
    return await record_known(update, context, ledger.Adjustment(product_id, delta), key)


async def record_known(
    update: Update,
    context: BotContext,
    change: ledger.Adjustment | ledger.Count,
    key: str | None,
    unit: str | None = None,
) -> Recorded:
    """A complete change of a known product, in one transaction; `unit`, typed with the
    figure (`28 boxes`), must be the product's."""
    assert update.effective_user is not None
    services = context.services
    product_id = change.product_id
    request = StockRequest(
        update.effective_user.id,
        group_chat_id(update),
        lambda _shop: Draft(None, lambda _product: change, unit),
        product_id,
    )
    outcome = await record_stock(
        services.uow(), request, key=key or request_key(update), now=services.clock.now()
    )
    assert isinstance(outcome, Recorded)  # a known product and a complete change
    return outcome


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
        services.uow(), where.actor, product_id, now=services.clock.now(), in_group=where.in_group
    )
    pressed = update.callback_query.message if update.callback_query else None
    in_place = isinstance(pressed, Message) and keyboards.is_view(pressed.reply_markup)
    text = texts.product_card(card)
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
