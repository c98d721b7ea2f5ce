"""Importing a catalog with stock from a spreadsheet: what each row would do, then doing it.

A row names a product; the catalog fields it gives are set (an empty cell leaves a field
as it is) and its `on_hand`, when given, becomes the product's stock through one
movement with reason `import` of the difference. Its idempotency key is the file's and
the row's, so importing the same file again (a double tap, a retried update, a second
send) changes nothing, even after sales in between; and an export of the shop imported
back finds every figure equal and records nothing.

Rows are applied in chunks, one transaction each, so a long file can report progress;
a row that cannot be applied is skipped and reported, never half-written.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal

from core.access import Actor, OwnerAction, authorize
from core.barcodes import same_barcode
from core.catalog import ProductFields, with_fields
from core.errors import (
    BarcodeTaken,
    DomainError,
    FractionOfWholeUnit,
    ImportRowRepeats,
    Invalid,
    ValueRefused,
)
from core.ledger import _record, allocate_removal
from core.model import Allocation, Batch, Product, Reason, name_key
from core.ports import UnitOfWork
from core.quantities import ZERO
from core.units import allows_fractions, is_whole

MAX_ROWS = 20_000
CHUNK = 200
CATALOG_FIELDS = tuple(f.name for f in fields(ProductFields))


class Outcome(enum.StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    WRONG = "wrong"


@dataclass(frozen=True)
class ImportRow:
    """One row as the interface read it. `line` is the file's row number (the header is
    row 1); `problem` is set when a cell could not be read at all."""

    line: int
    name: str
    change: ProductFields = field(default_factory=ProductFields)
    on_hand: Decimal | None = None
    expiry: date | None = None
    problem: str | None = None


@dataclass(frozen=True)
class RowPlan:
    line: int
    name: str
    outcome: Outcome
    changed: tuple[str, ...] = ()  # catalog fields that change, then "on_hand"
    on_hand_before: Decimal | None = None
    on_hand_after: Decimal | None = None
    problem: str | None = None  # the interface's, from ImportRow
    refusal: DomainError | None = None  # a rule of core the row breaks, worded by the interface


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[RowPlan, ...]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    def of(self, outcome: Outcome) -> list[RowPlan]:
        return [row for row in self.rows if row.outcome is outcome]


def row_key(file_key: str, line: int) -> str:
    return f"import:{file_key}:{line}"


def _wrong(row: ImportRow, refusal: DomainError) -> tuple[RowPlan, None]:
    return RowPlan(row.line, row.name, Outcome.WRONG, refusal=refusal), None


def _plan_row(
    row: ImportRow,
    current: Product | None,
    shop_id: int,
    seen: dict[str, int],
    others: Sequence[Product],
) -> tuple[RowPlan, Product | None]:
    """The row's plan and the product it would leave (None when it is wrong)."""
    if row.problem is not None:
        return RowPlan(row.line, row.name, Outcome.WRONG, problem=row.problem), None
    key = name_key(row.name)
    if not key:
        return _wrong(row, ValueRefused(Invalid.PRODUCT_NEEDS_NAME))
    if key in seen:
        return _wrong(row, ImportRowRepeats(seen[key]))
    base = current or Product(id=0, shop_id=shop_id, name=row.name)
    try:
        draft = with_fields(base, replace(row.change, name=row.change.name or row.name))
    except DomainError as refused:
        return _wrong(row, refused)
    for code in draft.barcodes:
        for other in others:
            if other.key != key and any(same_barcode(code, known) for known in other.barcodes):
                return _wrong(row, BarcodeTaken(code, other.name))
    if row.on_hand is not None and row.on_hand < 0:
        return _wrong(row, ValueRefused(Invalid.ON_HAND_NEGATIVE))
    if row.on_hand is not None and not allows_fractions(draft.unit) and not is_whole(row.on_hand):
        return _wrong(row, FractionOfWholeUnit(row.on_hand, draft.unit, draft.name))
    seen[key] = row.line
    before = current.on_hand if current else ZERO
    after = row.on_hand if row.on_hand is not None else before
    if current is None:
        plan = RowPlan(row.line, draft.name, Outcome.CREATED, (), ZERO, after)
        return plan, draft
    changed = tuple(f for f in CATALOG_FIELDS if getattr(draft, f) != getattr(current, f))
    if after != before:
        changed = (*changed, "on_hand")
    outcome = Outcome.CHANGED if changed else Outcome.UNCHANGED
    return RowPlan(row.line, draft.name, outcome, changed, before, after), draft


async def preview_import(uow: UnitOfWork, actor: Actor, rows: Sequence[ImportRow]) -> ImportPlan:
    """What importing `rows` would do, row by row; nothing is written."""
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.IMPORT)
        products = list(await uow.products.list(actor.shop_id))
        by_key = {p.key: p for p in products}
        seen: dict[str, int] = {}
        others: list[Product] = list(products)
        plans = []
        for row in rows:
            plan, draft = _plan_row(
                row, by_key.get(name_key(row.name)), actor.shop_id, seen, others
            )
            if draft is not None and draft.barcodes and plan.outcome is Outcome.CREATED:
                others.append(draft)
            plans.append(plan)
        return ImportPlan(tuple(plans))


async def apply_import(
    uow: UnitOfWork,
    actor: Actor,
    rows: Sequence[ImportRow],
    *,
    file_key: str,
    now: datetime,
    seen: dict[str, int] | None = None,
) -> list[RowPlan]:
    """Apply one chunk of rows in one transaction; what each did. `seen` carries the
    names of earlier chunks' rows (a name twice in a file is an error in either place)."""
    seen = {} if seen is None else seen
    async with uow:
        await authorize(uow, actor, owner_action=OwnerAction.IMPORT)
        products = list(await uow.products.list(actor.shop_id))
        by_key = {p.key: p for p in products}
        done: list[RowPlan] = []
        for row in rows:
            current = by_key.get(name_key(row.name))
            if current is not None:
                locked = await uow.products.get_for_update(actor.shop_id, current.id)
                current = locked if locked is not None and not locked.archived else None
            plan, draft = _plan_row(row, current, actor.shop_id, seen, products)
            if draft is None:
                done.append(plan)
                continue
            if current is None:
                product = await uow.products.add(replace(draft, on_hand=ZERO))
                products.append(product)
            else:
                product = replace(draft, on_hand=current.on_hand)
                if product != current:
                    await uow.products.update(product)
            by_key[product.key] = product
            if row.on_hand is not None:
                await _set_stock(uow, actor, product, row, row_key(file_key, row.line), now)
            done.append(plan)
        await uow.commit()
        return done


async def _set_stock(
    uow: UnitOfWork, actor: Actor, product: Product, row: ImportRow, key: str, now: datetime
) -> None:
    """One `import` movement of the difference to the row's on_hand; none when a row with
    this key was imported before (whatever happened since) or nothing differs."""
    assert row.on_hand is not None
    if await uow.movements.by_key(actor.shop_id, key):
        return
    difference = row.on_hand - product.on_hand
    if difference == 0:
        return
    if difference > 0:
        batch = await uow.batches.add(
            Batch(0, product.id, actor.shop_id, ZERO, now, row.expiry, row.change.cost)
        )
        allocations = [Allocation(batch.id, difference)]
    else:
        allocations = allocate_removal(await uow.batches.in_stock(product.id), -difference)
    await _record(
        uow,
        actor,
        product,
        allocations,
        Reason.IMPORT,
        key=key,
        now=now,
        note=f"import row {row.line}",
        expiry=row.expiry if difference > 0 else None,
        cost=row.change.cost if difference > 0 else None,
    )
