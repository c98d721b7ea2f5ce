"""Guided steps are written and read in one place: every step reads back as itself, and
anything else stored is a lost step, never a step of another kind or no step at all."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from bot import steps
from bot.callbacks import SettingsField
from bot.parsing import Command
from bot.steps import (
    AddStep,
    AmountStep,
    AttachStep,
    CardStep,
    Choice,
    CodeChoice,
    CommandChoice,
    EditStep,
    ImportChoice,
    ReasonStep,
    SettingStep,
    ShopNameStep,
    Step,
    StepKind,
    StepLost,
    StockStep,
    StocktakeStep,
)

EVERY_STEP: list[Step] = [
    StockStep(command=Command.SELL, key="m1:2"),
    StockStep(command=Command.COUNT, product_id=7, key="m1:3"),
    AmountStep(product_id=7, key="c42"),
    ReasonStep(product_id=7, quantity=Decimal("2.5"), note="dropped", key="m1:4"),
    AddStep(key="m1:5"),
    AddStep(barcode="4006381333931", key="c43"),
    AttachStep(barcode="4006381333931", key="c44"),
    EditStep(product_id=7, field="min", key="c45"),
    SettingStep(field=SettingsField.TIMEZONE, shop_id=3, key="c46"),
    CardStep(key="m1:6"),
    ShopNameStep(key="m1:7"),
    StocktakeStep(category="pastries", product_ids=(7, 9, 12), total=4, counted=1, key="m1:8"),
]


@pytest.mark.parametrize("step", EVERY_STEP, ids=lambda s: type(s).__name__)
def test_every_step_reads_back_as_itself_through_json(step: Step) -> None:
    stored = json.loads(json.dumps(steps.dump(step)))
    assert steps.load(stored) == step


EVERY_CHOICE: list[Choice] = [
    CommandChoice(command=Command.SELL, text="mlik 2", key="m1:2", user=1001),
    CommandChoice(command=Command.STOCK, key="m1:3", user=1001),
    CodeChoice(code="4006381333931", format="EAN-13", key="m1:4", user=1001),
    ImportChoice(file_id="f-1", name="stock.csv", digest="ab12", key="m1:5", user=1001),
]


@pytest.mark.parametrize("choice", EVERY_CHOICE, ids=lambda c: type(c).__name__)
def test_every_choice_reads_back_as_itself_and_never_as_a_step(choice: Choice) -> None:
    stored = json.loads(json.dumps(steps.dump(choice)))
    assert steps.load_choice(stored) == choice
    with pytest.raises(StepLost):
        steps.load(stored)


def test_a_choice_stored_by_the_dict_version_is_lost() -> None:
    with pytest.raises(StepLost):
        steps.load_choice({"command": "sell", "text": "milk 1", "key": "k", "user": 1})


def test_every_kind_has_a_step_type() -> None:
    assert set(steps.STEP_TYPES) == set(StepKind)
    assert {type(step).kind for step in EVERY_STEP} == set(StepKind)


@pytest.mark.parametrize(
    "stored",
    [
        {"kind": "stokc", "command": "sell", "key": "m1:2"},  # a misspelled kind
        {"command": "sell", "key": "m1:2"},  # no kind
        {"kind": "stock", "key": "m1:2"},  # a field missing
        {"kind": "stock", "command": "amt", "product_id": 7, "key": "m"},  # an older version's
        {"kind": "amount", "product_id": "7", "key": "m"},  # a number as text
        {"kind": "amount", "product_id": True, "key": "m"},
        {"kind": "reason", "product_id": 7, "quantity": "two", "key": "m"},
        {"kind": "reason", "product_id": 7, "quantity": "NaN", "key": "m"},
        {"kind": "reason", "product_id": 7, "quantity": 2, "key": "m"},
        {"kind": "edit", "product_id": 7, "field": "colour", "key": "m"},
        {"kind": "setting", "field": "tz", "shop_id": "3", "key": "m"},
        {"kind": "stocktake", "category": "c", "product_ids": [7, "9"], "total": 2, "key": "m"},
        {"kind": "stocktake", "category": "c", "product_ids": 7, "total": 1, "key": "m"},
        {"kind": "stocktake", "category": "c", "product_ids": [], "total": 1, "key": "m"},
        ["stock"],
        None,
    ],
)
def test_anything_else_stored_is_a_lost_step(stored: Any) -> None:
    with pytest.raises(StepLost):
        steps.load(stored)


def test_an_unknown_field_stored_beside_a_step_is_ignored() -> None:
    """A newer version may add a field; the step it stored still reads."""
    stored = {**steps.dump(AmountStep(product_id=7, key="c1")), "hint": "new"}
    assert steps.load(stored) == AmountStep(product_id=7, key="c1")
