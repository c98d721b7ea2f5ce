"""The one table of a product's editable fields (core.product_fields): every interface
reads it, so a field is typed, edited, imported, exported and hidden from staff alike."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest

from bot import texts
from bot.handlers.catalog import field_change
from bot.handlers.stock import RESTOCK_DETAILS, stock_change
from bot.parsing import RestockProduct
from core import export, ledger
from core.model import Product
from core.product_fields import BY_WORD, EDITABLE, ProductFields
from tests.unit.shopfloor import Shopfloor, q


def test_a_typed_restock_has_every_detail_of_cores_restock() -> None:
    typed = {f.name for f in fields(RestockProduct)}
    assert set(RESTOCK_DETAILS) <= typed
    assert stock_change(
        RestockProduct("milk", q("2"), cost=Decimal("0.8"), note="market"), 7
    ) == ledger.Restock(7, q("2"), cost=Decimal("0.8"), note="market")


def test_every_field_is_a_field_of_the_product_with_its_words() -> None:
    product_fields = {f.name for f in fields(Product)}
    for field in EDITABLE:
        assert field.name in product_fields
        assert field.name in texts.FIELD_NAMES  # as the import's preview names it
        if field.word is not None:
            assert field.name in texts.FIELD_PROMPT and field.name in texts.FIELD_LABEL


@pytest.mark.parametrize(
    ("word", "reply", "change"),
    [
        ("name", " Oat milk ", ProductFields(name="Oat milk")),
        ("min", "5", ProductFields(threshold=Decimal(5))),
        ("price", "2,40", ProductFields(price=Decimal("2.40"))),
        ("barcode", "4006381333931", ProductFields(barcodes=("4006381333931",))),
        ("warn", "3", ProductFields(expiry_warning_days=3)),
        ("lead", "5", ProductFields(lead_days=5)),
        ("reorder", "20.12.2026", ProductFields(reorder_date=date(2026, 12, 20))),
    ],
)
def test_an_edit_reply_is_read_as_its_field_says(
    word: str, reply: str, change: ProductFields
) -> None:
    assert field_change(BY_WORD[word], reply) == change


async def test_the_export_writes_every_field_and_leaves_costs_out_for_staff(
    floor: Shopfloor,
) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    milk = await floor.product(
        owner,
        "milk",
        category="dairy",
        unit="l",
        threshold=q("2"),
        price=Decimal("1.20"),
        cost=Decimal("0.80"),
        barcodes=("4006381333931", "96385074"),
        supplier="=Green Farm",
        expiry_warning_days=3,
        reorder_date=date(2027, 1, 4),
        lead_days=5,
    )
    await floor.restock(owner, milk.id, "10")

    def new_uow() -> object:
        return floor.uow

    table = await export.stock_table(new_uow, owner, now=floor.clock.now())  # type: ignore[arg-type]
    assert table.header == (
        "product",
        "category",
        "unit",
        "on_hand",
        "threshold",
        "stock_status",
        "expiry_status",
        "earliest_expiry",
        "price",
        "reorder_date",
        "barcode",
        "expiry_warning_days",
        "lead_days",
        "cost",
        "supplier",
    )
    assert table.rows == [
        [
            "milk",
            "dairy",
            "l",
            "10",
            "2",
            "ok",
            "none",
            "",
            "1.20",
            "2027-01-04",
            "4006381333931 96385074",
            "3",
            "5",
            "0.80",
            "'=Green Farm",
        ]
    ]
    seen_by_staff = await export.stock_table(new_uow, staff, now=floor.clock.now())  # type: ignore[arg-type]
    assert seen_by_staff.header == table.header[:-2]
    assert seen_by_staff.rows == [table.rows[0][:-2]]


async def test_the_export_never_writes_a_unit_as_a_formula(floor: Shopfloor) -> None:
    # The unit was the one text written as typed: "=1+1" ran in a spreadsheet.
    owner = await floor.open_shop()
    await floor.product(owner, "odd", unit="=1+1")

    def new_uow() -> object:
        return floor.uow

    table = await export.stock_table(new_uow, owner, now=floor.clock.now())  # type: ignore[arg-type]
    assert table.rows[0][2] == "'=1+1"
