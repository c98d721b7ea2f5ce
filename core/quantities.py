"""Exact quantities and money. Floats never enter the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

QUANTITY_STEP = Decimal("0.001")
MONEY_STEP = Decimal("0.01")
MAX_QUANTITY = Decimal("1000000000")
ZERO = Decimal("0.000")


def _decimal(value: Decimal | int | str, problem: str) -> Decimal:
    # A float is refused even when exact (0.5): floats never enter the ledger, and 0.1
    # would otherwise fail with a puzzling "more than three decimal places".
    if isinstance(value, float):
        raise ValueError(f"{problem}: {value!r} is a float; pass a string or Decimal")
    try:
        return Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{problem}: {value!r}") from exc


def to_quantity(value: Decimal | int | str) -> Decimal:
    """A quantity with exactly three decimal places; raises ValueError on anything else."""
    number = _decimal(value, "not a number")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if abs(number) >= MAX_QUANTITY:
        raise ValueError(f"too large: {value!r}")
    exact = number.quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)
    if exact != number:
        raise ValueError(f"more than three decimal places: {value!r}")
    return exact


def to_money(value: Decimal | int | str) -> Decimal:
    """Money with two decimal places; raises ValueError on anything else or a negative."""
    number = _decimal(value, "not an amount")
    if not number.is_finite() or number < 0 or number >= MAX_QUANTITY:
        raise ValueError(f"not a valid amount: {value!r}")
    exact = number.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)
    if exact != number:
        raise ValueError(f"not a valid amount: {value!r}")
    return exact


def format_quantity(value: Decimal) -> str:
    """'20', '2.5', '0.125': no trailing zeros, no exponent."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
