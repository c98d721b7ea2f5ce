"""Stock movements: /restock, /sell, /remove, /count, /undo, batches of lines, the card's
quick-adjust buttons, and the guided steps that ask for what a command left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks as cb
from bot import i18n, keyboards, texts
from bot.context import BotContext
from bot.handlers.base import (
    Here,
    answer,
    ask,
    end_flow,
    group_chat_id,
    here,
    last_refusal,
    recall,
    remember,
    replace_buttons,
    request_key,
    respond,
    start_flow,
    suggest,
    user_name,
)
from bot.miniapp_wiring import with_open_app
from bot.parsing import (
    STOCK_VERBS,
    Command,
    CountProduct,
    ParseError,
    RemoveProduct,
    RestockProduct,
    SellProduct,
    ShopDates,
    StockCommand,
    as_lines,
    is_batch,
    parse_command,
    parse_lines,
    parse_quantity,
    split_command,
)
from bot.parsing.grammar import REMOVE_REASONS
from bot.steps import AmountStep, CommandChoice, ReasonStep, Step, StockStep
from core import catalog, inventory, ledger
from core.errors import DomainError, ProductNotFound
from core.ledger import MovementResult
from core.model import Product, Reason, Shop
from core.stock_requests import (
    Draft,
    Incomplete,
    Place,
    Recorded,
    StockRequest,
    Suggested,
    record_stock,
)
from core.visibility import sees_costs

PROMPT_COMMAND = {
    cb.PromptKind.SELL: Command.SELL,
    cb.PromptKind.RESTOCK: Command.RESTOCK,
    cb.PromptKind.REMOVE: Command.REMOVE,
    cb.PromptKind.COUNT: Command.COUNT,
}


def message_args(update: Update) -> str:
    """The text after `/command`, newlines kept (context.args would lose them)."""
    message = update.effective_message
    split = split_command(message.text or "") if message is not None else None
    return split[1] if split else ""


def _parse_stock(command: Command, text: str, dates: ShopDates) -> StockCommand:
    parsed = parse_command(command, text, dates=dates)
    assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
    return parsed


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
        await _batch(update, context, where, command, lines)
        return
    reading = _reading(command, text, context.services.clock.now())
    await proceed(update, context, command, reading, None, text)


STOCK_COMMANDS = frozenset(STOCK_VERBS.values())


def restated_command(text: str) -> tuple[Command, str] | None:
    """A stock command typed without its slash, e.g. `sell milk 2` → (SELL, "milk 2"),
    `продал круассан 3` → (SELL, "круассан 3")."""
    words = text.strip().split(maxsplit=1)
    command = STOCK_VERBS.get(words[0].casefold()) if words else None
    if command is None:
        return None
    return command, words[1] if len(words) > 1 else ""


ANY_DAY = date(2000, 1, 1)


def names_a_product(command: Command, text: str) -> bool:
    """Whether words come before the quantity, as in `milk 5`. The name does not depend on
    the shop's date order or day, so both orders are tried on any day: a date that reads in
    only one of them must not hide the name. Unreadable text names nothing; its answer
    reports why."""
    for day_first in (True, False):
        try:
            parsed = parse_command(command, text, dates=ShopDates(ANY_DAY, day_first))
        except ParseError:
            continue
        assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
        return parsed.name is not None
    return False


def _reading(command: Command, text: str, now: datetime) -> Callable[[Shop], StockCommand]:
    """Reads the command's text once its shop (and so its day and date order) is known,
    with the date words of the language its sender writes in."""
    language = i18n.current()
    return lambda shop: _parse_stock(command, text, ShopDates.of(shop, now, language))


def here_of(place: Place, update: Update) -> Here:
    """A stock command resolved in one transaction acts where it was sent: a group's
    command in the group's own shop (so the chat shows it), a private one in private."""
    return Here.of(update, place.actor, place.shop, place.member)


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
    product = outcome.product
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


# What a restock records beside the product and quantity (expiry, cost, price…): the
# fields of core's Restock, which the typed RestockProduct has too, by the same names.
RESTOCK_DETAILS = tuple(
    f.name for f in fields(ledger.Restock) if f.name not in ("product_id", "quantity")
)


def stock_change(parsed: StockCommand, product_id: int) -> ledger.StockChange | None:
    """The ledger's change for the product, or None while a piece is missing."""
    if parsed.quantity is None:
        return None
    if isinstance(parsed, RestockProduct):
        details = {name: getattr(parsed, name) for name in RESTOCK_DETAILS}
        return ledger.Restock(product_id, parsed.quantity, **details)
    if isinstance(parsed, SellProduct):
        return ledger.Removal(product_id, parsed.quantity, Reason.SALE)
    if isinstance(parsed, RemoveProduct):
        if parsed.reason is None:
            return None
        return ledger.Removal(product_id, parsed.quantity, parsed.reason, parsed.note)
    return ledger.Count(product_id, parsed.quantity)


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
    await ask(update, texts.quantity_prompt(prompt, product, prices=_asks_prices(where)))


