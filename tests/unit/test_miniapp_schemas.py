"""The API's names for core's values stay in step with core: a reason core records but
the response models do not know would fail every history that holds it."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pytest
from pydantic import ValidationError

from core.model import REMOVAL_REASONS, Reason
from core.product_fields import EDITABLE, OWNER_ONLY
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


def test_a_field_of_the_table_is_in_the_api_without_a_line_of_its_own() -> None:
    """The Mini App's product models take their fields from core.product_fields: a model
    so marked gains every field of the table it does not declare, after its own."""

    @schemas.product_fields(schemas.taken)
    class Probe(schemas.Model):
        name: str = "as declared"

    table = [f.name for f in EDITABLE]
    assert list(Probe.model_fields) == ["name", *(n for n in table if n != "name")]
    assert Probe.model_fields["name"].annotation is str
    assert Probe().model_dump()["category"] is None  # left out: left as it is


def test_a_products_requests_and_answers_carry_every_field_of_the_table() -> None:
    table = {f.name for f in EDITABLE}
    for model in (schemas.ProductCreate, schemas.ProductUpdate, schemas.ProductOut):
        assert table <= set(model.model_fields), model.__name__
    assert schemas.ProductCreate.model_fields["name"].is_required()
    change = schemas.ProductUpdate.model_validate({"threshold": "2,5", "price": "1,20"})
    assert (change.model_dump()["threshold"], change.model_dump()["price"]) == (
        Decimal("2.5"),
        Decimal("1.20"),
    )
    for name in OWNER_ONLY:  # what staff get in its place is said in the document
        about = schemas.ProductOut.model_fields[name].description or ""
        assert about.startswith("owners only"), name


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
