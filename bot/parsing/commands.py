"""The typed commands the grammar produces; a missing name or quantity is None."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.inventory import SortBy, StatusFilter
from core.model import Reason


class Command(enum.StrEnum):
    ADD = "add"
    RESTOCK = "restock"
    SELL = "sell"
    REMOVE = "remove"
    COUNT = "count"
    INVENTORY = "inventory"
    PRODUCTS = "products"
    HISTORY = "history"
    STOCK = "stock"
    EDIT = "edit"
    DELETE = "delete"


@dataclass(frozen=True)
class AddProduct:
    name: str | None
    category: str | None = None
    unit: str | None = None
    threshold: Decimal | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    barcode: str | None = None
    supplier: str | None = None
    warning_days: int | None = None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


class _StockLine:
    """A stock command is complete with a product name and a quantity."""

    name: str | None
    quantity: Decimal | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None and self.quantity is not None


@dataclass(frozen=True)
class RestockProduct(_StockLine):
    name: str | None
    quantity: Decimal | None
    expiry: date | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    reorder_date: date | None = None
    note: str = ""


@dataclass(frozen=True)
class SellProduct(_StockLine):
    name: str | None
    quantity: Decimal | None


@dataclass(frozen=True)
class RemoveProduct(_StockLine):
    """`reason` is None when not given: the bot asks (or defaults) as it sees fit."""

    name: str | None
    quantity: Decimal | None
    reason: Reason | None = None
    note: str = ""


@dataclass(frozen=True)
class CountProduct(_StockLine):
    """A stocktake line: `quantity` is what was counted on the shelf (0 allowed)."""

    name: str | None
    quantity: Decimal | None


@dataclass(frozen=True)
class ShowInventory:
    status: StatusFilter = StatusFilter.ALL
    category: str | None = None
    sort: SortBy = SortBy.NAME

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowProducts:
    category: str | None = None

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowHistory:
    name: str | None = None

    @property
    def is_complete(self) -> bool:
        return True


@dataclass(frozen=True)
class ShowStock:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


@dataclass(frozen=True)
class EditProduct:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


@dataclass(frozen=True)
class DeleteProduct:
    name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None


ParsedCommand = (
    AddProduct
    | RestockProduct
    | SellProduct
    | RemoveProduct
    | CountProduct
    | ShowInventory
    | ShowProducts
    | ShowHistory
    | ShowStock
    | EditProduct
    | DeleteProduct
)
StockCommand = RestockProduct | SellProduct | RemoveProduct | CountProduct