def _asks_prices(where: Here) -> bool:
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


async def _batch(
    update: Update, context: BotContext, where: Here, command: Command, text: str
) -> None:
    """One movement per line, each line one request (core.stock_requests); a bad line is
    reported and the good ones still apply. A line missing a piece (a removal's reason)
    is refused with what it needs: a batch cannot ask, where a single command would."""
    services = context.services
    assert update.effective_user is not None
    lines: list[str] = []
    movements: list[tuple[int, str]] = []
    applied = 0
    for index, item in enumerate(
        parse_lines(
            command, text, dates=ShopDates.of(where.shop, services.clock.now(), i18n.current())
        )
    ):
        if isinstance(item, ParseError):
            lines.append(texts.batch_line_unreadable(item.line, item.message))
            continue
        assert item.name is not None
        request = StockRequest(
            update.effective_user.id, group_chat_id(update), _line(item), choices_offered=False
        )
        try:
            outcome = await record_stock(
                services.uow(), request, key=request_key(update, index), now=services.clock.now()
            )
        except DomainError as refused:
            lines.append(texts.batch_line_refused(item.name, texts.why(refused)))
            continue
        if isinstance(outcome, Suggested):
            lines.append(texts.batch_line_refused(item.name, texts.why(outcome.missing)))
        elif isinstance(outcome, Incomplete):
            lines.append(texts.batch_line_refused(item.name, texts.line_needs_reason()))
        else:
            applied += 1
            result = outcome.result
            if (movement_id := undoable(result)) is not None and result.movement is not None:
                change = texts.signed_quantity(result.movement.quantity)
                label = texts.undo_change_button(result.product.name, change)
                movements.append((movement_id, label))
            counted = isinstance(item, CountProduct)
            lines.append(texts.movement_done(result, where.shop, counted=counted))
    header = texts.batch_report_header(applied, len(lines))
    report = signed(update, where, "\n".join([header, *lines]))
    await respond(update, report, keyboards.undo_many(movements), edit=False)


def _line(item: StockCommand) -> Callable[[Shop], Draft]:
    """A batch line as a request's reading: its shop is already known to the batch."""
    draft = Draft(item.name, lambda product: stock_change(item, product.id), unit=item.unit)
    return lambda _shop: draft


# --- guided steps -----------------------------------------------------------------------


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
    adjusted = await _adjust(update, context, step.product_id, delta, step.key)
    await end_flow(context, update)
    await confirm(update, here_of(adjusted.place, update), adjusted.result)


async def continue_stock(update: Update, context: BotContext, step: StockStep, reply: str) -> None:
    """The user answered a step of a stock command."""
    product_id, command = step.product_id, step.command
    restated = restated_command(reply)
    if restated is not None:  # `sell 2` to "How many were sold?" (see restates_a_command)
        reply = restated[1]
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
            if _has_quantity(command, reply):
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
        _reading(command, text, context.services.clock.now()),
        product_id,
        text,
        step.key,
        in_step=True,
    )


def _has_quantity(command: Command, text: str) -> bool:
    try:
        parsed = parse_command(command, text)
    except ParseError:
        return False
    assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
    return parsed.quantity is not None


async def _not_a_quantity(
    update: Update, context: BotContext, step: StockStep, product_id: int, reply: str
) -> None:
    where = await here(update, context, product_id=product_id)
    product = await catalog.get_product(context.services.uow(), where.actor, product_id)
    try:
        parse_quantity(reply)
    except ParseError as error:  # it is not one: say so, and ask again
        asked = texts.quantity_prompt(step.command.value, product, prices=_asks_prices(where))
        raise ParseError(error.message, asked) from None


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
        _reading(command, pending.text, context.services.clock.now()),
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


# --- quick adjust and undo --------------------------------------------------------------


async def on_adjust(update: Update, context: BotContext, action: cb.Adjust) -> None:
    """One tap, one movement; the card is edited in place with the new figures."""
    adjusted = await _adjust(update, context, action.product_id, action.delta, None)
    where, result = here_of(adjusted.place, update), adjusted.result
    product = result.product
    label = texts.signed_quantity(action.delta)
    await answer(update, texts.adjusted_toast(label, product))
    await show_card(
        update, context, where, product.id, result.movement.id if result.movement else None, label
    )


async def _adjust(
    update: Update, context: BotContext, product_id: int, delta: Decimal, key: str | None
) -> Recorded:
    """A signed correction of a known product, in one transaction."""
    return await record_known(update, context, ledger.Adjustment(product_id, delta), key)


async def record_known(
    update: Update,
    context: BotContext,
    change: ledger.Adjustment | ledger.Count,
    key: str | None,
) -> Recorded:
    """A complete change of a known product, in one transaction."""
    assert update.effective_user is not None
    services = context.services
    product_id = change.product_id
    request = StockRequest(
        update.effective_user.id,
        group_chat_id(update),
        lambda _shop: Draft(None, lambda _product: change),
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
