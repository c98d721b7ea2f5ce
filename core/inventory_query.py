"""Which products an inventory list shows, and in which order: the rule, in Python.

The database selects and pages these lists itself (core.ports.InventoryQueries) so a
shop of 10,000 products is never loaded whole; what it must select is defined here,
on top of core.status, and tests compare the two on random catalogs (SQLite and
PostgreSQL). The fakes answer with `select_page` directly.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from core.model import Product, Shop, name_key
from core.status import ExpiryStatus, StockStatus, status_of

PAGE_SIZE = 10


class StatusFilter(enum.StrEnum):
    ALL = "all"
    LOW = "low"  # low or out: what needs reordering
    OUT = "out"
    EXPIRING = "expiring"  # near expiry
    EXPIRED = "expired"


class SortBy(enum.StrEnum):
    NAME = "name"
    QUANTITY = "qty"
    EXPIRY = "expiry"
    # Days of stock left at the recent pace, fewest first: worked out from the ledger
    # by core.inventory, so the database lists these by name.
    DAYS = "days"


@dataclass(frozen=True)
class InventoryQuery:
    status: StatusFilter = StatusFilter.ALL
    category: str | None = None  # as stored: cleaned and lower case
    sort: SortBy = SortBy.NAME
    expiring_within_days: int | None = None
    expires_before: date | None = None  # a day of the shop's calendar
    page: int = 0
    page_size: int = PAGE_SIZE
    search: str | None = None  # part of the name, or a whole barcode


# The dashboard's boxes: each is the list its button opens, in that list's order, so the
# count in the text, on the button and atop the list is one number.
DASHBOARD_BOXES: dict[StatusFilter, SortBy] = {
    StatusFilter.LOW: SortBy.QUANTITY,
    StatusFilter.OUT: SortBy.QUANTITY,
    StatusFilter.EXPIRING: SortBy.EXPIRY,
    StatusFilter.EXPIRED: SortBy.EXPIRY,
}


@dataclass(frozen=True)
class InventorySlice:
    """One page of a list and how many products the whole list holds."""

    products: tuple[Product, ...]
    total: int


def has_status(product: Product, wanted: StatusFilter, shop: Shop, today: date) -> bool:
    status = status_of(product, shop, today)
    match wanted:
        case StatusFilter.LOW:
            return status.stock is not StockStatus.OK
        case StatusFilter.OUT:
            return status.stock is StockStatus.OUT
        case StatusFilter.EXPIRING:
            return status.expiry is ExpiryStatus.NEAR_EXPIRY
        case StatusFilter.EXPIRED:
            return status.expiry is ExpiryStatus.EXPIRED
        case StatusFilter.ALL:
            return True


def barcode_search(search: str) -> str | None:
    """The whole barcode a search may be; None when it cannot be one."""
    code = search.strip()
    return code if code and "\n" not in code else None


def found(product: Product, search: str) -> bool:
    """Whether a search finds the product: part of its name, or one of its barcodes."""
    return name_key(search) in product.key or barcode_search(search) in product.barcodes


def matches(product: Product, query: InventoryQuery, shop: Shop, today: date) -> bool:
    if product.archived or product.shop_id != shop.id:
        return False
    if query.category is not None and product.category != query.category:
        return False
    if not has_status(product, query.status, shop, today):
        return False
    if query.search and not found(product, query.search):
        return False
    if query.expiring_within_days is not None:
        expiry = product.earliest_expiry
        if expiry is None or expiry > today + timedelta(days=query.expiring_within_days):
            return False
    if query.expires_before is not None:
        expiry = product.earliest_expiry
        if expiry is None or expiry >= query.expires_before:
            return False
    return True


def sort_key(sort: SortBy) -> Callable[[Product], tuple[object, ...]]:
    """Ties end on the id, so every order is total and pages never overlap."""

    def by_quantity(product: Product) -> tuple[object, ...]:
        return (product.on_hand, product.key, product.id)

    def by_expiry(product: Product) -> tuple[object, ...]:
        expiry = product.earliest_expiry
        return (expiry is None, expiry or date.max, product.key, product.id)

    def by_name(product: Product) -> tuple[object, ...]:
        return (product.key, product.id)

    return {SortBy.QUANTITY: by_quantity, SortBy.EXPIRY: by_expiry}.get(sort, by_name)


def select_page(
    products: Iterable[Product], query: InventoryQuery, shop: Shop, today: date
) -> InventorySlice:
    selected = sorted(
        (p for p in products if matches(p, query, shop, today)), key=sort_key(query.sort)
    )
    start = query.page * query.page_size
    return InventorySlice(tuple(selected[start : start + query.page_size]), len(selected))
