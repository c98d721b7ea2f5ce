"""One value each: a quantity, an amount of money, a date, a number of days."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bot.parsing.errors import ParseError, shorten
from bot.parsing.words import NUMBER
from core.quantities import to_money, to_quantity

QUANTITY_USAGE = "a number such as 2, 2.5 or 2,5"
MONEY_USAGE = "an amount such as 2.50, 2,50 or €2.50"
DATE_USAGE = "a date such as 2026-06-01, 01.06.2026 or 1/6/2026"
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
    except ValueError as exc:
        raise ParseError(f"“{shorten(cleaned)}” is not a valid quantity: {exc}.", usage) from exc


def parse_money(text: str, usage: str = MONEY_USAGE) -> Decimal:
    """An amount such as `2.50`, `2,50`, `€2.50`, `2.50€`, `$3` or `3 EUR`."""
    cleaned = text.strip()
    match = MONEY.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"“{shorten(cleaned)}” is not an amount; use {MONEY_USAGE}.", usage)
    amount = match["amount"].replace(",", ".")
    if amount.startswith("-"):
        raise ParseError("An amount cannot be negative.", usage)
    try:
        return to_money(amount)
    except ValueError as exc:
        raise ParseError(
            f"“{shorten(cleaned)}” is not a valid amount (at most two decimal places).", usage
        ) from exc


DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")


def parse_date(text: str, usage: str = DATE_USAGE, *, day_first: bool = True) -> date:
    """A date as `2026-06-01`, `01.06.2026`, `1/6/2026` or `1.6.26` (years 00-99 → 20xx).

    Day first unless `day_first` is False; an ISO date (year first) is always y-m-d.
    """
    cleaned = text.strip()
    match = DATE.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"“{shorten(cleaned)}” is not a date; use {DATE_USAGE}.", usage)
    first, _, middle, last = match.groups()
    if len(first) == 4:
        year, month, day = int(first), int(middle), int(last)
    elif len(last) in (2, 4) and len(first) <= 2:
        year = int(last) + (2000 if len(last) == 2 else 0)
        day, month = (int(first), int(middle)) if day_first else (int(middle), int(first))
    else:
        raise ParseError(f"“{cleaned}” is not a date; use {DATE_USAGE}.", usage)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(f"There is no date “{cleaned}”.", usage) from exc


def parse_days(text: str, usage: str, *, maximum: int) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"\d{1,4}", cleaned) or int(cleaned) > maximum:
        raise ParseError(
            f"“{shorten(cleaned)}” is not a number of days from 0 to {maximum}.", usage
        )
    return int(cleaned)
