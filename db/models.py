"""Tables of stockbot. Every table holding shop data carries `shop_id`.

Quantities are Numeric(18, 3) and money Numeric(18, 2), never floats; datetimes are stored
in UTC and come back timezone-aware on both PostgreSQL and SQLite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

QUANTITY_SCALE = 3
MONEY_SCALE = 2
REASONS = ("restock", "sale", "damage", "expired", "adjustment", "return", "undo", "import")


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC on both dialects, always read back as a Decimal with a fixed scale.

    SQLite stores NUMERIC as REAL when it has a fraction; every value the domain allows
    (< 10**9, 3 decimals) round-trips exactly through a double, so the value is restored
    from its shortest repr and quantized — without SQLAlchemy's lossy-Decimal warning."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale)
        self.precision = precision
        self.scale = scale
        self._step = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=False))
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return str(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
        return number.quantize(self._step)


class Varchar(TypeDecorator[str]):
    """VARCHAR for what people type: NUL characters are dropped on the way in, in values
    stored and compared alike. PostgreSQL cannot hold a NUL in text, so a NUL typed into
    a name, a note or an invite code was a database error ("invalid byte sequence"),
    retried as our own failure; no reader can see one anyway."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return value.replace("\x00", "") if value is not None else None


def Quantity() -> ExactDecimal:
    return ExactDecimal(18, QUANTITY_SCALE)


def Money() -> ExactDecimal:
    return ExactDecimal(18, MONEY_SCALE)


class UtcDateTime(TypeDecorator[datetime]):
    """TIMESTAMP WITH TIME ZONE; SQLite keeps no zone, so values are stored in UTC and
    read back as UTC-aware datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: stockbot stores aware datetimes only")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def partial(predicate: str) -> dict[str, Any]:
    """An index's WHERE, the same on both databases: one predicate, never two that drift."""
    return {"postgresql_where": text(predicate), "sqlite_where": text(predicate)}


class Base(DeclarativeBase):
    metadata = metadata


class ShopRow(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    name: Mapped[str] = mapped_column(Varchar(64))
    timezone: Mapped[str] = mapped_column(Varchar(64), server_default="UTC")
    currency: Mapped[str] = mapped_column(Varchar(3), server_default="EUR")
    near_expiry_days: Mapped[int] = mapped_column(Integer, server_default="7")
    alert_time: Mapped[time] = mapped_column(Time, server_default="08:00:00")
    day_first: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    language: Mapped[str] = mapped_column(String(8), server_default="en")


class UserLanguageRow(Base):
    """A person's language: chosen with /language, or as Telegram last said. Its own
    table: people who never joined a shop have no users row but may choose one."""

    __tablename__ = "user_languages"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chosen: Mapped[str | None] = mapped_column(String(8))
    seen: Mapped[str | None] = mapped_column(String(8))


class UserRow(Base):
    """A Telegram user; `id` is Telegram's user id. Members are not tied to this row by a
    foreign key: a membership may be recorded before the user's profile in one transaction."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Varchar(128))
    active_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="SET NULL"))


class MemberRow(Base):
    __tablename__ = "members"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Varchar(128), server_default="")

    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role"),)


class GroupChatRow(Base):
    """A Telegram group chat linked to a shop."""

    __tablename__ = "group_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)


class InviteRow(Base):
    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(Varchar(64), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role"),)


# Low or out of stock (core.status): the predicate of a partial index, written as
# db.inventory_queries asks for it so the planner can prove the index applies.
REORDER = "NOT archived AND (on_hand <= 0 OR on_hand <= threshold)"


class ProductRow(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Varchar(64))
    # Code-point order, as core compares names (see migration 0008).
    name_key: Mapped[str] = mapped_column(
        Varchar(64).with_variant(Varchar(64, collation="C"), "postgresql")
    )
    category: Mapped[str] = mapped_column(Varchar(64), server_default="")
    unit: Mapped[str] = mapped_column(Varchar(16), server_default="pcs")
    threshold: Mapped[Decimal] = mapped_column(Quantity(), server_default="0")
    price: Mapped[Decimal | None] = mapped_column(Money())
    cost: Mapped[Decimal | None] = mapped_column(Money())
    barcodes: Mapped[str] = mapped_column(Text, server_default="")  # newline-separated
    supplier: Mapped[str] = mapped_column(Varchar(128), server_default="")
    expiry_warning_days: Mapped[int | None] = mapped_column(Integer)
    lead_days: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    reorder_date: Mapped[date | None] = mapped_column(Date)
    # Snapshot of the ledger, updated in the same transaction as every movement.
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), server_default="0")
    earliest_expiry: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        # Target of the (shop_id, product_id) foreign keys: stock cannot change shops.
        UniqueConstraint("shop_id", "id"),
        Index(
            "uq_products_shop_id_name_key_active",
            "shop_id",
            "name_key",
            unique=True,
            **partial("NOT archived"),
        ),
        Index("ix_products_shop_id_archived_name_key", "shop_id", "archived", "name_key"),
        # Inventory lists by quantity and by expiry, and the dashboard's counts, read these
        # in order and stop after a page (db.inventory_queries; migration 0011).
        Index(
            "ix_products_shop_id_on_hand",
            "shop_id",
            "on_hand",
            "name_key",
            "id",
            **partial("NOT archived"),
        ),
        Index(
            "ix_products_shop_id_earliest_expiry",
            "shop_id",
            "earliest_expiry",
            "name_key",
            "id",
            postgresql_include=["on_hand", "expiry_warning_days"],
            **partial("NOT archived"),
        ),
        Index(
            "ix_products_shop_id_on_hand_reorder",
            "shop_id",
            "on_hand",
            "name_key",
            "id",
            **partial(REORDER),
        ),
        # The digest scan's earliest reorder date per shop (migration 0019).
        Index(
            "ix_products_shop_id_reorder_date",
            "shop_id",
            "reorder_date",
            **partial("reorder_date IS NOT NULL AND NOT archived"),
        ),
    )


class BatchRow(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expiry: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(Money())

    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            ondelete="CASCADE",
            name="fk_batches_shop_id_product_id_products",
        ),
        Index(
            "ix_batches_product_id_in_stock",
            "product_id",
            **partial("quantity > 0"),
        ),
        Index("ix_batches_product_id_received_at", "product_id", "received_at"),
    )


class MovementRow(Base):
    """The ledger: append-only, never updated or deleted."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[Decimal] = mapped_column(Quantity())  # signed
    reason: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Varchar(255), server_default="")
    cost: Mapped[Decimal | None] = mapped_column(Money())
    price: Mapped[Decimal | None] = mapped_column(Money())
    expiry: Mapped[date | None] = mapped_column(Date)
    reorder_date: Mapped[date | None] = mapped_column(Date)
    # A movement can be undone once: at most one undo points at it.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("movements.id", ondelete="CASCADE"), unique=True
    )
    cost_before: Mapped[Decimal | None] = mapped_column(Money())
    price_before: Mapped[Decimal | None] = mapped_column(Money())
    reorder_date_before: Mapped[date | None] = mapped_column(Date)
    sale_price: Mapped[Decimal | None] = mapped_column(Money())
    # What a stocktake counted: the adjustment was a count (core.model.Movement).
    counted: Mapped[Decimal | None] = mapped_column(Quantity())

    __table_args__ = (
        # Zero only for a stocktake that matched the books (a count confirmed).
        CheckConstraint("quantity <> 0 OR reason = 'adjustment'", name="quantity_not_zero"),
        CheckConstraint(f"reason IN ({', '.join(repr(r) for r in REASONS)})", name="reason"),
        UniqueConstraint("shop_id", "idempotency_key"),
        ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            ondelete="CASCADE",
            name="fk_movements_shop_id_product_id_products",
        ),
    )


