"""Entities of the shop's inventory. Plain dataclasses; persistence maps onto them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from core.quantities import ZERO


class Role(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class Reason(enum.StrEnum):
    RESTOCK = "restock"
    SALE = "sale"
    DAMAGE = "damage"
    EXPIRED = "expired"
    ADJUSTMENT = "adjustment"
    RETURN = "return"
    UNDO = "undo"
    IMPORT = "import"  # stock set by a spreadsheet import


# Reasons a removal may carry; `return` means goods leave back to the supplier.
REMOVAL_REASONS = frozenset(
    {Reason.SALE, Reason.DAMAGE, Reason.EXPIRED, Reason.ADJUSTMENT, Reason.RETURN}
)

# The languages the bot speaks; the first is the one every message is written in.
LANGUAGES = ("en", "ru")

UNITS = ("pcs", "kg", "g", "l", "ml", "pack", "box", "bottle", "can", "bag", "m")


def name_key(name: str) -> str:
    """The identity of a product name: case- and space-insensitive."""
    return re.sub(r"\s+", " ", name).strip().casefold()


def clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


@dataclass(frozen=True)
class Shop:
    id: int
    name: str
    timezone: str = "UTC"
    currency: str = "EUR"
    near_expiry_days: int = 7
    alert_time: time = time(8, 0)
    day_first: bool = True
    created_at: datetime | None = None
    # What alerts speak to members who never chose a language nor wrote to the bot.
    language: str = LANGUAGES[0]


@dataclass(frozen=True)
class User:
    id: int  # the Telegram user id
    name: str
    active_shop_id: int | None = None


@dataclass(frozen=True)
class UserLanguage:
    """`chosen` with /language (None: follow Telegram); `seen`: the language Telegram
    last said the person's app is in."""

    chosen: str | None = None
    seen: str | None = None


@dataclass(frozen=True)
class Member:
    shop_id: int
    user_id: int
    role: Role
    name: str = ""

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


@dataclass(frozen=True)
class Invite:
    code: str
    shop_id: int
    role: Role
    created_by: int
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


@dataclass(frozen=True)
class Product:
    id: int
    shop_id: int
    name: str
    category: str = ""
    unit: str = "pcs"
    threshold: Decimal = ZERO
    price: Decimal | None = None
    cost: Decimal | None = None
    barcodes: tuple[str, ...] = ()
    supplier: str = ""
    expiry_warning_days: int | None = None
    # Days from ordering to delivery; None: DEFAULT_LEAD_DAYS (core/forecast.py).
    lead_days: int | None = None
    archived: bool = False
    reorder_date: date | None = None
    # Snapshot kept equal to the ledger inside every stock-changing transaction.
    on_hand: Decimal = ZERO
    earliest_expiry: date | None = None

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class Batch:
    id: int
    product_id: int
    shop_id: int
    quantity: Decimal
    received_at: datetime
    expiry: date | None = None
    cost: Decimal | None = None


@dataclass(frozen=True)
class Allocation:
    """How much of one batch a movement took (negative) or gave (positive)."""

    batch_id: int
    quantity: Decimal


# A product's ledger summed by the database per quarter hour of UTC: (the quarter's start,
# the sum of its movements' quantities, the units its selling movements not undone sold).
# What a pace reads of a busy ledger (core.forecast.daily_sales_from_sums).
LedgerSums = tuple[datetime, Decimal, Decimal]


@dataclass(frozen=True)
class Movement:
    id: int
    shop_id: int
    product_id: int
    quantity: Decimal  # signed: positive adds stock, negative removes it
    reason: Reason
    user_id: int
    created_at: datetime
    idempotency_key: str
    allocations: tuple[Allocation, ...] = field(default=())
    note: str = ""
    cost: Decimal | None = None
    price: Decimal | None = None
    expiry: date | None = None
    reorder_date: date | None = None
    reverses_id: int | None = None
    # What a restock replaced on the product where it set cost, price or reorder date
    # (None where it set none, or the product had none): an undo puts them back.
    cost_before: Decimal | None = None
    price_before: Decimal | None = None
    reorder_date_before: date | None = None
    # A sale's shelf price when it was made: what the sale took in, per unit.
    sale_price: Decimal | None = None
    # A stocktake's figure: the adjustment was a count to this, not a change typed or
    # tapped (so the ledger can say which).
    counted: Decimal | None = None
