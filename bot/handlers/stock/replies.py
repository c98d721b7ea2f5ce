"""What a stock change answers: its confirmation (whose it is in a group, with its Undo),
and the questions that ask for a product or a quantity."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.base import Here, ask, remember, respond, start_flow, user_name
from bot.parsing import Command
from bot.steps import AmountStep, CommandChoice, Step, StockStep
from core import catalog
from core.ledger import MovementResult
from core.model import Product
from core.stock_requests import Place
from core.visibility import sees_costs


def here_of(place: Place, update: Update) -> Here:
    """A stock command resolved in one transaction acts where it was sent: a group's
    command in the group's own shop (so the chat shows it), a private one in private."""
    return Here.of(update, place.actor, place.shop, place.member)


PRODUCT_BUTTONS = 12


async def product_buttons(
    update: Update,
    context: BotContext,
    where: Here,
    command: Command | None,
    key: str | None = None,
) -> InlineKeyboardMarkup | None:
    """A small catalog is offered as buttons that complete `command` (None: open the
    card); a large one is typed."""
    products = await catalog.list_products(context.services.uow(), where.actor)
    if not 0 < len(products) <= PRODUCT_BUTTONS:
        return None
    token = await remember(
        context, update, CommandChoice(command=command or Command.STOCK), key=key
    )
    return keyboards.suggestions(token, [(p.id, p.name) for p in products])


async def ask_quantity(
    update: Update,
    context: BotContext,
    where: Here,
    command: Command | None,
    product: Product,
    *,
    key: str | None = None,
) -> None:
    """How many of the product, for `command`; None: the card's signed custom amount."""
    step: Step
    if command is None:
        step, prompt = AmountStep(product_id=product.id), cb.PromptKind.AMOUNT.value
    else:
        step, prompt = StockStep(command=command, product_id=product.id), command.value
    await start_flow(context, update, step, key=key)
    await ask(update, texts.quantity_prompt(prompt, product, prices=asks_prices(where)))


def asks_prices(where: Here) -> bool:
    """Whether a restock's question may offer cost and price: not to staff, who never see
    what the shop pays, nor in a group, where staff read along (core.visibility)."""
    return sees_costs(where.member, in_group=where.in_group)


async def confirm(
    update: Update, where: Here, result: MovementResult, *, counted: bool = False
) -> None:
    """`counted`: the movement is a stocktake's (else a correction by an amount)."""
    done = texts.movement_done(result, where.shop, counted=counted)
    await respond(
        update,
        signed(update, where, done),
        keyboards.movement(undoable(result), result.product.id),
        edit=False,
    )


def undoable(result: MovementResult) -> int | None:
    """The movement an Undo button may offer: none for a count that matched the books,
    which changed nothing."""
    movement = result.movement
    return movement.id if movement is not None and movement.quantity != 0 else None


def signed(update: Update, where: Here, text: str) -> str:
    """In a group several people record stock: a confirmation says whose it is."""
    return texts.done_by(user_name(update), text) if where.in_group else text
