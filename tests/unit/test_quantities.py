from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.quantities import FigureRefused, format_quantity, to_money, to_quantity


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2", "2.000"), ("2.5", "2.500"), ("0.125", "0.125"), (3, "3.000"), ("-1.5", "-1.500")],
)
def test_quantities_are_exact_decimals_with_three_places(given: str, expected: str) -> None:
    result = to_quantity(given)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    "garbage",
    ["0.0001", "1.2345", "abc", "", "1,5", "NaN", "Infinity", "-inf", "sNaN", "1e9", "1e30"],
)
def test_quantities_refuse_garbage_too_many_places_and_non_finite(garbage: str) -> None:
    with pytest.raises(ValueError):
        to_quantity(garbage)


@pytest.mark.parametrize("number", [0.1, 0.5, 2.0, float("nan")])
def test_quantities_refuse_floats_even_exact_ones(number: float) -> None:
    with pytest.raises(ValueError):
        to_quantity(number)  # type: ignore[arg-type]


def test_money_has_two_places() -> None:
    assert str(to_money("1.5")) == "1.50"
    assert str(to_money(3)) == "3.00"


@pytest.mark.parametrize(
    "garbage", ["1.005", "-1", "abc", "NaN", "Infinity", "1e9", "1e40", 0.1, 0.5]
)
def test_money_refuses_garbage_negative_too_many_places_floats(garbage: object) -> None:
    with pytest.raises(ValueError):
        to_money(garbage)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "why", "limit", "places"),
    [
        ("9999999999", "too_large", Decimal("999999999.99"), None),
        ("1e40", "too_large", Decimal("999999999.99"), None),
        ("1.005", "too_precise", None, 2),
        ("-1", "negative", None, None),
        ("abc", "not_a_number", None, None),
        ("NaN", "not_a_number", None, None),
    ],
)
def test_money_refused_says_why(
    value: str, why: str, limit: Decimal | None, places: int | None
) -> None:
    with pytest.raises(FigureRefused) as refused:
        to_money(value)
    assert (refused.value.why, refused.value.limit, refused.value.places) == (why, limit, places)


def test_a_quantity_too_large_names_the_largest_allowed() -> None:
    with pytest.raises(FigureRefused) as refused:
        to_quantity("1000000000")
    assert (refused.value.why, refused.value.limit) == ("too_large", Decimal("999999999.999"))
    assert to_quantity("999999999.999") == Decimal("999999999.999")


@pytest.mark.parametrize(
    ("value", "text"),
    [("20.000", "20"), ("2.500", "2.5"), ("0.125", "0.125"), ("0.000", "0"), ("-0.000", "0")],
)
def test_quantities_are_shown_without_trailing_zeros(value: str, text: str) -> None:
    assert format_quantity(Decimal(value)) == text


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_to_quantity_either_returns_an_exact_three_place_value_or_raises_value_error(
    value: Decimal,
) -> None:
    try:
        result = to_quantity(str(value))
    except ValueError:
        fits = value.is_finite() and abs(value) < Decimal("1e9")
        assert not fits or value != value.quantize(Decimal("0.001"))
    else:
        assert result == value and result.as_tuple().exponent == -3


@given(st.integers(-999_999_999_999, 999_999_999_999), st.integers(0, 3))
def test_any_number_with_up_to_three_places_is_kept_exactly(units: int, places: int) -> None:
    value = Decimal(units).scaleb(-places)
    if abs(value) < Decimal("1e9"):
        assert to_quantity(str(value)) == value
