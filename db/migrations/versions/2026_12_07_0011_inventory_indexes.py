"""Indexes for inventory lists and the dashboard read in the database.

By quantity and by expiry (each a page of the order, then stop), and the low-or-out
list (its count reads the index alone). On PostgreSQL the expiry index carries what the
expiry statuses need, so counting them never visits the table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "NOT archived"
REORDER = "NOT archived AND (on_hand <= 0 OR on_hand <= threshold)"


def upgrade() -> None:
    for name, first, where, include in (
        ("ix_products_shop_id_on_hand", "on_hand", ACTIVE, []),
        (
            "ix_products_shop_id_earliest_expiry",
            "earliest_expiry",
            ACTIVE,
            ["on_hand", "expiry_warning_days"],
        ),
        ("ix_products_shop_id_on_hand_reorder", "on_hand", REORDER, []),
    ):
        op.create_index(
            name,
            "products",
            ["shop_id", first, "name_key", "id"],
            postgresql_include=include,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name in (
        "ix_products_shop_id_on_hand_reorder",
        "ix_products_shop_id_earliest_expiry",
        "ix_products_shop_id_on_hand",
    ):
        op.drop_index(name, table_name="products")
