"""One value each: a quantity, an amount of money, a number of days (dates: `dates`)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot import texts
from bot.i18n import N_, _
from bot.parsing.errors import ParseError, shorten
from bot.parsing.words import NUMBER, ascii_digits
from core.quantities import FigureRefused, format_quantity, to_money, to_quantity

QUANTITY_USAGE = N_("a number such as 2, 2.5 or 2,5")
MONEY_USAGE = N_("an amount such as 2.50, 2,50 or €2.50")
CURRENCY_SYMBOLS = "€$£¥₽₴₹₺₩₸"
# Money as Russian-speaking shops write it after the amount: `40 руб`, `40р.`, `15 грн`.
CURRENCY_WORDS = r"руб(?:\.|ль|ля|лей)?|р\.?|грн\.?|тг|тенге|евро"
MONEY = re.compile(
    rf"(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}})?\s*(?P<amount>{NUMBER.pattern})"
    rf"\s*(?:[{CURRENCY_SYMBOLS}]|[A-Za-z]{{3}}|{CURRENCY_WORDS})?",
    re.IGNORECASE,
)


# Half a kilo, a quarter metre: `1/2`, `1 1/2`, `½`, `1½`, as a quantity is written on
# a till roll or by hand.
VULGAR_FRACTIONS = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3"}
FRACTION = re.compile(r"(?:(?P<whole>\d+)(?:\s+|(?=[½¼¾⅓⅔])))?(?P<part>\d+/\d+|[½¼¾⅓⅔])")


def is_fraction(text: str) -> bool:
    return FRACTION.fullmatch(ascii_digits(text.strip())) is not None


LEADING_FRACTION = re.compile(rf"\s*(?P<fraction>{FRACTION.pattern})(?=\s|$)")


def fraction_as_decimal(text: str) -> str:
    """An answer's leading fraction written as the decimal it is (`1 1/2 m` → `1.5 m`), for
    a reader of decimals; anything else as it came."""
    match = LEADING_FRACTION.match(ascii_digits(text))
    if match is None:
        return text
    try:
        value = parse_quantity(match["fraction"])
    except ParseError:
        return text
    return f"{format_quantity(value)}{text[match.end() :]}"


def parse_quantity(text: str, usage: str = QUANTITY_USAGE) -> Decimal:
    """A quantity such as `2`, `2.5`, `2,5` or `1/2` (at most three decimal places)."""
    cleaned = ascii_digits(text.strip())
    value: Decimal | str | None = None
    if (fraction := FRACTION.fullmatch(cleaned)) is not None:
        value = _fraction_value(fraction)
    elif NUMBER.fullmatch(cleaned) is not None:
        value = _plain_number(cleaned, usage)
    if value is None:
        message = _("“{typed}” is not a quantity; use {usage}.")
        raise ParseError(message.format(typed=shorten(cleaned), usage=_(QUANTITY_USAGE)), usage)
    try:
        return to_quantity(value)
    except FigureRefused as refused:
        raise ParseError(texts.figure_refused(shorten(cleaned), refused), usage) from refused


def _fraction_value(fraction: re.Match[str]) -> Decimal | None:
    """The number a FRACTION match stands for; None for a denominator of 0."""
    numerator, denominator = VULGAR_FRACTIONS.get(fraction["part"], fraction["part"]).split("/")
    if int(denominator) == 0:
        return None
    return Decimal(fraction["whole"] or 0) + Decimal(numerator) / Decimal(denominator)


def parse_money(text: str, usage: str = MONEY_USAGE) -> Decimal:
    """An amount such as `2.50`, `2,50`, `€2.50`, `2.50€`, `$3` or `3 EUR`."""
    cleaned = ascii_digits(text.strip())
    match = MONEY.fullmatch(cleaned)
    if match is None:
        message = _("“{typed}” is not an amount; use {usage}.")
        raise ParseError(message.format(typed=shorten(cleaned), usage=_(MONEY_USAGE)), usage)
    amount = _plain_number(match["amount"], usage)
    try:
        return to_money(amount)
    except FigureRefused as refused:
        raise ParseError(texts.figure_refused(shorten(cleaned), refused), usage) from refused


# `1,000`: one thousand, or 1 with a decimal comma? A comma followed by exactly three
# digits, and no other separator, reads both ways; the person is asked.
COMMA_OR_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")
THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


class NumberReadsBothWays(ParseError):
    """`1,000`: the message asks which of the two numbers is meant."""


def _plain_number(number: str, usage: str) -> str:
    """A number as typed (NUMBER) in the form Decimal reads: thousands commas dropped, a
    decimal comma as a point; the one reading-both-ways form is refused with both."""
    if COMMA_OR_THOUSANDS.fullmatch(number):
        thousands, decimal = number.replace(",", ""), number.replace(",", ".")
        raise NumberReadsBothWays(
            texts.comma_or_thousands(number, thousands, format_quantity(Decimal(decimal))),
            usage,
        )
    if THOUSANDS.fullmatch(number):
        return number.replace(",", "")
    return number.replace(",", ".")


# What an owner sends to empty a field that may be empty (a product's reorder date).
NO_VALUE_WORDS = frozenset({"none", "no", "off", "clear", "-", "—", "нет", "убрать"})


def means_no_value(text: str) -> bool:
    return text.strip().casefold() in NO_VALUE_WORDS


# `5 days`, `5d`, `5 дней`, `5 дн.`: the unit a number of days is in, which may be typed.
DAYS_WORD = re.compile(r"\s*(?:days?|d|день|дня|дней|дн\.?)\s*$", re.IGNORECASE)


def parse_days(text: str, usage: str) -> int:
    """A whole number of days (`7`, `7 days`, `7 дней`); the window the rules allow is
    core's to check."""
    cleaned = ascii_digits(DAYS_WORD.sub("", text.strip()) or text.strip())
    if not re.fullmatch(r"\d{1,4}", cleaned):
        message = _("“{typed}” is not a number of days, e.g. 7.")
        raise ParseError(message.format(typed=shorten(cleaned)), usage)
    return int(cleaned)
