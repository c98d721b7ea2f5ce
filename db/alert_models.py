"""Tables of alerting (core/alert_model.py), on the same declarative Base as db.models.

The outbox of threshold crossings is written in the movement's transaction; deliveries
are unique by `key` (crossing × person, shop × day × person), which is what makes a push
or a day's digest go out once per recipient however often and wherever it is planned.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, BatchRow, Quantity, UtcDateTime, partial

_ID = BigInteger().with_variant(Integer, "sqlite")


class AlertCrossingRow(Base):
    """Outbox: a movement took a product to or below its threshold, or to zero."""

    __tablename__ = "alert_crossings"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))
    on_hand: Mapped[Decimal] = mapped_column(Quantity())
    threshold: Mapped[Decimal] = mapped_column(Quantity())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    planned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('low', 'out')", name="kind"),
        ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            ondelete="CASCADE",
            name="fk_alert_crossings_shop_id_product_id_products",
        ),
        Index(
            "ix_alert_crossings_pending",
            "id",
            **partial("planned_at IS NULL"),
        ),
    )


class AlertDeliveryRow(Base):
    """One message to one person, and what became of it."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128), unique=True)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_crossings.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str] = mapped_column(Text, server_default="")

    __table_args__ = (
        CheckConstraint("kind IN ('crossing', 'digest', 'report')", name="kind"),
        CheckConstraint(
            "status IN ('pending', 'sent', 'blocked', 'failed', 'skipped')", name="status"
        ),
        Index(
            "ix_alert_deliveries_due",
            "not_before",
            "id",
            **partial("status = 'pending'"),
        ),
    )


class AlertShopSettingsRow(Base):
    __tablename__ = "alert_shop_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    digest_planned_for: Mapped[date | None] = mapped_column(Date)
    report_planned_for: Mapped[date | None] = mapped_column(Date)  # the Monday


class AlertMemberKindsRow(Base):
    """The alert kinds a member chose; no row means the role's default."""

    __tablename__ = "alert_member_kinds"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kinds: Mapped[str] = mapped_column(String(64), server_default="")  # comma-separated


class AlertProductStateRow(Base):
    __tablename__ = "alert_product_states"

    shop_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    muted: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    ordered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reorder_done_for: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            ondelete="CASCADE",
            name="fk_alert_product_states_shop_id_product_id_products",
        ),
    )


class AlertSnoozeRow(Base):
    __tablename__ = "alert_snoozes"

    shop_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    until: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            ondelete="CASCADE",
            name="fk_alert_snoozes_shop_id_product_id_products",
        ),
    )


class AlertBlockedRecipientRow(Base):
    """People who blocked the bot (Telegram answered 403): skipped until they return."""

    __tablename__ = "alert_blocked_recipients"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The digest reads a shop's batches with stock by expiry.
Index(
    "ix_batches_shop_id_expiry_in_stock",
    BatchRow.shop_id,
    BatchRow.expiry,
    **partial("quantity > 0 AND expiry IS NOT NULL"),
)
