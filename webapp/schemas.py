"""The API's requests and responses. These models validate what comes in, shape what
goes out and are the only source of the OpenAPI document (webapp/openapi.py).

Quantities and money travel as decimal strings ("2.5", "1.20"): floats never enter the
ledger. Dates are ISO 8601. Staff get `cost` as null and `supplier` as "" (see
core.visibility)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    create_model,
    model_validator,
)

from core.catalog import MAX_LEAD_DAYS, MAX_NAME
from core.ledger import MAX_NOTE
from core.model import UNITS, Product
from core.product_fields import CLEARABLE, EDITABLE, Editable, Kind
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
    int, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_LEAD_DAYS})
]
# A text field of a product the API knows no closer limit of: one line, short enough to
# keep a request small; core checks the field's own limit.
Text = Annotated[str, Field(max_length=256, pattern=LINE)]
Days = Annotated[int, Field(ge=0, le=365)]
Barcodes = Annotated[list[Barcode], Field(max_length=10)]
# Product fields an owner may empty again (core.product_fields.CLEARABLE).
if TYPE_CHECKING:
    Clearable = str
else:
    Clearable = Literal[tuple(f.name for f in EDITABLE if f.clearable)]


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


# -- a product's fields ------------------------------------------------------------------
# Each field of core's table (core.product_fields) is a field of ProductCreate,
# ProductUpdate and ProductOut, typed by its kind: a new field of the table is in the API
# and its document without a line here.

# How a request gives a field of each kind, unless _TAKEN_AS types it closer.
_TAKEN_BY_KIND: dict[Kind, Any] = {
    Kind.TEXT: Text,
    Kind.QUANTITY: Quantity,
    Kind.MONEY: Money,
    Kind.DAYS: Days,
    Kind.DATE: date,
    Kind.BARCODES: Barcodes,
}
# Fields a request gives within narrower limits than their kind's: core's for each.
_TAKEN_AS: dict[str, Any] = {
    "name": ProductName,
    "category": Category,
    "unit": Unit,
    "supplier": Supplier,
    "lead_days": LeadDays,
}
# How a response shows a field of each kind (webapp.present sends it so).
_SHOWN_BY_KIND: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.QUANTITY: DecimalText,
    Kind.MONEY: DecimalText,
    Kind.DAYS: int,
    Kind.DATE: date,
    Kind.BARCODES: list[str],
}
# What the document says of a field whose name does not say it all.
_ABOUT = {
    "lead_days": "days from ordering to delivery; null: the default (7)",
    "reorder_date": "when to order it again",
}
# The fields a product may hold empty (None), shown as null.
_NULLABLE = frozenset(
    name for name, hint in get_type_hints(Product).items() if type(None) in get_args(hint)
)


def taken(field: Editable) -> tuple[Any, Any]:
    """A field of a request that adds or changes a product: null or left out, it stays."""
    kind = _TAKEN_AS.get(field.name, _TAKEN_BY_KIND[field.kind])
    return kind | None, Field(default=None, description=_ABOUT.get(field.name))


def shown(field: Editable) -> tuple[Any, Any]:
    """A field of a product in a response; what staff get in place of an owner's only
    (core.visibility): null, or empty where the product cannot hold None."""
    kind = _SHOWN_BY_KIND[field.kind]
    nullable = field.name in _NULLABLE
    about = _ABOUT.get(field.name)
    if field.owner_only:
        about = "owners only; null for staff" if nullable else "owners only; empty for staff"
    return (kind | None if nullable else kind), Field(description=about)


M = TypeVar("M", bound=BaseModel)


def product_fields(field: Callable[[Editable], tuple[Any, Any]]) -> Callable[[type[M]], type[M]]:
    """The model, with after its own fields each field of the table it does not declare
    itself, as `field` makes it."""

    def with_fields(model: type[M]) -> type[M]:
        table: dict[str, Any] = {
            f.name: field(f) for f in EDITABLE if f.name not in model.model_fields
        }
        return create_model(
            model.__name__,
            __base__=model,
            __module__=model.__module__,
            __doc__=model.__doc__,
            **table,
        )

    return with_fields


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
    default_lead_days: int = Field(description="a product's lead time when it has none")


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


# A product: its id and stock, and each field of the table as a member may see it.
@product_fields(shown)
class ProductOut(Model):
    id: int
    on_hand: DecimalText
    earliest_expiry: date | None
    archived: bool
    unit_known: str | None = Field(
        description="The unit the bot knows that `unit` is a spelling of (`box` for "
        "`boxes`, `pcs` for `шт`), so a page can word it in its language and number; "
        "null for a unit of the shop's own"
    )


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


# A new product needs its name; any other field of the table may be given.
@product_fields(taken)
class ProductCreate(Model):
    name: ProductName


@product_fields(taken)
class ProductUpdate(Model):
    """Fields to change; those left out (or null) stay as they are, those named in
    `clear` are emptied."""

    clear: Annotated[list[Clearable], Field(max_length=len(CLEARABLE))] = Field(
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
    unit_known: str | None = Field(description="as ProductOut's: the unit the bot knows `unit` is")
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
