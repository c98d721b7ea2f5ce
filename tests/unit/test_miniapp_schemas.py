"""The API's names for core's values stay in step with core: a reason core records but
the response models do not know would fail every history that holds it."""

from __future__ import annotations

from typing import get_args

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
