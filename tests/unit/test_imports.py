"""Spreadsheet import in core: the preview says what each row would do, applying does
exactly that, and the same file twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import texts
from core import imports
from core.catalog import ProductFields
from core.errors import FractionOfWholeUnit, OwnerOnly
from core.imports import ImportRow, Outcome
from core.model import Reason
from tests.unit.shopfloor import Shopfloor, q


def row(line: int, name: str, on_hand: str | None = None, **fields: object) -> ImportRow:
    change = ProductFields(name=name, **fields)  # type: ignore[arg-type]
    return ImportRow(line, name, change, q(on_hand) if on_hand is not None else None)


async def test_preview_sorts_rows_into_new_changed_unchanged_and_wrong(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", unit="l", price=Decimal("1.20"))
    await floor.restock(owner, milk.id, "10")
    await floor.product(owner, "bread")
    rows = [
        row(2, "Milk", "12", price=Decimal("1.30")),
        row(3, "bread"),
        row(4, "oat milk", "5", unit="l"),
        row(5, "cheese", unit=""),
        ImportRow(6, "jam", problem="on_hand: “x” is not a quantity"),
        row(7, "MILK", "1"),
    ]
    plan = await imports.preview_import(floor.uow, owner, rows)
    outcomes = [(r.line, r.outcome) for r in plan.rows]
    assert outcomes == [
        (2, Outcome.CHANGED),
        (3, Outcome.UNCHANGED),
        (4, Outcome.CREATED),
        (5, Outcome.WRONG),
        (6, Outcome.WRONG),
        (7, Outcome.WRONG),
    ]
    changed = plan.rows[0]
    assert changed.changed == ("name", "price", "on_hand")
    assert (changed.on_hand_before, changed.on_hand_after) == (q("10"), q("12"))
    repeated = plan.rows[5].refusal
    assert repeated is not None and texts.why(repeated) == "repeats the product of row 2"
    assert floor.on_hand(milk.id) == q("10")  # a preview writes nothing
    assert len(floor.movements()) == 1


async def test_a_row_with_a_fraction_of_a_unit_counted_whole_is_wrong(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    rows = [row(2, "eggs", "1.5", unit="pcs"), row(3, "flour", "1.5", unit="kg")]
    plan = await imports.preview_import(floor.uow, owner, rows)
    assert [r.outcome for r in plan.rows] == [Outcome.WRONG, Outcome.CREATED]
    refusal = plan.rows[0].refusal
    assert isinstance(refusal, FractionOfWholeUnit) and "whole pcs" in texts.why(refusal)


async def test_applying_sets_stock_with_import_movements(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", unit="l")
    await floor.restock(owner, milk.id, "10")
    rows = [row(2, "milk", "4"), row(3, "flour", "25", unit="kg", cost=Decimal("0.80"))]
    done = await imports.apply_import(floor.uow, owner, rows, file_key="f1", now=floor.clock.now())
    assert [r.outcome for r in done] == [Outcome.CHANGED, Outcome.CREATED]
    assert floor.on_hand(milk.id) == q("4")
    imported = [m for m in floor.movements() if m.reason is Reason.IMPORT]
    assert sorted(m.quantity for m in imported) == [q("-6"), q("25")]
    assert {m.idempotency_key for m in imported} == {"import:f1:2", "import:f1:3"}
    flour = next(m.product_id for m in imported if m.quantity > 0)
    assert floor.stored_product(flour).cost == Decimal("0.80")


async def test_the_same_file_twice_changes_nothing_even_after_sales(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    rows = [row(2, "milk", "10", unit="l")]
    now = floor.clock.now()
    await imports.apply_import(floor.uow, owner, rows, file_key="f1", now=now)
    product_id = floor.movements()[0].product_id
    await floor.remove(owner, product_id, "3")
    again = await imports.apply_import(floor.uow, owner, rows, file_key="f1", now=now)
    assert again[0].outcome is Outcome.CHANGED  # the file says 10, the shelf 7 …
    assert floor.on_hand(product_id) == q("7")  # … but this file was imported already
    assert len(floor.movements()) == 2


async def test_an_export_imported_back_records_nothing(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    milk = await floor.product(owner, "milk", unit="l", threshold=q("5"))
    await floor.restock(owner, milk.id, "10")
    rows = [row(2, "milk", "10", unit="l", threshold=q("5"))]
    plan = await imports.preview_import(floor.uow, owner, rows)
    assert plan.rows[0].outcome is Outcome.UNCHANGED
    await imports.apply_import(floor.uow, owner, rows, file_key="other", now=floor.clock.now())
    assert len(floor.movements()) == 1


async def test_a_wrong_row_is_skipped_and_the_others_apply(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    rows = [row(2, "milk", "3"), row(3, "x" * 80, "2"), row(4, "bread", "-1"), row(5, "jam", "1")]
    done = await imports.apply_import(floor.uow, owner, rows, file_key="f", now=floor.clock.now())
    assert [r.outcome for r in done] == [
        Outcome.CREATED,
        Outcome.WRONG,
        Outcome.WRONG,
        Outcome.CREATED,
    ]
    assert len(floor.movements()) == 2


async def test_a_barcode_of_another_product_is_wrong(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    await floor.product(owner, "cola", barcodes=("036000291452",))
    rows = [row(2, "diet cola", barcodes=("0036000291452",))]
    plan = await imports.preview_import(floor.uow, owner, rows)
    assert plan.rows[0].outcome is Outcome.WRONG
    taken = plan.rows[0].refusal
    assert taken is not None and "already belongs to “cola”" in texts.why(taken)


async def test_staff_cannot_import(floor: Shopfloor) -> None:
    owner = await floor.open_shop()
    staff = await floor.hire(owner)
    with pytest.raises(OwnerOnly):
        await imports.preview_import(floor.uow, staff, [row(2, "milk", "1")])
    with pytest.raises(OwnerOnly):
        await imports.apply_import(
            floor.uow, staff, [row(2, "milk", "1")], file_key="f", now=floor.clock.now()
        )