# History pages read the ledger newest first, per shop, per product and per user.
Index("ix_movements_shop_id_id", MovementRow.shop_id, MovementRow.id.desc())
Index(
    "ix_movements_shop_id_product_id_id",
    MovementRow.shop_id,
    MovementRow.product_id,
    MovementRow.id.desc(),
)
Index(
    "ix_movements_shop_id_user_id_id",
    MovementRow.shop_id,
    MovementRow.user_id,
    MovementRow.id.desc(),
)
# The dashboard's sales of today and this week (migration 0013).
Index(
    "ix_movements_shop_id_created_at_sales",
    MovementRow.shop_id,
    MovementRow.created_at,
    **partial("reason = 'sale'"),
)
# The sales that recorded no price, valued at the product's price today (migration 0016).
Index(
    "ix_movements_shop_id_created_at_unpriced",
    MovementRow.shop_id,
    MovementRow.created_at,
    **partial("reason = 'sale' AND coalesce(sale_price, 0) = 0"),
)


class MovementAllocationRow(Base):
    """How much of one batch a movement took (negative) or gave (positive)."""

    __tablename__ = "movement_allocations"

    movement_id: Mapped[int] = mapped_column(
        ForeignKey("movements.id", ondelete="CASCADE"), primary_key=True
    )
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Quantity())


class SalesByHourRow(Base):
    """What a shop's priced sales took in, per UTC hour and stripe of products, less the
    sales undone: kept by a trigger on `movements` (migration 0016), read by the
    dashboard (db.inventory_queries.value). Derived from the ledger: not backed up."""

    __tablename__ = "sales_by_hour"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    taken: Mapped[Decimal] = mapped_column(ExactDecimal(18, 5))


class StockByShopRow(Base):
    """A shop's active products, how many are low or out, how many out, and their stock
    at cost in units of 0.00001, per stripe of writers: kept by triggers on `products`
    (migration 0017), read by the dashboard (db.inventory_queries). Derived from the
    catalog: not backed up."""

    __tablename__ = "stock_by_shop"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    products: Mapped[int] = mapped_column(BigInteger)
    reorder: Mapped[int] = mapped_column(BigInteger)
    out_of_stock: Mapped[int] = mapped_column(BigInteger)
    value_e5: Mapped[Decimal] = mapped_column(Numeric(38, 0))


class ExpiryByShopRow(Base):
    """How many of a shop's active products in stock have their earliest expiry on a day,
    per warning window (the product's own days, or -1 for the shop's): kept by triggers
    on `products` (migration 0018), read by the dashboard (db.inventory_queries). Derived
    from the catalog: not backed up."""

    __tablename__ = "expiry_by_shop"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    expiry: Mapped[date] = mapped_column(Date, primary_key=True)
    warning_days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    products: Mapped[int] = mapped_column(BigInteger)


class UpdateInboxRow(Base):
    """Telegram updates stored before they are acknowledged; update_id is the key."""

    __tablename__ = "update_inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The chat whose order the update keeps (db.inbox); None for updates of no chat.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Who sent it (its claim reads their language with it); None when no one did.
    user_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index(
            "ix_update_inbox_pending",
            "update_id",
            **partial("processed_at IS NULL"),
        ),
        Index(
            "ix_update_inbox_chat_pending",
            "chat_id",
            "update_id",
            **partial("processed_at IS NULL"),
        ),
        Index(
            "ix_update_inbox_chat_leased",
            "chat_id",
            "leased_until",
            **partial("leased_until IS NOT NULL"),
        ),
    )
