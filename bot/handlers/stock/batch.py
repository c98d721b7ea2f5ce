"""A stock command of several lines (or a list on one line): one movement a line, each
its own request, reported together with an Undo for each change."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot import i18n, keyboards, texts
from bot.context import BotContext
from bot.handlers.base import Here, group_chat_id, request_key, respond
from bot.handlers.stock.reading import stock_change
from bot.handlers.stock.replies import signed, undoable
from bot.parsing import Command, CountProduct, ParseError, ShopDates, StockCommand, parse_lines
from core.errors import DomainError
from core.model import Shop
from core.stock_requests import Draft, Incomplete, StockRequest, Suggested, record_stock


async def run_batch(
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
