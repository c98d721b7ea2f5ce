"""Alerts: crossings outbox, deliveries, alert settings, product alert state, snoozes,
blocked recipients; an index of batches in stock by expiry for the digest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:05:18.169223+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_blocked_recipients",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_blocked_recipients")),
    )
    op.create_table(
        "alert_member_kinds",
        sa.Column(
            "shop_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kinds", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_alert_member_kinds_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "user_id", name=op.f("pk_alert_member_kinds")),
    )
    op.create_table(
        "alert_shop_settings",
        sa.Column(
            "shop_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("digest_planned_for", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_alert_shop_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_alert_shop_settings")),
    )
    op.create_table(
        "alert_crossings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("on_hand", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("threshold", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('low', 'out')", name=op.f("ck_alert_crossings_kind")),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            name="fk_alert_crossings_shop_id_product_id_products",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_alert_crossings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_crossings")),
    )
    op.create_index(
        "ix_alert_crossings_pending",
        "alert_crossings",
        ["id"],
        unique=False,
        postgresql_where=sa.text("planned_at IS NULL"),
        sqlite_where=sa.text("planned_at IS NULL"),
    )
    op.create_table(
        "alert_product_states",
        sa.Column("shop_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("muted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reorder_done_for", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            name="fk_alert_product_states_shop_id_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "product_id", name=op.f("pk_alert_product_states")),
    )
    op.create_table(
        "alert_snoozes",
        sa.Column("shop_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            name="fk_alert_snoozes_shop_id_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "user_id", "product_id", name=op.f("pk_alert_snoozes")),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "crossing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("kind IN ('crossing', 'digest')", name=op.f("ck_alert_deliveries_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'blocked', 'failed', 'skipped')",
            name=op.f("ck_alert_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["alert_crossings.id"],
            name=op.f("fk_alert_deliveries_crossing_id_alert_crossings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_alert_deliveries_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_alert_deliveries_key")),
    )
    op.create_index(
        op.f("ix_alert_deliveries_crossing_id"), "alert_deliveries", ["crossing_id"], unique=False
    )
    op.create_index(
        "ix_alert_deliveries_due",
        "alert_deliveries",
        ["not_before", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        op.f("ix_alert_deliveries_shop_id"), "alert_deliveries", ["shop_id"], unique=False
    )
    op.create_index(
        "ix_batches_shop_id_expiry_in_stock",
        "batches",
        ["shop_id", "expiry"],
        unique=False,
        postgresql_where=sa.text("quantity > 0 AND expiry IS NOT NULL"),
        sqlite_where=sa.text("quantity > 0 AND expiry IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_batches_shop_id_expiry_in_stock",
        table_name="batches",
        postgresql_where=sa.text("quantity > 0 AND expiry IS NOT NULL"),
        sqlite_where=sa.text("quantity > 0 AND expiry IS NOT NULL"),
    )
    op.drop_index(op.f("ix_alert_deliveries_shop_id"), table_name="alert_deliveries")
    op.drop_index(
        "ix_alert_deliveries_due",
        table_name="alert_deliveries",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_alert_deliveries_crossing_id"), table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_table("alert_snoozes")
    op.drop_table("alert_product_states")
    op.drop_index(
        "ix_alert_crossings_pending",
        table_name="alert_crossings",
        postgresql_where=sa.text("planned_at IS NULL"),
        sqlite_where=sa.text("planned_at IS NULL"),
    )
    op.drop_table("alert_crossings")
    op.drop_table("alert_shop_settings")
    op.drop_table("alert_member_kinds")
    op.drop_table("alert_blocked_recipients")
