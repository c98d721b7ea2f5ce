"""Exact quantities and money. Floats never enter the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

QUANTITY_PLACES, MONEY_PLACES = 3, 2
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_PLACES)
MONEY_STEP = Decimal(1).scaleb(-MONEY_PLACES)
MAX_QUANTITY = Decimal("1000000000")
ZERO = Decimal("0.000")


MAX_QUANTITY_ALLOWED = MAX_QUANTITY - QUANTITY_STEP
MAX_MONEY_ALLOWED = MAX_QUANTITY - MONEY_STEP


class FigureRefused(ValueError):
    """Why a figure is not a quantity or an amount, for each interface to word: `why` is
    "not_a_number", "too_large" (`limit`: the largest allowed), "too_precise" (`places`:
    the decimal places allowed) or "negative"."""

    def __init__(
        self,
        value: object,
        why: str,
        *,
        limit: Decimal | None = None,
        places: int | None = None,
    ) -> None:
        super().__init__(f"{why}: {value!r}")
        self.value = value
        self.why = why
        self.limit = limit
        self.places = places


def _decimal(value: Decimal | int | str) -> Decimal:
    # A float is refused even when exact (0.5): floats never enter the ledger, and 0.1
    # would otherwise fail with a puzzling "more than three decimal places".
    if isinstance(value, float):
        raise FigureRefused(value, "not_a_number")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise FigureRefused(value, "not_a_number") from exc
    if not number.is_finite():
        raise FigureRefused(value, "not_a_number")
    return number


def _exact(value: object, number: Decimal, places: int, limit: Decimal) -> Decimal:
    if abs(number) > limit:
        raise FigureRefused(value, "too_large", limit=limit)
    exact = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact != number:
        raise FigureRefused(value, "too_precise", places=places)
    return exact


def to_quantity(value: Decimal | int | str) -> Decimal:
    """A quantity with exactly three decimal places; raises FigureRefused on anything else."""
    return _exact(value, _decimal(value), QUANTITY_PLACES, MAX_QUANTITY_ALLOWED)


def to_money(value: Decimal | int | str) -> Decimal:
    """Money with two decimal places; raises FigureRefused on anything else or a negative."""
    number = _decimal(value)
    if number < 0:
        raise FigureRefused(value, "negative")
    return _exact(value, number, MONEY_PLACES, MAX_MONEY_ALLOWED)


def format_quantity(value: Decimal) -> str:
    """'20', '2.5', '0.125': no trailing zeros, no exponent."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
