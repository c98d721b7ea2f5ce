"""The API's names for core's values stay in step with core: a reason core records but
the response models do not know would fail every history that holds it."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pytest
from pydantic import ValidationError

from core.model import REMOVAL_REASONS, Reason
from webapp import schemas


def test_every_reason_core_records_is_one_the_api_can_answer() -> None:
    assert set(get_args(schemas.ReasonName)) == {r.value for r in Reason}


def test_a_removal_takes_exactly_cores_removal_reasons() -> None:
    field = schemas.MovementCreate.model_fields["reason"]
    (allowed, _none) = get_args(field.annotation)
    assert set(get_args(allowed)) == {r.value for r in REMOVAL_REASONS}


def test_the_fields_a_product_update_may_clear_are_cores() -> None:
    from core.catalog import CLEARABLE

    assert set(get_args(schemas.Clearable)) == CLEARABLE


@pytest.mark.parametrize(
    ("typed", "quantity"), [("2,5", "2.5"), ("0,125", "0.125"), (" 2.5 ", "2.5"), ("-1,5", "-1.5")]
)
def test_a_quantity_may_have_a_decimal_comma(typed: str, quantity: str) -> None:
    """A phone in Russian or German types `2,5` in a decimal field: the Mini App refused it
    with "a quantity is a number such as 2.5" while the chat took it."""
    entry = {"product_id": 1, "kind": "restock", "quantity": typed, "cost": "1,20"}
    created = schemas.MovementCreate.model_validate(entry)
    assert (created.quantity, created.cost) == (Decimal(quantity), Decimal("1.20"))


@pytest.mark.parametrize("typed", ["1,000", "2,5,1", "2.5,1", "2,"])
def test_a_comma_that_is_not_a_decimal_comma_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="a quantity is a number"):
        schemas.MovementCreate.model_validate({"product_id": 1, "kind": "count", "quantity": typed})
