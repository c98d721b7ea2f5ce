"""The typed commands the grammar produces; a missing name or quantity is None."""

from __future__ import annotations

import enum
from dataclasses import dataclass, is_dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Self

from core.catalog import ProductFields
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


# `/add` reads straight into core's own command: the catalog's fields to set.
AddProduct = ProductFields


class _StockLine:
    """A stock command is complete with a product name and a quantity.

    `unit` is the unit typed with the quantity (`flour 2.5 kg`, `2 kg flour`), for the
    ledger to hold against the product's; `literal_name` is all the words before the
    keywords taken as the name, when the quantity came from among them (`3 croissant`,
    `7 up`): a product called that is meant before `name` (see `literal`)."""

    name: str | None
    quantity: Decimal | None
    unit: str | None
    literal_name: str | None

    @property
    def is_complete(self) -> bool:
        return self.name is not None and self.quantity is not None

    def literal(self) -> Self | None:
        """The command read with `literal_name` as its name and no quantity yet."""
        if self.literal_name is None:
            return None
        assert is_dataclass(self)
        return replace(self, name=self.literal_name, quantity=None, unit=None, literal_name=None)


@dataclass(frozen=True)
class RestockProduct(_StockLine):
    """core.ledger.Restock as typed, by product name: the rest of its fields are
    Restock's, by the same names (bot.handlers.stock carries them over)."""

    name: str | None
    quantity: Decimal | None
    expiry: date | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    reorder_date: date | None = None
    note: str = ""
    unit: str | None = None
    literal_name: str | None = None


@dataclass(frozen=True)
class SellProduct(_StockLine):
    name: str | None
    quantity: Decimal | None
    unit: str | None = None
    literal_name: str | None = None


@dataclass(frozen=True)
class RemoveProduct(_StockLine):
    """`reason` is None when not given: the bot asks (or defaults) as it sees fit."""

    name: str | None
    quantity: Decimal | None
    reason: Reason | None = None
    note: str = ""
    unit: str | None = None
    literal_name: str | None = None


@dataclass(frozen=True)
class CountProduct(_StockLine):
    """A stocktake line: `quantity` is what was counted on the shelf (0 allowed)."""

    name: str | None
    quantity: Decimal | None
    unit: str | None = None
    literal_name: str | None = None


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
