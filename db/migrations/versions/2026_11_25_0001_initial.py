"""Initial schema: shops, members, catalog, batches, the ledger and the update inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:02:08.504457+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("near_expiry_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("alert_time", sa.Time(), server_default="08:00:00", nullable=False),
        sa.Column("day_first", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
    )
    op.create_table(
        "update_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_update_inbox")),
    )
    op.create_index(
        "ix_update_inbox_pending",
        "update_inbox",
        ["update_id"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )
    op.create_table(
        "group_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_group_chats_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_group_chats")),
    )
    op.create_index(op.f("ix_group_chats_shop_id"), "group_chats", ["shop_id"], unique=False)
    op.create_table(
        "invites",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'staff')", name=op.f("ck_invites_role")),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_invites_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invites")),
    )
    op.create_index(op.f("ix_invites_shop_id"), "invites", ["shop_id"], unique=False)
    op.create_table(
        "members",
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=128), server_default="", nullable=False),
        sa.CheckConstraint("role IN ('owner', 'staff')", name=op.f("ck_members_role")),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_members_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "user_id", name=op.f("pk_members")),
    )
    op.create_index(op.f("ix_members_user_id"), "members", ["user_id"], unique=False)
    op.create_table(
        "products",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=16), server_default="pcs", nullable=False),
        sa.Column(
            "threshold", sa.Numeric(precision=18, scale=3), server_default="0", nullable=False
        ),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("barcodes", sa.Text(), server_default="", nullable=False),
        sa.Column("supplier", sa.String(length=128), server_default="", nullable=False),
        sa.Column("expiry_warning_days", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("reorder_date", sa.Date(), nullable=True),
        sa.Column("on_hand", sa.Numeric(precision=18, scale=3), server_default="0", nullable=False),
        sa.Column("earliest_expiry", sa.Date(), nullable=True),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_products_on_hand_not_negative")),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_products_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("shop_id", "id", name=op.f("uq_products_shop_id_id")),
    )
    op.create_index(
        "ix_products_shop_id_archived_name_key",
        "products",
        ["shop_id", "archived", "name_key"],
        unique=False,
    )
    op.create_index(
        "uq_products_shop_id_name_key_active",
        "products",
        ["shop_id", "name_key"],
        unique=True,
        postgresql_where=sa.text("NOT archived"),
        sqlite_where=sa.text("NOT archived"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column(
            "active_shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["active_shop_id"],
            ["shops.id"],
            name=op.f("fk_users_active_shop_id_shops"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_batches_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            name="fk_batches_shop_id_product_id_products",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_batches_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index(
        "ix_batches_product_id_in_stock",
        "batches",
        ["product_id"],
        unique=False,
        postgresql_where=sa.text("quantity > 0"),
        sqlite_where=sa.text("quantity > 0"),
    )
    op.create_index(
        "ix_batches_product_id_received_at", "batches", ["product_id", "received_at"], unique=False
    )
    op.create_table(
        "movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("note", sa.String(length=255), server_default="", nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("reorder_date", sa.Date(), nullable=True),
        sa.Column(
            "reverses_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "reason IN ('restock', 'sale', 'damage', 'expired', 'adjustment', 'return', 'undo')",
            name=op.f("ck_movements_reason"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_movements_quantity_not_zero")),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["movements.id"],
            name=op.f("fk_movements_reverses_id_movements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id", "product_id"],
            ["products.shop_id", "products.id"],
            name="fk_movements_shop_id_product_id_products",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_movements_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_movements_reverses_id")),
        sa.UniqueConstraint(
            "shop_id", "idempotency_key", name=op.f("uq_movements_shop_id_idempotency_key")
        ),
    )
    op.create_index(
        "ix_movements_shop_id_id",
        "movements",
        ["shop_id", sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_movements_shop_id_product_id_id",
        "movements",
        ["shop_id", "product_id", sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_movements_shop_id_user_id_id",
        "movements",
        ["shop_id", "user_id", sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_table(
        "movement_allocations",
        sa.Column(
            "movement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_movement_allocations_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["movements.id"],
            name=op.f("fk_movement_allocations_movement_id_movements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_movement_allocations_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("movement_id", "batch_id", name=op.f("pk_movement_allocations")),
    )
    op.create_index(
        op.f("ix_movement_allocations_batch_id"), "movement_allocations", ["batch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_movement_allocations_batch_id"), table_name="movement_allocations")
    op.drop_table("movement_allocations")
    op.drop_index("ix_movements_shop_id_user_id_id", table_name="movements")
    op.drop_index("ix_movements_shop_id_product_id_id", table_name="movements")
    op.drop_index("ix_movements_shop_id_id", table_name="movements")
    op.drop_table("movements")
    op.drop_index("ix_batches_product_id_received_at", table_name="batches")
    op.drop_index(
        "ix_batches_product_id_in_stock",
        table_name="batches",
        postgresql_where=sa.text("quantity > 0"),
        sqlite_where=sa.text("quantity > 0"),
    )
    op.drop_table("batches")
    op.drop_table("users")
    op.drop_index(
        "uq_products_shop_id_name_key_active",
        table_name="products",
        postgresql_where=sa.text("NOT archived"),
        sqlite_where=sa.text("NOT archived"),
    )
    op.drop_index("ix_products_shop_id_archived_name_key", table_name="products")
    op.drop_table("products")
    op.drop_index(op.f("ix_members_user_id"), table_name="members")
    op.drop_table("members")
    op.drop_index(op.f("ix_invites_shop_id"), table_name="invites")
    op.drop_table("invites")
    op.drop_index(op.f("ix_group_chats_shop_id"), table_name="group_chats")
    op.drop_table("group_chats")
    op.drop_index(
        "ix_update_inbox_pending",
        table_name="update_inbox",
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )
    op.drop_table("update_inbox")
    op.drop_table("shops")
