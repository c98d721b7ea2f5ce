"""One value each: a quantity, an amount of money, a number of days (dates: `dates`)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot import texts
from bot.parsing.errors import ParseError, shorten
from bot.parsing.words import NUMBER
from core.quantities import FigureRefused, to_money, to_quantity

QUANTITY_USAGE = "a number such as 2, 2.5 or 2,5"
MONEY_USAGE = "an amount such as 2.50, 2,50 or €2.50"
CURRENCY_SYMBOLS = "€$£¥₽₴₹₺₩"
MONEY = re.compile(
    rf"(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}})?\s*(?P<amount>[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+))"
    rf"\s*(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}})?"
)


def parse_quantity(text: str, usage: str = QUANTITY_USAGE) -> Decimal:
    """A quantity such as `2`, `2.5` or `2,5` (at most three decimal places)."""
    cleaned = text.strip()
    if NUMBER.fullmatch(cleaned) is None:
        raise ParseError(f"“{shorten(cleaned)}” is not a quantity; use {QUANTITY_USAGE}.", usage)
    try:
        return to_quantity(cleaned.replace(",", "."))
    except FigureRefused as refused:
        raise ParseError(texts.figure_refused(shorten(cleaned), refused), usage) from refused


def parse_money(text: str, usage: str = MONEY_USAGE) -> Decimal:
    """An amount such as `2.50`, `2,50`, `€2.50`, `2.50€`, `$3` or `3 EUR`."""
    cleaned = text.strip()
    match = MONEY.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"“{shorten(cleaned)}” is not an amount; use {MONEY_USAGE}.", usage)
    try:
        return to_money(match["amount"].replace(",", "."))
    except FigureRefused as refused:
        raise ParseError(texts.figure_refused(shorten(cleaned), refused), usage) from refused


def parse_days(text: str, usage: str) -> int:
    """A whole number of days; the window the rules allow is core's to check."""
    cleaned = text.strip()
    if not re.fullmatch(r"\d{1,4}", cleaned):
        raise ParseError(f"“{shorten(cleaned)}” is not a number of days, e.g. 7.", usage)
    return int(cleaned)
