"""An index of each shop's sales by time: the dashboard adds up today's and this week's
sales in the database (db.inventory_queries.value) without reading the whole ledger.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:35:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SALES = "reason = 'sale'"


def upgrade() -> None:
    op.create_index(
        "ix_movements_shop_id_created_at_sales",
        "movements",
        ["shop_id", "created_at"],
        postgresql_where=sa.text(SALES),
        sqlite_where=sa.text(SALES),
    )


def downgrade() -> None:
    op.drop_index("ix_movements_shop_id_created_at_sales", table_name="movements")
