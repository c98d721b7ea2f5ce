"""A stock command's text read as a typed command, and the ledger change it asks for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime

from telegram import Update

from bot import i18n
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
    parse_command,
    split_command,
)
from core import ledger
from core.model import Reason, Shop

STOCK_COMMANDS = frozenset(STOCK_VERBS.values())


def message_args(update: Update) -> str:
    """The text after `/command`, newlines kept (context.args would lose them)."""
    message = update.effective_message
    split = split_command(message.text or "") if message is not None else None
    return split[1] if split else ""


def _parse_stock(command: Command, text: str, dates: ShopDates) -> StockCommand:
    parsed = parse_command(command, text, dates=dates)
    assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
    return parsed


def restated_command(text: str) -> tuple[Command, str] | None:
    """A stock command typed without its slash, e.g. `sell milk 2` → (SELL, "milk 2"),
    `продал круассан 3` → (SELL, "круассан 3")."""
    words = text.strip().split(maxsplit=1)
    # `Приход: молоко 20`, `Sold - milk 2`: a note's heading, punctuation and all.
    command = STOCK_VERBS.get(words[0].casefold().rstrip(":,.-—–")) if words else None
    if command is None:
        # `2 milk sold`, `молоко 3 продали`: the verb last, as said after the fact.
        *before, last = text.strip().rsplit(maxsplit=1) or [""]
        command = STOCK_VERBS.get(last.casefold().rstrip("!.")) if before else None
        return (command, before[0]) if command is not None else None
    rest = words[1] if len(words) > 1 else ""
    return command, rest.removeprefix("- ").removeprefix("— ").removeprefix("– ")


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


def has_quantity(command: Command, text: str) -> bool:
    try:
        parsed = parse_command(command, text)
    except ParseError:
        return False
    assert isinstance(parsed, RestockProduct | SellProduct | RemoveProduct | CountProduct)
    return parsed.quantity is not None


def reading(command: Command, text: str, now: datetime) -> Callable[[Shop], StockCommand]:
    """Reads the command's text once its shop (and so its day and date order) is known,
    with the date words of the language its sender writes in."""
    language = i18n.current()
    return lambda shop: _parse_stock(command, text, ShopDates.of(shop, now, language))


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
