"""Exact quantities and money. Floats never enter the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

QUANTITY_STEP = Decimal("0.001")
MONEY_STEP = Decimal("0.01")
MAX_QUANTITY = Decimal("1000000000")
ZERO = Decimal("0.000")


def to_quantity(value: Decimal | int | str) -> Decimal:
    """A quantity with exactly three decimal places; raises ValueError on anything else."""
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    exact = number.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)
    if exact != number:
        raise ValueError(f"more than three decimal places: {value!r}")
    if abs(exact) >= MAX_QUANTITY:
        raise ValueError(f"too large: {value!r}")
    return exact


def to_money(value: Decimal | int | str) -> Decimal:
    """Money with two decimal places; raises ValueError on anything else or a negative."""
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"not a valid amount: {value!r}")
    exact = number.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)
    if exact != number or exact >= MAX_QUANTITY:
        raise ValueError(f"not a valid amount: {value!r}")
    return exact


def format_quantity(value: Decimal) -> str:
    """'20', '2.5', '0.125': no trailing zeros, no exponent."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
