"""The API's requests and responses. These models validate what comes in, shape what
goes out and are the only source of the OpenAPI document (webapp/openapi.py).

Quantities and money travel as decimal strings ("2.5", "1.20"): floats never enter the
ledger. Dates are ISO 8601. Staff get `cost` as null and `supplier` as "" (see
core.visibility)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator

from core.catalog import MAX_LEAD_DAYS, MAX_NAME
from core.ledger import MAX_NOTE
from core.model import UNITS
from core.quantities import FigureRefused, to_money, to_quantity
from webapp.errors import N_, Refused

# Ids the pages can hold exactly in a JavaScript number.
MAX_ID = 2**53 - 1
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DecimalText = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["2.5"])]
# One line of text a person typed: no control characters.
LINE = r"^[^\x00-\x1f\x7f]*$"


ProductName = Annotated[str, Field(min_length=1, max_length=MAX_NAME, pattern=LINE)]
Category = Annotated[str, Field(max_length=64, pattern=LINE)]
Unit = Annotated[str, Field(min_length=1, max_length=16, pattern=LINE, examples=list(UNITS))]
Supplier = Annotated[str, Field(max_length=128, pattern=LINE)]
Barcode = Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
Note = Annotated[str, Field(max_length=MAX_NOTE, pattern=LINE)]
Search = Annotated[
    str, Field(max_length=64, pattern=LINE, description="part of the name, or a barcode")
]
Timezone = Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
Currency = Annotated[str, Field(min_length=1, max_length=8, pattern=LINE)]
# Checked by core (0 to MAX_LEAD_DAYS), so a refusal is worded as the chat words it, in
# the caller's language; the document still states the range.
LeadDays = Annotated[
    int,
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_LEAD_DAYS,
            "description": "days from ordering to delivery; null: the default (7)",
        }
    ),
]
# Product fields an owner may empty again (core.catalog.CLEARABLE).
Clearable = Literal["reorder_date", "lead_days", "expiry_warning_days"]


# `2,5`: a decimal comma, as a phone set to most European languages types it in a
# decimal field. `1,000` would read both ways (a thousand, or one) and stays refused.
DECIMAL_COMMA = re.compile(r"([+-]?\d+),(\d+)")
READS_BOTH_WAYS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def _point(text: str) -> str:
    """`2,5` as `2.5`; anything else as it was."""
    text = text.strip()
    if DECIMAL_COMMA.fullmatch(text) and not READS_BOTH_WAYS.fullmatch(text):
        return text.replace(",", ".")
    return text


def _quantity(value: object) -> Decimal:
    if not isinstance(value, str):
        raise Refused(N_('a quantity is a decimal string such as "2.5"'))
    value = _point(value)
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
        raise Refused(N_("a quantity is a number such as 2.5"))
    try:
        return to_quantity(value)
    except FigureRefused as refused:
        raise _refusal(QUANTITY_REFUSED, refused) from None


def _money(value: object) -> Decimal:
    if not isinstance(value, str):
        raise Refused(N_('an amount is a decimal string such as "1.20"'))
    value = _point(value)
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise Refused(N_("an amount is a number such as 1.20"))
    try:
        return to_money(value)
    except FigureRefused as refused:
        raise _refusal(MONEY_REFUSED, refused) from None


# Why a figure is refused (core.quantities.FigureRefused.why), for a quantity and an amount.
QUANTITY_REFUSED = {
    "too_large": N_("a quantity can be at most {limit}"),
    "too_precise": N_("a quantity has at most {places} decimal places"),
    "negative": N_("a quantity cannot be negative"),
    "not_a_number": N_("a quantity is a number"),
}
MONEY_REFUSED = {
    "too_large": N_("an amount can be at most {limit}"),
    "too_precise": N_("an amount has at most {places} decimal places"),
    "negative": N_("an amount cannot be negative"),
    "not_a_number": N_("an amount is a number"),
}


def _refusal(words: dict[str, str], refused: FigureRefused) -> Refused:
    message = words.get(refused.why, words["not_a_number"])
    return Refused(message, limit=refused.limit, places=refused.places)


Quantity = Annotated[
    Decimal,
    PlainValidator(_quantity),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[+-]?\d{1,9}([.,]\d{1,3})?$",
            "examples": ["20", "2.5", "2,5"],
        }
    ),
]
Money = Annotated[
    Decimal,
    PlainValidator(_money),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{1,9}([.,]\d{1,2})?$", "examples": ["1.20", "1,20"]}
    ),
]
StockStatusName = Literal["ok", "low", "out"]
ExpiryStatusName = Literal["none", "near_expiry", "expired"]
RoleName = Literal["owner", "staff"]
ReasonName = Literal[
    "restock", "sale", "damage", "expired", "adjustment", "return", "undo", "import"
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- errors ------------------------------------------------------------------------------


class ErrorBody(Model):
    code: str = Field(
        description="stable, for programs: a refusal's code as core names it (e.g. "
        "insufficient_stock, fraction_of_whole_unit, too_long) or the API's own "
        "(e.g. not_logged_in, bad_json)"
    )
    message: str = Field(
        description="for people: a refusal in the caller's language (their /language, "
        "else their Telegram app's, else Accept-Language, else English)"
    )
    field: str | None = Field(description="the request field at fault, if one is")


class ErrorResponse(Model):
    error: ErrorBody


# -- session -----------------------------------------------------------------------------


class LoginRequest(Model):
    init_data: str = Field(
        min_length=1,
        max_length=4096,
        description="Telegram.WebApp.initData exactly as the page received it",
    )


class UserOut(Model):
    id: int
    name: str


class ShopOut(Model):
    id: int
    name: str
    role: RoleName
    currency: str
    timezone: str
    near_expiry_days: int
    alert_time: str = Field(pattern=r"^\d\d:\d\d$")
    day_first: bool


class SessionOut(Model):
    user: UserOut
    shops: list[ShopOut]
    csrf_token: str = Field(description="send it back as X-CSRF-Token on every change")
    expires_at: datetime


class ShopsOut(Model):
    shops: list[ShopOut]


class SettingsUpdate(Model):
    timezone: Timezone | None = None
    currency: Currency | None = None
    near_expiry_days: Annotated[int, Field(ge=0, le=365)] | None = None
    alert_time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None
    day_first: bool | None = None


# -- catalog and stock -------------------------------------------------------------------


class ProductOut(Model):
    id: int
    name: str
    category: str
    unit: str
    threshold: DecimalText
    price: DecimalText | None
    cost: DecimalText | None = Field(description="owners only; null for staff")
    supplier: str = Field(description="owners only; empty for staff")
    barcodes: list[str]
    expiry_warning_days: int | None
    lead_days: int | None = Field(description="days from ordering to delivery; null: default")
    reorder_date: date | None
    on_hand: DecimalText
    earliest_expiry: date | None
    archived: bool


class ExpiringOut(Model):
    quantity: DecimalText
    expiry: date


class InventoryItem(Model):
    product: ProductOut
    stock_status: StockStatusName
    expiry_status: ExpiryStatusName
    expiring: list[ExpiringOut] = Field(
        description="near expiry or expired: the batches that are, first-expiring first"
    )
    days_left: int | None = Field(
        description="days of stock at the recent sales pace; with sort=days_left only"
    )


class InventoryPageOut(Model):
    items: list[InventoryItem]
    total: int
    page: int
    page_size: int
    pages: int


class InventoryParams(Model):
    status: Literal["all", "low", "out", "near_expiry", "expired"] = "all"
    category: Category | None = None
    q: Search | None = None
    expires_before: date | None = Field(
        default=None, description="only products whose earliest expiry is before this day"
    )
    sort: Literal["name", "quantity", "expiry", "days_left"] = "name"
    page: Annotated[int, Field(ge=0, le=MAX_PAGE)] = 0
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20


class ProductListParams(Model):
    category: Category | None = None
    q: Search | None = None
    archived: bool = Field(default=False, description="the archived products instead")
    page: Annotated[int, Field(ge=0, le=MAX_PAGE)] = 0
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20


class ProductPageOut(Model):
    products: list[ProductOut]
    total: int
    page: int
    page_size: int
    pages: int


class DashboardParams(Model):
    first: Annotated[int, Field(ge=0, le=50, description="how many of each box to list")] = 5


class DashboardBoxOut(Model):
    count: int
    first: list[InventoryItem]


class DashboardOut(Model):
    today: date
    products: int
    low: DashboardBoxOut = Field(
        description="low or out of stock: what needs reordering, as inventory status=low"
    )
    out: DashboardBoxOut
    near_expiry: DashboardBoxOut
    expired: DashboardBoxOut
    sales_today: DecimalText = Field(description="at the shelf price each sale recorded")
    sales_this_week: DecimalText = Field(description="since Monday, shop time")
    stock_at_cost: DecimalText | None = Field(description="owners only; null for staff")


class BatchOut(Model):
    id: int
    quantity: DecimalText
    expiry: date | None
    received_at: datetime
    cost: DecimalText | None = Field(description="owners only; null for staff")


class ProductDetailOut(Model):
    product: ProductOut
    stock_status: StockStatusName
    expiry_status: ExpiryStatusName
    batches: list[BatchOut]
    sold_per_day: DecimalText | None = Field(description="the recent sales pace, if known")
    days_left: int | None = Field(description="days of stock at that pace, if known")
    today: date
    currency: str


class CategoriesOut(Model):
    categories: list[str]


class ProductCreate(Model):
    name: ProductName
    category: Category | None = None
    unit: Unit | None = None
    threshold: Quantity | None = None
    price: Money | None = None
    cost: Money | None = None
    barcodes: Annotated[list[Barcode], Field(max_length=10)] | None = None
    supplier: Supplier | None = None
    expiry_warning_days: Annotated[int, Field(ge=0, le=365)] | None = None
    lead_days: LeadDays | None = None
    reorder_date: date | None = Field(default=None, description="when to order it again")


class ProductUpdate(Model):
    """Fields to change; those left out (or null) stay as they are, those named in
    `clear` are emptied."""

    name: ProductName | None = None
    category: Category | None = None
    unit: Unit | None = None
    threshold: Quantity | None = None
    price: Money | None = None
    cost: Money | None = None
    barcodes: Annotated[list[Barcode], Field(max_length=10)] | None = None
    supplier: Supplier | None = None
    expiry_warning_days: Annotated[int, Field(ge=0, le=365)] | None = None
    lead_days: LeadDays | None = None
    reorder_date: date | None = Field(default=None, description="when to order it again")
    clear: Annotated[list[Clearable], Field(max_length=3)] = Field(
        default_factory=list,
        description="fields to empty: no reorder date, the default lead time or warning",
    )

    @model_validator(mode="after")
    def _set_or_cleared(self) -> ProductUpdate:
        both = [name for name in self.clear if getattr(self, name) is not None]
        if both:
            raise Refused(N_("{field} is both set and cleared"), field=both[0])
        return self


class TimelineParams(Model):
    days: Annotated[int, Field(ge=1, le=365)] = 30


class StockPointOut(Model):
    at: datetime
    on_hand: DecimalText


class TimelineOut(Model):
    product_id: int
    since: datetime
    points: list[StockPointOut]


# -- the ledger --------------------------------------------------------------------------


class MovementOut(Model):
    id: int
    product_id: int
    quantity: DecimalText = Field(description="signed: positive adds stock")
    reason: ReasonName
    user_id: int
    created_at: datetime
    note: str
    expiry: date | None
    cost: DecimalText | None = Field(description="owners only; null for staff")
    price: DecimalText | None
    sale_price: DecimalText | None = Field(
        default=None, description="a sale's shelf price when it was made"
    )
    reorder_date: date | None
    reverses_id: int | None


class HistoryEntryOut(Model):
    movement: MovementOut
    product_name: str
    unit: str
    user_name: str
    undone: bool
    can_undo: bool


class HistoryParams(Model):
    before: (
        Annotated[int, Field(ge=1, le=MAX_ID, description="page on: the last id seen")] | None
    ) = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20


class HistoryOut(Model):
    entries: list[HistoryEntryOut]
    next_before: int | None = Field(description="pass as `before` for the next page")


class MovementCreate(Model):
    """One stock change, as in chat: `restock` (a new batch), `sale`, `removal` (with a
    reason), `count` (the quantity on the shelf) or `adjustment` (a signed correction,
    the product card's −1 / +1)."""

    product_id: Id
    kind: Literal["restock", "sale", "removal", "count", "adjustment"]
    quantity: Quantity
    reason: Literal["sale", "damage", "expired", "adjustment", "return"] | None = Field(
        default=None, description="removals only; adjustment when left out"
    )
    expiry: date | None = Field(default=None, description="restock only")
    cost: Money | None = Field(default=None, description="restock only: the supplier price")
    price: Money | None = Field(default=None, description="restock only, owners: store price")
    reorder_date: date | None = Field(default=None, description="restock only")
    note: Note = ""


class MovementResultOut(Model):
    movement: MovementOut | None
    product: ProductOut
    stock_status: StockStatusName
    expiry_status: ExpiryStatusName
    replayed: bool = Field(description="true when this Idempotency-Key was seen before")
    expired_on_arrival: bool


# -- export --------------------------------------------------------------------------

EXPORTS = ("stock", "ledger")


class DownloadLinksOut(Model):
    stock: str = Field(description="the stock CSV: a path under /api/v1, no cookie needed")
    ledger: str = Field(description="the ledger CSV: a path under /api/v1, no cookie needed")
    stock_file: str
    ledger_file: str
    expires_at: datetime


class DownloadParams(Model):
    token: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
