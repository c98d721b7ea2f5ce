"""The one table of a product's editable fields.

`ProductFields` holds the catalog fields a change sets (`None` leaves a field as it is),
and each of its fields says, once, what every interface needs to know of it: what kind
of value it takes, its short word (the chat's /edit button and the English /add keyword),
its column in /export and /import, and whether staff may see it. The chat's /add and
/edit, the spreadsheet import, the export, the Mini App's changes and what staff see are
read from here, so a new field is a field of `Product` (and its column), one line here,
and its words in the interface's texts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any


class Kind(enum.StrEnum):
    """How a field's value is typed, read and written."""

    TEXT = "text"
    QUANTITY = "quantity"
    MONEY = "money"
    DAYS = "days"
    DATE = "date"
    BARCODES = "barcodes"


def _field(
    kind: Kind,
    *,
    word: str | None = None,
    column: str = "",
    owner_only: bool = False,
    clearable: bool = False,
) -> Any:
    """A field of ProductFields, None by default (a `dataclasses.field`). `word`: its short
    name, offered by the chat's /edit (None: set another way); `column`: its heading in
    /export and /import when not the field's name; `owner_only`: what the shop pays, left
    out of what staff read (core.visibility); `clearable`: an owner may empty it again
    (None in ProductFields leaves a field as it is, so emptying is asked for by name)."""
    about = {
        "kind": kind,
        "word": word,
        "column": column,
        "owner_only": owner_only,
        "clearable": clearable,
    }
    return field(default=None, metadata=about)


@dataclass(frozen=True)
class ProductFields:
    """Catalog fields to set; `None` leaves a field as it is. Each is a field of
    `core.model.Product` with the same name."""

    name: str | None = _field(Kind.TEXT, word="name", column="product")
    category: str | None = _field(Kind.TEXT, word="cat")
    unit: str | None = _field(Kind.TEXT, word="unit")
    threshold: Decimal | None = _field(Kind.QUANTITY, word="min")  # noqa: RUF009 (a dataclasses.field)
    price: Decimal | None = _field(Kind.MONEY, word="price")  # noqa: RUF009
    cost: Decimal | None = _field(Kind.MONEY, word="cost", owner_only=True)  # noqa: RUF009
    barcodes: tuple[str, ...] | None = _field(Kind.BARCODES, word="barcode", column="barcode")
    supplier: str | None = _field(Kind.TEXT, word="supplier", owner_only=True)
    expiry_warning_days: int | None = _field(Kind.DAYS, word="warn", clearable=True)
    reorder_date: date | None = _field(Kind.DATE, word="reorder", clearable=True)  # noqa: RUF009
    lead_days: int | None = _field(Kind.DAYS, word="lead", clearable=True)


@dataclass(frozen=True)
class Editable:
    """One field of `ProductFields`, as its metadata describes it."""

    name: str
    kind: Kind
    word: str | None
    column: str
    owner_only: bool
    clearable: bool


EDITABLE = tuple(
    Editable(
        name=f.name,
        kind=f.metadata["kind"],
        word=f.metadata["word"],
        column=f.metadata["column"] or f.name,
        owner_only=f.metadata["owner_only"],
        clearable=f.metadata["clearable"],
    )
    for f in fields(ProductFields)
)
BY_NAME = {f.name: f for f in EDITABLE}
BY_WORD = {f.word: f for f in EDITABLE if f.word is not None}
OWNER_ONLY = tuple(f.name for f in EDITABLE if f.owner_only)
# Emptied again: no reorder date, the default lead time, the shop's near-expiry days.
CLEARABLE = frozenset(f.name for f in EDITABLE if f.clearable)
